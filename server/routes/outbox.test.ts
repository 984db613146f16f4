import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertChannelSetting } from "../../db/catalog.ts";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { storeCatalog } from "../../journeys/format/test-fixtures.ts";
import { createDispatcher } from "../../tools/channels/dispatcher.ts";
import { createHandoffAdapter } from "../../tools/channels/handoff.ts";
import { createSandboxAdapter } from "../../tools/channels/sandbox.ts";
import type { RecordingWebhookServer } from "../../tools/channels/testing.ts";
import {
  enqueue,
  fakeClock,
  seedProfile,
  startRecordingWebhookServer,
} from "../../tools/channels/testing.ts";
import { createWebhookAdapter } from "../../tools/channels/webhook.ts";
import { handoffRoutes } from "./handoffs.ts";
import { outboxRoutes } from "./outbox.ts";
import type { ApiHarness, TestKeys } from "./test-harness.ts";
import { createApiHarness } from "./test-harness.ts";

const clock = fakeClock("2026-04-01T08:00:00Z");
let database: Database;
let harness: ApiHarness;
let webhook: RecordingWebhookServer;

beforeAll(async () => {
  [database, webhook] = await Promise.all([openTestDb(), startRecordingWebhookServer("route-secret")]);
  harness = await createApiHarness(database, [outboxRoutes, handoffRoutes], clock.now);
});
afterAll(async () => {
  await Promise.all([database?.close(), webhook?.close()]);
});

function dispatcher() {
  const adapters = new Map(
    [
      createSandboxAdapter(),
      createHandoffAdapter(),
      createWebhookAdapter({ secret: "route-secret", now: clock.now }),
    ].map((adapter) => [adapter.name, adapter] as const),
  );
  return createDispatcher({ database, now: clock.now, adapters, random: () => 0, log: () => undefined });
}

interface Item {
  id: number;
  channel: string;
  status: string;
  attempts: number;
  userId: string | null;
  lastError: string | null;
  lastErrorCode: string | null;
  content: { subject: string | null; body: string | null } | null;
  sandbox: { recipient: string | null; body: string } | null;
}

async function workspaceWithTraffic() {
  const ws = await harness.workspace(storeCatalog);
  // The test catalog maps every channel to the sandbox; hand-offs and webhooks get their own adapters.
  await upsertChannelSetting(database.db, ws.workspaceId, { channel: "handoff", adapter: "handoff" });
  await upsertChannelSetting(database.db, ws.workspaceId, { channel: "webhook", adapter: "webhook" });
  const ada = await seedProfile(database.db, ws.workspaceId, {
    userId: "ada",
    traits: { email: "ada@example.com" },
  });
  const bob = await seedProfile(database.db, ws.workspaceId, { userId: "bob", traits: {} });
  const at = clock.now();
  const email = await enqueue(database.db, {
    workspaceId: ws.workspaceId,
    profileId: ada,
    channel: "email",
    payload: { content: { subject: "Welcome", body: "Hello Ada" } },
    at,
  });
  const sms = await enqueue(database.db, {
    workspaceId: ws.workspaceId,
    profileId: bob,
    channel: "sms",
    payload: { to: "+4917000000", content: { body: "Hi Bob" } },
    at,
  });
  const hook = await enqueue(database.db, {
    workspaceId: ws.workspaceId,
    profileId: bob,
    channel: "webhook",
    payload: { request: { url: webhook.url } },
    at,
  });
  const task = await enqueue(database.db, {
    workspaceId: ws.workspaceId,
    profileId: ada,
    channel: "handoff",
    payload: { handoff: { queue: "billing", priority: "high", instructions: "Refund the double charge." } },
    at,
  });
  webhook.reply = () => ({ status: 400, body: "unknown event" });
  await dispatcher().runOnce();
  return { ws, email, sms, hook, task };
}

const items = (response: { body: Record<string, unknown> }) => response.body.items as Item[];

