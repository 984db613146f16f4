import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Database } from "../db/open.ts";
import { openDb, rows } from "../db/open.ts";
import { createJourney, createWorkspace } from "../journeys/runtime/testing.ts";
import { loadConfig } from "../server/config.ts";
import type { IngestService } from "../server/ingest/service.ts";
import { seededRandom } from "../server/seeded-random.ts";
import { createServices } from "../server/services.ts";
import { recordStatements } from "./sql-stats.ts";

/**
 * `npm run bench -- ingest [--events 20000] [--batch 500] [--customers 5000] [--anonymous 0.3]
 *  [--repeat 3] [--memory] [--sql-stats] [--json]`
 *
 * End-to-end ingestion on the embedded database (PGlite): Segment calls → validation → dedupe →
 * identities and profiles → events → trigger match → journey entries → policy decision → outbox,
 * through the services `npm start` builds (server/services.ts), one transaction per batch. In the
 * same run, the baseline: a bare batched INSERT of the same event rows (same batch size, one
 * transaction per batch, the same table and indexes). See docs/benchmarks.md.
 *
 * The event mix is an e-commerce funnel: product views dominate, a few percent add to cart, start
 * checkout or order; 2 % are identify calls that change a trait. Two journeys are live: "Order
 * Completed" sends a confirmation email at once (decide + outbox in the ingestion transaction);
 * "Checkout Started" waits for the order, else emails after an hour (an instance that waits; an order
 * resumes and ends it). Every customer has opted in to email.
 */

export interface IngestBenchOptions {
  events: number;
  batch: number;
  customers: number;
  /** share of calls that also carry an anonymousId (a browser's) */
  anonymous: number;
  repeat: number;
  /** in-memory PGlite instead of a data directory on disk */
  memory: boolean;
  /** time every SQL statement of the last run's pipeline pass and report the slowest */
  sqlStats?: boolean;
}

export interface IngestBenchRun {
  events_per_s: number;
  baseline_rows_per_s: number;
  ratio: number;
  /** the same, per CPU-second of this process (PGlite runs in it): less sensitive to a busy machine */
  events_per_cpu_s: number;
  baseline_rows_per_cpu_s: number;
  cpu_ratio: number;
}

export interface IngestBenchResult extends IngestBenchRun {
  events: number;
  batch: number;
  customers: number;
  anonymous_share: number;
  database: "pglite-memory" | "pglite-disk";
  repeat: number;
  /** every run; the headline figures are the best run's */
  runs: IngestBenchRun[];
  median: IngestBenchRun;
  /** what one pipeline pass produced (the last run) */
  produced: { stored: number; instances: number; actions: number; outbox: number };
  /** with --sql-stats: the slowest statements of the last pipeline pass */
  sql_stats?: string[];
  load_average: number[];
}

const FUNNEL: ReadonlyArray<{ name: string; share: number }> = [
  { name: "Product Viewed", share: 0.8 },
  { name: "Product Added", share: 0.1 },
  { name: "Checkout Started", share: 0.05 },
  { name: "Order Completed", share: 0.03 },
];
const BRANDS = ["samsung", "apple", "xiaomi", "lenovo", "shiseido", "aqua", "bosch", "lg"];
const CATEGORIES = [
  "electronics.smartphone",
  "computers.notebook",
  "appliances.environment.water_heater",
  "furniture.living_room.sofa",
  "apparel.shoes",
];

