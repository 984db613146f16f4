import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DesignRow } from "../../agents/designer/store.ts";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import { FakeClock } from "../../journeys/runtime/testing.ts";
import { approvalRoutes } from "./approvals.ts";
import { designPause, designRoutes } from "./designs.ts";
import type { ApiHarness, TestKeys } from "./test-harness.ts";
import { createApiHarness } from "./test-harness.ts";

/**
 * The designs API with the offline planner (no OPENAI_* variables): start, follow, answer the
 * clarifying question, replay the event stream; roles and error shapes.
 */

const clock = new FakeClock("2026-03-10T10:00:00Z");
let database: Database;
let harness: ApiHarness;

const catalog = WorkspaceCatalog.parse({
  events: {
    "Checkout Started": { description: "a customer began checkout", properties: { cart_id: "string" } },
    "Order Completed": {
      description: "an order was placed",
      properties: { order_id: "string", total: "number" },
    },
    "Signed Up": { description: "a new account", properties: {} },
  },
  traits: { email: "string", first_name: "string", tier: "vip|regular", timezone: "string" },
  channels: ["email", "sms", "push", "handoff"],
});

beforeAll(async () => {
  database = await openTestDb();
  harness = await createApiHarness(database, [designRoutes, approvalRoutes], clock.now);
});
afterAll(async () => {
  await harness?.ctx.services.designer.stop();
  await database?.close();
});

async function settled() {
  await harness.ctx.services.designer.settled();
}

async function design(ws: TestKeys, id: string) {
  const response = await ws.call("viewer", "GET", `/api/designs/${id}`);
  expect(response.status).toBe(200);
  return response.body.design as Record<string, unknown>;
}

/** The SSE body as [id, event, data] triples. */
function parseSse(text: string): Array<{ id: number; event: string; data: Record<string, unknown> }> {
  return text
    .split("\n\n")
    .filter((block) => block.includes("data:"))
    .map((block) => {
      const field = (name: string) =>
        block
          .split("\n")
          .find((line) => line.startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim() ?? "";
      return { id: Number(field("id")), event: field("event"), data: JSON.parse(field("data")) };
    });
}

describe("POST /api/designs", () => {
  it("starts a design (202), drafts with the offline planner in the background and waits for review", async () => {
    const ws = await harness.workspace(catalog);
    const created = await ws.call("cx_lead", "POST", "/api/designs", {
      goal: "When a customer starts checkout but hasn't ordered an hour later, send them an email.",
    });
    expect(created.status).toBe(202);
    const id = (created.body.design as { id: string }).id;
    expect(created.body.design).toMatchObject({
      status: "running",
      model: "offline-planner",
      createdBy: ws.keyIds.cx_lead,
    });
    await settled();
    const done = await design(ws, id);
    expect(done).toMatchObject({
      status: "awaiting_approval",
      model: "offline-planner",
      llmCalls: 1,
      revision: 1,
    });
    expect(done.tokens).toBeGreaterThan(0);
    expect(done.approvalId).toMatch(/^apr_/);
    expect((done.draft as { trigger: unknown }).trigger).toEqual({
      type: "event",
      event: "Checkout Started",
    });
    expect(done.explanation).not.toEqual([]);
    expect((done.simulation as { sentences: string[] }).sentences[0]).toMatch(
      /^No customers with recent activity/,
    );
    const list = await ws.call("reviewer", "GET", "/api/designs?status=awaiting_approval");
    expect((list.body.designs as Array<{ id: string }>).map((entry) => entry.id)).toEqual([id]);
  });

  it("asks when the goal cannot be acted on, and continues with the CX lead's answer", async () => {
    const ws = await harness.workspace(catalog);
    const created = await ws.call("cx_lead", "POST", "/api/designs", { goal: "Make our customers happier." });
    const id = (created.body.design as { id: string }).id;
    await settled();
    const asking = await design(ws, id);
    expect(asking).toMatchObject({ status: "clarifying", llmCalls: 1 });
    expect(asking.question).toMatch(/What should start the journey/);
    const answered = await ws.call("cx_lead", "POST", `/api/designs/${id}/answer`, {
      answer: "When someone signs up, send a welcome email right away.",
    });
    expect(answered.status).toBe(202);
    await settled();
    const drafted = await design(ws, id);
    expect(drafted).toMatchObject({ status: "awaiting_approval", question: null, llmCalls: 2 });
    expect((drafted.draft as { trigger: unknown }).trigger).toEqual({ type: "event", event: "Signed Up" });
    const again = await ws.call("cx_lead", "POST", `/api/designs/${id}/answer`, { answer: "more" });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "design_not_waiting" });
  });

  it("rejects a missing goal with 400 naming the field, and lets only cx_lead (and admin) start designs", async () => {
    const ws = await harness.workspace(catalog);
    const missing = await ws.call("cx_lead", "POST", "/api/designs", {});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: "invalid_request", field: "goal" });
    expect(
      (await ws.call("viewer", "POST", "/api/designs", { goal: "send a welcome email on sign up" })).status,
    ).toBe(403);
    expect(
      (await ws.call("reviewer", "POST", "/api/designs", { goal: "send a welcome email on sign up" })).status,
    ).toBe(403);
    expect((await ws.call("none", "GET", "/api/designs")).status).toBe(401);
    const unknown = await ws.call("viewer", "GET", "/api/designs/dsg_unknown");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "design_not_found" });
  });

  it("refuses a goal or an answer PostgreSQL cannot store (NUL) with 400 naming the field, not a 500", async () => {
    const ws = await harness.workspace(catalog);
    const goal = await ws.call("cx_lead", "POST", "/api/designs", { goal: "email them\u0000 on sign up" });
    expect(goal.status).toBe(400);
    expect(goal.body.error).toMatchObject({ field: "goal" });
    const answer = await ws.call("cx_lead", "POST", "/api/designs/dsg_unknown/answer", { answer: "x\u0000" });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ field: "answer" });
  });

  it("keeps designs to their workspace", async () => {
    const mine = await harness.workspace(catalog);
    const other = await harness.workspace(catalog);
    const created = await mine.call("cx_lead", "POST", "/api/designs", {
      goal: "When someone signs up, send a welcome email.",
    });
    const id = (created.body.design as { id: string }).id;
    await settled();
    expect((await other.call("viewer", "GET", `/api/designs/${id}`)).status).toBe(404);
    expect((await other.call("viewer", "GET", `/api/designs/${id}/events`)).status).toBe(404);
  });
});

