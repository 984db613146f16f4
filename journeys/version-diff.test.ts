import { describe, expect, it } from "vitest";
import { Journey } from "./format/schema.ts";
import { checkoutJourney, mutableJourney } from "./format/test-fixtures.ts";
import { diffJourneys, diffValues } from "./version-diff.ts";

const parse = (input: unknown) => Journey.parse(input);

describe("diffJourneys", () => {
  it("finds nothing between a journey and itself, or a reordered node list", () => {
    const journey = parse(checkoutJourney());
    expect(diffJourneys(journey, journey).identical).toBe(true);
    const reordered = parse({ ...checkoutJourney(), nodes: [...checkoutJourney().nodes].reverse() });
    expect(diffJourneys(journey, reordered)).toEqual({
      envelope: [],
      nodes: { added: [], removed: [], changed: [] },
      identical: true,
    });
  });

  it("lists added, removed and changed nodes with the changed values by path", () => {
    const before = parse(checkoutJourney());
    const edited = mutableJourney();
    edited.nodes[3]!.offer = { kind: "percent_off", value: 15 };
    edited.nodes[1]!.next = "push";
    edited.nodes.splice(2, 1); // remove wait_day
    edited.nodes.push({
      id: "push",
      type: "send",
      channel: "push",
      content: { body: "Still there?" },
      next: "email",
    });
    const diff = diffJourneys(before, parse(edited));
    expect(diff.identical).toBe(false);
    expect(diff.nodes.added.map((node) => node.id)).toEqual(["push"]);
    expect(diff.nodes.removed.map((node) => node.id)).toEqual(["wait_day"]);
    expect(diff.nodes.changed).toEqual([
      { id: "sms", type: "send", changes: [{ path: "$.next", before: "wait_day", after: "push" }] },
      { id: "email", type: "send", changes: [{ path: "$.offer.value", before: 10, after: 15 }] },
    ]);
  });

  it("reports envelope changes: trigger, goal, priority, exit_on and added fields", () => {
    const before = parse(checkoutJourney());
    const after = parse({
      ...checkoutJourney(),
      trigger: {
        type: "event",
        event: "Checkout Started",
        condition: { field: "event.properties.value", op: "gt", value: 50 },
      },
      priority: 80,
      exit_on: [{ event: "Order Completed" }, { event: "Order Cancelled" }],
      goal: { event: "Order Completed", within: "P3D" },
    });
    const diff = diffJourneys(before, after);
    expect(diff.envelope).toEqual([
      {
        path: "$.trigger.condition",
        before: undefined,
        after: { field: "event.properties.value", op: "gt", value: 50 },
      },
      {
        path: "$.exit_on",
        before: [{ event: "Order Completed" }],
        after: [{ event: "Order Completed" }, { event: "Order Cancelled" }],
      },
      { path: "$.goal.within", before: "P7D", after: "P3D" },
      { path: "$.priority", before: 50, after: 80 },
    ]);
    expect(diff.nodes.changed).toEqual([]);
  });

  it("a node whose type changed is a change of every differing field", () => {
    const before = parse(checkoutJourney());
    const edited = mutableJourney();
    edited.nodes[2] = { id: "wait_day", type: "wait", until_time: "09:00", next: "email" };
    const [changed] = diffJourneys(before, parse(edited)).nodes.changed;
    expect(changed?.changes).toEqual([
      { path: "$.duration", before: "P1D", after: undefined },
      { path: "$.until_time", before: undefined, after: "09:00" },
    ]);
  });

  it("diffValues compares arrays element-wise when their lengths match", () => {
    expect(diffValues([1, 2, 3], [1, 5, 3])).toEqual([{ path: "$[1]", before: 2, after: 5 }]);
    expect(diffValues({ a: [1] }, { a: [1, 2] })).toEqual([{ path: "$.a", before: [1], after: [1, 2] }]);
    expect(diffValues("x", "x")).toEqual([]);
  });
});
