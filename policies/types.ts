import type { ActionKind } from "../db/schema/actions.ts";
import type { MessageContent, Offer } from "../journeys/format/schema.ts";

/**
 * The contract between the runtime and the guardrails. Every outside effect is proposed as an
 * Action; policies are pure functions of (action, customer context, workspace config, now) that
 * return a verdict with a reason a reviewer understands.
 */

export interface ActionProposal {
  workspaceId: string;
  profileId: number;
  kind: ActionKind;
  /** email | sms | push | in_app | chat | handoff | webhook | tool:<name> */
  channel: string;
  /** where it came from (absent for API-initiated actions) */
  instanceId?: number | undefined;
  journeyId?: string | undefined;
  versionId?: string | undefined;
  nodeId?: string | undefined;
  /** one action per (instance, node, visit): re-running a step creates no second action */
  idempotencyKey: string;
  payload: ActionPayload;
}

export interface ActionPayload {
  /** rendered content as the customer would see it */
  content?: MessageContent | undefined;
  template?: string | undefined;
  offer?: Offer | undefined;
  category?: "promotional" | "transactional" | undefined;
  /** a model wrote (part of) the content */
  aiGenerated?: boolean | undefined;
  /** recipient address for the channel (email address, phone number, push token, URL) */
  to?: string | undefined;
  /** hand-off: queue, priority, instructions */
  handoff?:
    | { queue: string; priority: "low" | "normal" | "high" | "urgent"; instructions: string }
    | undefined;
  /** webhook / tool call */
  request?:
    | { url?: string; method?: string; body?: unknown; tool?: string; args?: Record<string, unknown> }
    | undefined;
  /** product ids the message promotes (for suppression of products being returned) */
  productIds?: string[] | undefined;
  [key: string]: unknown;
}

export type VerdictKind = "allow" | "deny" | "defer" | "review";

export interface PolicyVerdict {
  policy: string;
  verdict: VerdictKind;
  /** one sentence for a reviewer: "SMS is outside quiet hours 21:00–08:00 in Europe/Berlin; held until 08:00." */
  reason: string;
  /** defer: when to decide again */
  until?: Date | undefined;
  details?: Record<string, unknown> | undefined;
}

/**
 * The engine's combined answer: the most severe verdict decides (deny > review > defer > allow; a
 * defer waits for the latest `until`), and all verdicts are recorded. See policies/engine.ts.
 */
export interface Decision {
  outcome: VerdictKind;
  until?: Date | undefined;
  verdicts: PolicyVerdict[];
  /** the verdict that decided (absent when everything allowed) */
  deciding?: PolicyVerdict | undefined;
}

/** What policies know about the customer at decision time. */
export interface CustomerContext {
  profileId: number;
  userId: string | null;
  traits: Record<string, unknown>;
  consent: Record<string, boolean>;
  /** IANA zone from traits.timezone; undefined or invalid → quiet hours hold */
  timezone: string | undefined;
  /** sends that count against frequency caps (queued or delivered, not failed), newest first */
  recentSends: ReadonlyArray<{ channel: string; at: Date; journeyId?: string | null }>;
  /** products the customer is returning or has returned recently */
  returningProductIds?: readonly string[];
  /** segment names the customer is in */
  segments?: readonly string[];
  /** the action is the first send of its journey version */
  firstSendOfVersion?: boolean;
}

export type Decide = (action: ActionProposal, context: CustomerContext, now: Date) => Decision;

/** What happened to a proposed action, as the runtime needs to know it. */
export type ActionOutcome =
  | { status: "queued"; actionId: number; outboxId: number; decision: Decision }
  | { status: "denied"; actionId: number; decision: Decision }
  | { status: "deferred"; actionId: number; until: Date; decision: Decision }
  | { status: "review"; actionId: number; approvalId: string; decision: Decision };
