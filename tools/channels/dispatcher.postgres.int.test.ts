import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openDb, rows } from "../../db/open.ts";
import { postgresAvailableForTest, startTestPostgres, type TestPostgres } from "../../db/testing-postgres.ts";
import { createDispatcher } from "./dispatcher.ts";
import { createHandoffAdapter } from "./handoff.ts";
import { createSandboxAdapter } from "./sandbox.ts";
import type { RecordingSmtpServer, RecordingWebhookServer } from "./testing.ts";
import {
  enqueue,
  seedProfile,
  seedWorkspace,
  startRecordingSmtpServer,
  startRecordingWebhookServer,
} from "./testing.ts";
import { createWebhookAdapter } from "./webhook.ts";

/**
 * Dispatchers with their own connections on one real PostgreSQL server, where SKIP LOCKED claims
 * really run concurrently (PGlite serialises everything on one connection): no row is delivered
 * twice, and with worker processes SIGKILLed at random moments nothing is lost, sandbox and hand-off
 * effects stay exactly-once and emails are at-least-once with a single Message-ID each.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const available = postgresAvailableForTest();
const SECRET = "pg-secret";

let server: TestPostgres;
let webhook: RecordingWebhookServer;
let smtp: RecordingSmtpServer;
beforeAll(async () => {
  [webhook, smtp] = await Promise.all([startRecordingWebhookServer(SECRET), startRecordingSmtpServer()]);
  if (available) server = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await Promise.all([server?.stop(), webhook?.close(), smtp?.close()]);
});

async function count(database: Database, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await rows<{ n: number }>(database.db, query);
  return row?.n ?? 0;
}

describe.skipIf(!available)("dispatchers on one PostgreSQL server", () => {
  it("three dispatchers with their own connections never deliver one row twice", async () => {
    const url = await server.createDatabase();
    const setup = await openDb({ url });
    const workspaceId = await seedWorkspace(setup.db);
    const profileId = await seedProfile(setup.db, workspaceId);
    const webhookIds = new Set<number>();
    for (let index = 0; index < 150; index += 1) {
      const hook = await enqueue(setup.db, {
        workspaceId,
        profileId,
        channel: "webhook",
        payload: { request: { url: webhook.url, body: { index } } },
      });
      webhookIds.add(hook.outboxId);
      await enqueue(setup.db, {
        workspaceId,
        profileId,
        channel: "sms",
        payload: { content: { body: `${index}` } },
      });
    }

    const databases = await Promise.all(
      [0, 1, 2].map(() => openDb({ url, migrate: false, maxConnections: 4 })),
    );
    try {
      const claimedBy = await Promise.all(
        databases.map(async (database) => {
          const dispatcher = createDispatcher({
            database,
            now: () => new Date(),
            adapters: new Map(
              [createSandboxAdapter(), createHandoffAdapter(), createWebhookAdapter({ secret: SECRET })].map(
                (adapter) => [adapter.name, adapter] as const,
              ),
            ),
            log: () => undefined,
          });
          let claimed = 0;
          for (;;) {
            const summary = await dispatcher.runOnce({ limit: 10 });
            if (summary.claimed === 0) return claimed;
            claimed += summary.claimed;
          }
        }),
      );
      expect(claimedBy.reduce((sum, value) => sum + value, 0)).toBe(300);
      expect(claimedBy.filter((value) => value > 0).length).toBeGreaterThan(1);
      expect(
        await count(setup, sql`select count(*)::int as n from outbox where status = 'sent' and attempts = 1`),
      ).toBe(300);
      expect(await count(setup, sql`select count(*)::int as n from sandbox_messages`)).toBe(150);
      const keys = webhook.requests
        .map((request) => Number(request.idempotencyKey))
        .filter((id) => webhookIds.has(id));
      expect(keys).toHaveLength(150);
      expect(new Set(keys).size).toBe(150);
    } finally {
      await Promise.all(databases.map((database) => database.close()));
      await setup.close();
    }
  });

  it("worker processes SIGKILLed at random moments: nothing lost, local effects once, emails under one Message-ID", async () => {
    const url = await server.createDatabase();
    const setup = await openDb({ url });
    const workspaceId = await seedWorkspace(setup.db);
    const emailIds = new Set<number>();
    const SANDBOX = 300;
    const HANDOFFS = 60;
    const EMAILS = 150;
    for (let index = 0; index < SANDBOX; index += 1) {
      const profileId = await seedProfile(setup.db, workspaceId, {
        traits: { email: `p${index}@example.com` },
      });
      await enqueue(setup.db, {
        workspaceId,
        profileId,
        channel: "push",
        payload: { content: { body: `${index}` } },
      });
      if (index < HANDOFFS) {
        await enqueue(setup.db, {
          workspaceId,
          profileId,
          channel: "handoff",
          payload: { handoff: { queue: "support", priority: "normal", instructions: `call ${index}` } },
        });
      }
      if (index < EMAILS) {
        const mail = await enqueue(setup.db, {
          workspaceId,
          profileId,
          channel: "email",
          payload: { content: { subject: `s${index}`, body: `b${index}` } },
        });
        emailIds.add(mail.outboxId);
      }
    }
    const smtpBefore = smtp.messages.length;

    const spawnWorker = (untilIdle: boolean) => {
      const child: ChildProcess = spawn(
        process.execPath,
        ["--import", "tsx", "tools/channels/dispatch-cli.ts", ...(untilIdle ? ["--until-idle"] : [])],
        {
          cwd: root,
          env: {
            ...process.env,
            DATABASE_URL: url,
            SMTP_URL: smtp.url,
            OVERTURE_OUTBOX_LEASE_MS: "4000",
            OVERTURE_OUTBOX_RETRY_BASE_MS: "200",
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let output = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) =>
        child.on("exit", (code) => {
          if (code !== 0 && code !== null) console.error(`[pg crash test] worker exited ${code}:\n${output}`);
          resolve(code);
        }),
      );
      return { child, exited };
    };

    // Every email waits a little at the SMTP server, so deliveries are in flight when a kill lands.
    smtp.holdRcpt = () => new Promise((resolve) => setTimeout(resolve, 25));
    const total = SANDBOX + HANDOFFS + EMAILS;
    const sent = () => count(setup, sql`select count(*)::int as n from outbox where status = 'sent'`);

    // Three workers at a time; each round waits for progress, then kills one of them at a random
    // moment and starts a replacement.
    const workers = [spawnWorker(false), spawnWorker(false), spawnWorker(false)];
    let kills = 0;
    let midWorkKills = 0;
    let lastSent = 0;
    for (let round = 0; round < 8; round += 1) {
      const deadline = Date.now() + 30_000;
      let progress = await sent();
      while (progress === lastSent && progress < total && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        progress = await sent();
      }
      if (progress >= total) break;
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 150)));
      const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0]!;
      if (victim.child.exitCode === null) {
        victim.child.kill("SIGKILL");
        kills += 1;
        if ((await sent()) < total) midWorkKills += 1;
      }
      await victim.exited;
      lastSent = await sent();
      workers.push(spawnWorker(false));
    }
    for (const worker of workers) {
      worker.child.kill("SIGKILL");
      await worker.exited;
    }
    smtp.holdRcpt = () => null;
    expect(midWorkKills).toBeGreaterThan(0);
    const final = spawnWorker(true);
    expect(await final.exited).toBe(0);

    try {
      expect(await count(setup, sql`select count(*)::int as n from outbox where status <> 'sent'`)).toBe(0);
      expect(
        await count(
          setup,
          sql`select count(*)::int as n from (select outbox_id from sandbox_messages group by outbox_id having count(*) = 1) once`,
        ),
      ).toBe(SANDBOX);
      expect(await count(setup, sql`select count(*)::int as n from sandbox_messages`)).toBe(SANDBOX);
      expect(await count(setup, sql`select count(*)::int as n from handoff_tasks`)).toBe(HANDOFFS);
      const mails = smtp.messages.slice(smtpBefore);
      const byKey = new Map<string, Set<string | null>>();
      for (const mail of mails) {
        const ids = byKey.get(mail.idempotencyKey ?? "?") ?? new Set();
        ids.add(mail.messageId);
        byKey.set(mail.idempotencyKey ?? "?", ids);
      }
      expect([...emailIds].filter((id) => !byKey.has(String(id)))).toEqual([]);
      expect([...byKey.values()].every((ids) => ids.size === 1)).toBe(true);
      console.log(
        `[pg crash test] ${kills} SIGKILLs (${midWorkKills} mid-work) across 3 concurrent workers; ${SANDBOX} sandbox + ${HANDOFFS} hand-offs exactly once; ` +
          `${EMAILS} emails: ${byKey.size} received, ${mails.length - byKey.size} redelivered with the same Message-ID`,
      );
    } finally {
      await setup.close();
    }
  }, 300_000);
});
