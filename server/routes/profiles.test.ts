import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { actions, decisions, outbox, sandboxMessages } from "../../db/schema/actions.ts";
import { instanceLog, journeys } from "../../db/schema/journeys.ts";
import { segmentMemberships } from "../../db/schema/profiles.ts";
import { segments } from "../../db/schema/workspaces.ts";
import { openTestDb } from "../../db/testing.ts";
import { ingestBatch } from "../ingest/pipeline.ts";
import type { TestServer, TestWorkspace } from "../ingest/test-server.ts";
import { basicAuth, createTestWorkspace, startTestServer } from "../ingest/test-server.ts";
import { ProfileSchema, profileRoutes, TimelineItemSchema } from "./profiles.ts";

let database: Database;
let server: TestServer;
let workspace: TestWorkspace;
let profileId: number;

type Item = { kind: string; at: string; [key: string]: unknown };

const at = (minute: number) => new Date(Date.UTC(2026, 4, 1, 10, minute));

beforeAll(async () => {
  database = await openTestDb();
  server = await startTestServer({ database, modules: [profileRoutes] });
  workspace = await createTestWorkspace(database.db);
  const db = database.db;
  const { workspaceId } = workspace;
  await ingestBatch(db, workspaceId, [
    { type: "page", anonymousId: "anon-7", name: "Pricing", timestamp: at(0).toISOString(), messageId: "e1" },
    {
      type: "identify",
      userId: "cust-7",
      traits: {
        email: "Ada.Lovelace@example.com",
        first_name: "Ada",
        last_name: "Lovelace",
        churn_risk: 0.82,
        purchase_propensity: 0.1,
        nps_score: 9,
        plan: "pro",
        consent: { email: true, sms: false },
      },
      timestamp: at(1).toISOString(),
      messageId: "e2",
    },
    {
      type: "identify",
      userId: "cust-7",
      anonymousId: "anon-7",
      timestamp: at(2).toISOString(),
      messageId: "e3",
    },
    {
      type: "track",
      userId: "cust-7",
      event: "Checkout Started",
      properties: { cart: 42 },
      timestamp: at(3).toISOString(),
      messageId: "e4",
    },
  ]);
  for (let index = 0; index < 3; index++) {
    await ingestBatch(db, workspaceId, [
      {
        type: "identify",
        userId: `other-${index}`,
        traits: { name: `Other Person ${index}` },
        messageId: `o${index}`,
      },
    ]);
  }
  const result = await ingestBatch(db, workspaceId, [
    {
      type: "track",
      userId: "cust-7",
      event: "Order Completed",
      timestamp: at(9).toISOString(),
      messageId: "e9",
    },
  ]);
  profileId = result.events[0]!.profileId;

  await db.insert(segments).values({ id: `seg_${workspaceId}`, workspaceId, name: "VIP", condition: {} });
  await db
    .insert(segmentMemberships)
    .values({ segmentId: `seg_${workspaceId}`, profileId, workspaceId, enteredAt: at(3) });
  const journeyId = `jrn_${workspaceId}`;
  await db
    .insert(journeys)
    .values({ id: journeyId, workspaceId, name: "Checkout rescue", createdBy: "test" });
  const step = { workspaceId, instanceId: 1, journeyId, versionId: "ver_1", profileId };
  await db.insert(instanceLog).values([
    { ...step, nodeId: "start", kind: "entered", detail: { trigger: "Checkout Started" }, at: at(4) },
    { ...step, nodeId: "send_email", kind: "action", at: at(5) },
    { ...step, nodeId: "end", kind: "exited", detail: { reason: "goal" }, at: at(10) },
  ]);
  const [sent] = await db
    .insert(actions)
    .values({
      workspaceId,
      profileId,
      instanceId: 1,
      journeyId,
      versionId: "ver_1",
      nodeId: "send_email",
      kind: "message",
      channel: "email",
      payload: { content: { subject: "Your cart", body: "Come back" }, to: "ada@example.com" },
      status: "sent",
      idempotencyKey: "1:send_email:1",
      createdAt: at(5),
    })
    .returning({ id: actions.id });
  const [denied] = await db
    .insert(actions)
    .values({
      workspaceId,
      profileId,
      instanceId: 1,
      journeyId,
      versionId: "ver_1",
      nodeId: "send_sms",
      kind: "message",
      channel: "sms",
      payload: { content: { body: "Hi" } },
      status: "denied",
      verdict: "deny",
      reason: "no SMS consent",
      idempotencyKey: "1:send_sms:1",
      createdAt: at(6),
    })
    .returning({ id: actions.id });
  await db.insert(decisions).values([
    {
      actionId: sent!.id,
      workspaceId,
      policy: "consent",
      verdict: "allow",
      reason: "email consent given",
      createdAt: at(5),
    },
    {
      actionId: sent!.id,
      workspaceId,
      policy: "quiet_hours",
      verdict: "allow",
      reason: "10:05 is outside quiet hours",
      createdAt: at(5),
    },
    {
      actionId: denied!.id,
      workspaceId,
      policy: "consent",
      verdict: "deny",
      reason: "no SMS consent",
      createdAt: at(6),
    },
  ]);
  const [box] = await db
    .insert(outbox)
    .values({
      workspaceId,
      actionId: sent!.id,
      profileId,
      channel: "email",
      payload: { content: { subject: "Your cart", body: "Come back" }, to: "ada@example.com" },
      status: "sent",
      attempts: 1,
      createdAt: at(7),
      sentAt: at(8),
    })
    .returning({ id: outbox.id });
  await db.insert(sandboxMessages).values({
    outboxId: box!.id,
    workspaceId,
    profileId,
    channel: "email",
    recipient: "ada@example.com",
    subject: "Your cart",
    body: "Come back",
    payload: {},
    createdAt: at(8),
  });
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

async function get(path: string, key: string | null = workspace.viewerKey) {
  const response = await fetch(`${server.url}/api${path}`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("GET /api/profiles", () => {
  it("finds a customer by user id, anonymous id, part of the email, or part of the name", async () => {
    for (const q of ["cust-7", "anon-7", "lovelace@EXAMPLE", "ada love", "Ada"]) {
      const { status, body } = await get(`/profiles?q=${encodeURIComponent(q)}`);
      expect(status).toBe(200);
      expect(
        (body.profiles as Array<{ userId: string }>).map((p) => p.userId),
        q,
      ).toEqual(["cust-7"]);
    }
    const none = await get(`/profiles?q=${encodeURIComponent("%")}`);
    expect(none.body.profiles).toEqual([]);
  });

  it("pages through live profiles newest first, never listing merged ones", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : "";
      const { body } = await get(`/profiles?limit=2${query}`);
      seen.push(...(body.profiles as Array<{ userId: string }>).map((p) => p.userId));
      cursor = body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual(["other-2", "other-1", "other-0", "cust-7"]);
  });

  it("answers 400 naming the parameter for a bad limit or cursor", async () => {
    expect((await get("/profiles?limit=0")).body.error).toMatchObject({ field: "limit" });
    expect((await get("/profiles?cursor=abc")).body.error).toMatchObject({ field: "cursor" });
  });
});

describe("GET /api/profiles/:userId", () => {
  it("returns traits, scores, consent, identities and segments", async () => {
    const { status, body } = await get("/profiles/cust-7");
    expect(status).toBe(200);
    const profile = ProfileSchema.parse(body.profile);
    expect(profile).toMatchObject({
      profileId,
      userId: "cust-7",
      anonymousIds: ["anon-7"],
      email: "Ada.Lovelace@example.com",
      name: "Ada Lovelace",
      consent: { email: true, sms: false },
      scores: { churn_risk: 0.82, purchase_propensity: 0.1, nps_score: 9 },
      segments: [{ id: `seg_${workspace.workspaceId}`, name: "VIP", enteredAt: at(3).toISOString() }],
      lastEventAt: at(9).toISOString(),
    });
    expect(profile.traits).not.toHaveProperty("consent");
    expect(profile.traits.plan).toBe("pro");
    expect(profile.identities.map((identity) => [identity.kind, identity.value])).toEqual([
      ["user_id", "cust-7"],
      ["anonymous_id", "anon-7"],
    ]);
  });

  it("finds the same customer by an anonymous id merged into them", async () => {
    const { body } = await get("/profiles/anon-7");
    expect((body.profile as { profileId: number }).profileId).toBe(profileId);
  });

  it("answers 404 JSON for an unknown id and 401 without a management key", async () => {
    expect(await get("/profiles/nobody")).toMatchObject({
      status: 404,
      body: { error: { code: "not_found" } },
    });
    expect((await get("/profiles/cust-7", null)).status).toBe(401);
    expect((await get("/profiles/cust-7", workspace.writeKey)).status).toBe(401);
  });

  it("does not show another workspace's customer", async () => {
    const other = await createTestWorkspace(database.db);
    expect((await get("/profiles/cust-7", other.viewerKey)).status).toBe(404);
  });
});

describe("GET /api/profiles/:userId/timeline", () => {
  it("interleaves events, journey steps, actions with every verdict and messages as sent, newest first", async () => {
    const { status, body } = await get("/profiles/cust-7/timeline");
    expect(status).toBe(200);
    const items = (body.items as Item[]).map((item) => TimelineItemSchema.parse(item));
    expect(items.map((item) => [item.kind, item.at])).toEqual([
      ["journey", at(10).toISOString()],
      ["event", at(9).toISOString()],
      ["message", at(7).toISOString()],
      ["action", at(6).toISOString()],
      // at the same instant: message, action, journey step, event (an action follows its step)
      ["action", at(5).toISOString()],
      ["journey", at(5).toISOString()],
      ["journey", at(4).toISOString()],
      ["event", at(3).toISOString()],
      ["event", at(2).toISOString()],
      ["event", at(1).toISOString()],
      ["event", at(0).toISOString()],
    ]);
    const [sentAction] = items.filter((item) => item.kind === "action" && item.status === "sent");
    expect(sentAction).toMatchObject({
      channel: "email",
      journeyName: "Checkout rescue",
      decisions: [
        { policy: "consent", verdict: "allow", reason: "email consent given" },
        { policy: "quiet_hours", verdict: "allow" },
      ],
    });
    const deniedAction = items.find((item) => item.kind === "action" && item.status === "denied");
    expect(deniedAction).toMatchObject({ verdict: "deny", reason: "no SMS consent" });
    const message = items.find((item) => item.kind === "message");
    expect(message).toMatchObject({
      status: "sent",
      sandbox: true,
      recipient: "ada@example.com",
      subject: "Your cart",
      body: "Come back",
      sentAt: at(8).toISOString(),
    });
    // the anonymous visit before sign-up is part of the customer's history
    expect(items.at(-1)).toMatchObject({
      kind: "event",
      type: "page",
      name: "Pricing",
      anonymousId: "anon-7",
    });
  });

  it("pages with a cursor without losing or repeating an item, and filters by kind", async () => {
    const full = (await get("/profiles/cust-7/timeline")).body.items as Item[];
    const walked: Item[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : "";
      const { body } = await get(`/profiles/cust-7/timeline?limit=3${query}`);
      walked.push(...(body.items as Item[]));
      cursor = body.nextCursor as string | null;
    } while (cursor);
    expect(walked).toEqual(full);
    const only = (await get("/profiles/cust-7/timeline?kinds=action,message")).body.items as Item[];
    expect(only.map((item) => item.kind)).toEqual(["message", "action", "action"]);
  });

  it("answers 400 naming the parameter for a forged cursor or an unknown kind", async () => {
    expect((await get("/profiles/cust-7/timeline?cursor=bm9wZQ")).body.error).toMatchObject({
      field: "cursor",
    });
    expect((await get("/profiles/cust-7/timeline?kinds=event,gossip")).body.error).toMatchObject({
      field: "kinds",
    });
  });
});

describe("the OpenAPI document", () => {
  it("describes the profile routes, their roles and the timeline item union", async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { "x-roles": string[] }>>;
      components: { schemas: Record<string, unknown> };
    };
    for (const path of ["/profiles", "/profiles/{userId}", "/profiles/{userId}/timeline"]) {
      expect(doc.paths[path]?.get?.["x-roles"]).toEqual(["admin", "viewer", "cx_lead", "reviewer"]);
    }
    for (const name of ["Profile", "ProfileSummary", "TimelineItem", "TimelineAction", "PolicyDecision"]) {
      expect(doc.components.schemas).toHaveProperty(name);
    }
  });
});

describe("ingestion and the profile view together", () => {
  it("shows an event sent through /v1/track on the timeline", async () => {
    const ingestServer = await startTestServer({ database });
    try {
      const response = await fetch(`${ingestServer.url}/v1/track`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: basicAuth(workspace.writeKey) },
        body: JSON.stringify({
          userId: "cust-7",
          event: "Survey Submitted",
          timestamp: at(30).toISOString(),
        }),
      });
      expect(response.status).toBe(200);
    } finally {
      await ingestServer.close();
    }
    const [latest] = (await get("/profiles/cust-7/timeline?limit=1")).body.items as Item[];
    expect(latest).toMatchObject({ kind: "event", name: "Survey Submitted" });
  });
});