/** Deterministic: the same options produce the same calls (a run's tag keeps messageIds unique). */
export function makeCalls(options: IngestBenchOptions, tag: string): Array<Record<string, unknown>> {
  const random = seededRandom(0x9e3779b9);
  const start = Date.parse("2026-03-02T09:00:00Z");
  const calls: Array<Record<string, unknown>> = [];
  for (let index = 0; index < options.events; index += 1) {
    const customer = Math.floor(random() * options.customers);
    const userId = `bench-user-${customer}`;
    const base: Record<string, unknown> = {
      userId,
      messageId: `${tag}-${index}`,
      timestamp: new Date(start + index * 10).toISOString(),
      context: {
        library: { name: "analytics.js", version: "2.11.1" },
        ip: `10.0.${customer % 256}.${(customer >> 8) % 256}`,
        userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0",
        page: { path: "/products", url: "https://shop.example.com/products" },
      },
    };
    if (random() < options.anonymous) base.anonymousId = `anon-${customer}`;
    if (random() < 0.02) {
      calls.push({
        ...base,
        type: "identify",
        traits: { last_seen_plan: `plan-${index % 3}`, visits: index },
      });
      continue;
    }
    const pick = random();
    let cumulative = 0;
    const step =
      FUNNEL.find((candidate) => {
        cumulative += candidate.share;
        return pick < cumulative;
      }) ?? FUNNEL[0]!;
    const price = Math.round(random() * 50_000) / 100;
    calls.push({
      ...base,
      type: "track",
      event: step.name,
      properties: {
        product_id: String(1_000_000 + Math.floor(random() * 50_000)),
        category: CATEGORIES[Math.floor(random() * CATEGORIES.length)],
        brand: BRANDS[Math.floor(random() * BRANDS.length)],
        price,
        currency: "EUR",
        ...(step.name === "Order Completed" ? { order_id: `o-${tag}-${index}`, total: price } : {}),
      },
    });
  }
  return calls;
}

export async function prepareWorkspace(
  database: Database,
  options: IngestBenchOptions,
  ingest: IngestService,
) {
  const workspaceId = await createWorkspace(database.db, "Europe/Berlin");
  await createJourney(database.db, workspaceId, {
    name: "order confirmation",
    trigger: { type: "event", event: "Order Completed" },
    reentry: { mode: "always" },
    start: "mail",
    nodes: [
      {
        id: "mail",
        type: "send",
        channel: "email",
        category: "transactional",
        content: { subject: "Your order", body: "Thanks, {{traits.first_name}}: your order is on its way." },
        next: "done",
      },
      { id: "done", type: "exit" },
    ],
  });
  await createJourney(database.db, workspaceId, {
    name: "checkout rescue",
    trigger: { type: "event", event: "Checkout Started" },
    reentry: { mode: "after_exit" },
    start: "wait",
    nodes: [
      {
        id: "wait",
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
        content: { subject: "Your basket", body: "Still deciding, {{traits.first_name}}?" },
        next: "done",
      },
      { id: "done", type: "exit" },
    ],
  });
  // Known customers (what a live shop mostly sees): profiles and identities exist, consent given.
  for (let offset = 0; offset < options.customers; offset += 500) {
    const calls = [];
    for (let customer = offset; customer < Math.min(options.customers, offset + 500); customer += 1) {
      calls.push({
        type: "identify",
        userId: `bench-user-${customer}`,
        anonymousId: `anon-${customer}`,
        messageId: `seed-${workspaceId}-${customer}`,
        // seen the day before the measured events, so each of those moves "last seen" as live traffic does
        timestamp: "2026-03-01T09:00:00.000Z",
        traits: {
          email: `c${customer}@shop.example.com`,
          first_name: `C${customer}`,
          timezone: "Europe/Berlin",
          consent: { email: true },
        },
      });
    }
    await ingest.ingest(workspaceId, calls, { mode: "batch" });
  }
  return workspaceId;
}

interface Timing {
  seconds: number;
  cpuSeconds: number;
}

