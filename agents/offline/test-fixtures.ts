import { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import { planJourney } from "./planner.ts";

/**
 * Two hand-written workspaces for the planner's tests. The shop is written in the same Segment
 * style as the eval catalog but with its own wording; the telco uses events the planner has never
 * seen, so a test that passes on it shows that nothing is keyed to particular event names.
 */

export const SHOP_CATALOG = WorkspaceCatalog.parse({
  events: {
    "Signed Up": { description: "a new account was created", properties: { plan: "string" } },
    "Trial Started": {
      description: "a free trial began",
      properties: { plan: "string", trial_ends_at: "datetime" },
    },
    "Subscription Upgraded": { description: "moved to a paid plan", properties: { plan: "string" } },
    "Subscription Cancelled": {
      description: "the subscription was cancelled",
      properties: { plan: "string" },
    },
    "App Opened": { description: "the mobile app was opened", properties: {} },
    "Product Viewed": {
      description: "a product page was viewed",
      properties: { product_id: "string", name: "string", category: "string", price: "number" },
    },
    "Product Added": {
      description: "a product was put in the cart (basket)",
      properties: { product_id: "string", cart_id: "string", price: "number" },
    },
    "Checkout Started": {
      description: "checkout began for a cart",
      properties: { cart_id: "string", value: "number" },
    },
    "Order Completed": {
      description: "an order was placed and paid (a purchase)",
      properties: { order_id: "string", total: "number", category: "string" },
    },
    "Order Shipped": { description: "an order left the warehouse", properties: { order_id: "string" } },
    "Order Delivered": { description: "an order reached the customer", properties: { order_id: "string" } },
    "Order Cancelled": { description: "an order was cancelled", properties: { order_id: "string" } },
    "Delivery Delayed": {
      description: "a delivery will arrive late",
      properties: { order_id: "string", delay_days: "number" },
    },
    "Product Returned": {
      description: "the customer returned a product",
      properties: { order_id: "string", product_id: "string", reason: "string" },
    },
    "Payment Failed": {
      description: "a charge failed (for example card declined)",
      properties: { invoice_id: "string", amount: "number" },
    },
    "Payment Succeeded": {
      description: "a charge went through",
      properties: { invoice_id: "string", amount: "number" },
    },
    "Support Ticket Opened": {
      description: "a support ticket was opened",
      properties: { ticket_id: "string", topic: "string", priority: "low|normal|high" },
    },
    "Support Ticket Closed": {
      description: "a support ticket was resolved and closed",
      properties: { ticket_id: "string" },
    },
    "Survey Submitted": {
      description: "an NPS (0-10) or CSAT (1-5) survey answer",
      properties: { survey: "nps|csat", score: "number", comment: "string" },
    },
    "Chat Message Received": {
      description: "a message the customer wrote in chat",
      properties: { text: "string" },
    },
    "Booking Confirmed": {
      description: "a trip was booked",
      properties: { booking_id: "string", destination: "string", departure_at: "datetime" },
    },
    "Flight Delayed": {
      description: "a booked flight is delayed",
      properties: { booking_id: "string", delay_minutes: "number" },
    },
  },
  traits: {
    email: "string",
    tier: "vip|regular",
    plan: "free|pro|enterprise",
    lifetime_value: "number",
    open_support_tickets: "number of tickets open now",
    churn_risk: "0..1, from the churn model",
    purchase_propensity: "0..1, from the propensity model",
  },
  channels: ["email", "sms", "push", "in_app", "chat", "handoff", "webhook"],
});

export const TELCO_CATALOG = WorkspaceCatalog.parse({
  events: {
    "Contract Signed": {
      description: "a customer signed a mobile contract",
      properties: { tariff: "string" },
    },
    "Data Limit Reached": {
      description: "the monthly data allowance ran out",
      properties: { used_gb: "number" },
    },
    "Top Up Purchased": {
      description: "extra data was bought",
      properties: { gb: "number", price: "number" },
    },
    "Invoice Overdue": {
      description: "an invoice was not paid on time",
      properties: { amount: "number", days_overdue: "number" },
    },
    "Invoice Paid": { description: "an invoice was settled", properties: { amount: "number" } },
    "Router Installed": { description: "a broadband router was installed at home", properties: {} },
    "Contract Ending": { description: "a contract is about to end", properties: { ends_at: "datetime" } },
  },
  traits: {
    segment: "consumer|business",
    tenure_months: "number",
    churn_score: "0..1, from the churn model",
  },
  channels: ["email", "sms", "push", "handoff"],
});

type NodeInput = JourneyInput["nodes"][number];

/** The journey the planner drafts for `goal`; a clarifying question fails the test that asked for a draft. */
export function draftJourney(goal: string, catalog: WorkspaceCatalog = SHOP_CATALOG): JourneyInput {
  const result = planJourney(goal, { catalog });
  if (result.kind !== "journey") throw new Error(`expected a journey, got a question: ${result.question}`);
  return result.journey;
}

/** The journey's nodes of one type, typed as that node. */
export function nodesOfType<T extends NodeInput["type"]>(
  journey: JourneyInput,
  type: T,
): Extract<NodeInput, { type: T }>[] {
  return journey.nodes.filter((entry): entry is Extract<NodeInput, { type: T }> => entry.type === type);
}

export function nodeById(journey: JourneyInput, id: string): NodeInput {
  const found = journey.nodes.find((entry) => entry.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

/** The whole draft (journey, explanation, resolved phrases) for `goal`; a question fails the test. */
export function draftResult(goal: string, catalog: WorkspaceCatalog = SHOP_CATALOG) {
  const result = planJourney(goal, { catalog });
  if (result.kind !== "journey") throw new Error(`expected a journey, got a question: ${result.question}`);
  return result;
}

/**
 * What a customer who never does anything further meets, from the start: a wait_for_event whose
 * event ends the journey is a guard (`guard:<event>:<timeout>`, followed to its timeout); any other
 * is awaited (`await:…`, followed to its event).
 */
export function customerPath(journey: JourneyInput): string[] {
  const seen: string[] = [];
  let current: NodeInput | undefined = nodeById(journey, journey.start);
  while (current && seen.length < 20) {
    const node: NodeInput = current;
    let next: string | undefined = "next" in node ? node.next : undefined;
    if (node.type === "send") seen.push(`send:${node.channel}`);
    else if (node.type === "wait") seen.push(`wait:${node.duration ?? "until"}`);
    else if (node.type === "wait_for_event") {
      const ends = nodeById(journey, node.on_event).type === "exit";
      seen.push(`${ends ? "guard" : "await"}:${node.event}:${node.timeout}`);
      next = ends ? node.on_timeout : node.on_event;
    } else seen.push(node.type);
    current = next ? nodeById(journey, next) : undefined;
  }
  return seen;
}
