import { describe, expect, it } from "vitest";
import { issuesOf, issuesWithCode, mutableJourney } from "./test-fixtures.ts";

describe("field scopes", () => {
  it("forbids event.* inside the journey and hints at trigger.*", () => {
    const journey = mutableJourney();
    journey.nodes[3] = {
      id: "email",
      type: "branch",
      branches: [{ condition: { field: "event.properties.value", op: "gt", value: 50 }, next: "done" }],
      otherwise: "done",
    };
    const [issue] = issuesWithCode(journey, "field_scope");
    expect(issue?.path).toBe("$.nodes[3].branches[0].condition.field");
    expect(issue?.message).toMatch(/Inside the journey, use trigger\.\* for the event that started it\./);
  });

  it("forbids vars and journey in the audience and event in the audience", () => {
    const journey = mutableJourney();
    journey.audience = {
      all: [
        { field: "vars.crm", op: "exists" },
        { field: "journey.variant", op: "eq", value: "a" },
        { field: "event.name", op: "eq", value: "x" },
      ],
    };
    expect(issuesWithCode(journey, "field_scope").map((issue) => issue.path)).toEqual([
      "$.audience.all[0].field",
      "$.audience.all[1].field",
      "$.audience.all[2].field",
    ]);
  });

  it("allows event.* inside performed.where anywhere", () => {
    const journey = mutableJourney();
    journey.audience = {
      performed: "Order Completed",
      within: "P90D",
      where: { field: "event.properties.total", op: "gte", value: 100 },
      min_count: 2,
    };
    expect(issuesOf(journey)).toEqual([]);
  });

  it("allows event.* in wait_for_event, exit_on and goal conditions", () => {
    const journey = mutableJourney();
    journey.nodes[0]!.condition = { field: "event.properties.total", op: "gt", value: 0 };
    journey.exit_on = [
      { event: "Order Completed", condition: { field: "event.properties.order_id", op: "exists" } },
    ];
    journey.goal = {
      event: "Order Completed",
      within: "P7D",
      condition: { field: "event.properties.total", op: "gt", value: 1 },
    };
    expect(issuesOf(journey)).toEqual([]);
  });

  it("reports a namespace that does not exist as unknown_field", () => {
    const journey = mutableJourney();
    journey.audience = { field: "profile.tier", op: "eq", value: "vip" };
    expect(issuesOf(journey)).toEqual([
      {
        path: "$.audience.field",
        code: "unknown_field",
        severity: "error",
        message:
          '"profile.tier" does not start with one of traits, consent, event, trigger, vars, local, journey.',
      },
    ]);
  });
});
