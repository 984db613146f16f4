import { describe, expect, it } from "vitest";
import type { TextSignals } from "../../predict/text-signals.ts";
import type { Condition } from "./condition.ts";
import { Condition as ConditionSchema, walkCondition } from "./condition.ts";
import type { ConditionScope, EventRecord } from "./evaluate.ts";
import { evaluateCondition, historyNeeds, looseEquals, resolveField } from "./evaluate.ts";

const NOW = new Date("2026-03-02T09:00:00Z"); // Monday 10:00 in Berlin

function scope(overrides: Partial<ConditionScope> = {}): ConditionScope {
  return {
    now: NOW,
    timezone: "Europe/Berlin",
    traits: {
      tier: "VIP",
      lifetime_value: "640",
      churn_risk: 0.82,
      tags: ["newsletter", "beta"],
      renewal_at: "2026-03-12T09:00:00Z",
      signed_up_at: "2026-02-20T09:00:00Z",
      empty: "",
      nothing: null,
      address: { city: "Berlin" },
      opted_in: true,
    },
    consent: { email: true, sms: false },
    trigger: {
      name: "Checkout Started",
      properties: { cart_id: "c1", value: 80, items: [{ sku: "a" }] },
      timestamp: new Date("2026-03-02T08:00:00Z"),
    },
    vars: { crm: { status: "gold" }, choice: "mail" },
    journey: { variant: "b", entered_at: new Date("2026-03-02T08:00:00Z") },
    ...overrides,
  };
}

const check = (condition: Condition, overrides: Partial<ConditionScope> = {}) =>
  evaluateCondition(ConditionSchema.parse(condition), scope(overrides));

describe("field resolution", () => {
  it("reads every namespace", () => {
    const s = scope({
      event: {
        name: "Order Completed",
        properties: { total: 99 },
        timestamp: new Date("2026-03-02T08:30:00Z"),
      },
    });
    expect(resolveField("traits.tier", s)).toBe("VIP");
    expect(resolveField("traits.address.city", s)).toBe("Berlin");
    expect(resolveField("consent.sms", s)).toBe(false);
    expect(resolveField("event.name", s)).toBe("Order Completed");
    expect(resolveField("event.properties.total", s)).toBe(99);
    expect(resolveField("event.timestamp", s)).toBe("2026-03-02T08:30:00.000Z");
    expect(resolveField("trigger.properties.cart_id", s)).toBe("c1");
    expect(resolveField("vars.crm.status", s)).toBe("gold");
    expect(resolveField("journey.variant", s)).toBe("b");
    expect(resolveField("journey.entered_at", s)).toBe("2026-03-02T08:00:00.000Z");
    expect(resolveField("local.hour", s)).toBe(10);
    expect(resolveField("local.minute", s)).toBe(0);
    expect(resolveField("local.weekday", s)).toBe(1);
  });

  it("returns undefined for missing paths, missing events and an unknown zone", () => {
    expect(resolveField("traits.missing.deeper", scope())).toBeUndefined();
    expect(resolveField("traits.tier.length", scope())).toBeUndefined();
    expect(resolveField("event.name", scope())).toBeUndefined();
    expect(resolveField("local.hour", scope({ timezone: undefined }))).toBeUndefined();
    expect(resolveField("local.hour", scope({ timezone: "Not/AZone" }))).toBeUndefined();
    expect(resolveField("nowhere.x", scope())).toBeUndefined();
  });
});

