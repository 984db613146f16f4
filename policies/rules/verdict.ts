import type { ConditionScope } from "../../journeys/format/evaluate.ts";
import type { PolicyConfig } from "../config.ts";
import type { ActionProposal, CustomerContext, PolicyVerdict } from "../types.ts";

/** One guardrail: a pure function of (action, customer context, workspace config, now). */
export type PolicyCheck = (
  action: ActionProposal,
  context: CustomerContext,
  config: PolicyConfig,
  now: Date,
) => PolicyVerdict;

export const POLICY_NAMES = [
  "consent",
  "suppression",
  "content_safety",
  "offer_ceiling",
  "frequency_cap",
  "quiet_hours",
  "approval",
] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

type Details = Record<string, unknown> | undefined;

export function allow(policy: PolicyName, reason: string, details?: Details): PolicyVerdict {
  return { policy, verdict: "allow", reason, ...(details ? { details } : {}) };
}
export function deny(policy: PolicyName, reason: string, details?: Details): PolicyVerdict {
  return { policy, verdict: "deny", reason, ...(details ? { details } : {}) };
}
export function review(policy: PolicyName, reason: string, details?: Details): PolicyVerdict {
  return { policy, verdict: "review", reason, ...(details ? { details } : {}) };
}
export function defer(policy: PolicyName, until: Date, reason: string, details?: Details): PolicyVerdict {
  return { policy, verdict: "defer", until, reason, ...(details ? { details } : {}) };
}

const CHANNEL_LABELS: Record<string, string> = {
  email: "Email",
  sms: "SMS",
  push: "Push notification",
  in_app: "In-app message",
  chat: "Chat message",
  handoff: "Hand-off",
  webhook: "Webhook",
};

/** "SMS", "Email", "Push notification" — for the start of a reviewer's sentence. */
export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}

/** Channels that reach a customer directly with a message. */
export function isMessageChannel(channel: string): boolean {
  return ["email", "sms", "push", "in_app", "chat"].includes(channel);
}

/**
 * Messages without a category are treated as promotional: suppression then errs on the side of
 * sending less. Service messages say `category: "transactional"`; hand-offs, webhooks and tools
 * have no category.
 */
export function effectiveCategory(action: ActionProposal): "promotional" | "transactional" | undefined {
  if (action.payload.category) return action.payload.category;
  if (action.payload.offer) return "promotional";
  return action.kind === "message" ? "promotional" : undefined;
}

/** What suppression and ceiling conditions see: the customer now, without event history. */
export function customerScope(context: CustomerContext, now: Date): ConditionScope {
  return { now, timezone: context.timezone, traits: context.traits, consent: context.consent };
}

/** A local date and 24 h time with the zone abbreviation, for reasons: "Sun, Mar 8, 08:00 EDT". */
export function formatLocal(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(instant);
}
