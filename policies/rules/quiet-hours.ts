import {
  isValidTimeZone,
  localParts,
  nextLocalTimeOfDay,
  parseTimeOfDay,
  zoneOffsetMs,
} from "../../journeys/format/zoned-time.ts";
import type { PolicyConfig, QuietWindow } from "../config.ts";
import type { PolicyCheck } from "./verdict.ts";
import { allow, channelLabel, defer, deny, formatLocal, review } from "./verdict.ts";

/**
 * Quiet hours in the customer's own time zone. The window [start, end) is read off the local wall
 * clock at the moment of sending, so DST needs no special case for the check itself: at 01:10 in
 * the second pass through a fall-back hour the clock shows 01:10 and that is what counts. Deferral
 * goes to the first instant at which the clock is outside the window again: the next `end`, or,
 * when `end` falls in a spring-forward gap that day, the instant the clock jumps over it.
 *
 * An unknown or invalid zone never sends by guesswork: by default it goes to review; a workspace
 * that lists the zones its customers live in (`unknown_timezone.assume_timezones`) instead holds
 * the message until it is outside quiet hours in all of them.
 */
export const quietHoursPolicy: PolicyCheck = (action, context, config, now) => {
  const window = quietWindowFor(action.channel, config);
  const label = channelLabel(action.channel);
  if (!window) {
    return allow("quiet_hours", `${label} is not subject to quiet hours.`);
  }
  const span = `${window.start}–${window.end}`;
  const zone = context.timezone;
  if (!isValidTimeZone(zone)) {
    return unknownZone(action.channel, span, window, zone, config, now);
  }
  if (!isInQuietWindow(now, window, zone)) {
    return allow("quiet_hours", `It is ${clock(now, zone)} in ${zone}, outside quiet hours ${span}.`, {
      timezone: zone,
    });
  }
  if (window.action === "deny") {
    return deny(
      "quiet_hours",
      `${label} is denied: it is ${clock(now, zone)} in ${zone}, inside quiet hours ${span}.`,
      { timezone: zone, window: span },
    );
  }
  const until = quietWindowEnd(now, window, zone);
  return defer(
    "quiet_hours",
    until,
    `${label} is inside quiet hours ${span} in ${zone} (now ${formatLocal(now, zone)}); held until ${formatLocal(until, zone)}.`,
    { timezone: zone, window: span },
  );
};

/** The quiet window that governs a channel, or null when none does. */
export function quietWindowFor(channel: string, config: PolicyConfig): QuietWindow | null {
  const hours = config.quiet_hours;
  const own = hours.per_channel[channel as keyof typeof hours.per_channel];
  if (own) return own;
  if (hours.channels.includes(channel as (typeof hours.channels)[number])) {
    return { start: hours.start, end: hours.end, action: hours.action };
  }
  return null;
}

/** Whether the zone's wall clock at `instant` is inside [start, end) (which may wrap midnight). */
export function isInQuietWindow(
  instant: Date,
  window: Pick<QuietWindow, "start" | "end">,
  timeZone: string,
): boolean {
  const parts = localParts(instant, timeZone);
  return minuteInWindow(parts.hour * 60 + parts.minute, window);
}

export function minuteInWindow(minuteOfDay: number, window: Pick<QuietWindow, "start" | "end">): boolean {
  const start = parseTimeOfDay(window.start)!;
  const end = parseTimeOfDay(window.end)!;
  return start < end ? minuteOfDay >= start && minuteOfDay < end : minuteOfDay >= start || minuteOfDay < end;
}

/**
 * The first instant at or after `from` at which the zone's clock has left the window: the next
 * time the clock shows `end`, or the DST transition when `end` does not exist that day.
 */
export function quietWindowEnd(
  from: Date,
  window: Pick<QuietWindow, "start" | "end">,
  timeZone: string,
): Date {
  const candidate = nextLocalTimeOfDay(from, window.end, timeZone);
  const shown = localParts(candidate, timeZone);
  const endMinute = parseTimeOfDay(window.end)!;
  if (shown.hour * 60 + shown.minute === endMinute) return candidate;
  // `end` fell in a spring-forward gap: the clock jumped over it at the transition instant.
  const transition = transitionBefore(candidate, timeZone);
  return transition && transition.getTime() >= from.getTime() ? transition : candidate;
}

/** The last change of the zone's UTC offset within six hours before `instant`, to the millisecond. */
function transitionBefore(instant: Date, timeZone: string): Date | null {
  const target = zoneOffsetMs(instant, timeZone);
  let low = instant.getTime() - 6 * 3_600_000;
  let high = instant.getTime();
  if (zoneOffsetMs(new Date(low), timeZone) === target) return null;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zoneOffsetMs(new Date(middle), timeZone) === target) high = middle;
    else low = middle;
  }
  return new Date(high);
}

function clock(instant: Date, timeZone: string): string {
  const parts = localParts(instant, timeZone);
  return `${String(parts.hour).padStart(2, "0")}:${String(parts.minute).padStart(2, "0")}`;
}

function unknownZone(
  channel: string,
  span: string,
  window: QuietWindow,
  zone: string | undefined,
  config: PolicyConfig,
  now: Date,
) {
  const label = channelLabel(channel);
  const what = zone === undefined || zone === "" ? "unknown" : `"${zone}", which is not a valid IANA zone`;
  const rule = config.quiet_hours.unknown_timezone;
  const details = { timezone: zone ?? null, window: span };
  if (rule.action === "defer") {
    const safe = firstInstantOutsideAll(now, window, rule.assume_timezones);
    if (safe && safe.getTime() === now.getTime()) {
      return allow(
        "quiet_hours",
        `The customer's time zone is ${what}, but it is outside quiet hours ${span} in every assumed zone (${rule.assume_timezones.join(", ")}).`,
        { ...details, assumed: rule.assume_timezones },
      );
    }
    if (safe && window.action === "defer") {
      return defer(
        "quiet_hours",
        safe,
        `${label} held: the customer's time zone is ${what}; held until it is outside quiet hours ${span} in every assumed zone (${rule.assume_timezones.join(", ")}), ${safe.toISOString()}.`,
        { ...details, assumed: rule.assume_timezones },
      );
    }
    if (safe) {
      return deny(
        "quiet_hours",
        `${label} is denied: the customer's time zone is ${what} and it is inside quiet hours ${span} in at least one assumed zone.`,
        { ...details, assumed: rule.assume_timezones },
      );
    }
  }
  return review(
    "quiet_hours",
    `${label} needs a person: the customer's time zone is ${what}, so quiet hours ${span} cannot be checked and nothing is sent at night by guesswork.`,
    details,
  );
}

/** The first instant ≥ from that is outside the window in every zone, or null within two days. */
function firstInstantOutsideAll(from: Date, window: QuietWindow, zones: readonly string[]): Date | null {
  let at = from;
  const limit = from.getTime() + 2 * 86_400_000;
  for (let round = 0; round < 16 && at.getTime() <= limit; round++) {
    const inside = zones.filter((zone) => isInQuietWindow(at, window, zone));
    if (inside.length === 0) return at;
    at = new Date(Math.max(...inside.map((zone) => quietWindowEnd(at, window, zone).getTime())));
  }
  return null;
}