describe("comparison operators", () => {
  it("eq / neq compare loosely: case-insensitive strings, numeric strings, booleans", () => {
    expect(check({ field: "traits.tier", op: "eq", value: "vip" })).toBe(true);
    expect(check({ field: "traits.lifetime_value", op: "eq", value: 640 })).toBe(true);
    expect(check({ field: "traits.opted_in", op: "eq", value: "true" })).toBe(true);
    expect(check({ field: "traits.tier", op: "neq", value: "regular" })).toBe(true);
    expect(check({ field: "traits.tier", op: "neq", value: "Vip" })).toBe(false);
    expect(check({ field: "traits.missing", op: "eq", value: null })).toBe(false);
    expect(check({ field: "traits.missing", op: "neq", value: "x" })).toBe(true);
  });

  it("gt / gte / lt / lte order numbers, numeric strings and ISO dates", () => {
    expect(check({ field: "traits.churn_risk", op: "gt", value: 0.7 })).toBe(true);
    expect(check({ field: "traits.churn_risk", op: "gte", value: 0.82 })).toBe(true);
    expect(check({ field: "traits.churn_risk", op: "lt", value: 0.82 })).toBe(false);
    expect(check({ field: "traits.churn_risk", op: "lte", value: 0.82 })).toBe(true);
    expect(check({ field: "traits.lifetime_value", op: "gt", value: "500" })).toBe(true);
    expect(check({ field: "traits.renewal_at", op: "gt", value: "2026-03-10" })).toBe(true);
    expect(check({ field: "traits.renewal_at", op: "lt", value: "2026-03-10" })).toBe(false);
  });

  it("ordering against something that is not a number or a date is false, never true", () => {
    expect(check({ field: "traits.tier", op: "gt", value: 1 })).toBe(false);
    expect(check({ field: "traits.tier", op: "lt", value: 1 })).toBe(false);
    expect(check({ field: "traits.missing", op: "lte", value: 1 })).toBe(false);
    expect(check({ field: "traits.opted_in", op: "gte", value: 0 })).toBe(false);
  });

  it("in / not_in test membership loosely", () => {
    expect(check({ field: "traits.tier", op: "in", value: ["vip", "gold"] })).toBe(true);
    expect(check({ field: "traits.lifetime_value", op: "in", value: [640, 1000] })).toBe(true);
    expect(check({ field: "traits.tier", op: "not_in", value: ["regular"] })).toBe(true);
    expect(check({ field: "traits.tier", op: "not_in", value: ["vip"] })).toBe(false);
  });

  it("contains / not_contains work on strings and lists", () => {
    expect(check({ field: "traits.tags", op: "contains", value: "Beta" })).toBe(true);
    expect(check({ field: "traits.tags", op: "contains", value: "alpha" })).toBe(false);
    expect(check({ field: "traits.tier", op: "contains", value: "i" })).toBe(true);
    expect(check({ field: "traits.lifetime_value", op: "contains", value: 64 })).toBe(true);
    expect(check({ field: "traits.tags", op: "not_contains", value: "alpha" })).toBe(true);
    expect(check({ field: "traits.churn_risk", op: "contains", value: "8" })).toBe(false);
  });

  it("starts_with ignores case and needs strings", () => {
    expect(check({ field: "traits.tier", op: "starts_with", value: "vi" })).toBe(true);
    expect(check({ field: "traits.tier", op: "starts_with", value: "ip" })).toBe(false);
    expect(check({ field: "traits.churn_risk", op: "starts_with", value: "0" })).toBe(false);
  });

  it("exists / not_exists treat null and empty strings as absent", () => {
    expect(check({ field: "traits.tier", op: "exists" })).toBe(true);
    expect(check({ field: "traits.missing", op: "exists" })).toBe(false);
    expect(check({ field: "traits.empty", op: "exists" })).toBe(false);
    expect(check({ field: "traits.nothing", op: "not_exists" })).toBe(true);
    expect(check({ field: "consent.sms", op: "exists" })).toBe(true);
    expect(check({ field: "consent.push", op: "not_exists" })).toBe(true);
  });

  it("compares against another field with a ref", () => {
    expect(
      check({ field: "trigger.properties.value", op: "lt", value: { ref: "traits.lifetime_value" } }),
    ).toBe(true);
    expect(check({ field: "vars.choice", op: "eq", value: { ref: "vars.missing" } })).toBe(false);
  });

  it("looseEquals never equates absent values with anything", () => {
    expect(looseEquals(undefined, undefined)).toBe(true);
    expect(looseEquals(null, undefined)).toBe(false);
    expect(looseEquals(0, "")).toBe(false);
    expect(looseEquals(1, true)).toBe(false);
    expect(looseEquals("3", 3)).toBe(true);
  });
});

