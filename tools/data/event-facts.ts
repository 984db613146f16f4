import { addDuration } from "../../journeys/format/duration.ts";
import type { EventRecord } from "../../journeys/format/evaluate.ts";
import { RETURN_EVENTS } from "../../policies/gateway.ts";
import { boundedJson, finiteNumber, text } from "./bounds.ts";

/**
 * What a customer's own events say about their orders, tickets and products: pure functions over
 * event records, used by the database adapters (over the events they load) and by the simulator's
 * in-memory tools (over the scenario's events), so both give the same answer for the same history.
 * Event names and properties follow the Segment e-commerce spec and the workspace catalog.
 */

export const ORDER_COMPLETED = "Order Completed";
export const ORDER_CANCELLED = "Order Cancelled";
export const PRODUCT_VIEWED = "Product Viewed";
export const PRODUCT_ADDED = "Product Added";
export const TICKET_OPENED = "Support Ticket Opened";
export const TICKET_CLOSED = "Support Ticket Closed";

/** The events orders.recent reads (returns mark orders, cart adds name an order's products). */
export const ORDER_FACT_EVENTS = [ORDER_COMPLETED, ORDER_CANCELLED, PRODUCT_ADDED, ...RETURN_EVENTS];
export const TICKET_FACT_EVENTS = [TICKET_OPENED, TICKET_CLOSED];

/**
 * An order that names no products (`products[]` per the Segment spec, or `product_id`) is credited
 * with the cart adds since the previous order, at most this long before it (or, when the order has
 * a `cart_id`, with that cart's adds).
 */
export const CART_ATTRIBUTION_MS = 24 * 3_600_000;

const byTime = (a: EventRecord, b: EventRecord) => a.timestamp.getTime() - b.timestamp.getTime();

interface ProductLine {
  productId: string;
  category: string | null;
  name: string | null;
  price: number | null;
  quantity: number;
}

function productLine(source: Record<string, unknown>): ProductLine | null {
  const productId = text(source.product_id) ?? text(source.sku);
  if (!productId) return null;
  return {
    productId,
    category: text(source.category),
    name: text(source.name),
    price: finiteNumber(source.price),
    quantity: finiteNumber(source.quantity) ?? 1,
  };
}

/** The products an order names itself: `products[]`, or a single `product_id`. */
function namedProducts(order: EventRecord): ProductLine[] {
  const listed = order.properties.products;
  if (Array.isArray(listed)) {
    return listed
      .filter((item): item is Record<string, unknown> => item !== null && typeof item === "object")
      .map(productLine)
      .filter((line): line is ProductLine => line !== null);
  }
  const single = productLine(order.properties);
  return single ? [single] : [];
}

export interface OrderView {
  order_id: string | null;
  at: string;
  total: number | null;
  currency: string | null;
  categories: string[];
  product_ids: string[];
  /** some of it was sent back (Product Returned / Return Requested for this order) */
  returned: boolean;
  returned_product_ids: string[];
  cancelled: boolean;
}

export interface OrdersResult {
  /** orders within the window (the list shows the newest `limit` of them) */
  count: number;
  orders: OrderView[];
  last_order_at: string | null;
  last_total: number | null;
  /** sum of the totals of the window's orders that were not cancelled */
  total_value: number;
  returned_count: number;
  cancelled_count: number;
}

interface OrderFacts {
  event: EventRecord;
  products: ProductLine[];
}

/** Every completed order in the history (one per order_id, the latest report wins), oldest first, with its products. */
function ordersWithProducts(events: readonly EventRecord[]): OrderFacts[] {
  const sorted = [...events].sort(byTime);
  const adds = sorted.filter((event) => event.name === PRODUCT_ADDED);
  const byId = new Map<string, EventRecord>();
  const anonymous: EventRecord[] = [];
  for (const event of sorted) {
    if (event.name !== ORDER_COMPLETED) continue;
    const id = text(event.properties.order_id);
    if (id) byId.set(id, event);
    else anonymous.push(event);
  }
  const orders = [...byId.values(), ...anonymous].sort(byTime);
  let previous: number | null = null;
  return orders.map((event) => {
    const at = event.timestamp.getTime();
    let products = namedProducts(event);
    if (products.length === 0) {
      const cartId = text(event.properties.cart_id);
      const from = Math.max(previous ?? Number.NEGATIVE_INFINITY, at - CART_ATTRIBUTION_MS);
      products = adds
        .filter((add) => {
          const time = add.timestamp.getTime();
          if (time > at) return false;
          return cartId ? text(add.properties.cart_id) === cartId : time > from;
        })
        .map((add) => productLine(add.properties))
        .filter((line): line is ProductLine => line !== null);
    }
    previous = at;
    return { event, products };
  });
}

