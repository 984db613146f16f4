import type { PolicyConfigInput } from "./config.ts";
import { parsePolicyConfig } from "./config.ts";
import type { ActionPayload, ActionProposal, CustomerContext } from "./types.ts";

/** Builders for policy tests: a plausible action and customer, overridable field by field. */
export function message(
  channel: string,
  payload: ActionPayload = {},
  overrides: Partial<ActionProposal> = {},
): ActionProposal {
  return {
    workspaceId: "ws_test",
    profileId: 1,
    kind: channel === "handoff" ? "handoff" : channel === "webhook" ? "webhook" : "message",
    channel,
    journeyId: "jr_1",
    versionId: "jv_1",
    nodeId: "n1",
    instanceId: 1,
    idempotencyKey: `1:n1:${channel}`,
    payload: {
      content: { subject: "Hello", body: "Your order is on its way." },
      category: "transactional",
      to: channel === "email" ? "ada@example.com" : channel === "sms" ? "+4915112345678" : undefined,
      ...payload,
    },
    ...overrides,
  };
}

export function customer(overrides: Partial<CustomerContext> = {}): CustomerContext {
  return {
    profileId: 1,
    userId: "u1",
    traits: { email: "ada@example.com", phone: "+4915112345678", first_name: "Ada", open_support_tickets: 0 },
    consent: { email: true, sms: true, push: true, in_app: true, chat: true },
    timezone: "Europe/Berlin",
    recentSends: [],
    ...overrides,
  };
}

export function config(input: PolicyConfigInput = {}) {
  return parsePolicyConfig(input);
}