describe("GET /api/designs/{id}/events", () => {
  it("replays every step for a late subscriber and resumes after Last-Event-ID", async () => {
    const ws = await harness.workspace(catalog);
    const created = await ws.call("cx_lead", "POST", "/api/designs", {
      goal: "When someone signs up, send a welcome email.",
    });
    const id = (created.body.design as { id: string }).id;
    await settled();
    const replay = await ws.call("viewer", "GET", `/api/designs/${id}/events?follow=false`);
    expect(replay.status).toBe(200);
    expect(replay.contentType).toContain("text/event-stream");
    const events = parseSse(replay.text);
    const names = events.map((event) => event.event);
    expect(names[0]).toBe("created");
    expect(names).toEqual(
      expect.arrayContaining([
        "step",
        "model_call",
        "validation_round",
        "lint",
        "conflicts",
        "simulation",
        "submitted",
        "interrupt",
        "status",
      ]),
    );
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    const validation = events.find((event) => event.event === "validation_round")!;
    expect(validation.data).toMatchObject({ round: 1, ok: true, errors: 0 });
    expect(events.find((event) => event.event === "status")!.data).toMatchObject({
      status: "awaiting_approval",
    });

    const resumeFrom = events[3]!.id;
    const response = await harness.app.fetch(
      new Request(`http://test/api/designs/${id}/events?follow=false`, {
        headers: { authorization: `Bearer ${ws.keys.viewer}`, "last-event-id": String(resumeFrom) },
      }),
    );
    const rest = parseSse(await response.text());
    expect(rest.map((event) => event.id)).toEqual(events.slice(resumeFrom).map((event) => event.id));
  });
});