export function summarizeOrders(
  events: readonly EventRecord[],
  now: Date,
  args: { limit: number; within: string },
): OrdersResult {
  const since = addDuration(now, args.within, -1).getTime();
  const returns = new Map<string, Set<string>>();
  const cancelled = new Set<string>();
  for (const event of events) {
    const orderId = text(event.properties.order_id);
    if (!orderId) continue;
    if ((RETURN_EVENTS as readonly string[]).includes(event.name)) {
      const set = returns.get(orderId) ?? new Set<string>();
      const productId = text(event.properties.product_id);
      if (productId) set.add(productId);
      returns.set(orderId, set);
    }
    if (event.name === ORDER_CANCELLED) cancelled.add(orderId);
  }
  const inWindow = ordersWithProducts(events)
    .filter(({ event }) => event.timestamp.getTime() >= since && event.timestamp.getTime() <= now.getTime())
    .reverse();
  const views = inWindow.map(({ event, products }): OrderView => {
    const orderId = text(event.properties.order_id);
    const fromLines = products.reduce<number | null>(
      (sum, line) => (line.price === null ? sum : (sum ?? 0) + line.price * line.quantity),
      null,
    );
    const categories = new Set<string>();
    const ownCategory = text(event.properties.category);
    if (ownCategory) categories.add(ownCategory);
    for (const line of products) if (line.category) categories.add(line.category);
    const returnedIds = orderId ? returns.get(orderId) : undefined;
    return {
      order_id: orderId,
      at: event.timestamp.toISOString(),
      total: finiteNumber(event.properties.total) ?? finiteNumber(event.properties.revenue) ?? fromLines,
      currency: text(event.properties.currency),
      categories: [...categories].slice(0, 10),
      product_ids: [...new Set(products.map((line) => line.productId))].slice(0, 20),
      returned: returnedIds !== undefined,
      returned_product_ids: [...(returnedIds ?? [])].slice(0, 20),
      cancelled: orderId !== null && cancelled.has(orderId),
    };
  });
  const totalValue = views
    .filter((order) => !order.cancelled)
    .reduce((sum, order) => sum + (order.total ?? 0), 0);
  return {
    count: views.length,
    orders: views.slice(0, args.limit),
    last_order_at: views[0]?.at ?? null,
    last_total: views[0]?.total ?? null,
    total_value: Math.round(totalValue * 100) / 100,
    returned_count: views.filter((order) => order.returned).length,
    cancelled_count: views.filter((order) => order.cancelled).length,
  };
}

/** Products the customer bought (orders not cancelled) and products they sent back. */
export function ownedProducts(events: readonly EventRecord[]): {
  purchased: Set<string>;
  returned: Set<string>;
} {
  const cancelled = new Set(
    events
      .filter((event) => event.name === ORDER_CANCELLED)
      .map((event) => text(event.properties.order_id))
      .filter((id): id is string => id !== null),
  );
  const purchased = new Set<string>();
  for (const { event, products } of ordersWithProducts(events)) {
    const orderId = text(event.properties.order_id);
    if (orderId && cancelled.has(orderId)) continue;
    for (const line of products) purchased.add(line.productId);
  }
  const returned = new Set(
    events
      .filter((event) => (RETURN_EVENTS as readonly string[]).includes(event.name))
      .map((event) => text(event.properties.product_id))
      .filter((id): id is string => id !== null),
  );
  return { purchased, returned };
}

// ─── tickets ───────────────────────────────────────────────────────────────────────────────────
const PRIORITY_RANK: Record<string, number> = { low: 1, normal: 2, high: 3, urgent: 4 };

export interface TicketView {
  ticket_id: string;
  topic: string | null;
  priority: string | null;
  opened_at: string;
  age_hours: number;
}

export interface TicketsResult {
  count: number;
  /** open tickets, oldest first */
  tickets: TicketView[];
  highest_priority: string | null;
  /** events: from Support Ticket Opened/Closed; trait: only traits.open_support_tickets says so */
  source: "events" | "trait";
}

/**
 * Open tickets: a `Support Ticket Opened` with no later `Support Ticket Closed` of the same
 * ticket_id (events without a ticket_id cannot be matched and are left out). When the events show
 * none but the `open_support_tickets` trait (kept by a CRM sync) counts some, that count is used.
 */
