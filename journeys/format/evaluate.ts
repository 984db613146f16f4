import type { TextSignals } from "../../predict/text-signals.ts";
import { defaultTextSignals } from "../../predict/text-signals.ts";
import type { CompareCondition, Condition, ConditionValue, PerformedCondition } from "./condition.ts";
import { isCompare, isPerformed } from "./condition.ts";
import { addDuration, durationMs } from "./duration.ts";
import { digPath, eventFieldValue } from "./field-path.ts";
import { isValidTimeZone, localParts } from "./zoned-time.ts";

export interface EventRecord {
  name: string;
  properties: Record<string, unknown>;
  timestamp: Date;
}

/** Everything a condition may look at, gathered by the runtime or the simulator. */
export interface ConditionScope {
  now: Date;
  timezone?: string | undefined;
  traits: Record<string, unknown>;
  consent: Record<string, boolean | undefined>;
  event?: EventRecord | undefined;
  trigger?: EventRecord | undefined;
  vars?: Record<string, unknown> | undefined;
  journey?: { variant?: string | undefined; entered_at?: Date | undefined } | undefined;
  /** This customer's events, as far back as the conditions need (see `historyNeeds`). */
  history?: readonly EventRecord[] | undefined;
  textSignals?: TextSignals | undefined;
}

const DAY_MS = 86_400_000;

export function resolveField(path: string, scope: ConditionScope): unknown {
  const [namespace, ...keys] = path.split(".");
  switch (namespace) {
    case "traits":
      return digPath(scope.traits, keys);
    case "consent":
      return digPath(scope.consent, keys);
    case "event":
      return eventFieldValue(scope.event, keys);
    case "trigger":
      return eventFieldValue(scope.trigger, keys);
    case "vars":
      return digPath(scope.vars, keys);
    case "journey":
      if (keys[0] === "variant") return scope.journey?.variant;
      if (keys[0] === "entered_at") return scope.journey?.entered_at?.toISOString();
      return undefined;
    case "local": {
      if (!isValidTimeZone(scope.timezone)) return undefined;
      const parts = localParts(scope.now, scope.timezone);
      if (keys[0] === "hour") return parts.hour;
      if (keys[0] === "weekday") return parts.weekday;
      if (keys[0] === "minute") return parts.minute;
      return undefined;
    }
    default:
      return undefined;
  }
}

function resolveValue(value: ConditionValue | undefined, scope: ConditionScope): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "ref" in value) {
    return resolveField(value.ref, scope);
  }
  return value;
}

function toTime(value: unknown): number | null {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    const time = Date.parse(value);
    return Number.isNaN(time) ? null : time;
  }
  return null;
}

function applyTransform(leaf: CompareCondition, raw: unknown, scope: ConditionScope): unknown {
  const signals = scope.textSignals ?? defaultTextSignals;
  switch (leaf.transform) {
    case undefined:
      return raw;
    case "lower":
      return typeof raw === "string" ? raw.toLowerCase() : raw;
    case "length":
      return typeof raw === "string" || Array.isArray(raw) ? raw.length : undefined;
    case "days_since": {
      const time = toTime(raw);
      return time === null ? undefined : Math.floor((scope.now.getTime() - time) / DAY_MS);
    }
    case "days_until": {
      const time = toTime(raw);
      return time === null ? undefined : Math.floor((time - scope.now.getTime()) / DAY_MS);
    }
    case "sentiment":
      return typeof raw === "string" ? signals.sentiment(raw) : undefined;
    case "frustration":
      return typeof raw === "string" ? signals.frustration(raw) : undefined;
    case "intent":
      return typeof raw === "string" ? signals.intent(raw) : undefined;
  }
}

function asNumber(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  if (typeof value === "boolean") return null;
  return null;
}

/** Equality that forgives what CRM data does: "3" = 3, "VIP" = "vip". */
export function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== null && nb !== null) return na === nb;
  if (typeof a === "boolean" || typeof b === "boolean")
    return String(a).toLowerCase() === String(b).toLowerCase();
  return false;
}

