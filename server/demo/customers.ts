/**
 * Demo Store customers: a seeded, deterministic population with believable names, time zones on
 * every continent, consent mixes, tiers, plans, model scores and event histories, expressed as
 * Segment calls so they go through the real ingestion pipeline (profiles, identities and events stay
 * consistent, anonymous browsing merges into the customer on identify).
 *
 * Same seed → same customers and the same messageIds (so a re-run is deduplicated), with times
 * relative to `now`.
 */

export interface DemoCall {
  type: "identify" | "track" | "page" | "screen";
  messageId: string;
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  event?: string;
  name?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
}

export interface DemoCustomer {
  userId: string;
  firstName: string;
  lastName: string;
  timezone: string | null;
  tier: "vip" | "regular";
  plan: "free" | "pro" | "enterprise";
  consent: Record<string, boolean>;
  calls: DemoCall[];
}

import { seededRandom } from "../seeded-random.ts";
import {
  ACCOUNT_MANAGERS,
  CHAT_LINES,
  PAGES,
  PRODUCTS,
  REGIONS,
  SURVEY_COMMENTS,
  TICKET_TOPICS,
} from "./customer-data.ts";

const DAY = 86_400_000;

function ascii(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase();
}

/** The demo population: `count` customers with histories over the 90 days before `now`. */
export function demoCustomers(options: { count: number; now: Date; seed?: number }): DemoCustomer[] {
  const random = seededRandom(options.seed ?? 20_260_302);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  const round2 = (n: number) => Math.round(n * 100) / 100;
  const totalWeight = REGIONS.reduce((sum, region) => sum + region.weight, 0);
  const pickRegion = () => {
    let roll = random() * totalWeight;
    for (const region of REGIONS) {
      roll -= region.weight;
      if (roll < 0) return region;
    }
    return REGIONS[0]!;
  };
  const nowMs = options.now.getTime();
  const customers: DemoCustomer[] = [];

  for (let index = 1; index <= options.count; index++) {
    const region = pickRegion();
    const firstName = pick(region.first);
    const lastName = pick(region.last);
    const userId = `demo-${String(index).padStart(4, "0")}`;
    const calls: DemoCall[] = [];
    let sequence = 0;
    const at = (ms: number) => new Date(Math.min(ms, nowMs - 60_000)).toISOString();
    const call = (ms: number, fields: Omit<DemoCall, "messageId" | "timestamp">) => {
      calls.push({
        messageId: `${userId}-${String(++sequence).padStart(3, "0")}`,
        timestamp: at(ms),
        ...fields,
      });
    };
    const track = (ms: number, event: string, properties: Record<string, unknown> = {}) =>
      call(ms, { type: "track", userId, event, properties });

    const tier: DemoCustomer["tier"] = chance(0.12) ? "vip" : "regular";
    const plan: DemoCustomer["plan"] = chance(0.08) ? "enterprise" : chance(0.45) ? "pro" : "free";
    // ~3 % have no known time zone: quiet hours must hold them rather than guess
    const timezone = chance(0.03) ? null : region.timezone;
    const consent = {
      email: chance(0.92),
      sms: chance(0.55),
      push: chance(0.62),
      in_app: true,
      chat: chance(0.8),
    };
    const signupMs = nowMs - Math.floor((10 + random() * 80) * DAY);
    const anonymousId = `anon-${userId}`;

    // A first visit before signing up, anonymous; the signup identify merges it into the customer.
    if (chance(0.4)) {
      const page = pick(PAGES);
      call(signupMs - 3_600_000, {
        type: "page",
        anonymousId,
        name: page.name,
        properties: { path: page.path },
      });
      const product = pick(PRODUCTS);
      call(signupMs - 3_000_000, {
        type: "track",
        anonymousId,
        event: "Product Viewed",
        properties: {
          product_id: product.id,
          name: product.name,
          category: product.category,
          price: product.price,
        },
      });
    }
    const email = `${ascii(firstName)}.${ascii(lastName)}.${index}@example.${pick(["com", "org", "net"])}`;
    const baseTraits: Record<string, unknown> = {
      email,
      first_name: firstName,
      last_name: lastName,
      country: region.country,
      locale: region.locale,
      tier,
      plan,
      signed_up_at: new Date(signupMs).toISOString(),
      open_support_tickets: 0,
      ...(timezone ? { timezone } : {}),
      ...(chance(0.85)
        ? { phone: `${region.phone}${String(Math.floor(random() * 1e7)).padStart(7, "0")}` }
        : {}),
      ...(plan === "enterprise" ? { account_manager: pick(ACCOUNT_MANAGERS) } : {}),
      ...(plan !== "free" ? { renewal_at: new Date(signupMs + 365 * DAY).toISOString() } : {}),
      consent,
    };
    call(signupMs, { type: "identify", userId, anonymousId, traits: baseTraits });
    track(signupMs + 1_000, "Signed Up", { plan, method: pick(["email", "google", "apple"]) });
    if (plan === "pro" && chance(0.3)) {
      track(signupMs + 2_000, "Trial Started", {
        plan,
        trial_ends_at: new Date(signupMs + 14 * DAY).toISOString(),
      });
    }

    // Sessions: browsing, carts, checkouts, orders and what follows them.
    let orders = 0;
    let spent = 0;
    let lastOrderMs: number | null = null;
    let openTickets = 0;
    const sessions = 1 + Math.floor(random() * (tier === "vip" ? 9 : 5));
    for (let session = 0; session < sessions; session++) {
      const start = signupMs + Math.floor(random() * (nowMs - signupMs));
      let t = start;
      const step = () => {
        t += Math.floor(30_000 + random() * 240_000);
        return t;
      };
      if (chance(0.35)) track(step(), "App Opened", { platform: pick(["ios", "android"]) });
      const page = pick(PAGES);
      call(step(), {
        type: "page",
        userId,
        name: page.name,
        properties: { path: page.path, url: `https://demo.store${page.path}` },
      });
      if (chance(0.3))
        track(step(), "Products Searched", { query: pick(["sweater", "shoes", "gift", "bag"]), results: 12 });
      const product = pick(PRODUCTS);
      track(step(), "Product Viewed", {
        product_id: product.id,
        name: product.name,
        category: product.category,
        price: product.price,
      });
      if (!chance(0.55)) continue;
      const cartId = `cart-${userId}-${session}`;
      const quantity = chance(0.8) ? 1 : 2;
      track(step(), "Product Added", {
        product_id: product.id,
        cart_id: cartId,
        price: product.price,
        quantity,
      });
      if (!chance(0.7)) continue;
      const value = product.price * quantity;
      track(step(), "Checkout Started", { cart_id: cartId, value, currency: "EUR" });
      if (!chance(0.65)) continue; // an abandoned checkout
      const orderId = `ord-${userId}-${session}`;
      const orderMs = step();
      track(orderMs, "Order Completed", {
        order_id: orderId,
        total: value,
        currency: "EUR",
        category: product.category,
      });
      orders++;
      spent += value;
      lastOrderMs = Math.max(lastOrderMs ?? 0, orderMs);
      if (orderMs + DAY < nowMs) {
        track(orderMs + DAY, "Order Shipped", {
          order_id: orderId,
          tracking_url: `https://track.example/${orderId}`,
        });
        if (chance(0.1)) track(orderMs + 2 * DAY, "Delivery Delayed", { order_id: orderId, delay_days: 2 });
      }
      if (orderMs + 3 * DAY < nowMs) {
        track(orderMs + 3 * DAY, "Order Delivered", { order_id: orderId });
        if (chance(0.08)) {
          track(orderMs + 5 * DAY, "Product Returned", {
            order_id: orderId,
            product_id: product.id,
            category: product.category,
            reason: pick(["too small", "not as described", "changed my mind"]),
          });
        }
        if (chance(0.25)) {
          const score = Math.floor(random() * 11);
          track(orderMs + 4 * DAY, "Survey Submitted", {
            survey: "nps",
            score,
            comment: pick(SURVEY_COMMENTS),
          });
        }
      }
    }

    // Service contacts and billing trouble for some.
    if (chance(0.18)) {
      const openedMs = signupMs + Math.floor(random() * (nowMs - signupMs));
      const ticketId = `tck-${userId}`;
      track(openedMs, "Support Ticket Opened", {
        ticket_id: ticketId,
        topic: pick(TICKET_TOPICS),
        priority: pick(["low", "normal", "high"]),
      });
      if (chance(0.5)) {
        track(openedMs + 600_000, "Chat Message Received", {
          conversation_id: `conv-${userId}`,
          text: pick(CHAT_LINES),
        });
      }
      if (openedMs + 2 * DAY < nowMs && chance(0.7))
        track(openedMs + 2 * DAY, "Support Ticket Closed", { ticket_id: ticketId });
      else openTickets = 1;
    }
    if (plan !== "free" && chance(0.07)) {
      track(nowMs - Math.floor(random() * 10 * DAY), "Payment Failed", {
        invoice_id: `inv-${userId}`,
        amount: plan === "enterprise" ? 499 : 19,
        reason: "card_declined",
      });
    }
    if (chance(0.04)) track(signupMs + 5 * DAY, "Unsubscribed", { channel: "sms" });

    // What the models and the order history say today.
    const daysSinceOrder = lastOrderMs === null ? 90 : (nowMs - lastOrderMs) / DAY;
    const churnRisk = round2(
      Math.min(
        0.97,
        Math.max(
          0.02,
          Math.min(daysSinceOrder, 90) / 180 +
            random() * 0.35 +
            openTickets * 0.1 -
            (tier === "vip" ? 0.15 : 0),
        ),
      ),
    );
    const propensity = round2(
      Math.min(0.95, Math.max(0.03, (orders > 0 ? 0.35 : 0.15) + random() * 0.5 - churnRisk * 0.3)),
    );
    call(nowMs - Math.floor(random() * 6 * 3_600_000) - 120_000, {
      type: "identify",
      userId,
      traits: {
        lifetime_value: round2(spent + (tier === "vip" ? 800 : 0)),
        orders_count: orders,
        ...(lastOrderMs !== null ? { last_order_at: new Date(lastOrderMs).toISOString() } : {}),
        open_support_tickets: openTickets,
        churn_risk: churnRisk,
        purchase_propensity: propensity,
      },
    });

    calls.sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.messageId.localeCompare(b.messageId));
    customers.push({ userId, firstName, lastName, timezone, tier, plan, consent, calls });
  }
  return customers;
}

/**
 * Fresh checkouts in the last hour for a few customers, sent after the demo's checkout journey went
 * live, so the journey has customers in flight the moment the console opens.
 */
export function recentCheckouts(customers: readonly DemoCustomer[], now: Date, count = 12): DemoCall[] {
  const random = seededRandom(7);
  return customers.slice(0, count).map((customer, index) => {
    const value = 40 + Math.floor(random() * 200);
    return {
      type: "track",
      messageId: `${customer.userId}-live-checkout`,
      timestamp: new Date(now.getTime() - (index + 1) * 4 * 60_000).toISOString(),
      userId: customer.userId,
      event: "Checkout Started",
      properties: { cart_id: `cart-${customer.userId}-live`, value, currency: "EUR" },
    };
  });
}
