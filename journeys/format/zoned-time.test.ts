import { describe, expect, it } from "vitest";
import {
  isValidTimeZone,
  localDateKey,
  localParts,
  nextLocalTimeOfDay,
  parseTimeOfDay,
  startOfLocalDay,
  wallClockInstants,
  wallClockToInstant,
  zoneOffsetMs,
} from "./zoned-time.ts";

const NY = "America/New_York";
const AKL = "Pacific/Auckland";
const HOUR = 3_600_000;

const iso = (date: Date) => date.toISOString();

describe("time zones", () => {
  it("recognises IANA zones and rejects everything else", () => {
    expect(isValidTimeZone("Europe/Berlin")).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    for (const bad of ["Mars/Olympus", "", undefined, null, 5, "Berlin"]) {
      expect(isValidTimeZone(bad), String(bad)).toBe(false);
    }
  });

  it("reads local calendar parts and weekday", () => {
    // 2026-03-02 is a Monday; 10:00 in Berlin (CET) is 09:00 UTC.
    expect(localParts(new Date("2026-03-02T09:00:00Z"), "Europe/Berlin")).toEqual({
      year: 2026,
      month: 3,
      day: 2,
      hour: 10,
      minute: 0,
      second: 0,
      weekday: 1,
    });
    // Auckland is already on Tuesday.
    expect(localParts(new Date("2026-03-02T13:00:00Z"), AKL).weekday).toBe(2);
  });

  it("knows zone offsets on both sides of a DST change", () => {
    expect(zoneOffsetMs(new Date("2026-03-07T12:00:00Z"), NY)).toBe(-5 * HOUR);
    expect(zoneOffsetMs(new Date("2026-03-09T12:00:00Z"), NY)).toBe(-4 * HOUR);
    expect(zoneOffsetMs(new Date("2026-04-04T12:00:00Z"), AKL)).toBe(13 * HOUR);
    expect(zoneOffsetMs(new Date("2026-04-06T12:00:00Z"), AKL)).toBe(12 * HOUR);
  });
});

describe("wall clock to instant", () => {
  it("maps an ordinary local time to one instant", () => {
    expect(iso(wallClockToInstant({ year: 2026, month: 6, day: 1, hour: 9, minute: 0 }, NY))).toBe(
      "2026-06-01T13:00:00.000Z",
    );
  });

  it("New York 2026-03-08: 02:30 does not exist and resolves to 03:30 EDT", () => {
    const wall = { year: 2026, month: 3, day: 8, hour: 2, minute: 30 };
    expect(wallClockInstants(wall, NY)).toEqual([]);
    expect(iso(wallClockToInstant(wall, NY))).toBe("2026-03-08T07:30:00.000Z");
    expect(localParts(wallClockToInstant(wall, NY), NY)).toMatchObject({ hour: 3, minute: 30 });
  });

  it("New York 2026-11-01: 01:30 occurs twice and resolves to the earlier (EDT) instant", () => {
    const wall = { year: 2026, month: 11, day: 1, hour: 1, minute: 30 };
    expect(wallClockInstants(wall, NY).map(iso)).toEqual([
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T06:30:00.000Z",
    ]);
    expect(iso(wallClockToInstant(wall, NY))).toBe("2026-11-01T05:30:00.000Z");
  });

  it("Auckland 2026-09-27: 02:30 does not exist and resolves to 03:30 NZDT", () => {
    const wall = { year: 2026, month: 9, day: 27, hour: 2, minute: 30 };
    expect(wallClockInstants(wall, AKL)).toEqual([]);
    const instant = wallClockToInstant(wall, AKL);
    expect(iso(instant)).toBe("2026-09-26T14:30:00.000Z");
    expect(localParts(instant, AKL)).toMatchObject({ day: 27, hour: 3, minute: 30 });
  });

  it("Auckland 2026-04-05: 02:30 occurs twice and resolves to the earlier (NZDT) instant", () => {
    const wall = { year: 2026, month: 4, day: 5, hour: 2, minute: 30 };
    expect(wallClockInstants(wall, AKL).map(iso)).toEqual([
      "2026-04-04T13:30:00.000Z",
      "2026-04-04T14:30:00.000Z",
    ]);
    expect(iso(wallClockToInstant(wall, AKL))).toBe("2026-04-04T13:30:00.000Z");
  });
});