function compareOrdered(a: unknown, b: unknown): number | null {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== null && nb !== null) return na - nb;
  const ta = toTime(a);
  const tb = toTime(b);
  if (ta !== null && tb !== null) return ta - tb;
  return null;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}

function compare(leaf: CompareCondition, scope: ConditionScope): boolean {
  const actual = applyTransform(leaf, resolveField(leaf.field, scope), scope);
  const expected = resolveValue(leaf.value, scope);
  switch (leaf.op) {
    case "exists":
      return present(actual);
    case "not_exists":
      return !present(actual);
    case "eq":
      return looseEquals(actual, expected);
    case "neq":
      return !looseEquals(actual, expected);
    case "in":
      return Array.isArray(expected) && expected.some((candidate) => looseEquals(actual, candidate));
    case "not_in":
      return !(Array.isArray(expected) && expected.some((candidate) => looseEquals(actual, candidate)));
    case "contains":
      return contains(actual, expected);
    case "not_contains":
      return !contains(actual, expected);
    case "starts_with":
      return (
        typeof actual === "string" &&
        typeof expected === "string" &&
        actual.toLowerCase().startsWith(expected.toLowerCase())
      );
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const order = compareOrdered(actual, expected);
      if (order === null) return false;
      if (leaf.op === "gt") return order > 0;
      if (leaf.op === "gte") return order >= 0;
      if (leaf.op === "lt") return order < 0;
      return order <= 0;
    }
  }
}

function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) return actual.some((item) => looseEquals(item, expected));
  if (typeof actual === "string" && (typeof expected === "string" || typeof expected === "number")) {
    return actual.toLowerCase().includes(String(expected).toLowerCase());
  }
  return false;
}

function performed(leaf: PerformedCondition, scope: ConditionScope): boolean {
  const history = scope.history ?? [];
  const now = scope.now.getTime();
  const from = Math.max(
    leaf.within ? addDuration(scope.now, leaf.within, -1).getTime() : Number.NEGATIVE_INFINITY,
    leaf.since === "entry" && scope.journey?.entered_at
      ? scope.journey.entered_at.getTime()
      : Number.NEGATIVE_INFINITY,
  );
  let count = 0;
  for (const event of history) {
    const at = event.timestamp.getTime();
    if (event.name !== leaf.performed || at < from || at > now) continue;
    if (leaf.where && !evaluateCondition(leaf.where, { ...scope, event })) continue;
    count++;
    if (count >= (leaf.min_count ?? 1)) return true;
  }
  return false;
}

export function evaluateCondition(condition: Condition, scope: ConditionScope): boolean {
  if ("all" in condition) return condition.all.every((child) => evaluateCondition(child, scope));
  if ("any" in condition) return condition.any.some((child) => evaluateCondition(child, scope));
  if ("not" in condition) return !evaluateCondition(condition.not, scope);
  if (isPerformed(condition)) return performed(condition, scope);
  if (isCompare(condition)) return compare(condition, scope);
  return false;
}

/** The event names (and the longest look-back, null = all history) a set of conditions needs. */
export function historyNeeds(conditions: readonly (Condition | undefined)[]): Map<string, string | null> {
  const needs = new Map<string, string | null>();
  const visit = (condition: Condition | undefined) => {
    if (!condition) return;
    if ("all" in condition) condition.all.forEach(visit);
    else if ("any" in condition) condition.any.forEach(visit);
    else if ("not" in condition) visit(condition.not);
    else if (isPerformed(condition)) {
      const lookBack = condition.since === "entry" ? null : (condition.within ?? null);
      const previous = needs.get(condition.performed);
      if (previous === undefined) needs.set(condition.performed, lookBack);
      else if (previous !== null && (lookBack === null || durationMs(lookBack) > durationMs(previous))) {
        needs.set(condition.performed, lookBack);
      }
      visit(condition.where);
    }
  };
  conditions.forEach(visit);
  return needs;
}
