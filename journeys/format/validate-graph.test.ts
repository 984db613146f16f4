import { describe, expect, it } from "vitest";
import { issuesOf, issuesWithCode, mutableJourney } from "./test-fixtures.ts";

describe("graph checks", () => {
  it("reports a dangling next with a suggestion", () => {
    const journey = mutableJourney();
    journey.nodes[1]!.next = "wait_dya";
    expect(issuesWithCode(journey, "dangling_next")).toEqual([
      {
        path: "$.nodes[1].next",
        code: "dangling_next",
        severity: "error",
        message: 'node "sms" continues to "wait_dya", which does not exist. Did you mean "wait_day"?',
      },
    ]);
  });

  it("reports a dangling start, on_timeout, otherwise, variant and on_skip", () => {
    const start = mutableJourney();
    start.start = "nowhere";
    expect(issuesWithCode(start, "dangling_next").map((issue) => issue.path)).toEqual(["$.start"]);

    const journey = mutableJourney();
    journey.nodes[0]!.on_timeout = "x1";
    journey.nodes[3]!.on_skip = "x2";
    journey.nodes.push(
      {
        id: "b",
        type: "branch",
        branches: [{ condition: { field: "traits.tier", op: "eq", value: "vip" }, next: "x3" }],
        otherwise: "x4",
      },
      {
        id: "s",
        type: "split",
        variants: [
          { name: "a", weight: 50, next: "x5" },
          { name: "b", weight: 50, next: "done" },
        ],
      },
    );
    expect(issuesWithCode(journey, "dangling_next").map((issue) => issue.path)).toEqual([
      "$.nodes[0].on_timeout",
      "$.nodes[3].on_skip",
      "$.nodes[5].branches[0].next",
      "$.nodes[5].otherwise",
      "$.nodes[6].variants[0].next",
    ]);
  });

  it("reports duplicate node ids", () => {
    const journey = mutableJourney();
    journey.nodes.push({ id: "sms", type: "exit" });
    expect(issuesWithCode(journey, "duplicate_node")).toEqual([
      expect.objectContaining({
        path: "$.nodes[5].id",
        message: 'node id "sms" is used twice; ids must be unique.',
      }),
    ]);
  });

  it("reports an unreachable node", () => {
    const journey = mutableJourney();
    journey.nodes.push({
      id: "orphan",
      type: "send",
      channel: "email",
      template: "cart-discount-email",
      next: "done",
    });
    expect(issuesWithCode(journey, "unreachable_node")).toEqual([
      expect.objectContaining({
        path: "$.nodes[5]",
        message: 'node "orphan" cannot be reached from start "wait_order"; connect it or remove it.',
      }),
    ]);
  });

  it("reports a path that never reaches an exit", () => {
    const journey = mutableJourney();
    // email → wait_day → email: a waiting loop without an exit
    journey.nodes[3]!.next = "wait_day";
    journey.nodes[0]!.on_event = "sms";
    journey.nodes.splice(4, 1);
    const noExit = issuesWithCode(journey, "no_exit").map((issue) => issue.path);
    expect(noExit).toEqual(expect.arrayContaining(["$.nodes[0]", "$.nodes[1]", "$.nodes[2]", "$.nodes[3]"]));
    expect(issuesWithCode(journey, "loop_without_wait")).toEqual([]);
  });

  it("reports a loop with no wait, naming its nodes", () => {
    const journey = mutableJourney();
    journey.nodes[3] = {
      id: "email",
      type: "branch",
      branches: [{ condition: { field: "traits.tier", op: "eq", value: "vip" }, next: "again" }],
      otherwise: "done",
    };
    journey.nodes.push({
      id: "again",
      type: "send",
      channel: "email",
      template: "cart-discount-email",
      next: "email",
    });
    const [issue] = issuesWithCode(journey, "loop_without_wait");
    expect(issue?.path).toBe("$.nodes[3]");
    expect(issue?.message).toMatch(/the loop .*"email".*"again"|the loop .*"again".*"email"/);
    expect(issue?.message).toMatch(/add a wait inside it/);
  });

  it("reports a node that loops to itself", () => {
    const journey = mutableJourney();
    journey.nodes[1]!.on_skip = "sms";
    expect(issuesWithCode(journey, "loop_without_wait").map((issue) => issue.path)).toEqual(["$.nodes[1]"]);
  });

  it("accepts a loop that contains a wait", () => {
    const journey = mutableJourney();
    journey.nodes[3] = {
      id: "email",
      type: "branch",
      branches: [{ condition: { performed: "App Opened", since: "entry" }, next: "done" }],
      otherwise: "wait_day",
    };
    expect(issuesOf(journey).filter((issue) => issue.severity === "error")).toEqual([]);
  });
});
