import { z } from "zod";
import { addDuration, isDuration } from "../format/duration.ts";
import { OFFER_KINDS } from "../format/schema.ts";
import { isValidTimeZone, wallClockToInstant } from "../format/zoned-time.ts";

/**
 * The scenario format of ../shared/evals/README.md: one customer, a timeline of events as offsets
 * from the start (local time in the customer's zone), a horizon, and the exact customer-facing
 * actions expected.
 */

const OffsetDuration = z.string().refine((text) => isDuration(text), {
  message: "must be an ISO 8601 duration offset from the scenario start, such as PT0S, PT1H or P2D",
});

export const ScenarioEvent = z
  .object({
    at: OffsetDuration,
    /** a track call: the event name */
    track: z.string().min(1).optional(),
    /** an identify call: traits to merge (a trait_changed trigger sees the change) */
    identify: z.record(z.string(), z.unknown()).optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((event) => (event.track === undefined) !== (event.identify === undefined), {
    message: "a scenario event is either a track (with an event name) or an identify (with traits)",
  });
export type ScenarioEvent = z.infer<typeof ScenarioEvent>;

export const ExpectedAction = z.object({
  channel: z.string().min(1),
  at: OffsetDuration,
  /** how far from `at` the action may be; default max(10 minutes, 2 % of at) */
  tolerance: OffsetDuration.optional(),
  offer: z
    .object({
      kind: z.enum(OFFER_KINDS),
      value: z.number().optional(),
    })
    .optional(),
});
export type ExpectedAction = z.infer<typeof ExpectedAction>;

export const Expectation = z.union([
  z.array(ExpectedAction),
  z.object({ anyOf: z.array(z.array(ExpectedAction)).min(1) }).strict(),
]);
export type Expectation = z.infer<typeof Expectation>;

export const ProfileOverride = z
  .object({
    traits: z.record(z.string(), z.unknown()).optional(),
    consent: z.record(z.string(), z.boolean()).optional(),
  })
  .strict();
export type ProfileOverride = z.infer<typeof ProfileOverride>;

export const Scenario = z.object({
  name: z.string().optional(),
  profile: ProfileOverride.optional(),
  events: z.array(ScenarioEvent).default([]),
  horizon: OffsetDuration,
  expect: Expectation.optional(),
});
export type Scenario = z.output<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;

/** The parts of an eval catalog (../shared/evals/catalog.json) the simulator uses. */
export const SimulationCatalog = z
  .object({
    timezone_default: z.string().optional(),
    start: z.string().optional(),
    customer_facing: z.array(z.string()).optional(),
    profile_default: ProfileOverride.optional(),
  })
  .passthrough();
export type SimulationCatalog = z.infer<typeof SimulationCatalog>;

export const DEFAULT_START = "2026-03-02T10:00:00";
export const DEFAULT_CUSTOMER_FACING = ["email", "sms", "push", "in_app", "chat", "handoff"] as const;

/**
 * The scenario start as an instant. A local date-time ("2026-03-02T10:00:00") is read in the given
 * zone; a string with an offset or Z is absolute.
 */
export function startInstant(start: string, timeZone: string): Date {
  const local = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(start);
  if (local) {
    const zone = isValidTimeZone(timeZone) ? timeZone : "UTC";
    return wallClockToInstant(
      {
        year: Number(local[1]),
        month: Number(local[2]),
        day: Number(local[3]),
        hour: Number(local[4]),
        minute: Number(local[5]),
        second: Number(local[6] ?? 0),
      },
      zone,
    );
  }
  const absolute = Date.parse(start);
  if (Number.isNaN(absolute)) throw new RangeError(`start "${start}" is not a date-time`);
  return new Date(absolute);
}

/** `"+P14D"` in a property means start + 14 days as an ISO timestamp (applied at any depth). */
export function resolveRelativeDates(value: unknown, start: Date): unknown {
  if (typeof value === "string" && value.startsWith("+P") && isDuration(value.slice(1))) {
    return addDuration(start, value.slice(1)).toISOString();
  }
  if (Array.isArray(value)) return value.map((item) => resolveRelativeDates(item, start));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
        key,
        resolveRelativeDates(inner, start),
      ]),
    );
  }
  return value;
}
