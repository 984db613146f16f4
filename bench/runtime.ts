import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Database, Executor } from "../db/open.ts";
import { openDb, rows } from "../db/open.ts";
import type { IngestedEvent } from "../journeys/runtime/contract.ts";
import { JourneyRuntime } from "../journeys/runtime/runtime.ts";
import { createJourney, createWorkspace } from "../journeys/runtime/testing.ts";
import { parsePolicyConfig } from "../policies/config.ts";
import { createDecide } from "../policies/engine.ts";
import { createGateway } from "../policies/gateway.ts";
import type { Decide } from "../policies/types.ts";

/**
 * The runtime's share of ingestion, on the embedded database: events stored and handed to the
 * runtime in one transaction per batch (trigger match → entries → decide → actions → outbox), inline
 * stepping versus leaving steps to a worker, against a bare batched INSERT of the same event rows.
 *
 *   npm run bench -- runtime [--events 20000] [--batch 500] [--no-policies] [--json]
 */

interface Options {
  policies: boolean;
  events: number;
  batch: number;
  customers: number;
}

function parseArgs(argv: readonly string[]): Options & { json: boolean } {
  const value = (name: string, fallback: number) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? Number(argv[index + 1]) : fallback;
  };
  const events = value("events", 20_000);
  return {
    events,
    batch: value("batch", 500),
    customers: value("customers", Math.max(1, events / 4)),
    policies: !argv.includes("--no-policies"),
    json: argv.includes("--json"),
  };
}

const NAMES = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed"];

