/**
 * Segment timestamps: ISO 8601 strings, parsed strictly enough that garbage is rejected with a
 * field name instead of silently becoming "now" or NaN.
 */

// Month and day may have one digit: the Segment HTTP API page's own batch example sends
// "2015-2-02T00:30:08.276Z", and rejecting the vendor's documented payload would be unhelpful.
const ISO_8601 =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const MIN_YEAR = 1900;
const MAX_YEAR = 2999;

/** A Date for a valid ISO 8601 date or date-time (a missing zone means UTC), else null. */
export function parseIsoTimestamp(text: string): Date | null {
  const match = ISO_8601.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone = "Z"] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  const millis = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
  let offsetMinutes = 0;
  if (zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const zoneHours = Number(digits.slice(0, 2));
    const zoneMinutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (zoneHours > 14 || zoneMinutes > 59) return null;
    offsetMinutes = sign * (zoneHours * 60 + zoneMinutes);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  return new Date(utc);
}

export interface CallTimes {
  /** the call's explicit `timestamp` (server libraries and historical imports set it) */
  timestamp?: Date | undefined;
  /** the client clock when the call was made (client libraries) */
  originalTimestamp?: Date | undefined;
  /** the client clock when the request was sent (on the call or on the batch) */
  sentAt?: Date | undefined;
}

/**
 * When the event happened, by Segment's rule: an explicit `timestamp` is trusted as is (historical
 * imports); otherwise the client's `originalTimestamp` corrected for the client's clock skew,
 * `receivedAt - (sentAt - originalTimestamp)`; otherwise `originalTimestamp`; otherwise `receivedAt`.
 */
export function eventTime(times: CallTimes, receivedAt: Date): Date {
  if (times.timestamp) return times.timestamp;
  if (times.originalTimestamp && times.sentAt) {
    return new Date(receivedAt.getTime() - (times.sentAt.getTime() - times.originalTimestamp.getTime()));
  }
  if (times.originalTimestamp) return times.originalTimestamp;
  return receivedAt;
}
