import { describe, expect, it } from "vitest";
import { addDuration, durationMs, formatDuration, isDuration, parseDuration } from "./duration.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("ISO 8601 durations", () => {
  it("parses every unit into calendar parts and fixed milliseconds", () => {
    expect(parseDuration("P1Y2M3W4DT5H6M7.5S")).toEqual({
      sign: 1,
      years: 1,
      months: 2,
      fixedMs: 3 * 7 * DAY + 4 * DAY + 5 * HOUR + 6 * 60_000 + 7_500,
    });
    expect(parseDuration("PT30M")?.fixedMs).toBe(30 * 60_000);
    expect(parseDuration("-P3D")).toEqual({ sign: -1, years: 0, months: 0, fixedMs: 3 * DAY });
  });

  it("rejects text that is not a duration", () => {
    for (const bad of [
      "",
      "P",
      "PT",
      "P1DT",
      "1H",
      "PT1.5H",
      "P1.5D",
      "P1H",
      "PT1D",
      "p1d",
      "P1D ",
      "P-1D",
    ]) {
      expect(parseDuration(bad), bad).toBeNull();
      expect(isDuration(bad), bad).toBe(false);
    }
  });

  it("accepts a sign only when signed durations are allowed", () => {
    expect(isDuration("-P3D")).toBe(false);
    expect(isDuration("+PT2H")).toBe(false);
    expect(isDuration("-P3D", { signed: true })).toBe(true);
    expect(isDuration("P3D", { signed: true })).toBe(true);
  });

  it("adds days as 24 hours even across a DST change", () => {
    // New York springs forward on 2026-03-08; "1 day" stays 24 h (Adobe/Braze semantics).
    const before = new Date("2026-03-07T14:00:00Z");
    expect(addDuration(before, "P1D").toISOString()).toBe("2026-03-08T14:00:00.000Z");
    expect(addDuration(before, "P1W").getTime() - before.getTime()).toBe(7 * DAY);
  });

  it("subtracts with a negative sign or a negative direction", () => {
    const at = new Date("2026-05-10T12:00:00Z");
    expect(addDuration(at, "-P3D").toISOString()).toBe("2026-05-07T12:00:00.000Z");
    expect(addDuration(at, "P3D", -1).toISOString()).toBe("2026-05-07T12:00:00.000Z");
    expect(addDuration(at, "-P3D", -1).toISOString()).toBe("2026-05-13T12:00:00.000Z");
  });

  it("adds months and years on the UTC calendar, clamped to the end of shorter months", () => {
    expect(addDuration(new Date("2026-01-15T09:00:00Z"), "P1M").toISOString()).toBe(
      "2026-02-15T09:00:00.000Z",
    );
    expect(addDuration(new Date("2026-01-31T09:00:00Z"), "P1M").toISOString()).toBe(
      "2026-02-28T09:00:00.000Z",
    );
    expect(addDuration(new Date("2028-01-31T09:00:00Z"), "P1M").toISOString()).toBe(
      "2028-02-29T09:00:00.000Z",
    );
    expect(addDuration(new Date("2026-03-31T09:00:00Z"), "-P1M").toISOString()).toBe(
      "2026-02-28T09:00:00.000Z",
    );
    expect(addDuration(new Date("2026-11-30T09:00:00Z"), "P3M").toISOString()).toBe(
      "2027-02-28T09:00:00.000Z",
    );
    expect(addDuration(new Date("2028-02-29T09:00:00Z"), "P1Y").toISOString()).toBe(
      "2029-02-28T09:00:00.000Z",
    );
    expect(addDuration(new Date("2026-01-31T09:00:00Z"), "P1MT2H").toISOString()).toBe(
      "2026-02-28T11:00:00.000Z",
    );
  });

  it("throws on an invalid duration instead of returning a wrong date", () => {
    expect(() => addDuration(new Date(), "one day")).toThrow(RangeError);
    expect(() => durationMs("soon")).toThrow(RangeError);
  });

  it("approximates lengths for comparison, months as 30 days", () => {
    expect(durationMs("PT1H")).toBe(HOUR);
    expect(durationMs("P1M")).toBe(30 * DAY);
    expect(durationMs("P1Y")).toBe(365 * DAY);
    expect(durationMs("-P2D")).toBe(-2 * DAY);
    expect(durationMs("P2W")).toBeGreaterThan(durationMs("P13D"));
  });

  it("formats milliseconds compactly and round-trips through parse", () => {
    expect(formatDuration(0)).toBe("PT0S");
    expect(formatDuration(HOUR)).toBe("PT1H");
    expect(formatDuration(DAY + 2 * HOUR)).toBe("P1DT2H");
    expect(formatDuration(25 * HOUR + 30 * 60_000)).toBe("P1DT1H30M");
    expect(formatDuration(1_500)).toBe("PT1.5S");
    expect(formatDuration(-3 * DAY)).toBe("-P3D");
    for (const ms of [60_000, 90 * 60_000, 3 * DAY + 5, 49 * HOUR]) {
      expect(durationMs(formatDuration(ms))).toBe(ms);
    }
  });
});
