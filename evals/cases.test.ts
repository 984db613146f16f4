import { describe, expect, it } from "vitest";
import { EvalInputError, parseCases, parseEvalCatalog } from "./cases.ts";
import { SHOP_EVAL_CATALOG } from "./test-fixtures.ts";

const good = JSON.stringify({
  id: "a",
  goal: "Send a push 30 minutes after an order ships.",
  scenarios: [{ name: "s", events: [{ at: "PT0S", track: "Order Shipped" }], horizon: "P1D", expect: [] }],
});

describe("case files", () => {
  it("parses JSON lines, skipping blank and comment lines", () => {
    const cases = parseCases(
      `// a comment\n${good}\n\n${JSON.stringify({ id: "b", goal: "Make it better.", clarify: true })}\n`,
    );
    expect(cases.map((entry) => [entry.id, entry.clarify ?? false, entry.scenarios.length])).toEqual([
      ["a", false, 1],
      ["b", true, 0],
    ]);
  });

  it("names the line of a malformed case", () => {
    expect(() => parseCases(`${good}\n{not json`, "set.jsonl")).toThrowError(/set\.jsonl:2: not JSON/);
    expect(() => parseCases(`${good}\n${JSON.stringify({ id: "c" })}`, "set.jsonl")).toThrowError(
      /set\.jsonl:2: goal/,
    );
    expect(() => parseCases(`${good}\n${good}`, "set.jsonl")).toThrowError(/case id "a" is used twice/);
    expect(() =>
      parseCases(JSON.stringify({ id: "d", goal: "x", structure: ["loop"] }), "set.jsonl"),
    ).toThrowError(EvalInputError);
    expect(() =>
      parseCases(
        JSON.stringify({ id: "e", goal: "x", scenarios: [{ events: [], horizon: "soon" }] }),
        "set.jsonl",
      ),
    ).toThrowError(/horizon/);
    expect(() => parseCases("\n\n", "empty.jsonl")).toThrowError(/no cases/);
  });
});

describe("eval catalogs", () => {
  it("derives the workspace catalog and policies from catalog.json", () => {
    const workspace = parseEvalCatalog(SHOP_EVAL_CATALOG);
    expect(Object.keys(workspace.catalog.events)).toContain("Order Shipped");
    expect(workspace.policies.quiet_hours.channels).toEqual(["sms", "push"]);
  });

  it("rejects a catalog whose policies do not parse, naming the path", () => {
    expect(() =>
      parseEvalCatalog(
        { ...SHOP_EVAL_CATALOG, policies: { quiet_hours: { start: "25:00" } } },
        "catalog.json",
      ),
    ).toThrowError(/catalog\.json: policies: \$\.quiet_hours\.start/);
  });
});
