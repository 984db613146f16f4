import type { Condition } from "../../journeys/format/condition.ts";
import type { EventMatch, MessageChannel, Offer } from "../../journeys/format/schema.ts";
import type { HandoffMention } from "./actions.ts";
import type { ConditionFact } from "./facts.ts";

/** The plan: what the goal asks for, as paths of steps with timing and guards, before node ids exist. */

export type Timing =
  | { kind: "now" }
  | {
      kind: "after";
      ms: number;
      months: number;
      /**
       * what the time is counted from; "total": from entry when that is still ahead, else from the
       * previous step ("a week after it was started …; if it's still not submitted after a fortnight")
       */
      anchor: "previous" | "entry" | "total" | { channel: string };
    }
  | { kind: "until"; field: string; offsetMs: number; months: number; phrase: string };

export interface StepTiming {
  base: Timing;
  atTime?: { time: string; dayOffset: number } | undefined;
  phrase?: string | undefined;
  /** "every day … (up to 3 times)": the step happens this many times, each after the interval */
  repeat?: number | undefined;
}

/** How many times "every day until they buy" sends when the goal sets no limit. */
export const DEFAULT_REPEATS = 3;

export type PlanAction =
  | {
      kind: "send";
      channel: MessageChannel;
      offer?: Offer | undefined;
      offerAssumed: boolean;
      purpose: string;
      /** sent instead when a policy denies this one ("text them, or email them if they have no SMS consent") */
      fallback?: PlanAction | undefined;
    }
  | {
      kind: "handoff";
      queue: string;
      priority: HandoffMention["priority"];
      task: string | null;
      role: string;
      purpose: string;
    }
  | { kind: "update"; set: Record<string, string>; phrase: string }
  | {
      kind: "split";
      variants: Array<{ name: string; weight: number; action: PlanAction }>;
      holdout: number;
    };

export interface Guard {
  condition: Condition;
  label: string;
}

export interface PlanStep {
  actions: PlanAction[];
  timing: StepTiming;
  notPerformed: Array<{ event: string; where?: Condition | undefined; label: string }>;
  awaits: Array<{
    event: string;
    condition?: Condition | undefined;
    timeoutMs: number;
    label: string;
    /** what happens when the awaited event does not come in time (else the journey ends) */
    otherwise?: PlanStep[] | undefined;
    /** the goal gave this wait its own length ("3 days to upload", "within 2 days"), so an
     * "otherwise" after it is what happens when that time runs out */
    windowed?: boolean | undefined;
  }>;
  /** node-scope conditions that must hold (fields use trigger.* and traits.*) */
  conditions: Guard[];
  /** node-scope conditions that must not hold */
  suppressions: Guard[];
  sentence: string;
}

export interface PlanSegment {
  label: string;
  conditions: ConditionFact[];
  steps: PlanStep[];
  otherwise: boolean;
}

export interface PlanEntry {
  event: string;
  condition?: Condition | undefined;
  /** its own steps, or null when it shares the main path ("starts checkout or adds to cart") */
  steps: PlanStep[] | null;
  phrase: string;
}

export interface Resolved {
  phrase: string;
  kind:
    | "event"
    | "trait"
    | "property"
    | "channel"
    | "handoff"
    | "offer"
    | "time"
    | "date"
    | "condition"
    | "split";
  value: string;
}

export type PlanTrigger =
  | { type: "event"; event: string; phrase: string; ties: string[] }
  | { type: "trait_changed"; trait: string; condition: Condition; phrase: string }
  | { type: "date"; event: string; property: string; phrase: string }
  | { type: "schedule"; cron: string; phrase: string };

export interface Plan {
  trigger: PlanTrigger | null;
  segments: PlanSegment[];
  also: PlanEntry[];
  exitOn: EventMatch[];
  reentry: "never" | "after_exit" | "always";
  resolved: Resolved[];
  notes: string[];
  /** words that asked for a message without naming a channel */
  channelless: string[];
  /** negated conditions the plan could not place ("unless they've updated their card"): asked about */
  unplaced: string[];
  /** instructions naming a channel or a person of ours that produced no action: asked about */
  unplacedActions: string[];
  sentences: string[];
}

/** Default time to wait for an awaited answer ("if they rate us 2 or lower") when the goal gives none. */
export const DEFAULT_AWAIT_MS = 7 * 24 * 60 * 60 * 1000;

/** Rewrites event.* fields to trigger.* (node scope reads the triggering event as trigger.*). */
export function rebase(condition: Condition, namespace: "trigger" | "event"): Condition {
  if ("all" in condition) return { all: condition.all.map((child) => rebase(child, namespace)) };
  if ("any" in condition) return { any: condition.any.map((child) => rebase(child, namespace)) };
  if ("not" in condition) return { not: rebase(condition.not, namespace) };
  if ("field" in condition) {
    const field = condition.field.replace(/^(?:event|trigger)\./, `${namespace}.`);
    return { ...condition, field };
  }
  return condition;
}

export function combine(conditions: readonly Condition[]): Condition | undefined {
  // The same condition said twice ("a CSAT survey … the csat") is one.
  const seen = new Set<string>();
  const distinct = conditions.filter((condition) => {
    const key = JSON.stringify(condition);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (distinct.length === 0) return undefined;
  if (distinct.length === 1) return distinct[0];
  return { all: distinct };
}
