import { describe, expect, it } from "vitest";
import type { JourneyInput } from "./schema.ts";
import { dataToolArgIssues, parseToolArgs } from "./tool-args.ts";
import { validateJourney } from "./validate.ts";

/** Data tool arguments: one schema for the validator, the adapters and the simulator. */

const withTool = (tool: string, args: Record<string, unknown>): JourneyInput => ({
  name: "tool args",
  trigger: { type: "event", event: "Product Returned" },
  start: "call",
  nodes: [
    {
      id: "call",
      type: "tool",
      tool,
      args: args as never,
      save_as: "result",
      next: "done",
      on_error: "done",
    },
    { id: "done", type: "exit" },
  ],
});

const toolIssues = (journey: JourneyInput) =>
  validateJourney(journey)
    .issues.filter((issue) => issue.code === "tool_args")
    .map((issue) => [issue.path, issue.message]);

describe("data tool arguments", () => {
  it("the validator names unknown arguments, bad literals and missing required ones before a journey goes live", () => {
    expect(toolIssues(withTool("orders.recent", { limit: 3, within: "P90D" }))).toEqual([]);
    expect(toolIssues(withTool("orders.recent", { count: 3, limit: 99 }))).toEqual([
      ["$.nodes[0].args.count", 'orders.recent has no argument "count" (it takes limit, within).'],
      ["$.nodes[0].args.limit", "orders.recent limit: Too big: expected number to be <=20."],
    ]);
    expect(toolIssues(withTool("memory.search", { kind: "template" }))).toEqual([
      ["$.nodes[0].args.query", 'memory.search needs the argument "query".'],
    ]);
    expect(toolIssues(withTool("profiles.get", { id: "x" }))).toEqual([
      ["$.nodes[0].args.id", "profiles.get takes no arguments."],
    ]);
  });

  it("refs are checked when they resolve, not before", () => {
    expect(
      toolIssues(
        withTool("catalog.recommend", { product_id: { ref: "trigger.properties.product_id" }, limit: 2 }),
      ),
    ).toEqual([]);
    expect(dataToolArgIssues("memory.search", { query: { ref: "trigger.properties.text" } })).toEqual([]);
    expect(parseToolArgs("catalog.recommend", { product_id: undefined, category: null })).toEqual({
      ok: true,
      args: { exclude_purchased: true, limit: 3 },
    });
  });
});
