import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/open.ts";
import { rows } from "../db/open.ts";
import { openTestDb } from "../db/testing.ts";
import { WorkspaceCatalog } from "../journeys/format/catalog.ts";
import type { JourneyInput } from "../journeys/format/schema.ts";
import { FakeClock } from "../journeys/runtime/testing.ts";
import type { GuardrailServer, GuardrailWorkspace } from "./guardrails-testing.ts";
import {
  callApi,
  count,
  eventually,
  guardrailWorkspace,
  outboxRowsWithoutAllowChain,
  segment,
  startGuardrailServer,
} from "./guardrails-testing.ts";

/**
 * Issue 3, "Done when": over real HTTP against the real server and its running loops — a journey
 * whose step needs review parks the customer; a reviewer approves through the API and exactly one
 * message is sent; a rejection sends nothing; an expired item sends nothing; the author approving
 * their own draft gets 403. Activation itself goes through the queue (cx_lead asks, reviewer accepts).
 */

const catalog = WorkspaceCatalog.parse({
  events: {
    "Checkout Started": { properties: { cart_id: "string", value: "number" } },
    "Order Completed": { properties: { order_id: "string" } },
  },
  traits: { email: "string", first_name: "string", timezone: "string", tier: "vip|regular" },
  channels: ["email", "sms", "handoff"],
});

const cartRescue: JourneyInput = {
  name: "Cart rescue",
  trigger: { type: "event", event: "Checkout Started" },
  exit_on: [{ event: "Order Completed" }],
  start: "mail",
  nodes: [
    {
      id: "mail",
      type: "send",
      channel: "email",
      ai_generated: true,
      content: {
        subject: "{{traits.first_name}}, your cart is waiting",
        body: "Hi {{traits.first_name}}, cart {{trigger.properties.cart_id}} is still saved for you.",
      },
      next: "mailed",
      on_skip: "not_mailed",
    },
    { id: "mailed", type: "exit", reason: "mailed" },
    { id: "not_mailed", type: "exit", reason: "not mailed" },
  ],
};

const clock = new FakeClock("2026-03-02T09:00:00Z"); // 10:00 in Berlin
let database: Database;
let server: GuardrailServer;
let ws: GuardrailWorkspace;
let journeyId: string;

const as = (role: keyof GuardrailWorkspace["keys"]) => (method: string, path: string, body?: unknown) =>
  callApi(server.url, ws.keys[role], method, path, body);

async function customer(userId: string, firstName: string) {
  const identify = await segment(server.url, ws.keys.ingest, "identify", {
    userId,
    messageId: `id-${userId}`,
    traits: {
      email: `${userId}@example.com`,
      first_name: firstName,
      timezone: "Europe/Berlin",
      tier: "regular",
      consent: { email: true },
    },
  });
  expect(identify.status).toBe(200);
  const track = await segment(server.url, ws.keys.ingest, "track", {
    userId,
    messageId: `checkout-${userId}`,
    event: "Checkout Started",
    properties: { cart_id: `cart-${userId}`, value: 80 },
  });
  expect(track.status).toBe(200);
  const [profile] = await rows<{ id: number }>(
    database.db,
    sql`select id from profiles where workspace_id = ${ws.workspaceId} and user_id = ${userId}`,
  );
  return Number(profile!.id);
}

async function pendingItemFor(userId: string) {
  const list = await as("reviewer")("GET", "/api/approvals?status=pending&kind=action");
  expect(list.status).toBe(200);
  const items = list.body.items as Array<{
    id: string;
    expiresAt: string;
    action: {
      userId: string;
      journeyName: string | null;
      preview: Record<string, unknown>;
      reviewVerdicts: Array<{ policy: string }>;
    };
  }>;
  const item = items.find((candidate) => candidate.action.userId === userId);
  expect(item, `a pending item for ${userId}`).toBeDefined();
  return item!;
}

const sentTo = (profileId: number) =>
  count(database.db, sql`select count(*)::int8 as n from sandbox_messages where profile_id = ${profileId}`);