describe("combinators", () => {
  it("all / any / not", () => {
    const vip = { field: "traits.tier", op: "eq", value: "vip" } as const;
    const low = { field: "traits.churn_risk", op: "lt", value: 0.5 } as const;
    expect(check({ all: [vip, low] })).toBe(false);
    expect(check({ any: [vip, low] })).toBe(true);
    expect(check({ not: low })).toBe(true);
    expect(
      check({ all: [vip, { not: { any: [low, { field: "consent.sms", op: "eq", value: true }] } }] }),
    ).toBe(true);
  });

  it("walks every leaf with its path, including performed.where", () => {
    const condition = ConditionSchema.parse({
      all: [
        { field: "traits.tier", op: "eq", value: "vip" },
        {
          not: {
            performed: "Order Completed",
            where: { field: "event.properties.total", op: "gt", value: 1 },
          },
        },
      ],
    });
    expect([...walkCondition(condition, "$.audience")].map((entry) => entry.path)).toEqual([
      "$.audience.all[0]",
      "$.audience.all[1].not",
      "$.audience.all[1].not.where",
    ]);
  });
});

describe("transforms", () => {
  it("lower and length", () => {
    expect(check({ field: "traits.tier", op: "eq", value: "vip", transform: "lower" })).toBe(true);
    expect(check({ field: "traits.tier", op: "eq", value: 3, transform: "length" })).toBe(true);
    expect(check({ field: "traits.tags", op: "gte", value: 2, transform: "length" })).toBe(true);
    expect(check({ field: "traits.churn_risk", op: "exists", transform: "length" })).toBe(false);
  });

  it("days_since and days_until count whole days from now", () => {
    expect(check({ field: "traits.signed_up_at", op: "eq", value: 10, transform: "days_since" })).toBe(true);
    expect(check({ field: "traits.renewal_at", op: "eq", value: 10, transform: "days_until" })).toBe(true);
    expect(check({ field: "traits.renewal_at", op: "lte", value: 14, transform: "days_until" })).toBe(true);
    expect(check({ field: "traits.tier", op: "exists", transform: "days_since" })).toBe(false);
  });

  it("sentiment, frustration and intent use the text classifier", () => {
    const angry = {
      name: "Chat Message Received",
      properties: { text: "This is UNACCEPTABLE, my order is late again! I want a real person!" },
      timestamp: NOW,
    };
    const happy = {
      name: "Chat Message Received",
      properties: { text: "Thanks, that was great" },
      timestamp: NOW,
    };
    const field = "event.properties.text";
    expect(check({ field, op: "lt", value: 0, transform: "sentiment" }, { event: angry })).toBe(true);
    expect(check({ field, op: "gt", value: 0, transform: "sentiment" }, { event: happy })).toBe(true);
    expect(check({ field, op: "gte", value: 0.5, transform: "frustration" }, { event: angry })).toBe(true);
    expect(check({ field, op: "lt", value: 0.2, transform: "frustration" }, { event: happy })).toBe(true);
    expect(
      check({ field, op: "eq", value: "contact_human_agent", transform: "intent" }, { event: angry }),
    ).toBe(true);
    expect(check({ field, op: "eq", value: "praise", transform: "intent" }, { event: happy })).toBe(true);
  });

  it("uses an injected classifier when the scope brings one", () => {
    const calls: string[] = [];
    const textSignals: TextSignals = {
      sentiment: (text) => {
        calls.push(text);
        return -0.9;
      },
      frustration: () => 0,
      intent: () => "cancel",
    };
    const event = { name: "Chat Message Received", properties: { text: "fine" }, timestamp: NOW };
    expect(
      check(
        { field: "event.properties.text", op: "lt", value: -0.5, transform: "sentiment" },
        { event, textSignals },
      ),
    ).toBe(true);
    expect(
      check(
        { field: "event.properties.text", op: "eq", value: "cancel", transform: "intent" },
        { event, textSignals },
      ),
    ).toBe(true);
    expect(calls).toEqual(["fine"]);
  });
});

