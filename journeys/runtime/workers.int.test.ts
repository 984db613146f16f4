import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openDb, rows } from "../../db/open.ts";
import { postgresAvailableForTest, startTestPostgres, type TestPostgres } from "../../db/testing-postgres.ts";
import type { JourneyInput } from "../format/schema.ts";
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

const WAIT_THEN_EMAIL: JourneyInput = {
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
};

/** N customers who each entered a journey (default: waits an hour, then emails). */
async function setup(customers: number, definition: JourneyInput = WAIT_THEN_EMAIL): Promise<Setup> {
  const url = await server.createDatabase();
  const database = await openDb({ url });
  const clock = new FakeClock("2026-03-02T09:00:00Z");
  const runtime = new JourneyRuntime({ database, gateway: testGateway(clock.now), now: clock.now });
  const workspaceId = await createWorkspace(database.db);
  const { versionId } = await createJourney(database.db, workspaceId, definition);
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
  now: Date = new Date(s.dueAt.getTime() + 3_600_000),
): { child: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
  const child = spawn(process.execPath, ["--import", "tsx", workerScript], {
    env: {
      ...process.env,
      DATABASE_URL: s.url,
      OVERTURE_TEST_NOW: now.toISOString(),
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

/**
 * `count` workers released together: each connects and says "ready", then all start at the gate.
 * A share of the work for each is what the sharing tests assert, and without the gate the first
 * process to finish starting could step everything before the others are up. The small delay per
 * decision keeps each batch long enough for the others to claim batches of their own.
 */
async function startWorkersTogether(s: Setup, count: number, now?: Date) {
  const gate = path.join(mkdtempSync(path.join(tmpdir(), "overture-gate-")), "open");
  const workers = Array.from({ length: count }, () =>
    spawnWorker(s, { OVERTURE_TEST_GATE: gate, OVERTURE_TEST_DELAY_MS: "2" }, now),
  );
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const onData = (chunk: unknown) => {
            if (String(chunk).includes("ready")) {
              worker.child.stdout!.off("data", onData);
              resolve();
            }
          };
          worker.child.stdout!.on("data", onData);
          worker.done.then((result) => reject(new Error(`worker exited before the gate: ${result.output}`)));
        }),
    ),
  );
  writeFileSync(gate, "");
  return workers;
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
      const workers = await startWorkersTogether(s, 4);
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

  it("four workers take a multi-step journey through its waits: every step of every instance happens once", async () => {
    const customers = 600;
    // wait 1 h → email → wait 1 h → email → exit: two due steps per instance, an hour apart.
    const s = await setup(customers, {
      name: "two steps",
      trigger: { type: "event", event: "Signed Up" },
      start: "w1",
      nodes: [
        { id: "w1", type: "wait", duration: "PT1H", next: "first" },
        { id: "first", type: "send", channel: "email", content: { body: "One" }, next: "w2" },
        { id: "w2", type: "wait", duration: "PT1H", next: "mail" },
        { id: "mail", type: "send", channel: "email", content: { body: "Two" }, next: "done" },
        { id: "done", type: "exit" },
      ],
    });
    try {
      // Each round, four workers run at a clock where exactly the next step of every instance is due.
      for (const [round, at] of ["2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"].entries()) {
        const workers = await startWorkersTogether(s, 4, new Date(at));
        const results = await Promise.all(workers.map((worker) => worker.done));
        const stepped = results.map((result) => {
          expect(result.code, result.output).toBe(0);
          return (JSON.parse(result.output.trim().split("\n").at(-1)!) as { stepped: number }).stepped;
        });
        expect(
          stepped.reduce((sum, value) => sum + value, 0),
          `round ${round + 1}`,
        ).toBe(customers);
        expect(stepped.filter((value) => value > 0).length).toBeGreaterThan(1);
      }
      const [instances] = await rows<{ completed: number; steps_two: number }>(
        s.database.db,
        sql`select count(*) filter (where status = 'completed')::int8 as completed,
                   count(*) filter (where step_seq = 3)::int8 as steps_two
            from journey_instances where version_id = ${s.versionId}`,
      );
      // every (instance, node, kind) of the log exactly once: no step was redone or lost
      const logs = await rows<{ kind: string; node_id: string; instances: number; rows: number }>(
        s.database.db,
        sql`select kind, node_id, count(distinct instance_id)::int8 as instances, count(*)::int8 as rows
            from instance_log where workspace_id = ${s.workspaceId} group by kind, node_id order by kind, node_id`,
      );
      const [actions] = await rows<{ total: number; keys: number; outbox: number }>(
        s.database.db,
        sql`select count(*)::int8 as total, count(distinct idempotency_key)::int8 as keys,
                   (select count(*) from outbox where workspace_id = ${s.workspaceId})::int8 as outbox
            from actions where workspace_id = ${s.workspaceId}`,
      );
      expect({ completed: Number(instances!.completed), stepsTwo: Number(instances!.steps_two) }).toEqual({
        completed: customers,
        stepsTwo: customers,
      });
      for (const log of logs)
        expect(Number(log.rows), `${log.kind} at ${log.node_id}`).toBe(Number(log.instances));
      const sent = (node: string) =>
        Number(logs.find((log) => log.kind === "action" && log.node_id === node)?.instances ?? 0);
      expect({ first: sent("first"), mail: sent("mail") }).toEqual({ first: customers, mail: customers });
      expect({
        total: Number(actions!.total),
        keys: Number(actions!.keys),
        outbox: Number(actions!.outbox),
      }).toEqual({
        total: customers * 2,
        keys: customers * 2,
        outbox: customers * 2,
      });
    } finally {
      await s.database.close();
    }
  }, 300_000);
});
