/**
 * Wall-clock arithmetic in IANA time zones with nothing but Intl, so that quiet hours, "wait until
 * 09:00 local" and per-local-day caps agree everywhere they are computed.
 *
 * Local times that do not exist (the spring-forward gap) resolve to the same wall-clock distance
 * after the gap starts (02:30 in a 02:00→03:00 gap becomes 03:30), and local times that occur twice
 * (the fall-back overlap) resolve to the earlier instant — Temporal's "compatible" disambiguation.
 */

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const formatterCache = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatterCache.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    formatterCache.set(timeZone, formatter);
  }
  return formatter;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export function isValidTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== "string" || timeZone.length === 0) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? "Sun"] ?? 0,
  };
}

/** Offset of the zone from UTC at an instant, in milliseconds (Berlin in winter: +3_600_000). */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

/**
 * Every instant at which the zone's clock shows `wall`, earliest first: one normally, two in a
 * fall-back overlap, none in a spring-forward gap.
 */
export function wallClockInstants(wall: WallClock, timeZone: string): Date[] {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0);
  // Two candidate offsets: the zone's offset a day before and a day after cover any transition.
  const before = zoneOffsetMs(new Date(naive - 86_400_000), timeZone);
  const after = zoneOffsetMs(new Date(naive + 86_400_000), timeZone);
  return [...new Set([before, after])]
    .map((offset) => naive - offset)
    .filter((instant) => {
      const p = localParts(new Date(instant), timeZone);
      return (
        p.year === wall.year &&
        p.month === wall.month &&
        p.day === wall.day &&
        p.hour === wall.hour &&
        p.minute === wall.minute
      );
    })
    .sort((a, b) => a - b)
    .map((instant) => new Date(instant));
}

/** The instant at which the zone's clock shows `wall` (see the module note for gaps and overlaps). */
export function wallClockToInstant(wall: WallClock, timeZone: string): Date {
  const instants = wallClockInstants(wall, timeZone);
  if (instants.length > 0) return instants[0]!;
  // In a gap: keep the wall-clock distance from the gap's start, measured with the earlier offset.
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0);
  return new Date(naive - zoneOffsetMs(new Date(naive - 86_400_000), timeZone));
}

/** Minutes since local midnight for "HH:MM". Returns null for anything else. */
export function parseTimeOfDay(text: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 60 + Number(match[2]);
}

function addLocalDays(parts: LocalParts, days: number): { year: number; month: number; day: number } {
  const date = new Date(Date.UTC(parts.year, parts.month - 1, parts.day + days));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/**
 * The first instant at or after `from` when the local clock shows `timeOfDay` ("HH:MM"). When that
 * wall time does not exist on a day (DST gap) it resolves as the module note says (02:30 → 03:30);
 * when it occurs twice (overlap) the second occurrence still counts if the first has passed.
 */
export function nextLocalTimeOfDay(from: Date, timeOfDay: string, timeZone: string): Date {
  const minutes = parseTimeOfDay(timeOfDay);
  if (minutes === null) throw new RangeError(`not a time of day (HH:MM): ${timeOfDay}`);
  const today = localParts(from, timeZone);
  for (let offset = 0; offset <= 2; offset++) {
    const wall = { ...addLocalDays(today, offset), hour: Math.floor(minutes / 60), minute: minutes % 60 };
    const instants = wallClockInstants(wall, timeZone);
    const candidates = instants.length > 0 ? instants : [wallClockToInstant(wall, timeZone)];
    const found = candidates.find((candidate) => candidate.getTime() >= from.getTime());
    if (found) return found;
  }
  throw new Error(`no ${timeOfDay} found after ${from.toISOString()} in ${timeZone}`);
}

/** The instant of local midnight that starts the local day containing `instant`. */
export function startOfLocalDay(instant: Date, timeZone: string): Date {
  const p = localParts(instant, timeZone);
  return wallClockToInstant({ year: p.year, month: p.month, day: p.day, hour: 0, minute: 0 }, timeZone);
}

/** "YYYY-MM-DD" of the local calendar day containing `instant`. */
export function localDateKey(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}