describe("performed: event history", () => {
  const at = (iso: string) => new Date(iso);
  const history: EventRecord[] = [
    { name: "Order Completed", properties: { total: 30 }, timestamp: at("2026-01-10T10:00:00Z") },
    { name: "Order Completed", properties: { total: 120 }, timestamp: at("2026-02-25T10:00:00Z") },
    { name: "App Opened", properties: {}, timestamp: at("2026-03-02T07:00:00Z") },
    { name: "App Opened", properties: {}, timestamp: at("2026-03-02T08:30:00Z") },
    // in the future relative to NOW: never counts
    { name: "Product Viewed", properties: {}, timestamp: at("2026-03-02T09:30:00Z") },
  ];

  it("matches any time without within", () => {
    expect(check({ performed: "Order Completed" }, { history })).toBe(true);
    expect(check({ performed: "Payment Failed" }, { history })).toBe(false);
  });

  it("honours within as a look-back from now", () => {
    expect(check({ performed: "Order Completed", within: "P7D" }, { history })).toBe(true);
    expect(check({ performed: "Order Completed", within: "P3D" }, { history })).toBe(false);
  });

  it("counts only events since entry with since: entry", () => {
    expect(check({ performed: "App Opened", since: "entry" }, { history })).toBe(true);
    expect(check({ performed: "App Opened", since: "entry", min_count: 2 }, { history })).toBe(false);
    expect(check({ performed: "App Opened", min_count: 2 }, { history })).toBe(true);
    expect(check({ performed: "Order Completed", since: "entry" }, { history })).toBe(false);
  });

  it("combines within and since entry by taking the later start", () => {
    const entered = { variant: undefined, entered_at: at("2026-02-01T00:00:00Z") };
    expect(
      check({ performed: "Order Completed", since: "entry", within: "P90D" }, { history, journey: entered }),
    ).toBe(true);
    expect(
      check({ performed: "Order Completed", since: "entry", within: "P2D" }, { history, journey: entered }),
    ).toBe(false);
  });

  it("filters counted events with where and counts with min_count", () => {
    const big = { field: "event.properties.total", op: "gte", value: 100 } as const;
    expect(check({ performed: "Order Completed", where: big }, { history })).toBe(true);
    expect(check({ performed: "Order Completed", where: big, min_count: 2 }, { history })).toBe(false);
    expect(check({ performed: "Order Completed", min_count: 2 }, { history })).toBe(true);
  });

  it("ignores events after now", () => {
    expect(check({ performed: "Product Viewed" }, { history })).toBe(false);
  });

  it("is false with no history loaded", () => {
    expect(check({ performed: "Order Completed" })).toBe(false);
    expect(check({ not: { performed: "Order Completed" } })).toBe(true);
  });

  it("historyNeeds reports each event's longest look-back, all history when unbounded", () => {
    const needs = historyNeeds([
      ConditionSchema.parse({ performed: "App Opened", within: "P7D" }),
      ConditionSchema.parse({
        any: [
          { performed: "App Opened", within: "P30D" },
          { performed: "Order Completed", within: "P1D" },
        ],
      }),
      ConditionSchema.parse({ not: { performed: "Order Completed" } }),
      ConditionSchema.parse({
        performed: "Signed Up",
        since: "entry",
        where: { performed: "Trial Started", within: "PT1H" },
      }),
      undefined,
    ]);
    expect(Object.fromEntries(needs)).toEqual({
      "App Opened": "P30D",
      "Order Completed": null,
      "Signed Up": null,
      "Trial Started": "PT1H",
    });
  });
});