export function openTickets(
  events: readonly EventRecord[],
  traits: Record<string, unknown>,
  now: Date,
  args: { limit: number },
): TicketsResult {
  const open = new Map<string, EventRecord>();
  for (const event of [...events].sort(byTime)) {
    if (event.timestamp.getTime() > now.getTime()) continue;
    const id = text(event.properties.ticket_id);
    if (!id) continue;
    if (event.name === TICKET_OPENED) open.set(id, event);
    else if (event.name === TICKET_CLOSED) open.delete(id);
  }
  const tickets = [...open.entries()]
    .sort((a, b) => byTime(a[1], b[1]))
    .map(
      ([id, event]): TicketView => ({
        ticket_id: id,
        topic: text(event.properties.topic),
        priority: text(event.properties.priority),
        opened_at: event.timestamp.toISOString(),
        age_hours: Math.round(((now.getTime() - event.timestamp.getTime()) / 3_600_000) * 10) / 10,
      }),
    );
  const highest = tickets.reduce<string | null>((best, ticket) => {
    const rank = PRIORITY_RANK[ticket.priority ?? ""] ?? 0;
    return rank > (PRIORITY_RANK[best ?? ""] ?? 0) ? ticket.priority : best;
  }, null);
  const fromTrait = finiteNumber(traits.open_support_tickets);
  if (tickets.length === 0 && fromTrait !== null && fromTrait > 0) {
    return { count: Math.floor(fromTrait), tickets: [], highest_priority: null, source: "trait" };
  }
  return {
    count: tickets.length,
    tickets: tickets.slice(0, args.limit),
    highest_priority: highest,
    source: "events",
  };
}

// ─── profile ───────────────────────────────────────────────────────────────────────────────────
/** Traits that are model scores: a number in 0…1 whose name says so (churn_risk, purchase_propensity, …). */
export const SCORE_TRAIT = /(^|_)(risk|propensity|score|probability|likelihood)$/;

export function scoresOf(traits: Record<string, unknown>): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const [key, value] of Object.entries(traits)) {
    if (SCORE_TRAIT.test(key) && typeof value === "number" && value >= 0 && value <= 1) scores[key] = value;
  }
  return scores;
}

export interface ProfileResult {
  user_id: string | null;
  traits: Record<string, unknown>;
  consent: Record<string, boolean>;
  scores: Record<string, number>;
  segments: string[];
}

export function profileView(
  customer: { userId: string | null; traits: Record<string, unknown>; consent: Record<string, boolean> },
  segments: readonly string[],
): ProfileResult {
  const consent: Record<string, boolean> = {};
  for (const [channel, value] of Object.entries(customer.consent)) {
    if (typeof value === "boolean") consent[channel] = value;
  }
  return {
    user_id: customer.userId,
    traits: boundedJson(customer.traits) as Record<string, unknown>,
    consent,
    scores: scoresOf(customer.traits),
    segments: [...segments].sort().slice(0, 50),
  };
}

// ─── products ──────────────────────────────────────────────────────────────────────────────────
/** How much one interaction says about interest: a view 1, a cart add 2, a purchase 3. */
export const INTERACTION_WEIGHT = { view: 1, add: 2, buy: 3 } as const;
export type InteractionKind = keyof typeof INTERACTION_WEIGHT;

export interface ProductInteraction {
  productId: string;
  kind: InteractionKind;
  at: Date;
  name: string | null;
  category: string | null;
  price: number | null;
}

/**
 * The product interactions in a customer's events: views, cart adds, and the products an order
 * names (`products[]` or its `product_id`; cart-attributed products count as the adds they were).
 * A cart add states no name or category (the catalog's Product Added has none).
 */
export function productInteractions(events: readonly EventRecord[]): ProductInteraction[] {
  const found: ProductInteraction[] = [];
  for (const event of events) {
    if (event.name === PRODUCT_VIEWED || event.name === PRODUCT_ADDED) {
      const line = productLine(event.properties);
      if (!line) continue;
      found.push(
        event.name === PRODUCT_VIEWED
          ? { ...detailsOf(line), kind: "view", at: event.timestamp }
          : { ...detailsOf(line), name: null, category: null, kind: "add", at: event.timestamp },
      );
    } else if (event.name === ORDER_COMPLETED) {
      for (const line of namedProducts(event))
        found.push({ ...detailsOf(line), kind: "buy", at: event.timestamp });
    }
  }
  return found;
}

function detailsOf(line: ProductLine) {
  return { productId: line.productId, name: line.name, category: line.category, price: line.price };
}

export const RECOMMENDATION_REASONS = ["co_viewed", "co_bought", "popular_in_category", "popular"] as const;
export type RecommendationReason = (typeof RECOMMENDATION_REASONS)[number];

export interface RecommendedProduct {
  product_id: string;
  name: string | null;
  category: string | null;
  price: number | null;
  reason: RecommendationReason;
  score: number;
}

export interface RecommendResult {
  count: number;
  products: RecommendedProduct[];
  /** the products the recommendation started from (the customer's recent interest, or args.product_id) */
  based_on: string[];
  /** the category it kept to (args.category, or the category of what it started from), if any */
  category: string | null;
}
