import { describe, expect, it } from "vitest";
import type { JourneyNode } from "../../../journeys/format/schema.ts";
import { JourneyNode as JourneyNodeSchema } from "../../../journeys/format/schema.ts";
import { describeCondition, describeExit, describeNode, describeTrigger, humanDuration } from "./describe.ts";

const node = (value: unknown): JourneyNode => JourneyNodeSchema.parse(value);

describe("plain-language journey parts", () => {
  it("reads ISO durations as people say them", () => {
    expect(humanDuration("PT1H")).toBe("1 hour");
    expect(humanDuration("P1DT12H")).toBe("1 day 12 hours");
    expect(humanDuration("P14D")).toBe("2 weeks");
    expect(humanDuration("P10D")).toBe("10 days");
    expect(humanDuration("PT90M")).toBe("1 hour 30 minutes");
    expect(humanDuration("-P3D")).toBe("-3 days");
    expect(humanDuration("not a duration")).toBe("not a duration");
  });

  it("reads conditions with their operators, transforms, history and nesting", () => {
    expect(
      describeCondition({
        all: [
          { field: "traits.tier", op: "eq", value: "vip" },
          {
            any: [
              { field: "traits.churn_risk", op: "gt", value: 0.7 },
              { performed: "Order Completed", within: "P7D" },
            ],
          },
        ],
      }),
    ).toBe('traits.tier = "vip" and (traits.churn_risk > 0.7 or performed Order Completed within 1 week)');
    expect(describeCondition({ not: { field: "consent.sms", op: "exists" } })).toBe(
      "not (consent.sms is set)",
    );
    expect(
      describeCondition({ field: "event.properties.text", op: "lt", value: -0.3, transform: "sentiment" }),
    ).toBe("sentiment(event.properties.text) < -0.3");
    expect(describeCondition({ field: "traits.plan", op: "in", value: ["pro", "team"] })).toBe(
      'traits.plan is one of "pro", "team"',
    );
    expect(describeCondition({ performed: "App Opened", since: "entry", min_count: 3 })).toBe(
      "performed App Opened at least 3 times since entry",
    );
  });

  it("names what each kind of step does", () => {
    expect(describeNode(node({ id: "w", type: "wait", duration: "P1D", next: "x" })).title).toBe(
      "Wait 1 day",
    );
    expect(describeNode(node({ id: "w", type: "wait", until_time: "09:00", next: "x" })).title).toBe(
      "Wait until 09:00 local time",
    );
    const send = describeNode(
      node({
        id: "email",
        type: "send",
        channel: "email",
        content: { subject: "Your cart", body: "Still thinking?" },
        offer: { kind: "percent_off", value: 10, code: "BACK10" },
        next: "done",
      }),
    );
    expect(send.badge).toBe("EMAIL");
    expect(send.details).toEqual(["Subject: Your cart", "Offer: 10% off (code BACK10)"]);
    const split = describeNode(
      node({
        id: "ab",
        type: "split",
        variants: [
          { name: "A", weight: 45, next: "x" },
          { name: "B", weight: 45, next: "y" },
          { name: "control", weight: 10, next: "z", holdout: true },
        ],
      }),
    );
    expect(split.details).toEqual(["A 45% · B 45% · control 10% (holdout)"]);
  });

  it("labels the ways out of a step: events, timeouts, branches, variants and skips", () => {
    const wait = node({
      id: "w",
      type: "wait_for_event",
      event: "Order Completed",
      timeout: "PT2H",
      on_event: "a",
      on_timeout: "b",
    });
    expect(describeExit(wait, "on_event")).toEqual({ label: "Order Completed", kind: "event" });
    expect(describeExit(wait, "on_timeout")).toEqual({ label: "after 2 hours", kind: "timeout" });
    const branch = node({
      id: "b",
      type: "branch",
      branches: [
        { name: "VIP", condition: { field: "traits.tier", op: "eq", value: "vip" }, next: "a" },
        { condition: { field: "traits.churn_risk", op: "gte", value: 0.5 }, next: "c" },
      ],
      otherwise: "d",
    });
    expect(describeExit(branch, "branches[0].next")).toEqual({ label: "VIP", kind: "branch" });
    expect(describeExit(branch, "branches[1].next")).toEqual({
      label: "traits.churn_risk ≥ 0.5",
      kind: "branch",
    });
    expect(describeExit(branch, "otherwise")).toEqual({ label: "otherwise", kind: "otherwise" });
    const send = node({ id: "s", type: "send", channel: "sms", template: "t", next: "a", on_skip: "b" });
    expect(describeExit(send, "next")).toEqual({ label: null, kind: "next" });
    expect(describeExit(send, "on_skip")).toEqual({ label: "if held or denied", kind: "skip" });
  });

  it("says what starts a journey", () => {
    expect(
      describeTrigger({
        type: "event",
        event: "Checkout Started",
        condition: { field: "event.properties.value", op: "gte", value: 50 },
      }),
    ).toBe("Checkout Started where event.properties.value ≥ 50");
    expect(describeTrigger({ type: "segment_entered", segment: "VIP" })).toBe("entering segment VIP");
  });
});