describe("following event streams end when the design comes to rest", () => {
  /** Opens a following stream (the default) and reads it to its end: a stream that never ends times the test out. */
  async function follow(ws: TestKeys, id: string, lastEventId?: number) {
    const response = await harness.app.fetch(
      new Request(`http://test/api/designs/${id}/events`, {
        headers: {
          authorization: `Bearer ${ws.keys.viewer}`,
          ...(lastEventId === undefined ? {} : { "last-event-id": String(lastEventId) }),
        },
      }),
    );
    expect(response.status).toBe(200);
    const text = await response.text();
    const blocks = text.split("\n\n").filter((block) => block.includes("data:"));
    const last = blocks.at(-1) ?? "";
    return { events: parseSse(text), text, last };
  }

  it("streams a running design live and ends with `waiting` at its question; after the answer it resumes after Last-Event-ID", async () => {
    const ws = await harness.workspace(catalog);
    const created = await ws.call("cx_lead", "POST", "/api/designs", { goal: "Make our customers happier." });
    const id = (created.body.design as { id: string }).id;
    // opened while the designer runs: it follows until the design asks, then ends by itself
    const asking = await follow(ws, id);
    const names = asking.events.map((event) => event.event);
    expect(names[0]).toBe("created");
    expect(names).toContain("interrupt");
    expect(names.at(-1)).toBe("waiting");
    expect(asking.last).not.toMatch(/^id:/m);
    expect(asking.events.at(-1)!.data).toMatchObject({ status: "clarifying" });
    expect(asking.events.at(-1)!.data.question).toMatch(/What should start the journey/);
    expect(asking.events.at(-2)!.event).toBe("status");
    const lastSeq = asking.events.at(-2)!.id;

    await ws.call("cx_lead", "POST", `/api/designs/${id}/answer`, {
      answer: "When someone signs up, send a welcome email right away.",
    });
    const resumed = await follow(ws, id, lastSeq);
    expect(resumed.events[0]!.event).toBe("answer");
    expect(resumed.events[0]!.id).toBe(lastSeq + 1);
    expect(resumed.events.map((event) => event.event)).toContain("submitted");
    expect(resumed.events.at(-1)).toMatchObject({
      event: "waiting",
      data: { status: "awaiting_approval", approvalId: expect.stringMatching(/^apr_/) },
    });
    await settled();
  });

  it("ends at once with `waiting` for a design awaiting review, and with `done` once the reviewer decided", async () => {
    const ws = await harness.workspace(catalog);
    const created = await ws.call("cx_lead", "POST", "/api/designs", {
      goal: "When someone signs up, send a welcome email.",
    });
    const id = (created.body.design as { id: string }).id;
    await settled();
    const waiting = await follow(ws, id);
    expect(waiting.events.at(-1)).toMatchObject({ event: "waiting", data: { status: "awaiting_approval" } });
    const approvalId = (waiting.events.at(-1)!.data as { approvalId: string }).approvalId;
    // nothing new: a reconnect after the last event id gets only the final event
    const again = await follow(ws, id, waiting.events.at(-2)!.id);
    expect(again.events.map((event) => event.event)).toEqual(["waiting"]);

    const decided = await ws.call("reviewer", "POST", `/api/approvals/${approvalId}/respond`, {
      type: "accept",
    });
    expect(decided.status).toBe(200);
    // who asked and who decided, by name, for a role that may not list keys
    const item = await ws.call("viewer", "GET", `/api/approvals/${approvalId}`);
    expect(item.body.item).toMatchObject({
      decidedBy: ws.keyIds.reviewer,
      decidedByName: "test reviewer",
      authorName: "test cx_lead",
    });
    expect((await design(ws, id)).createdByName).toBe("test cx_lead");
    await settled();
    const done = await follow(ws, id, waiting.events.at(-2)!.id);
    const names = done.events.map((event) => event.event);
    expect(names[0]).toBe("review");
    expect(names.at(-1)).toBe("done");
    expect(done.events.at(-1)!.data).toMatchObject({ status: "activated" });
  });

  it("keeps following while the status row is ahead of its status event, or an answer waits to be applied", () => {
    const row = {
      status: "awaiting_approval",
      pendingInput: null,
      leaseOwner: "process-a",
      leaseUntil: new Date("2026-03-10T10:05:00Z"),
    } as DesignRow;
    const now = new Date("2026-03-10T10:00:00Z");
    // the runner updated the row and has not yet written the status event: more is coming
    expect(designPause(row, "submitted", now)).toBeNull();
    expect(designPause(row, "status", now)).toBe("waiting");
    expect(designPause({ ...row, pendingInput: { kind: "review" } }, "status", now)).toBeNull();
    expect(designPause({ ...row, status: "running" }, "status", now)).toBeNull();
    expect(designPause({ ...row, status: "failed" }, "error", now)).toBe("done");
    // a runner that crashed before writing its last event: its lease running out settles it
    expect(designPause(row, "submitted", new Date("2026-03-10T10:06:00Z"))).toBe("waiting");
    expect(designPause({ ...row, leaseOwner: null, leaseUntil: null }, "submitted", now)).toBe("waiting");
  });
});
