import { describe, expect, it } from "vitest";
import { issuesOf, mutableJourney, storeCatalog } from "./test-fixtures.ts";
import { toJsonPath, validateJourney } from "./validate.ts";

describe("schema errors carry a JSONPath and a readable sentence", () => {
  it("names every missing top-level field", () => {
    const issues = issuesOf({});
    expect(issues.every((issue) => issue.code === "schema" && issue.severity === "error")).toBe(true);
    expect(issues.map((issue) => issue.path).sort()).toEqual(["$.name", "$.nodes", "$.start", "$.trigger"]);
  });

  it("rejects non-objects at the root", () => {
    for (const input of [null, 42, "journey", [1, 2]]) {
      const result = validateJourney(input, storeCatalog);
      expect(result.ok).toBe(false);
      expect(result.issues[0]!.path).toBe("$");
    }
  });

  it("names an unknown trigger type with the allowed list", () => {
    const journey = mutableJourney();
    journey.trigger = { type: "evnt", event: "Checkout Started" };
    expect(issuesOf(journey)).toEqual([
      {
        path: "$.trigger.type",
        code: "schema",
        severity: "error",
        message: "trigger type must be one of event, trait_changed, segment_entered, schedule, api",
      },
    ]);
  });

  it("names an unknown node type at the node's type", () => {
    const journey = mutableJourney();
    journey.nodes[1]!.type = "fax";
    const [issue] = issuesOf(journey);
    expect(issue?.path).toBe("$.nodes[1].type");
    expect(issue?.message).toMatch(/node type must be one of wait, wait_for_event, branch/);
  });

  it("names unknown fields on a node", () => {
    const journey = mutableJourney();
    journey.nodes[1]!.colour = "blue";
    expect(issuesOf(journey)).toEqual([
      { path: "$.nodes[1]", code: "schema", severity: "error", message: 'unknown field "colour"' },
    ]);
  });

  it("names a bad channel on a send node", () => {
    const journey = mutableJourney();
    journey.nodes[1]!.channel = "fax";
    const [issue] = issuesOf(journey);
    expect(issue).toMatchObject({ path: "$.nodes[1].channel", code: "schema" });
    expect(issue?.message).toBe("channel must be one of email, sms, push, in_app, chat");
  });

  it("rejects an offer of unknown kind at offer.kind", () => {
    const journey = mutableJourney();
    journey.nodes[3]!.offer = { kind: "bogo", value: 1 };
    const [issue] = issuesOf(journey);
    expect(issue?.path).toBe("$.nodes[3].offer.kind");
    expect(issue?.message).toBe("offer kind must be one of percent_off, amount_off, free_shipping");
  });

  it("rejects offers with out-of-range values or foreign fields", () => {
    const cases: Array<[unknown, string]> = [
      [{ kind: "percent_off", value: 0 }, "$.nodes[3].offer.value"],
      [{ kind: "percent_off", value: 120 }, "$.nodes[3].offer.value"],
      [{ kind: "amount_off", value: -5 }, "$.nodes[3].offer.value"],
      [{ kind: "amount_off", value: 5, currency: "EURO" }, "$.nodes[3].offer.currency"],
      [{ kind: "free_shipping", value: 5 }, "$.nodes[3].offer"],
    ];
    for (const [offer, path] of cases) {
      const journey = mutableJourney();
      journey.nodes[3]!.offer = offer;
      expect(
        issuesOf(journey).map((issue) => issue.path),
        JSON.stringify(offer),
      ).toEqual([path]);
    }
  });

  it("rejects a bad duration with the accepted forms in the message", () => {
    for (const bad of ["1 hour", "P", "PT", "P1DT", "-P1D", "P1.5D", "1H"]) {
      const journey = mutableJourney();
      journey.nodes[2]!.duration = bad;
      const [issue] = issuesOf(journey);
      expect(issue?.path, bad).toBe("$.nodes[2].duration");
      expect(issue?.message).toBe("must be an ISO 8601 duration such as PT1H, P2D or P1DT12H");
    }
  });

  it("rejects bad durations in timeouts, goal windows, cooldowns and signed offsets", () => {
    const journey = mutableJourney();
    journey.nodes[0]!.timeout = "an hour";
    journey.goal = { event: "Order Completed", within: "week" };
    journey.reentry = { mode: "always", cooldown: "daily" };
    const paths = issuesOf(journey).map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining(["$.nodes[0].timeout", "$.goal.within", "$.reentry.cooldown"]),
    );
    const until = mutableJourney();
    until.nodes[2] = {
      id: "wait_day",
      type: "wait",
      until: { field: "traits.renewal_at", offset: "3 days before" },
      next: "email",
    };
    expect(issuesOf(until).map((issue) => issue.path)).toEqual(["$.nodes[2].until.offset"]);
  });

  it("rejects a malformed time of day", () => {
    for (const bad of ["9:00", "24:00", "09:60", "9am"]) {
      const journey = mutableJourney();
      journey.nodes[2] = { id: "wait_day", type: "wait", until_time: bad, next: "email" };
      const [issue] = issuesOf(journey);
      expect(issue?.path, bad).toBe("$.nodes[2].until_time");
      expect(issue?.message).toMatch(/HH:MM/);
    }
  });

  it("explains the condition shapes when a condition matches none of them", () => {
    const journey = mutableJourney();
    journey.audience = { fild: "traits.tier" };
    const [issue] = issuesOf(journey);
    expect(issue?.path).toBe("$.audience");
    expect(issue?.message).toMatch(/a condition is \{"all": \[\.\.\.\]\}/);
  });

  it("points inside a nearly-right condition", () => {
    const journey = mutableJourney();
    journey.audience = { all: [{ field: "traits.tier", op: "equals", value: "vip" }] };
    const [issue] = issuesOf(journey);
    expect(issue?.path).toBe("$.audience.all[0].op");
  });

  it("requires a value for comparison operators and a list for in/not_in", () => {
    const journey = mutableJourney();
    journey.audience = {
      any: [
        { field: "traits.tier", op: "eq" },
        { field: "traits.tier", op: "in", value: "vip" },
      ],
    };
    const issues = issuesOf(journey);
    expect(issues.map((issue) => issue.path)).toEqual(["$.audience.any[0].value", "$.audience.any[1].value"]);
    expect(issues[0]!.message).toBe('operator "eq" needs a value');
    expect(issues[1]!.message).toBe('operator "in" needs a list value');
  });

  it("rejects field paths without a namespace and bad node ids", () => {
    const journey = mutableJourney();
    journey.audience = { field: "tier", op: "eq", value: "vip" };
    journey.nodes[4]!.id = "done now";
    journey.start = "";
    const paths = issuesOf(journey).map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["$.audience.field", "$.nodes[4].id", "$.start"]));
  });

  it("requires at least two split variants and at least one branch", () => {
    const journey = mutableJourney();
    journey.nodes.push(
      { id: "s", type: "split", variants: [{ name: "a", weight: 100, next: "done" }] },
      { id: "b", type: "branch", branches: [], otherwise: "done" },
    );
    const paths = issuesOf(journey).map((issue) => issue.path);
    expect(paths).toEqual(["$.nodes[5].variants", "$.nodes[6].branches"]);
  });

  it("formats JSONPaths for odd keys", () => {
    expect(toJsonPath(["nodes", 3, "next"])).toBe("$.nodes[3].next");
    expect(toJsonPath(["args", "my key"])).toBe('$.args["my key"]');
    expect(toJsonPath([])).toBe("$");
  });
});