async function prepare(database: Database, customers: number) {
  const workspaceId = await createWorkspace(database.db);
  await database.db.execute(sql`
    insert into policy_configs (workspace_id, version, config, created_by)
    values (${workspaceId}, 1, '{"consent_required": ["email", "sms", "push"]}'::jsonb, 'bench')`);
  // A checkout journey (wait for the order, else an email) and an instant order confirmation.
  await createJourney(database.db, workspaceId, {
    name: "checkout",
    trigger: { type: "event", event: "Checkout Started" },
    exit_on: [{ event: "Order Completed" }],
    start: "w",
    nodes: [
      {
        id: "w",
        type: "wait_for_event",
        event: "Order Completed",
        timeout: "PT1H",
        on_event: "done",
        on_timeout: "mail",
      },
      {
        id: "mail",
        type: "send",
        channel: "email",
        content: { body: "Your cart, {{traits.first_name}}" },
        next: "done",
      },
      { id: "done", type: "exit" },
    ],
  });
  await createJourney(database.db, workspaceId, {
    name: "thanks",
    trigger: { type: "event", event: "Order Completed" },
    reentry: { mode: "always" },
    start: "mail",
    nodes: [
      {
        id: "mail",
        type: "send",
        channel: "email",
        content: { body: "Thanks {{traits.first_name}}" },
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
        from generate_series(1, ${customers}) as n returning id, user_id`,
  );
  return { workspaceId, profiles: profiles.map((row) => ({ id: Number(row.id), userId: row.user_id })) };
}

function makeEvents(
  workspaceId: string,
  profiles: Array<{ id: number; userId: string }>,
  count: number,
  tag: string,
) {
  const start = Date.now();
  return Array.from({ length: count }, (_, index) => {
    const profile = profiles[index % profiles.length]!;
    // Each customer walks the funnel in order: viewed, added, checkout, order.
    const name = NAMES[Math.floor(index / profiles.length) % NAMES.length]!;
    return {
      workspaceId,
      profileId: profile.id,
      userId: profile.userId,
      messageId: `${tag}-${index}`,
      name,
      properties: { cart_id: `c-${profile.id}`, value: 80 },
      timestamp: new Date(start + index),
    };
  });
}

type BenchEvent = ReturnType<typeof makeEvents>[number];

async function insertEvents(tx: Executor, events: readonly BenchEvent[]): Promise<number[]> {
  const payload = JSON.stringify(
    events.map((event) => ({
      workspace_id: event.workspaceId,
      profile_id: event.profileId,
      message_id: event.messageId,
      name: event.name,
      properties: event.properties,
      user_id: event.userId,
      timestamp: event.timestamp.toISOString(),
    })),
  );
  const inserted = await rows<{ id: number }>(
    tx,
    sql`insert into events (workspace_id, profile_id, message_id, type, name, properties, user_id, timestamp)
        select workspace_id, profile_id, message_id, 'track', name, properties, user_id, timestamp
        from jsonb_to_recordset(${payload}::jsonb) as e(workspace_id text, profile_id bigint, message_id text, name text,
          properties jsonb, user_id text, timestamp timestamptz)
        returning id`,
  );
  return inserted.map((row) => Number(row.id));
}

async function run(database: Database, events: BenchEvent[], batch: number, runtime: JourneyRuntime | null) {
  const started = performance.now();
  for (let offset = 0; offset < events.length; offset += batch) {
    const slice = events.slice(offset, offset + batch);
    await database.db.transaction(async (tx) => {
      const ids = await insertEvents(tx, slice);
      if (!runtime) return;
      const ingested: IngestedEvent[] = slice.map((event, index) => ({
        workspaceId: event.workspaceId,
        profileId: event.profileId,
        userId: event.userId,
        eventId: ids[index]!,
        messageId: event.messageId,
        type: "track",
        name: event.name,
        properties: event.properties,
        timestamp: event.timestamp,
      }));
      await runtime.onEvents(tx, ingested);
    });
  }
  return (performance.now() - started) / 1000;
}

export async function benchRuntime(options: Options) {
  const database = await openDb({ dataDir: "memory://" });
  try {
    // --no-policies isolates the runtime's own cost from the policy engine's.
    const engine = createDecide(parsePolicyConfig({ consent_required: ["email"] }));
    const allowAll: Decide = () => ({ outcome: "allow", verdicts: [] });
    const decideFor = async () => (options.policies ? engine : allowAll);
    const gateway = createGateway({ decideFor, now: () => new Date(), lockProfiles: false });
    const inline = new JourneyRuntime({ database, gateway });
    const deferred = new JourneyRuntime({ database, gateway, inline: false });
    const baseline = await prepare(database, options.customers);
    const a = await prepare(database, options.customers);
    const b = await prepare(database, options.customers);
    const baselineSeconds = await run(
      database,
      makeEvents(baseline.workspaceId, baseline.profiles, options.events, "base"),
      options.batch,
      null,
    );
    const inlineSeconds = await run(
      database,
      makeEvents(a.workspaceId, a.profiles, options.events, "inline"),
      options.batch,
      inline,
    );
    const deferredSeconds = await run(
      database,
      makeEvents(b.workspaceId, b.profiles, options.events, "deferred"),
      options.batch,
      deferred,
    );
    const workerStarted = performance.now();
    const stepped = await deferred.runDue();
    const workerSeconds = (performance.now() - workerStarted) / 1000;
    const counts = async (workspaceId: string) => {
      const [row] = await rows<{ instances: number; actions: number; outbox: number }>(
        database.db,
        sql`select (select count(*) from journey_instances where workspace_id = ${workspaceId})::int8 as instances,
                   (select count(*) from actions where workspace_id = ${workspaceId})::int8 as actions,
                   (select count(*) from outbox where workspace_id = ${workspaceId})::int8 as outbox`,
      );
      return {
        instances: Number(row!.instances),
        actions: Number(row!.actions),
        outbox: Number(row!.outbox),
      };
    };
    return {
      events: options.events,
      batch: options.batch,
      baseline_rows_per_s: Math.round(options.events / baselineSeconds),
      inline_events_per_s: Math.round(options.events / inlineSeconds),
      deferred_ingest_events_per_s: Math.round(options.events / deferredSeconds),
      deferred_end_to_end_events_per_s: Math.round(options.events / (deferredSeconds + workerSeconds)),
      deferred_worker_steps: stepped,
      inline_ratio: Number((baselineSeconds / inlineSeconds).toFixed(3)),
      inline_counts: await counts(a.workspaceId),
      deferred_counts: await counts(b.workspaceId),
    };
  } finally {
    await database.close();
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  const options = parseArgs(argv);
  const result = await benchRuntime(options);
  if (options.json) console.log(JSON.stringify(result));
  else {
    console.log(
      `runtime on PGlite, ${result.events} events in batches of ${result.batch}${options.policies ? "" : ", no policies"}`,
    );
    console.log(`  bare batched INSERT (baseline)    ${result.baseline_rows_per_s} rows/s`);
    console.log(
      `  insert + runtime, steps inline    ${result.inline_events_per_s} events/s  (ratio ${result.inline_ratio})`,
    );
    console.log(
      `  insert + runtime, steps deferred  ${result.deferred_ingest_events_per_s} events/s at ingestion, ${result.deferred_end_to_end_events_per_s} events/s with the worker`,
    );
    console.log(`  inline:   ${JSON.stringify(result.inline_counts)}`);
    console.log(`  deferred: ${JSON.stringify(result.deferred_counts)}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
