/**
 * ISO 8601 durations as journeys use them: `PT30M`, `P2D`, `P1DT12H`, `P2W`, and (for date offsets
 * only) a leading sign, `-P3D`.
 *
 * Days and weeks are absolute (24 h / 168 h), as in Adobe Journey Optimizer and Braze: "wait 1 day"
 * across a DST change ends 24 hours later, not at the same wall-clock time. Years and months are
 * calendar units applied in UTC, clamped to the end of a shorter month.
 */

const DURATION_PATTERN =
  /^([+-])?P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export interface ParsedDuration {
  sign: 1 | -1;
  years: number;
  months: number;
  /** weeks, days, hours, minutes and seconds folded into milliseconds */
  fixedMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function parseDuration(text: string): ParsedDuration | null {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return null;
  const [, sign, years, months, weeks, days, hours, minutes, seconds] = match;
  const num = (part: string | undefined) => (part === undefined ? 0 : Number(part));
  return {
    sign: sign === "-" ? -1 : 1,
    years: num(years),
    months: num(months),
    fixedMs:
      num(weeks) * 7 * DAY +
      num(days) * DAY +
      num(hours) * HOUR +
      num(minutes) * MINUTE +
      Math.round(num(seconds) * 1000),
  };
}

export function isDuration(text: string, options: { signed?: boolean } = {}): boolean {
  const parsed = parseDuration(text);
  if (!parsed) return false;
  return options.signed === true || !/^[+-]/.test(text);
}

/** Adds a duration to an instant. Calendar parts (Y, M) move the UTC calendar date. */
export function addDuration(at: Date, duration: string | ParsedDuration, direction: 1 | -1 = 1): Date {
  const parsed = typeof duration === "string" ? parseDuration(duration) : duration;
  if (!parsed) throw new RangeError(`not an ISO 8601 duration: ${String(duration)}`);
  const sign = parsed.sign * direction;
  let result = at.getTime();
  if (parsed.years || parsed.months) {
    // Clamp to the target month's last day (Jan 31 + P1M = Feb 28), as Temporal and date-fns do,
    // instead of letting Date roll over into the month after.
    const months = at.getUTCMonth() + sign * (parsed.years * 12 + parsed.months);
    const year = at.getUTCFullYear() + Math.floor(months / 12);
    const month = ((months % 12) + 12) % 12;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const shifted = new Date(at.getTime());
    shifted.setUTCFullYear(year, month, Math.min(at.getUTCDate(), lastDay));
    result = shifted.getTime();
  }
  return new Date(result + sign * parsed.fixedMs);
}

/**
 * Approximate length in milliseconds (months as 30 days, years as 365 days). Used for comparisons
 * and lint heuristics, never to schedule.
 */
export function durationMs(duration: string | ParsedDuration): number {
  const parsed = typeof duration === "string" ? parseDuration(duration) : duration;
  if (!parsed) throw new RangeError(`not an ISO 8601 duration: ${String(duration)}`);
  return parsed.sign * (parsed.years * 365 * DAY + parsed.months * 30 * DAY + parsed.fixedMs);
}

/** Formats milliseconds as a compact ISO 8601 duration (`P1DT2H`, `PT30M`, `PT0S`). */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(Math.round(ms));
  const days = Math.floor(rest / DAY);
  rest -= days * DAY;
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / MINUTE);
  rest -= minutes * MINUTE;
  const seconds = rest / 1000;
  let time = "";
  if (hours) time += `${hours}H`;
  if (minutes) time += `${minutes}M`;
  if (seconds) time += `${seconds}S`;
  if (!days && !time) return "PT0S";
  return `${sign}P${days ? `${days}D` : ""}${time ? `T${time}` : ""}`;
}
