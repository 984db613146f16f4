import { describe, expect, it } from "vitest";
import { checkoutJourney, issuesOf, issuesWithCode, mutableJourney } from "./test-fixtures.ts";

describe("node shape checks", () => {
  it("requires exactly one way to wait", () => {
    const none = mutableJourney();
    none.nodes[2] = { id: "wait_day", type: "wait", next: "email" };
    const two = mutableJourney();
    two.nodes[2] = { id: "wait_day", type: "wait", duration: "P1D", until_time: "09:00", next: "email" };
    expect(issuesWithCode(none, "wait_shape")[0]?.message).toBe(
      'wait node "wait_day" needs exactly one of duration, until_time or until (it has 0).',
    );
    expect(issuesWithCode(two, "wait_shape")[0]?.path).toBe("$.nodes[2]");
  });

  it("requires wait.until to name a datetime in trigger, traits or vars", () => {
    const journey = mutableJourney();
    journey.nodes[2] = {
      id: "wait_day",
      type: "wait",
      until: { field: "event.properties.at" },
      next: "email",
    };
    expect(issuesWithCode(journey, "field_scope").map((issue) => issue.path)).toEqual([
      "$.nodes[2].until.field",
    ]);
  });

  it("requires split weights to add up to 100 and names to be unique", () => {
    const journey = mutableJourney();
    journey.nodes[3] = {
      id: "email",
      type: "split",
      variants: [
        { name: "a", weight: 60, next: "done" },
        { name: "a", weight: 30, next: "done" },
      ],
    };
    expect(issuesWithCode(journey, "split_weights")).toEqual([
      expect.objectContaining({
        path: "$.nodes[3].variants",
        message: 'split "email" weights add up to 90; they must add up to 100.',
      }),
    ]);
    expect(issuesWithCode(journey, "split_names")).toHaveLength(1);
    journey.nodes[3]!.variants = [
      { name: "a", weight: 33.33, next: "done" },
      { name: "b", weight: 33.33, next: "done" },
      { name: "c", weight: 33.34, next: "done", holdout: true },
    ];
    expect(issuesWithCode(journey, "split_weights")).toEqual([]);
  });

  it("requires content or a template on sends, and something to do on update_profile", () => {
    const journey = mutableJourney();
    delete journey.nodes[1]!.template;
    journey.nodes[2] = { id: "wait_day", type: "update_profile", next: "email" };
    expect(issuesWithCode(journey, "send_content").map((issue) => issue.path)).toEqual(["$.nodes[1]"]);
    expect(issuesWithCode(journey, "update_shape").map((issue) => issue.path)).toEqual(["$.nodes[2]"]);
  });

  it("requires agent send options to name a channel and content", () => {
    const journey = mutableJourney();
    journey.nodes[3] = {
      id: "email",
      type: "agent",
      objective: "o",
      actions: [{ id: "x", kind: "send" }],
      next: "done",
    };
    expect(issuesWithCode(journey, "agent_option").map((issue) => issue.message)).toEqual([
      'option "x" sends but names no channel.',
      'option "x" sends but has no template or content.',
    ]);
  });

  it("rejects a bad cron, a six-field cron and an unknown schedule time zone", () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ type: "schedule", cron: "99 * * * *" }, ["$.trigger.cron"]],
      [{ type: "schedule", cron: "0 0 9 * * *" }, ["$.trigger.cron"]],
      [{ type: "schedule", cron: "0 9 * * *", timezone: "Mars/Olympus" }, ["$.trigger.timezone"]],
    ];
    for (const [trigger, paths] of cases) {
      const journey = { ...checkoutJourney(), trigger };
      const found = issuesOf(journey).filter(
        (issue) => issue.code === "bad_cron" || issue.code === "bad_timezone",
      );
      expect(
        found.map((issue) => issue.path),
        JSON.stringify(trigger),
      ).toEqual(paths);
    }
  });
});
