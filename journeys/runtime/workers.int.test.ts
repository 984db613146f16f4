import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openDb, rows } from "../../db/open.ts";
import { postgresAvailableForTest, startTestPostgres, type TestPostgres } from "../../db/testing-postgres.ts";
import type { IngestedEvent } from "./contract.ts";
import { JourneyRuntime } from "./runtime.ts";
import { createJourney, createWorkspace, FakeClock, testGateway } from "./testing.ts";

/**
 * Several worker processes share one real PostgreSQL server: every due instance is stepped exactly
 * once — also when workers are killed with SIGKILL in the middle of their transactions.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const workerScript = path.join(here, "testing-worker.ts");
const available = postgresAvailableForTest();

let server: TestPostgres;
beforeAll(async () => {
  if (available) server = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

interface Setup {
  database: Database;
  url: string;
  workspaceId: string;
  versionId: string;
  dueAt: Date;
}

/** N customers who each entered a journey that waits an hour, then emails. */
async function setup(customers: number): Promise<Setup> {
  const url = await server.createDatabase();
  const database = await openDb({ url });
  const clock = new FakeClock("2026-03-02T09:00:00Z");
  const runtime = new JourneyRuntime({ database, gateway: testGateway(clock.now), now: clock.now });
  const workspaceId = await createWorkspace(database.db);
  const { versionId } = await createJourney(database.db, workspaceId, {
    name: "wait then email",
    trigger: { type: "event", event: "Signed Up" },
    start: "w",
    nodes: [
      { id: "w", type: "wait", duration: "PT1H", next: "mail" },
      {
        id: "mail",
        type: "send",
        channel: "email",
        content: { body: "Hi {{traits.first_name}}" },
        next: "done",
      },
      { id: "done", type: "exit" },
    ],
  });
  const profiles = await rows<{ id: number; user_id: string }>(
    database.db,
    sql`insert into profiles (workspace_id, user_id, traits, consent)
        select ${workspaceId}, 'user-' || n, jsonb_build_object('first_name', 'C' || n, 'email', 'c' || n || '@example.com'),
               '{"email": true}'::jsonb
        from generate_series(1, ${customers}) as n
        returning id, user_id`,
  );
  for (let offset = 0; offset < profiles.length; offset += 500) {
    const events: IngestedEvent[] = profiles.slice(offset, offset + 500).map((profile, index) => ({
      workspaceId,
      profileId: Number(profile.id),
      userId: profile.user_id,
      eventId: offset + index + 1,
      messageId: `m-${profile.id}`,
      type: "track",
      name: "Signed Up",
      properties: {},
      timestamp: clock.now(),
    }));
    await database.db.transaction((tx) => runtime.onEvents(tx, events));
  }
  return { database, url, workspaceId, versionId, dueAt: new Date("2026-03-02T10:00:00Z") };
}

function spawnWorker(
  s: Setup,
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
  const child = spawn(process.execPath, ["--import", "tsx", workerScript], {
    env: {
      ...process.env,
      DATABASE_URL: s.url,
      OVERTURE_TEST_NOW: new Date(s.dueAt.getTime() + 3_600_000).toISOString(),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => {
    output += String(chunk);
  });
  child.stderr!.on("data", (chunk) => {
    output += String(chunk);
  });
  const done = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, output })),
  );
  return { child, done };
}

async function verifyExactlyOnce(s: Setup, customers: number) {
  const [instances] = await rows<{ total: number; completed: number; stepped_once: number }>(
    s.database.db,
    sql`select count(*)::int8 as total, count(*) filter (where status = 'completed')::int8 as completed,
               count(*) filter (where step_seq = 2)::int8 as stepped_once
        from journey_instances where version_id = ${s.versionId}`,
  );
  const [actions] = await rows<{ actions: number; distinct_keys: number; outbox: number; logged: number }>(
    s.database.db,
    sql`select (select count(*) from actions where workspace_id = ${s.workspaceId})::int8 as actions,
               (select count(distinct idempotency_key) from actions where workspace_id = ${s.workspaceId})::int8 as distinct_keys,
               (select count(*) from outbox where workspace_id = ${s.workspaceId})::int8 as outbox,
               (select count(*) from instance_log where workspace_id = ${s.workspaceId} and kind = 'action')::int8 as logged`,
  );
  const [sent] = await rows<{ count: number }>(
    s.database.db,
    sql`select count from node_counters where version_id = ${s.versionId} and node_id = 'mail' and metric = 'sent'`,
  );
  expect({
    total: Number(instances!.total),
    completed: Number(instances!.completed),
    steppedOnce: Number(instances!.stepped_once),
    actions: Number(actions!.actions),
    distinctKeys: Number(actions!.distinct_keys),
    outbox: Number(actions!.outbox),
    logged: Number(actions!.logged),
    counted: Number(sent?.count ?? 0),
  }).toEqual({
    total: customers,
    completed: customers,
    steppedOnce: customers,
    actions: customers,
    distinctKeys: customers,
    outbox: customers,
    logged: customers,
    counted: customers,
  });
}

describe.skipIf(!available)("several worker processes on one PostgreSQL server", () => {
  it("four workers share the due instances and step each exactly once", async () => {
    const customers = 1000;
    const s = await setup(customers);
    try {
      const workers = Array.from({ length: 4 }, () => spawnWorker(s));
      const results = await Promise.all(workers.map((worker) => worker.done));
      const reports = results.map((result) => {
        expect(result.code, result.output).toBe(0);
        return JSON.parse(result.output.trim().split("\n").at(-1)!) as { stepped: number };
      });
      expect(reports.reduce((sum, report) => sum + report.stepped, 0)).toBe(customers);
      // the work was actually shared
      expect(reports.filter((report) => report.stepped > 0).length).toBeGreaterThan(1);
      await verifyExactlyOnce(s, customers);
    } finally {
      await s.database.close();
    }
  }, 180_000);

  it("workers killed with SIGKILL mid-transaction lose nothing and duplicate nothing", async () => {
    const customers = 2000;
    const s = await setup(customers);
    try {
      const slow = { OVERTURE_TEST_DELAY_MS: "15", OVERTURE_TEST_BATCH: "20" };
      const running = new Set(Array.from({ length: 3 }, () => spawnWorker(s, slow)));
      let kills = 0;
      // Kill a random worker at a random moment, start a replacement, five times.
      for (let round = 0; round < 5; round++) {
        await new Promise((resolve) => setTimeout(resolve, 400 + Math.random() * 600));
        const victim = [...running][Math.floor(Math.random() * running.size)]!;
        if (victim.child.exitCode === null && victim.child.kill("SIGKILL")) kills++;
        running.delete(victim);
        running.add(spawnWorker(s, slow));
      }
      // Finish with workers that are left alone.
      await Promise.all([...running].map((worker) => worker.done));
      const finisher = spawnWorker(s);
      expect((await finisher.done).code).toBe(0);
      expect(kills).toBeGreaterThan(0);
      await verifyExactlyOnce(s, customers);
    } finally {
      await s.database.close();
    }
  }, 300_000);
});
