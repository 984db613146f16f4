import { describe, expect, it } from "vitest";
import type { JourneyNode } from "./schema.ts";
import { Journey, journeyConditions, nodeExits } from "./schema.ts";
import { checkoutJourney } from "./test-fixtures.ts";

describe("nodeExits", () => {
  it("lists every outgoing edge with the key that names it", () => {
    const nodes: JourneyNode[] = Journey.parse({
      ...checkoutJourney(),
      nodes: [
        {
          id: "b",
          type: "branch",
          branches: [{ condition: { field: "traits.tier", op: "eq", value: "vip" }, next: "t" }],
          otherwise: "s",
        },
        {
          id: "s",
          type: "split",
          variants: [
            { name: "a", weight: 50, next: "t" },
            { name: "b", weight: 50, next: "x" },
          ],
        },
        {
          id: "t",
          type: "tool",
          tool: "webhook",
          args: { url: "https://x" },
          next: "x",
          on_skip: "x",
          on_error: "x",
        },
        { id: "x", type: "exit" },
      ],
      start: "b",
    }).nodes;
    expect(nodes.map((node) => nodeExits(node).map((exit) => exit.key))).toEqual([
      ["branches[0].next", "otherwise"],
      ["variants[0].next", "variants[1].next"],
      ["next", "on_skip", "on_error"],
      [],
    ]);
  });
});

describe("journeyConditions", () => {
  it("finds every condition with its JSONPath and scope", () => {
    const journey = Journey.parse({
      ...checkoutJourney(),
      trigger: {
        type: "event",
        event: "Checkout Started",
        condition: { field: "event.properties.value", op: "gt", value: 10 },
        also: [{ event: "Trial Started", condition: { field: "event.name", op: "exists" } }],
      },
      audience: { field: "traits.tier", op: "eq", value: "vip" },
      exit_on: [
        { event: "Order Completed", condition: { field: "event.properties.total", op: "gt", value: 0 } },
      ],
      goal: {
        event: "Order Completed",
        within: "P7D",
        condition: { field: "event.properties.total", op: "gt", value: 0 },
      },
    });
    expect(journeyConditions(journey).map(({ path, scope }) => [path, scope])).toEqual([
      ["$.trigger.condition", "trigger"],
      ["$.trigger.also[0].condition", "trigger"],
      ["$.audience", "audience"],
      ["$.exit_on[0].condition", "event"],
      ["$.goal.condition", "event"],
    ]);
  });

  it("applies defaults a journey author may leave out", () => {
    const journey = Journey.parse({
      name: "x",
      trigger: { type: "api" },
      start: "h",
      nodes: [
        { id: "h", type: "handoff", instructions: "call them", next: "e" },
        { id: "e", type: "exit" },
      ],
    });
    expect(journey.exit_on).toEqual([]);
    expect(journey.nodes[0]).toMatchObject({ queue: "support", priority: "normal" });
  });
});
