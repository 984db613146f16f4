import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import { FakeClock } from "../../journeys/runtime/testing.ts";
import { designRoutes } from "./designs.ts";
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
  harness = await createApiHarness(database, [designRoutes], clock.now);
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
