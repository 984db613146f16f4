import { describe, expect, it } from "vitest";
import { matchExpectations, type ProducedAction, toleranceMs } from "./expectations.ts";
import { Expectation } from "./scenario.ts";

const start = new Date("2026-03-02T09:00:00Z");
const at = (offsetMs: number, channel: string, offer?: ProducedAction["offer"]): ProducedAction => ({
  channel,
  at: new Date(start.getTime() + offsetMs),
  status: "sent",
  offer,
});
const HOUR = 3_600_000;

describe("expectation matching", () => {
  it("default tolerance is the larger of 10 minutes and 2 % of at", () => {
    expect(toleranceMs({ channel: "sms", at: "PT1H" })).toBe(10 * 60_000);
    expect(toleranceMs({ channel: "sms", at: "P11D" })).toBe(0.02 * 11 * 24 * HOUR);
    expect(toleranceMs({ channel: "sms", at: "P1D", tolerance: "PT5M" })).toBe(5 * 60_000);
  });

  it("matches within the tolerance and not outside it", () => {
    const expected = Expectation.parse([{ channel: "sms", at: "PT1H" }]);
    expect(matchExpectations(expected, [at(HOUR + 9 * 60_000, "sms")], start).pass).toBe(true);
    const late = matchExpectations(expected, [at(HOUR + 11 * 60_000, "sms")], start);
    expect(late.pass).toBe(false);
    expect(late.problems).toEqual(["missing sms at PT1H", "unexpected sms at PT1H11M"]);
  });

  it("requires exactly the expected actions: an extra one fails, and so does a missing one", () => {
    const expected = Expectation.parse([{ channel: "email", at: "PT0S" }]);
    expect(matchExpectations(expected, [at(0, "email"), at(HOUR, "email")], start).problems).toEqual([
      "unexpected email at PT1H",
    ]);
    expect(matchExpectations(expected, [], start).problems).toEqual(["missing email at PT0S"]);
    expect(matchExpectations(Expectation.parse([]), [], start).pass).toBe(true);
  });

  it("compares offer kind and value when the expectation names an offer", () => {
    const expected = Expectation.parse([
      { channel: "email", at: "P1D", offer: { kind: "percent_off", value: 10 } },
    ]);
    expect(
      matchExpectations(expected, [at(24 * HOUR, "email", { kind: "percent_off", value: 10 })], start).pass,
    ).toBe(true);
    expect(
      matchExpectations(expected, [at(24 * HOUR, "email", { kind: "percent_off", value: 15 })], start).pass,
    ).toBe(false);
    expect(matchExpectations(expected, [at(24 * HOUR, "email")], start).pass).toBe(false);
    // No offer in the expectation: whatever offer the action carries is fine.
    const plain = Expectation.parse([{ channel: "email", at: "P1D" }]);
    expect(matchExpectations(plain, [at(24 * HOUR, "email", { kind: "free_shipping" })], start).pass).toBe(
      true,
    );
  });

  it("pairs actions as a maximum matching, so list order never matters", () => {
    // A greedy pairing would give the first expectation the first email and strand the second.
    const expected = Expectation.parse([
      { channel: "email", at: "PT30M", tolerance: "PT1H" },
      { channel: "email", at: "PT0S", tolerance: "PT10M" },
    ]);
    expect(matchExpectations(expected, [at(0, "email"), at(HOUR, "email")], start).pass).toBe(true);
  });

  it("anyOf passes when one alternative matches exactly, and reports the closest otherwise", () => {
    const expected = Expectation.parse({ anyOf: [[{ channel: "email", at: "PT0S" }], []] });
    expect(matchExpectations(expected, [], start)).toMatchObject({ pass: true, alternative: 1 });
    expect(matchExpectations(expected, [at(0, "email")], start)).toMatchObject({
      pass: true,
      alternative: 0,
    });
    const wrong = matchExpectations(expected, [at(0, "sms")], start);
    expect(wrong.pass).toBe(false);
    expect(wrong.problems).toEqual(["unexpected sms at PT0S"]);
  });

  it("only customer-facing, sent actions count", () => {
    const expected = Expectation.parse([]);
    const webhook: ProducedAction = { channel: "webhook", at: start, status: "sent" };
    const denied: ProducedAction = { channel: "email", at: start, status: "denied" };
    expect(matchExpectations(expected, [webhook, denied], start).pass).toBe(true);
  });
});