const outboxFor = (profileId: number) =>
  count(database.db, sql`select count(*)::int8 as n from outbox where profile_id = ${profileId}`);

async function exitReason(profileId: number): Promise<string | null> {
  const [row] = await rows<{ status: string; exit_reason: string | null }>(
    database.db,
    sql`select status, exit_reason from journey_instances where profile_id = ${profileId}`,
  );
  return row?.status === "completed" ? row.exit_reason : null;
}

beforeAll(async () => {
  database = await openTestDb();
  server = await startGuardrailServer(database, clock.now);
  ws = await guardrailWorkspace(
    database.db,
    catalog,
    { approvals: { ai_generated: true, expiry: "PT1H" } },
    clock.now(),
  );
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

describe("guardrails end to end over HTTP", () => {
  it("a cx_lead's activation waits for a reviewer; the draft's author may not approve it (403)", async () => {
    const created = await as("admin")("POST", "/api/journeys", { definition: cartRescue });
    expect(created.status).toBe(201);
    journeyId = (created.body.journey as { id: string }).id;
    const requested = await as("cx_lead")("POST", `/api/journeys/${journeyId}/versions/1/activate`);
    expect(requested.status).toBe(202);
    const approvalId = requested.body.approvalId as string;
    const item = await as("viewer")("GET", `/api/approvals/${approvalId}`);
    expect(item.body.item).toMatchObject({
      kind: "journey_activation",
      status: "pending",
      request: {
        action_request: { action: "activate_journey", args: { journey_id: journeyId, version: 1 } },
      },
      journey: { journeyId, version: 1, status: "pending_approval" },
    });
    // the admin wrote the draft: their accept is refused although admins may answer items
    const own = await as("admin")("POST", `/api/approvals/${approvalId}/respond`, { type: "accept" });
    expect(own.status).toBe(403);
    expect(own.body.error).toMatchObject({ code: "self_approval" });
    // a cx_lead is not a reviewer
    expect(
      (await as("cx_lead")("POST", `/api/approvals/${approvalId}/respond`, { type: "accept" })).status,
    ).toBe(403);
    const accepted = await as("reviewer")("POST", `/api/approvals/${approvalId}/respond`, {
      type: "accept",
      reason: "copy and audience checked",
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.effect).toMatchObject({ kind: "journey_activation", versionStatus: "active" });
    const journey = await as("viewer")("GET", `/api/journeys/${journeyId}`);
    expect(journey.body.journey).toMatchObject({ liveVersion: 1, liveStatus: "active" });
  });

  it("a step that needs review parks the customer; the reviewer's accept sends exactly one message", async () => {
    const ada = await customer("ada", "Ada");
    await eventually(
      async () =>
        (
          await rows(
            database.db,
            sql`select 1 from journey_instances where profile_id = ${ada} and status = 'parked'`,
          )
        ).length === 1,
      "Ada parked",
    );
    const item = await pendingItemFor("ada");
    expect(item.action.preview).toMatchObject({
      kind: "message",
      channel: "email",
      to: "ada@example.com",
      subject: "Ada, your cart is waiting",
      body: "Hi Ada, cart cart-ada is still saved for you.",
      aiGenerated: true,
    });
    expect(item.action.reviewVerdicts.map((verdict) => verdict.policy)).toContain("approval");
    // the reviewer reads which journey asks, by name
    expect(item.action.journeyName).toBe("Cart rescue");
    expect(await outboxFor(ada)).toBe(0);
    // the journey's author may not approve its sends either
    expect((await as("admin")("POST", `/api/approvals/${item.id}/respond`, { type: "accept" })).status).toBe(
      403,
    );
    const accepted = await as("reviewer")("POST", `/api/approvals/${item.id}/respond`, { type: "accept" });
    expect(accepted.status).toBe(200);
    expect(accepted.body.effect).toMatchObject({ kind: "action", actionStatus: "queued", resumed: true });
    await eventually(async () => (await sentTo(ada)) === 1, "Ada's message delivered");
    await eventually(async () => (await exitReason(ada)) === "mailed", "Ada's visit finished on next");
    // drain everything once more: nothing else goes out
    await server.services.runtime!.runDue();
    await server.services.dispatcher!.runOnce();
    expect(await sentTo(ada)).toBe(1);
    expect(await outboxFor(ada)).toBe(1);
    const again = await as("reviewer")("POST", `/api/approvals/${item.id}/respond`, { type: "accept" });
    expect(again.status).toBe(409);
    expect(await sentTo(ada)).toBe(1);
    const [action] = await rows<{ id: number }>(
      database.db,
      sql`select id from actions where profile_id = ${ada}`,
    );
    const decisions = await as("viewer")("GET", `/api/actions/${action!.id}/decisions`);
    expect(decisions.status).toBe(200);
    const rounds = decisions.body.rounds as Array<{
      round: number;
      outcome: string;
      verdicts: Array<{ policy: string }>;
    }>;
    expect(rounds.map((round) => round.outcome)).toEqual(["review", "allow"]);
    expect(rounds[1]!.verdicts.map((verdict) => verdict.policy)).toContain("human_review");
  });

  it("a rejection (ignore) sends nothing and the customer takes the skip path", async () => {
    const bob = await customer("bob", "Bob");
    await eventually(async () => (await pendingItemFor("bob")) !== undefined, "Bob's item");
    const item = await pendingItemFor("bob");
    const ignored = await as("reviewer")("POST", `/api/approvals/${item.id}/respond`, {
      type: "ignore",
      reason: "Bob already bought in store",
    });
    expect(ignored.status).toBe(200);
    expect(ignored.body.item).toMatchObject({ status: "ignored", reason: "Bob already bought in store" });
    await eventually(async () => (await exitReason(bob)) === "not mailed", "Bob's visit took the skip path");
    await server.services.dispatcher!.runOnce();
    expect(await outboxFor(bob)).toBe(0);
    expect(await sentTo(bob)).toBe(0);
  });

  it("an expired item sends nothing: reading the queue closes it and the customer takes the skip path", async () => {
    const cleo = await customer("cleo", "Cleo");
    const item = await pendingItemFor("cleo");
    expect(new Date(item.expiresAt).toISOString()).toBe("2026-03-02T10:00:00.000Z");
    clock.advance("PT61M");
    const read = await as("viewer")("GET", `/api/approvals/${item.id}`);
    expect(read.body.item).toMatchObject({ status: "expired", decidedBy: "system", expired: true });
    const late = await as("reviewer")("POST", `/api/approvals/${item.id}/respond`, { type: "accept" });
    expect(late.status).toBe(409);
    // the worker loop planned its sleep on the old clock; step the resumed visit directly
    await server.services.runtime!.runDue();
    expect(await exitReason(cleo)).toBe("not mailed");
    await server.services.dispatcher!.runOnce();
    expect(await outboxFor(cleo)).toBe(0);
    expect(await sentTo(cleo)).toBe(0);
  });

  it("leaves an intact audit trail in which every sent message has an allow decision chain", async () => {
    expect(await outboxRowsWithoutAllowChain(database.db, ws.workspaceId)).toEqual([]);
    expect(
      await count(
        database.db,
        sql`select count(*)::int8 as n from outbox where workspace_id = ${ws.workspaceId}`,
      ),
    ).toBe(1);
    const verify = await as("reviewer")("GET", "/api/audit/verify");
    expect(verify.body).toMatchObject({ ok: true, problems: [] });
    const decided = await as("viewer")("GET", "/api/audit?kind=approval.decided");
    const entries = decided.body.entries as Array<{
      actor: string;
      data: { response?: string; status: string };
    }>;
    expect(entries.map((entry) => entry.data.status).sort()).toEqual(["accepted", "accepted", "ignored"]);
    const expired = await as("viewer")("GET", "/api/audit?kind=approval.expired");
    expect((expired.body.entries as unknown[]).length).toBe(1);
  });
});
