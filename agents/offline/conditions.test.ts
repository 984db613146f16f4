import { describe, expect, it } from "vitest";
import { countConditions } from "./condition-facts.ts";
import {
  comparisonCondition,
  convertUnit,
  findComparisons,
  findCountMentions,
  findEnumMentions,
} from "./conditions.ts";
import { SHOP_CATALOG } from "./test-fixtures.ts";
import { normaliseGoal } from "./text.ts";
import { findKeywordMentions, findTextSignals } from "./text-conditions.ts";

function comparison(goal: string) {
  const found = findComparisons(normaliseGoal(goal));
  expect(found, goal).toHaveLength(1);
  return found[0]!;
}

describe("numeric comparisons", () => {
  it("reads the comparison words people use", () => {
    expect(comparison("a score of 6 or lower")).toMatchObject({ op: "lte", values: [6] });
    expect(comparison("people who score 9 or 10")).toMatchObject({ op: "in", values: [9, 10] });
    expect(comparison("delayed by more than 2 days")).toMatchObject({ op: "gt", values: [2], unit: "days" });
    expect(comparison("at least 3")).toMatchObject({ op: "gte", values: [3] });
    expect(comparison("under 50")).toMatchObject({ op: "lt", values: [50] });
    expect(comparison("between 7 and 8")).toMatchObject({ op: "between", values: [7, 8] });
    expect(comparison("an order over $200")).toMatchObject({ op: "gt", values: [200], money: true });
  });

  it("reads 'past', 'passes' and 'tops', and a score said as the subject", () => {
    expect(findComparisons(normaliseGoal("purchase propensity climbs past 0.6"))).toMatchObject([
      { op: "gt", values: [0.6], change: true },
    ]);
    expect(findComparisons(normaliseGoal("lifetime value passes 1,000 euros"))).toMatchObject([
      { op: "gte", values: [1000], money: true, change: true },
    ]);
    expect(findComparisons(normaliseGoal("a perfect 5 gets a thank-you push"))).toMatchObject([
      { op: "eq", values: [5] },
    ]);
    // "the past 7 days" is a look back, not a threshold
    expect(findComparisons(normaliseGoal("in the past 7 days"))).toEqual([]);
  });

  it("marks changes that can start a journey", () => {
    expect(comparison("churn risk rises above 0.7")).toMatchObject({ op: "gt", values: [0.7], change: true });
    expect(comparison("churn risk goes over 80%")).toMatchObject({ op: "gt", values: [0.8], change: true });
    expect(comparison("churn risk above 0.7")).toMatchObject({ change: false });
  });

  it("converts a compared duration to the unit of the property", () => {
    expect(convertUnit(3, "hours", "delay_minutes")).toBe(180);
    expect(convertUnit(2, "days", "delay_days")).toBe(2);
    expect(convertUnit(2, undefined, "delay_minutes")).toBe(2);
    expect(
      comparisonCondition(comparison("more than 3 hours"), "event.properties.delay_minutes", "delay_minutes"),
    ).toEqual({
      field: "event.properties.delay_minutes",
      op: "gt",
      value: 180,
    });
  });
});

describe("enumerated values", () => {
  const tier = [{ path: "traits.tier", name: "tier", kind: "trait" as const, type: "vip|regular" }];
  const plan = [{ path: "traits.plan", name: "plan", kind: "trait" as const, type: "free|pro|enterprise" }];

  it("finds distinctive values anywhere and everyday words only beside what they qualify", () => {
    expect(findEnumMentions("when a vip customer cancels", tier).map((m) => m.value)).toEqual(["vip"]);
    expect(findEnumMentions("customers on the free plan", plan).map((m) => m.value)).toEqual(["free"]);
    expect(findEnumMentions("email them free shipping", plan)).toEqual([]);
    expect(findEnumMentions("when a free trial starts", plan)).toEqual([]);
    expect(findEnumMentions("pro customers get a call", plan).map((m) => m.value)).toEqual(["pro"]);
  });

  it("reads values joined before the noun they qualify as one condition", () => {
    expect(findEnumMentions("pro and enterprise customers get a call", plan)).toMatchObject([
      { values: ["pro", "enterprise"], negated: false },
    ]);
    expect(findEnumMentions("free or pro plans", plan)).toMatchObject([{ values: ["free", "pro"] }]);
  });

  it("notices negated values", () => {
    expect(findEnumMentions("non-vip customers", tier)[0]).toMatchObject({ value: "vip", negated: true });
  });
});

describe("counts", () => {
  it("reads 'an open support ticket' as a count above zero and 'no open tickets' as zero", () => {
    expect(findCountMentions("customers who have an open support ticket", SHOP_CATALOG)).toMatchObject([
      { trait: "open_support_tickets", op: "gt", value: 0 },
    ]);
    expect(findCountMentions("customers with no open tickets", SHOP_CATALOG)).toMatchObject([
      { trait: "open_support_tickets", op: "eq", value: 0 },
    ]);
    expect(findCountMentions("an hour after a support ticket is closed", SHOP_CATALOG)).toEqual([]);
  });

  it("takes a number right before the counted things as their quantity", () => {
    const counted = countConditions(
      "customers who already have ########### open tickets",
      SHOP_CATALOG,
      findComparisons("customers who already have more than 2 open tickets"),
    );
    expect(counted.conditions.map((fact) => fact.condition)).toEqual([
      { field: "traits.open_support_tickets", op: "gt", value: 2 },
    ]);
    expect(counted.consumed.size).toBe(1);
  });
});

describe("words customer text contains", () => {
  it("reads 'mentions' and 'says' as words to look for, reduced to their content word", () => {
    expect(
      findKeywordMentions("if a comment mentions price or says we're too expensive, email them"),
    ).toMatchObject([{ words: ["price", "expensive"], quoted: false }]);
    expect(
      findKeywordMentions("whenever a chat message mentions opening hours, reply in chat"),
    ).toMatchObject([{ words: ["opening hours"] }]);
    expect(findKeywordMentions("if a comment mentions 'delivery' hand it to logistics")).toMatchObject([
      { words: ["delivery"], quoted: true },
    ]);
  });
});

describe("what customer text sounds like", () => {
  it("maps feelings and intents to the text transforms", () => {
    expect(findTextSignals("if a customer sounds angry or frustrated in a chat message")).toMatchObject([
      { transform: "frustration", op: "gte", value: 0.5 },
    ]);
    expect(findTextSignals("if they ask for a refund")).toMatchObject([
      { transform: "intent", value: "refund" },
    ]);
    expect(findTextSignals("if someone asks to speak to a human")).toMatchObject([
      { transform: "intent", value: "contact_human_agent" },
    ]);
    expect(findTextSignals("when a comment is negative")).toMatchObject([
      { transform: "sentiment", op: "lte" },
    ]);
    expect(findTextSignals("make our customers happier")).toEqual([]);
  });
});