async function timed(work: () => Promise<void>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** The same event rows, inserted bare: one jsonb_to_recordset INSERT per batch, one transaction each. */
async function baselineInsert(
  database: Database,
  workspaceId: string,
  calls: Array<Record<string, unknown>>,
  batch: number,
) {
  const profiles = await rows<{ user_id: string; id: number }>(
    database.db,
    sql`select user_id, id from profiles where workspace_id = ${workspaceId} and user_id is not null`,
  );
  const profileOf = new Map(profiles.map((row) => [row.user_id, Number(row.id)]));
  const receivedAt = new Date().toISOString();
  const records = calls.map((call) => ({
    profile_id: profileOf.get(String(call.userId)) ?? 0,
    message_id: call.messageId,
    type: call.type,
    name: call.type === "track" ? call.event : null,
    properties: call.properties ?? {},
    traits: call.traits ?? null,
    context: call.context,
    user_id: call.userId,
    anonymous_id: call.anonymousId ?? null,
    timestamp: call.timestamp,
  }));
  return timed(async () => {
    for (let offset = 0; offset < records.length; offset += batch) {
      const slice = JSON.stringify(records.slice(offset, offset + batch));
      await database.db.transaction(async (tx) => {
        await tx.execute(
          sql`insert into events
                (workspace_id, profile_id, message_id, type, name, properties, traits, context, user_id,
                 anonymous_id, timestamp, received_at)
              select ${workspaceId}, e.profile_id, e.message_id, e.type, e.name, e.properties, e.traits, e.context,
                     e.user_id, e.anonymous_id, e.timestamp, ${receivedAt}::timestamptz
              from jsonb_to_recordset(${slice}::jsonb)
                as e(profile_id bigint, message_id text, type text, name text, properties jsonb, traits jsonb,
                     context jsonb, user_id text, anonymous_id text, timestamp timestamptz)`,
        );
      });
    }
  });
}

const perSecond = (count: number, seconds: number) => Math.round(count / seconds);

function median(runs: IngestBenchRun[]): IngestBenchRun {
  const pick = (key: keyof IngestBenchRun) => {
    const sorted = runs.map((run) => run[key]).sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)]!;
  };
  return {
    events_per_s: pick("events_per_s"),
    baseline_rows_per_s: pick("baseline_rows_per_s"),
    ratio: pick("ratio"),
    events_per_cpu_s: pick("events_per_cpu_s"),
    baseline_rows_per_cpu_s: pick("baseline_rows_per_cpu_s"),
    cpu_ratio: pick("cpu_ratio"),
  };
}

