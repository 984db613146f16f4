import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { upsertChannelSetting } from "../db/catalog.ts";
import type { Database } from "../db/open.ts";
import { openDb, rows } from "../db/open.ts";
import { openTestDb } from "../db/testing.ts";
import { postgresAvailableForTest, startTestPostgres, type TestPostgres } from "../db/testing-postgres.ts";
import { WorkspaceCatalog } from "../journeys/format/catalog.ts";
import type { JourneyInput } from "../journeys/format/schema.ts";
import { FakeClock } from "../journeys/runtime/testing.ts";
import { verifyAuditChain } from "../policies/audit/verify.ts";
import { closedPort } from "../tools/channels/testing.ts";
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
 * Frequency caps against concurrency and failure, through the whole stack (Segment HTTP → ingestion
 * → runtime → gateway → outbox → dispatcher): 50 concurrent events for one customer, cap 2 → at
 * most 2 messages, on real PostgreSQL with many connections (where transactions truly overlap; PGlite
 * runs them one after another). A provider failure does not use up the cap.
 */

const catalog = WorkspaceCatalog.parse({
  events: { Ping: { properties: { n: "number" } } },
  traits: { email: "string", timezone: "string" },
  channels: ["email"],
});

const pingMail: JourneyInput = {
  name: "Ping mail",
  trigger: { type: "event", event: "Ping" },
  reentry: { mode: "always" },
  start: "mail",
  nodes: [
    {
      id: "mail",
      type: "send",
      channel: "email",
      content: { subject: "Ping", body: "Ping {{trigger.properties.n}}" },
      next: "done",
    },
    { id: "done", type: "exit" },
  ],
};

const CAP = { frequency_cap: { per_local_day: 2, channels: ["email"] } };

async function setUp(server: GuardrailServer, database: Database, clock: FakeClock) {
  const ws = await guardrailWorkspace(database.db, catalog, CAP, clock.now());
  const created = await callApi(server.url, ws.keys.admin, "POST", "/api/journeys", { definition: pingMail });
  const journeyId = (created.body.journey as { id: string }).id;
  const activated = await callApi(
    server.url,
    ws.keys.admin,
    "POST",
    `/api/journeys/${journeyId}/versions/1/activate`,
  );
  expect(activated.status).toBe(200);
  const identify = await segment(server.url, ws.keys.ingest, "identify", {
    userId: "u1",
    traits: { email: "u1@example.com", timezone: "Europe/Berlin", consent: { email: true } },
  });
  expect(identify.status).toBe(200);
  return ws;
}

const ping = (server: GuardrailServer, ws: GuardrailWorkspace, n: number) =>
  segment(server.url, ws.keys.ingest, "track", {
    userId: "u1",
    messageId: `ping-${n}`,
    event: "Ping",
    properties: { n },
  });

async function statuses(database: Database, workspaceId: string): Promise<Record<string, number>> {
  const found = await rows<{ status: string; n: number }>(
    database.db,
    sql`select status, count(*)::int8 as n from actions where workspace_id = ${workspaceId} group by status`,
  );
  return Object.fromEntries(found.map((row) => [row.status, Number(row.n)]));
}

describe("a failed provider call does not consume the cap (PGlite)", () => {
  let database: Database;
  let server: GuardrailServer;
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  it("after a dead letter the customer can still get the 2 messages of the day, and no third", async () => {
    const clock = new FakeClock("2026-03-02T09:00:00Z");
    database = await openTestDb();
    server = await startGuardrailServer(database, clock.now, {
      SMTP_URL: `smtp://127.0.0.1:${await closedPort()}`,
      OVERTURE_OUTBOX_MAX_ATTEMPTS: "1",
    });
    const ws = await setUp(server, database, clock);
    await upsertChannelSetting(database.db, ws.workspaceId, { channel: "email", adapter: "smtp" });
    expect((await ping(server, ws, 1)).status).toBe(200);
    await eventually(
      async () => (await statuses(database, ws.workspaceId)).failed === 1,
      "the SMTP delivery died",
    );
    // the provider is fixed (the sandbox stands in for it); the failed send counts for nothing
    await upsertChannelSetting(database.db, ws.workspaceId, { channel: "email", adapter: "sandbox" });
    for (const n of [2, 3, 4]) expect((await ping(server, ws, n)).status).toBe(200);
    await eventually(
      async () =>
        (await count(
          database.db,
          sql`select count(*)::int8 as n from sandbox_messages where workspace_id = ${ws.workspaceId}`,
        )) === 2,
      "two messages delivered",
    );
    expect(await statuses(database, ws.workspaceId)).toEqual({ failed: 1, sent: 2, denied: 1 });
    const [denied] = await rows<{ verdict: string }>(
      database.db,
      sql`select verdict from actions where workspace_id = ${ws.workspaceId} and status = 'denied'`,
    );
    expect(denied!.verdict).toBe("frequency_cap");
  });
});

const postgres = postgresAvailableForTest();

describe.skipIf(!postgres)("50 concurrent events for one customer, cap 2 (real PostgreSQL)", () => {
  let cluster: TestPostgres;
  let database: Database;
  let server: GuardrailServer;
  afterAll(async () => {
    await server?.close();
    await database?.close();
    await cluster?.stop();
  });

  it("sends at most 2, denies the rest with the cap's verdict, and the audit chain does not fork", async () => {
    const clock = new FakeClock("2026-03-02T09:00:00Z");
    cluster = await startTestPostgres();
    database = await openDb({ url: await cluster.createDatabase(), maxConnections: 20 });
    server = await startGuardrailServer(database, clock.now);
    const ws = await setUp(server, database, clock);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) => ping(server, ws, index + 1)),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    await eventually(async () => {
      const seen = await statuses(database, ws.workspaceId);
      return (seen.sent ?? 0) + (seen.queued ?? 0) + (seen.denied ?? 0) === 50 && (seen.queued ?? 0) === 0;
    }, "every event decided and the allowed ones delivered");
    await server.services.dispatcher!.runOnce();
    expect(await statuses(database, ws.workspaceId)).toEqual({ sent: 2, denied: 48 });
    expect(
      await count(
        database.db,
        sql`select count(*)::int8 as n from sandbox_messages where workspace_id = ${ws.workspaceId}`,
      ),
    ).toBe(2);
    expect(await outboxRowsWithoutAllowChain(database.db, ws.workspaceId)).toEqual([]);
    // 50 decisions audited by concurrent transactions: one unbroken chain, 1…N
    const verification = await verifyAuditChain(database.db, { workspaceId: ws.workspaceId });
    expect(verification.problems).toEqual([]);
    expect(verification.ok).toBe(true);
    expect(
      await count(
        database.db,
        sql`select count(*)::int8 as n from audit_log where workspace_id = ${ws.workspaceId} and kind = 'policy.decision'`,
      ),
    ).toBe(50);
  }, 120_000);
});
