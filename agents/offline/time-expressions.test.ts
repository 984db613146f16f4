import { describe, expect, it } from "vitest";
import { normaliseGoal } from "./text.ts";
import type { TimeExpression } from "./time-expressions.ts";
import { findTimeExpressions, humanDuration, isoDuration } from "./time-expressions.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function times(goal: string): TimeExpression[] {
  return findTimeExpressions(normaliseGoal(goal));
}

function only(goal: string): TimeExpression {
  const found = times(goal);
  expect(found, goal).toHaveLength(1);
  return found[0]!;
}

describe("time expressions", () => {
  it("reads delays after the previous step", () => {
    for (const [goal, ms] of [
      ["an hour later", HOUR],
      ["after 30 minutes", 30 * 60_000],
      ["two days later", 2 * DAY],
      ["the next day", DAY],
      ["wait one day and then", DAY],
      ["in 3 days", 3 * DAY],
      ["for 6 hours", 6 * HOUR],
    ] as const) {
      const time = only(goal);
      expect(time.kind, goal).toBe("delay");
      expect(time.kind === "delay" && time.ms, goal).toBe(ms);
      expect(time.kind === "delay" && time.anchor.kind, goal).toBe("previous");
    }
  });

  it("anchors '24 hours after the SMS' to the message and 'a week after the return' to what follows", () => {
    const sms = only("24 hours after the SMS");
    expect(sms).toMatchObject({ kind: "delay", ms: 24 * HOUR, anchor: { kind: "channel", channel: "sms" } });
    const text = normaliseGoal("a week after the return");
    const week = only("a week after the return");
    expect(week).toMatchObject({ kind: "delay", ms: 7 * DAY, anchor: { kind: "mention" } });
    if (week.kind === "delay" && week.anchor.kind === "mention")
      expect(text.slice(week.anchor.offset)).toBe("the return");
  });

  it("reads 'within' as a deadline that the sentence decides about later", () => {
    expect(only("within 5 minutes")).toMatchObject({ kind: "within", ms: 5 * 60_000 });
    expect(only("within the hour")).toMatchObject({ kind: "within", ms: HOUR });
    expect(only("within 14 days of placing an order")).toMatchObject({
      kind: "within",
      ms: 14 * DAY,
      anchor: { kind: "mention" },
    });
  });

  it("reads immediacy in its usual words", () => {
    for (const goal of [
      "right away",
      "immediately",
      "straight away",
      "the same day",
      "as soon as possible",
    ]) {
      expect(only(goal).kind, goal).toBe("immediate");
    }
  });

  it("reads offsets before a date", () => {
    expect(only("three days before a customer's trial ends")).toMatchObject({ kind: "before", ms: 3 * DAY });
    expect(only("the day before departure")).toMatchObject({ kind: "before", ms: DAY });
  });

  it("counts 'N days into' something from entry", () => {
    expect(only("three days into a trial")).toMatchObject({
      kind: "delay",
      ms: 3 * DAY,
      anchor: { kind: "entry" },
    });
  });

  it("reads repeats with their limit, and days counted from entry", () => {
    expect(only("text them every day until they pay, up to 3 times")).toMatchObject({
      kind: "repeat",
      ms: DAY,
      times: 3,
    });
    expect(only("every 2 days")).toMatchObject({ kind: "repeat", ms: 2 * DAY, times: null });
    expect(only("on day 3")).toMatchObject({ kind: "delay", ms: 3 * DAY, anchor: { kind: "entry" } });
  });

  it("reads local clock times only when the goal names one", () => {
    expect(only("at 9am")).toMatchObject({ kind: "time_of_day", time: "09:00" });
    expect(only("at 6:30 pm")).toMatchObject({ kind: "time_of_day", time: "18:30" });
    expect(only("the next morning")).toMatchObject({ kind: "time_of_day", time: "09:00", dayOffset: 1 });
    expect(times("send it at 2 or lower")).toEqual([]);
  });
});

describe("durations", () => {
  it("formats ISO 8601 and human durations", () => {
    expect(isoDuration(25 * HOUR)).toBe("P1DT1H");
    expect(isoDuration(30 * 60_000)).toBe("PT30M");
    expect(isoDuration(0)).toBe("PT0S");
    expect(isoDuration(60 * DAY, 2)).toBe("P2M");
    expect(humanDuration(7 * DAY)).toBe("1 week");
    expect(humanDuration(2 * HOUR)).toBe("2 hours");
  });
});
