import type { WorkspaceCatalog } from "./catalog.ts";
import { WorkspaceCatalog as CatalogSchema } from "./catalog.ts";
import type { JourneyInput } from "./schema.ts";
import type { ValidationIssue } from "./validate.ts";
import { validateJourney } from "./validate.ts";

/**
 * A small store catalog and a valid checkout-abandonment journey, shared by the format's tests.
 * Each test copies the journey and breaks exactly one thing, so a failing check names one cause.
 */
export const storeCatalog: WorkspaceCatalog = CatalogSchema.parse({
  events: {
    "Checkout Started": { properties: { cart_id: "string", value: "number", currency: "string" } },
    "Order Completed": { properties: { order_id: "string", total: "number" } },
    "Trial Started": { properties: { plan: "string", trial_ends_at: "datetime" } },
    "App Opened": {},
    "Support Ticket Opened": { properties: { ticket_id: "string", priority: "low|normal|high" } },
    "Chat Message Received": { properties: { text: "string" } },
  },
  traits: {
    email: "string",
    tier: "vip|regular",
    churn_risk: "0..1",
    renewal_at: "datetime",
    open_support_tickets: "number",
  },
  channels: ["email", "sms", "push", "handoff", "webhook"],
  segments: ["VIP", "High churn risk"],
  templates: ["cart-reminder-sms", "cart-discount-email"],
  tools: ["crm.lookup"],
});

export function checkoutJourney(): JourneyInput {
  return {
    name: "Checkout abandonment",
    trigger: { type: "event", event: "Checkout Started" },
    exit_on: [{ event: "Order Completed" }],
    goal: { event: "Order Completed", within: "P7D" },
    start: "wait_order",
    nodes: [
      {
        id: "wait_order",
        type: "wait_for_event",
        event: "Order Completed",
        timeout: "PT1H",
        on_event: "done",
        on_timeout: "sms",
      },
      { id: "sms", type: "send", channel: "sms", template: "cart-reminder-sms", next: "wait_day" },
      { id: "wait_day", type: "wait", duration: "P1D", next: "email" },
      {
        id: "email",
        type: "send",
        channel: "email",
        template: "cart-discount-email",
        offer: { kind: "percent_off", value: 10 },
        next: "done",
      },
      { id: "done", type: "exit" },
    ],
  };
}

/** A deep copy of the fixture journey, loosely typed so tests can break it in any way. */
export function mutableJourney(): Record<string, unknown> & { nodes: Array<Record<string, unknown>> } {
  return structuredClone(checkoutJourney()) as unknown as ReturnType<typeof mutableJourney>;
}

/** Every issue the validator reports for `input` against the store catalog (or another). */
export function issuesOf(input: unknown, catalog: WorkspaceCatalog = storeCatalog): ValidationIssue[] {
  return validateJourney(input, catalog).issues;
}

/** The issues with one code, so a test asserts on its own check and not on unrelated ones. */
export function issuesWithCode(
  input: unknown,
  code: string,
  catalog: WorkspaceCatalog = storeCatalog,
): ValidationIssue[] {
  return issuesOf(input, catalog).filter((issue) => issue.code === code);
}