describe("next local time of day (HH:MM)", () => {
  it("parses HH:MM only", () => {
    expect(parseTimeOfDay("00:00")).toBe(0);
    expect(parseTimeOfDay("23:59")).toBe(23 * 60 + 59);
    for (const bad of ["24:00", "9:00", "09:60", "0900", "09:00:00"])
      expect(parseTimeOfDay(bad), bad).toBeNull();
    expect(() => nextLocalTimeOfDay(new Date(), "9am", NY)).toThrow(RangeError);
  });

  it("returns today's time when it is still ahead, tomorrow's when it has passed", () => {
    const morning = new Date("2026-06-01T12:00:00Z"); // 08:00 EDT
    expect(iso(nextLocalTimeOfDay(morning, "09:00", NY))).toBe("2026-06-01T13:00:00.000Z");
    const evening = new Date("2026-06-01T23:30:00Z"); // 19:30 EDT
    expect(iso(nextLocalTimeOfDay(evening, "09:00", NY))).toBe("2026-06-02T13:00:00.000Z");
  });

  it("returns `from` itself when the clock shows exactly that time", () => {
    const at = new Date("2026-06-01T13:00:00Z");
    expect(iso(nextLocalTimeOfDay(at, "09:00", NY))).toBe(iso(at));
  });

  it("crosses the New York spring-forward night: 09:00 the next morning is 23 hours later", () => {
    const from = new Date("2026-03-07T14:00:00Z"); // Sat 09:00 EST
    const next = nextLocalTimeOfDay(new Date(from.getTime() + 1), "09:00", NY);
    expect(iso(next)).toBe("2026-03-08T13:00:00.000Z"); // Sun 09:00 EDT
    expect(next.getTime() - from.getTime()).toBe(23 * HOUR);
  });

  it("crosses the New York fall-back night: 09:00 the next morning is 25 hours later", () => {
    const from = new Date("2026-10-31T13:00:00Z"); // Sat 09:00 EDT
    const next = nextLocalTimeOfDay(new Date(from.getTime() + 1), "09:00", NY);
    expect(iso(next)).toBe("2026-11-01T14:00:00.000Z"); // Sun 09:00 EST
    expect(next.getTime() - from.getTime()).toBe(25 * HOUR);
  });

  it("a time inside the New York gap resolves after the gap", () => {
    const from = new Date("2026-03-08T05:00:00Z"); // Sun 00:00 EST
    expect(iso(nextLocalTimeOfDay(from, "02:30", NY))).toBe("2026-03-08T07:30:00.000Z"); // 03:30 EDT
  });

  it("a time inside the New York overlap is its first occurrence, and its second once the first passed", () => {
    const midnight = new Date("2026-11-01T04:00:00Z"); // 00:00 EDT
    expect(iso(nextLocalTimeOfDay(midnight, "01:30", NY))).toBe("2026-11-01T05:30:00.000Z");
    const between = new Date("2026-11-01T06:15:00Z"); // 01:15 EST, after the first 01:30
    expect(iso(nextLocalTimeOfDay(between, "01:30", NY))).toBe("2026-11-01T06:30:00.000Z");
    const after = new Date("2026-11-01T06:45:00Z"); // 01:45 EST, both have passed
    expect(iso(nextLocalTimeOfDay(after, "01:30", NY))).toBe("2026-11-02T06:30:00.000Z");
  });

  it("Auckland: the gap (2026-09-27) and the overlap (2026-04-05)", () => {
    const beforeGap = new Date("2026-09-26T12:00:00Z"); // 27th 00:00 NZST
    expect(iso(nextLocalTimeOfDay(beforeGap, "02:30", AKL))).toBe("2026-09-26T14:30:00.000Z");
    expect(iso(nextLocalTimeOfDay(beforeGap, "09:00", AKL))).toBe("2026-09-26T20:00:00.000Z"); // NZDT
    const beforeOverlap = new Date("2026-04-04T11:00:00Z"); // 5th 00:00 NZDT
    expect(iso(nextLocalTimeOfDay(beforeOverlap, "02:30", AKL))).toBe("2026-04-04T13:30:00.000Z");
    expect(iso(nextLocalTimeOfDay(beforeOverlap, "09:00", AKL))).toBe("2026-04-04T21:00:00.000Z"); // NZST
  });
});

describe("local days", () => {
  it("starts the local day at local midnight, even on a 23-hour day", () => {
    const noon = new Date("2026-03-08T16:00:00Z"); // 12:00 EDT on the short day
    expect(iso(startOfLocalDay(noon, NY))).toBe("2026-03-08T05:00:00.000Z"); // 00:00 EST
    expect(localDateKey(noon, NY)).toBe("2026-03-08");
  });

  it("keys the same instant to different local dates in different zones", () => {
    const instant = new Date("2026-04-04T23:30:00Z");
    expect(localDateKey(instant, NY)).toBe("2026-04-04");
    expect(localDateKey(instant, AKL)).toBe("2026-04-05");
  });
});