describe("GET /api/outbox", () => {
  it("lists the workspace's rows newest first with delivery state and what the sandbox stored", async () => {
    const { ws, email, sms, hook } = await workspaceWithTraffic();
    const other = await workspaceWithTraffic();

    const response = await ws.call("viewer", "GET", "/api/outbox");
    expect(response.status).toBe(200);
    const listed = items(response);
    expect(listed.map((item) => item.id)).toEqual([...listed.map((item) => item.id)].sort((a, b) => b - a));
    expect(listed).toHaveLength(4);
    expect(listed.some((item) => item.id === other.email.outboxId)).toBe(false);
    const byId = new Map(listed.map((item) => [item.id, item]));
    expect(byId.get(email.outboxId)).toMatchObject({
      channel: "email",
      status: "sent",
      attempts: 1,
      userId: "ada",
      content: { subject: "Welcome", body: "Hello Ada" },
      sandbox: { recipient: "ada@example.com", body: "Hello Ada" },
    });
    expect(byId.get(sms.outboxId)).toMatchObject({ userId: "bob", sandbox: { recipient: "+4917000000" } });
    expect(byId.get(hook.outboxId)).toMatchObject({
      status: "dead",
      sandbox: null,
      lastErrorCode: "request_rejected",
    });
  });

  it("filters by channel, status and userId, and pages with a cursor", async () => {
    const { ws, sms, hook } = await workspaceWithTraffic();
    expect(items(await ws.call("viewer", "GET", "/api/outbox?channel=sms")).map((item) => item.id)).toEqual([
      sms.outboxId,
    ]);
    expect(items(await ws.call("viewer", "GET", "/api/outbox?status=dead")).map((item) => item.id)).toEqual([
      hook.outboxId,
    ]);
    const bobs = items(await ws.call("viewer", "GET", "/api/outbox?userId=bob"));
    expect(bobs.map((item) => item.id).sort()).toEqual([sms.outboxId, hook.outboxId].sort());

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Record<string, unknown> } = await ws.call(
        "viewer",
        "GET",
        `/api/outbox?limit=3${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...items(page).map((item) => item.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
  });

  it("answers bad filters with a 400 naming the field", async () => {
    const ws = await harness.workspace(storeCatalog);
    for (const [query, field] of [
      ["status=lost", "status"],
      ["limit=0", "limit"],
      ["limit=abc", "limit"],
      ["cursor=-1", "cursor"],
    ] as const) {
      const response = await ws.call("viewer", "GET", `/api/outbox?${query}`);
      expect(response.status).toBe(400);
      expect((response.body.error as { field?: string }).field).toBe(field);
    }
    expect((await ws.call("none", "GET", "/api/outbox")).status).toBe(401);
  });
});

describe("dead letters", () => {
  it("GET /api/outbox/dead lists them with the last error and attempts", async () => {
    const { ws, hook } = await workspaceWithTraffic();
    const response = await ws.call("reviewer", "GET", "/api/outbox/dead");
    expect(response.status).toBe(200);
    expect(items(response)).toEqual([
      expect.objectContaining({
        id: hook.outboxId,
        status: "dead",
        attempts: 1,
        lastErrorCode: "request_rejected",
        lastError: expect.stringContaining("400"),
      }),
    ]);
  });

  it("POST /api/outbox/:id/retry requeues a dead letter (admin only) and the dispatcher delivers it", async () => {
    const { ws, hook, sms } = await workspaceWithTraffic();
    expect((await ws.call("cx_lead", "POST", `/api/outbox/${hook.outboxId}/retry`)).status).toBe(403);

    const response = await ws.call("admin", "POST", `/api/outbox/${hook.outboxId}/retry`);
    expect(response.status).toBe(200);
    expect(response.body.item).toMatchObject({ id: hook.outboxId, status: "pending", attempts: 0 });

    webhook.reply = () => ({ status: 200 });
    await dispatcher().runOnce();
    const after = items(await ws.call("viewer", "GET", "/api/outbox?channel=webhook"));
    expect(after[0]).toMatchObject({ id: hook.outboxId, status: "sent", attempts: 1 });
    expect(items(await ws.call("viewer", "GET", "/api/outbox/dead"))).toEqual([]);

    const notDead = await ws.call("admin", "POST", `/api/outbox/${sms.outboxId}/retry`);
    expect(notDead.status).toBe(409);
    expect((notDead.body.error as { message: string }).message).toContain("only dead letters");
  });

  it("retry is 404 for another workspace's row and 400 for a malformed id", async () => {
    const mine = await harness.workspace(storeCatalog);
    const { hook } = await workspaceWithTraffic();
    expect((await mine.call("admin", "POST", `/api/outbox/${hook.outboxId}/retry`)).status).toBe(404);
    const malformed = await mine.call("admin", "POST", "/api/outbox/abc/retry");
    expect(malformed.status).toBe(400);
    expect((malformed.body.error as { field?: string }).field).toBe("id");
  });
});

describe("hand-off tasks", () => {
  async function firstTask(ws: TestKeys) {
    const response = await ws.call("viewer", "GET", "/api/handoffs");
    expect(response.status).toBe(200);
    return (response.body.items as Array<Record<string, unknown>>)[0]!;
  }

  it("GET /api/handoffs lists tasks with the customer's context, filtered by queue and status", async () => {
    const { ws } = await workspaceWithTraffic();
    const task = await firstTask(ws);
    expect(task).toMatchObject({
      queue: "billing",
      priority: "high",
      instructions: "Refund the double charge.",
      status: "open",
      userId: "ada",
      assignee: null,
    });
    expect((task.context as { customer: { userId: string } }).customer.userId).toBe("ada");
    expect((await ws.call("viewer", "GET", "/api/handoffs?queue=support")).body.items).toEqual([]);
    expect((await ws.call("viewer", "GET", "/api/handoffs?status=done")).body.items).toEqual([]);
    expect(
      (await ws.call("viewer", "GET", "/api/handoffs?status=open&queue=billing")).body.items,
    ).toHaveLength(1);
    expect((await ws.call("viewer", "GET", "/api/handoffs?status=closed")).status).toBe(400);
  });

  it("POST /api/handoffs/:id claims, refuses a second claimant, releases, and completes with a note", async () => {
    const { ws } = await workspaceWithTraffic();
    const { id } = await firstTask(ws);
    const path = `/api/handoffs/${id}`;

    expect((await ws.call("viewer", "POST", path, { action: "claim" })).status).toBe(403);
    const claimed = await ws.call("reviewer", "POST", path, { action: "claim" });
    expect(claimed.status).toBe(200);
    expect(claimed.body.task).toMatchObject({ status: "claimed", assignee: "test reviewer" });
    expect((claimed.body.task as { claimedAt: string }).claimedAt).toBe(clock.now().toISOString());

    // Claiming again as the same person is harmless; someone else must wait for a release.
    expect((await ws.call("reviewer", "POST", path, { action: "claim" })).status).toBe(200);
    const taken = await ws.call("cx_lead", "POST", path, { action: "claim" });
    expect(taken.status).toBe(409);
    expect((taken.body.error as { message: string }).message).toContain("claimed by test reviewer");

    const released = await ws.call("reviewer", "POST", path, { action: "release" });
    expect(released.body.task).toMatchObject({ status: "open", assignee: null, claimedAt: null });

    const withoutNote = await ws.call("cx_lead", "POST", path, { action: "complete" });
    expect(withoutNote.status).toBe(400);
    expect((withoutNote.body.error as { field?: string }).field).toBe("note");

    const done = await ws.call("cx_lead", "POST", path, { action: "complete", note: "Refunded 19.99 EUR." });
    expect(done.status).toBe(200);
    expect(done.body.task).toMatchObject({
      status: "done",
      note: "Refunded 19.99 EUR.",
      assignee: "test cx_lead",
    });
    expect((await ws.call("cx_lead", "POST", path, { action: "claim" })).status).toBe(409);
  });

  it("answers an unknown action with a 400 and another workspace's task with a 404", async () => {
    const { ws } = await workspaceWithTraffic();
    const { id } = await firstTask(ws);
    const bad = await ws.call("cx_lead", "POST", `/api/handoffs/${id}`, { action: "escalate" });
    expect(bad.status).toBe(400);
    expect((bad.body.error as { message: string }).message).toContain("claim, release, complete");
    const stranger = await harness.workspace(storeCatalog);
    expect((await stranger.call("cx_lead", "POST", `/api/handoffs/${id}`, { action: "claim" })).status).toBe(
      404,
    );
  });

  it("refuses a completion note holding NUL with a 400 naming the note, and keeps the task open", async () => {
    const { ws } = await workspaceWithTraffic();
    const { id } = await firstTask(ws);
    const bad = await ws.call("cx_lead", "POST", `/api/handoffs/${id}`, {
      action: "complete",
      note: "done\u0000",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "invalid_request", field: "note" });
    expect((await firstTask(ws)).status).toBe("open");
  });
});
