import { describe, expect, it } from "vitest";
import { toJsonPath } from "../../../journeys/format/validate.ts";
import { clausesOf, conditionOf, isValidCondition } from "./condition-clauses.ts";
import { configChanges, getAt, jsonPath, plainMessage, setAt } from "./draft.ts";

describe("the suppression condition builder", () => {
  it("shows a comparison, or comparisons joined by all / any, and writes them back unchanged", () => {
    const cases = [
      { field: "traits.open_support_tickets", op: "gt", value: 0 },
      {
        all: [
          { field: "traits.tier", op: "eq", value: "vip" },
          { field: "consent.sms", op: "exists" },
        ],
      },
      {
        any: [
          { field: "traits.country", op: "in", value: ["DE", "AT"] },
          { field: "local.hour", op: "lt", value: 7 },
        ],
      },
      { field: "traits.vip", op: "eq", value: true },
    ];
    for (const condition of cases) {
      const set = clausesOf(condition);
      expect(set, JSON.stringify(condition)).not.toBeNull();
      expect(conditionOf(set!)).toEqual(condition);
      expect(isValidCondition(conditionOf(set!))).toBe(true);
    }
  });

  it("leaves what it cannot show faithfully to the JSON editor", () => {
    expect(clausesOf({ not: { field: "traits.tier", op: "eq", value: "vip" } })).toBeNull();
    expect(clausesOf({ performed: "Order Completed", within: "P7D" })).toBeNull();
    expect(clausesOf({ field: "traits.note", op: "contains", value: "x", transform: "lower" })).toBeNull();
    expect(clausesOf({ field: "traits.a", op: "eq", value: { ref: "traits.b" } })).toBeNull();
    // the string "10" would come back as the number 10
    expect(clausesOf({ field: "traits.code", op: "eq", value: "10" })).toBeNull();
    expect(clausesOf({ all: [{ field: "traits.a", op: "eq", value: 1 }, { any: [] }] })).toBeNull();
  });

  it("reads typed values as numbers, booleans or text, and lists for in / not in", () => {
    expect(
      conditionOf({
        join: "any",
        clauses: [
          { field: "traits.orders_count", op: "gte", value: " 3 " },
          { field: "traits.country", op: "not_in", value: "DE, AT,," },
          { field: "traits.beta", op: "eq", value: "false" },
        ],
      }),
    ).toEqual({
      any: [
        { field: "traits.orders_count", op: "gte", value: 3 },
        { field: "traits.country", op: "not_in", value: ["DE", "AT"] },
        { field: "traits.beta", op: "eq", value: false },
      ],
    });
  });
});

describe("the policy draft", () => {
  it("names paths exactly as the server's validator does", () => {
    for (const path of [
      ["quiet_hours", "end"],
      ["suppression", "rules", 0, "when"],
      ["odd key", 2],
    ]) {
      expect(jsonPath(path, "$")).toBe(toJsonPath(path));
    }
    expect(jsonPath(["quiet_hours", "per_channel", "sms", "start"])).toBe(
      "$.config.quiet_hours.per_channel.sms.start",
    );
  });

  it("writes by path without touching the rest, and removes a field set to undefined", () => {
    const draft = {
      quiet_hours: { start: "21:00", end: "08:00" },
      frequency_cap: { rolling: [{ window: "P7D", max: 10 }] },
    };
    const changed = setAt(draft, ["quiet_hours", "end"], "07:30");
    expect(changed).toEqual({ ...draft, quiet_hours: { start: "21:00", end: "07:30" } });
    expect(draft.quiet_hours.end).toBe("08:00");
    expect(
      getAt(setAt(draft, ["frequency_cap", "rolling", 0, "max"], 5), ["frequency_cap", "rolling", 0]),
    ).toEqual({
      window: "P7D",
      max: 5,
    });
    expect(setAt(draft, ["frequency_cap", "rolling", 0], undefined)).toEqual({
      ...draft,
      frequency_cap: { rolling: [] },
    });
    expect(setAt(draft, ["quiet_hours", "start"], undefined)).toEqual({
      ...draft,
      quiet_hours: { end: "08:00" },
    });
  });

  it("lists what changed between two versions, field by field", () => {
    expect(
      configChanges(
        { quiet_hours: { end: "08:00", channels: ["sms", "push"] }, approvals: { ai_generated: false } },
        {
          quiet_hours: { end: "07:30", channels: ["sms"] },
          approvals: { ai_generated: false, expiry: "P1D" },
        },
      ),
    ).toEqual([
      { path: "$.approvals.expiry", before: undefined, after: "P1D" },
      { path: "$.quiet_hours.channels", before: ["sms", "push"], after: ["sms"] },
      { path: "$.quiet_hours.end", before: "08:00", after: "07:30" },
    ]);
  });

  it("words the validator's bounds for people and leaves other messages alone", () => {
    expect(plainMessage("Too small: expected number to be >=1")).toBe("must be at least 1");
    expect(plainMessage("Too big: expected number to be <=100")).toBe("must be at most 100");
    expect(plainMessage("Too small: expected number to be >0")).toBe("must be more than 0");
    expect(plainMessage("start and end are equal; a quiet window needs two different times")).toBe(
      "start and end are equal; a quiet window needs two different times",
    );
  });
});
