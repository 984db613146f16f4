import type { EventRecord } from "../../journeys/format/evaluate.ts";
import type { AgentActionOption } from "../../journeys/format/schema.ts";
import type { NbaRequest } from "../../journeys/runtime/nba.ts";

/** Test support: next-best-action requests for crafted customers. */

export const NOW = new Date("2026-03-10T12:00:00Z");
export const HOUR = 3_600_000;

export const OPTIONS = {
  plainEmail: { id: "plain_email", kind: "send", channel: "email", content: { body: "We miss you" } },
  email10: {
    id: "email_10",
    kind: "send",
    channel: "email",
    content: { body: "10% off your next order" },
    offer: { kind: "percent_off", value: 10 },
  },
  email25: {
    id: "email_25",
    kind: "send",
    channel: "email",
    content: { body: "25% off your next order" },
    offer: { kind: "percent_off", value: 25 },
  },
  sms: { id: "sms_nudge", kind: "send", channel: "sms", content: { body: "Your cart is waiting" } },
  push: { id: "push_nudge", kind: "send", channel: "push", content: { body: "Your cart is waiting" } },
  handoff: { id: "call_them", kind: "handoff", queue: "senior_support", instructions: "Call the customer" },
  nothing: { id: "nothing", kind: "none" },
} satisfies Record<string, AgentActionOption>;

export function nbaRequest(input: {
  options: AgentActionOption[];
  objective?: string;
  traits?: Record<string, unknown>;
  consent?: Record<string, boolean>;
  events?: EventRecord[];
  trigger?: EventRecord;
}): NbaRequest {
  return {
    workspaceId: "ws_test",
    journeyId: "jrn_test",
    versionId: "ver_test",
    nodeId: "nba",
    objective: input.objective ?? "win the customer back",
    options: input.options,
    customer: {
      profileId: 1,
      userId: "u1",
      traits: { first_name: "Ada", email: "ada@example.com", tier: "regular", ...input.traits },
      consent: input.consent ?? { email: true, sms: true, push: true },
    },
    trigger: input.trigger ?? { name: "Subscription Cancelled", properties: { plan: "pro" }, timestamp: NOW },
    vars: {},
    now: NOW,
    recentEvents: input.events ?? [],
  };
}

export const ago = (ms: number) => new Date(NOW.getTime() - ms);