export async function benchIngest(options: IngestBenchOptions): Promise<IngestBenchResult> {
  const dataDir = options.memory ? null : mkdtempSync(path.join(tmpdir(), "overture-bench-"));
  const database = await openDb({ dataDir: dataDir ?? "memory://" });
  const statements = options.sqlStats && database.pglite ? recordStatements(database.pglite) : null;
  let sqlStats: string[] | undefined;
  try {
    // The services `npm start` builds (policies from the store, audit, runtime inline), loops not started.
    const config = loadConfig({ OVERTURE_WORKERS: "0", OVERTURE_DEMO: "0" });
    const services = await createServices(config, database, () => new Date());
    // Warm-up, not measured: the JIT, PGlite's caches and the services' caches see both paths once.
    const warmup = {
      ...options,
      events: Math.min(2_000, options.events),
      customers: Math.min(1_000, options.customers),
    };
    const warmPipeline = await prepareWorkspace(database, warmup, services.ingest);
    const warmBaseline = await prepareWorkspace(database, warmup, services.ingest);
    const warmCalls = makeCalls(warmup, "warm");
    await baselineInsert(database, warmBaseline, warmCalls, options.batch);
    for (let offset = 0; offset < warmCalls.length; offset += options.batch)
      await services.ingest.ingest(warmPipeline, warmCalls.slice(offset, offset + options.batch), {
        mode: "batch",
      });
    const runs: IngestBenchRun[] = [];
    let produced: IngestBenchResult["produced"] = { stored: 0, instances: 0, actions: 0, outbox: 0 };
    for (let round = 0; round < options.repeat; round += 1) {
      const pipelineWorkspace = await prepareWorkspace(database, options, services.ingest);
      const baselineWorkspace = await prepareWorkspace(database, options, services.ingest);
      const calls = makeCalls(options, `r${round}`);
      const baseline = await baselineInsert(database, baselineWorkspace, calls, options.batch);
      let stored = 0;
      if (round === options.repeat - 1) statements?.start();
      const pipeline = await timed(async () => {
        for (let offset = 0; offset < calls.length; offset += options.batch) {
          const result = await services.ingest.ingest(
            pipelineWorkspace,
            calls.slice(offset, offset + options.batch),
            {
              mode: "batch",
            },
          );
          stored += result.stored;
        }
      });
      statements?.stop();
      if (statements && round === options.repeat - 1)
        sqlStats = statements.report(pipeline.seconds * 1000, pipeline.cpuSeconds * 1000);
      const [counts] = await rows<{ instances: number; actions: number; outbox: number }>(
        database.db,
        sql`select (select count(*) from journey_instances where workspace_id = ${pipelineWorkspace})::int8 as instances,
                   (select count(*) from actions where workspace_id = ${pipelineWorkspace})::int8 as actions,
                   (select count(*) from outbox where workspace_id = ${pipelineWorkspace})::int8 as outbox`,
      );
      produced = {
        stored,
        instances: Number(counts!.instances),
        actions: Number(counts!.actions),
        outbox: Number(counts!.outbox),
      };
      if (stored !== calls.length) throw new Error(`the pipeline stored ${stored} of ${calls.length} calls`);
      if (produced.outbox === 0) throw new Error("no outbox rows were written: the journeys did not run");
      runs.push({
        events_per_s: perSecond(calls.length, pipeline.seconds),
        baseline_rows_per_s: perSecond(calls.length, baseline.seconds),
        ratio: Number((baseline.seconds / pipeline.seconds).toFixed(3)),
        events_per_cpu_s: perSecond(calls.length, pipeline.cpuSeconds),
        baseline_rows_per_cpu_s: perSecond(calls.length, baseline.cpuSeconds),
        cpu_ratio: Number((baseline.cpuSeconds / pipeline.cpuSeconds).toFixed(3)),
      });
    }
    const best = runs.reduce((a, b) => (b.events_per_s > a.events_per_s ? b : a));
    const os = await import("node:os");
    return {
      ...best,
      events: options.events,
      batch: options.batch,
      customers: options.customers,
      anonymous_share: options.anonymous,
      database: options.memory ? "pglite-memory" : "pglite-disk",
      repeat: options.repeat,
      runs,
      median: median(runs),
      produced,
      ...(sqlStats ? { sql_stats: sqlStats } : {}),
      load_average: os.loadavg().map((value) => Number(value.toFixed(2))),
    };
  } finally {
    await database.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

export function parseIngestArgs(argv: readonly string[]): IngestBenchOptions & { json: boolean } {
  const value = (name: string, fallback: number) => {
    const index = argv.indexOf(`--${name}`);
    if (index < 0) return fallback;
    const parsed = Number(argv[index + 1]);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} needs a non-negative number`);
    return parsed;
  };
  return {
    events: Math.max(1, Math.floor(value("events", 20_000))),
    batch: Math.min(2_500, Math.max(1, Math.floor(value("batch", 500)))),
    customers: Math.max(1, Math.floor(value("customers", 5_000))),
    anonymous: Math.min(1, value("anonymous", 0.3)),
    repeat: Math.max(1, Math.floor(value("repeat", 3))),
    memory: argv.includes("--memory"),
    sqlStats: argv.includes("--sql-stats"),
    json: argv.includes("--json"),
  };
}

export async function main(argv: readonly string[]): Promise<void> {
  const options = parseIngestArgs(argv);
  const result = await benchIngest(options);
  if (options.json) {
    console.log(JSON.stringify(result));
    return;
  }
  const line = (label: string, run: IngestBenchRun) =>
    `  ${label.padEnd(7)} pipeline ${String(run.events_per_s).padStart(7)} events/s   baseline ${String(run.baseline_rows_per_s).padStart(7)} rows/s   ratio ${run.ratio.toFixed(3)}   ` +
    `(per CPU-second: ${run.events_per_cpu_s} / ${run.baseline_rows_per_cpu_s}, ratio ${run.cpu_ratio.toFixed(3)})`;
  console.log(
    `ingest → trigger match → decide → outbox on ${result.database}: ${result.events} Segment calls in batches of ${result.batch}, ` +
      `${result.customers} customers, ${Math.round(result.anonymous_share * 100)} % with an anonymousId`,
  );
  result.runs.forEach((run, index) => {
    console.log(line(`run ${index + 1}`, run));
  });
  console.log(line("best", result));
  console.log(line("median", result.median));
  console.log(
    `  one pass produced: ${result.produced.stored} events, ${result.produced.instances} journey instances, ` +
      `${result.produced.actions} actions, ${result.produced.outbox} outbox rows; load average ${result.load_average.join(" ")}`,
  );
  if (result.sql_stats) console.log(`  last pipeline pass, by statement — ${result.sql_stats.join("\n  ")}`);
}
