import { addDuration } from "../../journeys/format/duration.ts";
import {
  isValidTimeZone,
  localDateKey,
  localParts,
  wallClockToInstant,
} from "../../journeys/format/zoned-time.ts";
import type { CustomerContext } from "../types.ts";
import type { PolicyCheck } from "./verdict.ts";
import { allow, channelLabel, defer, deny, effectiveCategory } from "./verdict.ts";

/**
 * Frequency caps, global (across the listed channels together) and per channel, per local calendar
 * day and per rolling window. They count `CustomerContext.recentSends`: the gateway loads queued
 * and delivered actions, never failed ones, so a provider failure does not use up the cap, and it
 * holds the customer's row lock so concurrent sends see each other.
 *
 * A local day is the customer's calendar day (23 or 25 hours long across DST). When the zone is
 * unknown the day cap counts the last 24 hours instead: any local day that contains "now" started
 * within them, so the count can only be too high, never too low.
 */
export const frequencyCapPolicy: PolicyCheck = (action, context, config, now) => {
  const caps = config.frequency_cap;
  const channel = action.channel;
  const label = channelLabel(channel);
  const category = effectiveCategory(action);
  if (category && caps.exempt_categories.includes(category)) {
    return allow(
      "frequency_cap",
      `${label} is ${category}; this workspace does not cap ${category} messages.`,
    );
  }
  const limits: CapLimit[] = [];
  if (caps.channels.includes(channel as (typeof caps.channels)[number])) {
    limits.push(...capLimits(caps.per_local_day, caps.rolling, caps.channels, "across channels"));
  }
  const own = caps.per_channel[channel as keyof typeof caps.per_channel];
  if (own) limits.push(...capLimits(own.per_local_day, own.rolling, [channel], `on ${channel}`));
  if (limits.length === 0) {
    return allow("frequency_cap", `${label} is not frequency-capped.`);
  }
  const results = limits.map((limit) => measure(limit, context, now));
  const breached = results.filter((result) => result.count >= result.limit.max);
  const summary = results.map(describe).join("; ");
  const details = {
    counts: results.map((result) => ({
      scope: result.limit.scope,
      period: result.limit.period,
      channels: result.limit.channels,
      count: result.count,
      max: result.limit.max,
    })),
  };
  if (breached.length === 0) {
    return allow("frequency_cap", `Under the frequency caps: ${summary}.`, details);
  }
  const reached = breached.map(describe).join("; ");
  if (caps.action === "defer") {
    const until = new Date(Math.max(...breached.map((result) => result.freeAt.getTime())));
    return defer(
      "frequency_cap",
      until,
      `${label} held: frequency cap reached (${reached}); held until ${until.toISOString()}, when the cap frees up.`,
      details,
    );
  }
  return deny("frequency_cap", `${label} is denied: frequency cap reached (${reached}).`, details);
};

interface CapLimit {
  scope: string;
  /** "local_day" or an ISO duration */
  period: string;
  channels: readonly string[];
  max: number;
}

function capLimits(
  perLocalDay: number | undefined,
  rolling: ReadonlyArray<{ window: string; max: number }>,
  channels: readonly string[],
  scope: string,
): CapLimit[] {
  const limits: CapLimit[] = [];
  if (perLocalDay !== undefined) limits.push({ scope, period: "local_day", channels, max: perLocalDay });
  for (const window of rolling) limits.push({ scope, period: window.window, channels, max: window.max });
  return limits;
}

interface Measured {
  limit: CapLimit;
  count: number;
  /** when enough counted sends have aged out for one more to fit */
  freeAt: Date;
  unknownZone: boolean;
}

function measure(limit: CapLimit, context: CustomerContext, now: Date): Measured {
  const relevant = context.recentSends
    .filter((send) => limit.channels.includes(send.channel) && send.at.getTime() <= now.getTime())
    .map((send) => send.at)
    .sort((a, b) => a.getTime() - b.getTime());
  const zone = context.timezone;
  if (limit.period === "local_day" && isValidTimeZone(zone)) {
    const today = localDateKey(now, zone);
    const count = relevant.filter((at) => localDateKey(at, zone) === today).length;
    return { limit, count, freeAt: nextLocalMidnight(now, zone), unknownZone: false };
  }
  const windowStart =
    limit.period === "local_day" ? new Date(now.getTime() - 86_400_000) : addDuration(now, limit.period, -1);
  const inWindow = relevant.filter((at) => at.getTime() > windowStart.getTime());
  const count = inWindow.length;
  // The send whose ageing out brings the count below the cap.
  const pivot = inWindow[Math.max(0, count - limit.max)];
  const freeAt = pivot
    ? limit.period === "local_day"
      ? new Date(pivot.getTime() + 86_400_000)
      : addDuration(pivot, limit.period)
    : now;
  return { limit, count, freeAt, unknownZone: limit.period === "local_day" };
}

function describe(result: Measured): string {
  const period =
    result.limit.period === "local_day"
      ? result.unknownZone
        ? "in the last 24 h (time zone unknown)"
        : "today (customer's local day)"
      : `in the last ${result.limit.period}`;
  return `${result.count} of ${result.limit.max} ${period} ${result.limit.scope} (${result.limit.channels.join(", ")})`;
}

/** The instant the customer's next local calendar day begins. */
export function nextLocalMidnight(now: Date, timeZone: string): Date {
  const parts = localParts(now, timeZone);
  const next = new Date(Date.UTC(parts.year, parts.month - 1, parts.day + 1));
  return wallClockToInstant(
    {
      year: next.getUTCFullYear(),
      month: next.getUTCMonth() + 1,
      day: next.getUTCDate(),
      hour: 0,
      minute: 0,
    },
    timeZone,
  );
}
