import { SHOP_CATALOG } from "../agents/offline/test-fixtures.ts";
import type { EvalWorkspace } from "./cases.ts";
import { parseEvalCatalog } from "./cases.ts";

/**
 * A small eval workspace for the runner's own tests, in the catalog.json shape: the planner's shop
 * catalog plus a start, a time zone, a default customer and the policies to simulate with.
 */
export const SHOP_EVAL_CATALOG = {
  timezone_default: "Europe/Berlin",
  start: "2026-03-02T10:00:00",
  channels: SHOP_CATALOG.channels,
  customer_facing: ["email", "sms", "push", "in_app", "chat", "handoff"],
  events: SHOP_CATALOG.events,
  traits: SHOP_CATALOG.traits,
  profile_default: {
    traits: {
      email: "ada@example.com",
      timezone: "Europe/Berlin",
      tier: "regular",
      plan: "pro",
      open_support_tickets: 0,
    },
    consent: { email: true, sms: true, push: true, in_app: true, chat: true },
  },
  policies: {
    consent_required: ["email", "sms", "push"],
    quiet_hours: { start: "21:00", end: "08:00", channels: ["sms", "push"], action: "defer" },
    frequency_cap: { per_local_day: 3, channels: ["email", "sms", "push"] },
  },
};

export function shopWorkspace(): EvalWorkspace {
  return parseEvalCatalog(SHOP_EVAL_CATALOG, "shop test catalog");
}

const shipped = { at: "PT0S", track: "Order Shipped", properties: { order_id: "o1" } };

/** Cases that exercise every outcome of the runner with the real offline planner. */
export const SHOP_CASES = [
  {
    id: "shipped-push",
    goal: "Send a push notification 30 minutes after an order ships.",
    scenarios: [
      { name: "ships", events: [shipped], horizon: "P1D", expect: [{ channel: "push", at: "PT30M" }] },
    ],
  },
  {
    id: "shipped-push-wrong-expectation",
    goal: "Send a push notification 30 minutes after an order ships.",
    scenarios: [
      { name: "ships", events: [shipped], horizon: "P1D", expect: [{ channel: "push", at: "PT2H" }] },
    ],
  },
  { id: "vague", goal: "Make our customers happier.", clarify: true },
  {
    id: "clear-goal-marked-vague",
    goal: "Send a push notification 30 minutes after an order ships.",
    clarify: true,
  },
  {
    id: "needs-a-split",
    goal: "Send a push notification 30 minutes after an order ships.",
    structure: ["split"],
    scenarios: [
      { name: "ships", events: [shipped], horizon: "P1D", expect: [{ channel: "push", at: "PT30M" }] },
    ],
  },
  {
    id: "asked-but-should-draft",
    goal: "Do something nice.",
    scenarios: [{ name: "anything", events: [], horizon: "P1D", expect: [] }],
  },
];
