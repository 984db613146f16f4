import { describe, expect, it } from "vitest";
import { progressEntry } from "./design-progress.tsx";

const event = (name: string, data: Record<string, unknown>, id = "1") => ({
  event: name,
  data: JSON.stringify(data),
  id,
});

describe("the designer's progress in words", () => {
  it("reads the graph's own events, whose type is the SSE event name", () => {
    expect(progressEntry(event("tool_call", { name: "list_events", args: {} }), 0).text).toBe(
      "Consulted list events",
    );
    expect(
      progressEntry(
        event("validation_round", {
          round: 2,
          ok: false,
          errors: 3,
          issues: [{ path: "$.nodes[1].next", message: "no such node" }],
        }),
        0,
      ).text,
    ).toBe("Validation round 2: 3 errors sent back for repair (first: $.nodes[1].next no such node)");
    expect(progressEntry(event("simulation", { customers: 300, entered: 15, sentences: [] }), 0).text).toBe(
      "Simulated 300 customers: 15 would enter",
    );
    expect(
      progressEntry(event("submitted", { approvalId: "apr_1", journeyId: "jrn_1", version: 2 }), 0).text,
    ).toBe("Submitted version 2 for review");
  });

  it("reads the service's lifecycle events", () => {
    expect(progressEntry(event("step", { node: "check_conflicts" }), 0).text).toBe(
      "Checked for conflicts with live journeys",
    );
    expect(progressEntry(event("interrupt", { waitingFor: [{ kind: "approval" }] }), 0).text).toBe(
      "Waiting for a reviewer's decision",
    );
    expect(progressEntry(event("interrupt", { waitingFor: [{ kind: "question" }] }), 0).text).toBe(
      "Waiting for your answer",
    );
    expect(progressEntry(event("status", { status: "awaiting_approval" }), 0).text).toBe(
      "Status: awaiting approval",
    );
  });

  it("keys entries by the event id, so a replayed event is recognised", () => {
    expect(progressEntry(event("answer", {}, "17"), 5).key).toBe("17");
    expect(progressEntry({ event: "answer", data: "{}", id: null }, 5).key).toBe("5");
  });

  it("shows unknown or malformed events by name instead of failing", () => {
    expect(progressEntry({ event: "new_kind_of_event", data: "not json", id: "3" }, 0).text).toBe(
      "new kind of event",
    );
    expect(progressEntry(event("model_call", { call: "one" }), 0).type).toBe("model_call");
  });
});
