import type { ConditionValue } from "../format/condition.ts";
import type { ConditionScope, EventRecord } from "../format/evaluate.ts";
import { resolveField } from "../format/evaluate.ts";
import { isValidTimeZone } from "../format/zoned-time.ts";
import type { CustomerSnapshot, InstanceState } from "./types.ts";

/** The customer's IANA zone from `traits.timezone`, or undefined when missing or invalid. */
export function customerTimezone(customer: CustomerSnapshot): string | undefined {
  const zone = customer.traits.timezone;
  return isValidTimeZone(zone) ? zone : undefined;
}

/** The condition scope of an instance at a moment (history and the matched event are optional). */
export function instanceScope(
  instance: InstanceState,
  customer: CustomerSnapshot,
  now: Date,
  extras: { history?: readonly EventRecord[] | undefined; event?: EventRecord | undefined } = {},
): ConditionScope {
  return {
    ...entryScope(customer, now, instance.trigger, extras),
    vars: instance.vars,
    journey: { variant: instance.variant ?? undefined, entered_at: instance.enteredAt },
  };
}

/** The scope before an instance exists: trigger conditions and the audience check at entry. */
export function entryScope(
  customer: CustomerSnapshot,
  now: Date,
  trigger: EventRecord,
  extras: { history?: readonly EventRecord[] | undefined; event?: EventRecord | undefined } = {},
): ConditionScope {
  return {
    now,
    timezone: customerTimezone(customer),
    traits: customer.traits,
    consent: customer.consent,
    trigger,
    event: extras.event,
    history: extras.history,
  };
}

/** A literal, or `{ ref }` resolved against the scope (tool args, update_profile values). */
export function resolveArgument(value: ConditionValue | undefined, scope: ConditionScope): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && "ref" in value) {
    return resolveField(value.ref, scope);
  }
  return value;
}

/** Every value of an argument map resolved with `resolveArgument`. */
export function resolveArguments(
  values: Readonly<Record<string, ConditionValue>>,
  scope: ConditionScope,
): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) resolved[key] = resolveArgument(value, scope);
  return resolved;
}

/** Datetime values as stored in traits and properties: ISO strings, Dates, or epoch milliseconds. */
export function toInstant(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value);
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    const time = Date.parse(value);
    return Number.isNaN(time) ? null : new Date(time);
  }
  return null;
}
