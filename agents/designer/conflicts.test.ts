import { describe, expect, it } from "vitest";
import type { Condition } from "../../journeys/format/condition.ts";
import type { JourneyInput, Offer } from "../../journeys/format/schema.ts";
import { Journey } from "../../journeys/format/schema.ts";
import { audienceOverlap, findConflicts, type LiveJourney } from "./conflicts.ts";

function journey(
  trigger: JourneyInput["trigger"],
  options: { audience?: Condition; offer?: Offer; priority?: number } = {},
): Journey {
  return Journey.parse({
    name: "j",
    trigger,
    ...(options.audience ? { audience: options.audience } : {}),
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
    start: "send",
    nodes: [
      {
        id: "send",
        type: "send",
        channel: "email",
        template: "t",
        ...(options.offer ? { offer: options.offer } : {}),
        next: "done",
      },
      { id: "done", type: "exit" },
    ],
  });
}

function live(definition: Journey, name = "Live one"): LiveJourney {
  return { journeyId: `jrn_${name}`, name, version: 3, status: "active", definition };
}

const checkout = { type: "event", event: "Checkout Started" } as const;
const vip: Condition = { field: "traits.tier", op: "eq", value: "vip" };
const regular: Condition = { field: "traits.tier", op: "eq", value: "regular" };

describe("conflicts with live journeys", () => {
  it("flags the same trigger with the same audience, naming the journey and the arbitration problem", () => {
    const conflicts = findConflicts(journey(checkout), [live(journey(checkout))]);
    expect(conflicts).toEqual([
      expect.objectContaining({
        kind: "same_trigger",
        journeyName: "Live one",
        trigger: 'event "Checkout Started"',
        audienceOverlap: "same",
        message: expect.stringContaining("both have priority 50"),
      }),
    ]);
  });

  it("flags contradictory offers to the same customers on the same trigger", () => {
    const draft = journey(checkout, { offer: { kind: "percent_off", value: 10 } });
    const other = journey(checkout, { offer: { kind: "percent_off", value: 20 } });
    const conflicts = findConflicts(draft, [live(other)]);
    expect(conflicts.map((conflict) => conflict.kind)).toEqual(["same_trigger", "contradictory_offers"]);
    expect(conflicts[1]!.message).toBe(
      'The draft offers 10 % off while "Live one" offers 20 % off on event "Checkout Started" to the same customers.',
    );
  });

  it("does not call equal offers contradictory", () => {
    const offer: Offer = { kind: "free_shipping" };
    const conflicts = findConflicts(journey(checkout, { offer }), [live(journey(checkout, { offer }))]);
    expect(conflicts.map((conflict) => conflict.kind)).toEqual(["same_trigger"]);
  });

  it("finds nothing when the audiences exclude each other (VIP vs regular, score ranges)", () => {
    expect(
      findConflicts(journey(checkout, { audience: vip }), [live(journey(checkout, { audience: regular }))]),
    ).toEqual([]);
    const high: Condition = { field: "traits.churn_risk", op: "gt", value: 0.7 };
    const low: Condition = { all: [{ field: "traits.churn_risk", op: "lte", value: 0.7 }, regular] };
    expect(
      findConflicts(journey(checkout, { audience: high }), [live(journey(checkout, { audience: low }))]),
    ).toEqual([]);
  });

  it("treats audiences it cannot tell apart as possibly overlapping", () => {
    const plan: Condition = { field: "traits.plan", op: "eq", value: "pro" };
    const conflicts = findConflicts(journey(checkout, { audience: vip }), [
      live(journey(checkout, { audience: plan })),
    ]);
    expect(conflicts).toEqual([
      expect.objectContaining({
        audienceOverlap: "possible",
        message: expect.stringContaining("may be in both"),
      }),
    ]);
  });

  it("uses trigger conditions on event properties as part of who enters", () => {
    const big = {
      ...checkout,
      condition: { field: "event.properties.total", op: "gte", value: 100 },
    } as const;
    const small = {
      ...checkout,
      condition: { field: "event.properties.total", op: "lt", value: 100 },
    } as const;
    expect(findConflicts(journey(big), [live(journey(small))])).toEqual([]);
    expect(findConflicts(journey(big), [live(journey(big))])).toHaveLength(1);
  });

  it("matches additional entry events, ignores other triggers and API-entered journeys", () => {
    const twoEvents: JourneyInput["trigger"] = {
      type: "event",
      event: "Signed Up",
      also: [{ event: "Checkout Started" }],
    };
    expect(findConflicts(journey(twoEvents), [live(journey(checkout))])).toHaveLength(1);
    expect(
      findConflicts(journey({ type: "event", event: "Order Completed" }), [live(journey(checkout))]),
    ).toEqual([]);
    expect(findConflicts(journey({ type: "api" }), [live(journey({ type: "api" }))])).toEqual([]);
    const weekly = { type: "schedule", cron: "0 9 * * 1" } as const;
    expect(
      findConflicts(journey(weekly), [live(journey({ type: "schedule", cron: "0  9 * * 1" }))]),
    ).toHaveLength(1);
  });

  it("reasons about lists and exclusions on one field", () => {
    expect(audienceOverlap([{ field: "traits.tier", op: "in", value: ["vip", "gold"] }], [regular])).toBe(
      "none",
    );
    expect(audienceOverlap([{ field: "traits.tier", op: "in", value: ["vip", "gold"] }], [vip])).toBe(
      "possible",
    );
    expect(audienceOverlap([{ field: "traits.tier", op: "neq", value: "vip" }], [vip])).toBe("none");
    expect(
      audienceOverlap(
        [{ field: "traits.email", op: "not_exists" }],
        [{ field: "traits.email", op: "exists" }],
      ),
    ).toBe("none");
    expect(audienceOverlap([{ any: [vip, regular] }], [vip])).toBe("possible");
  });
});
