import { sql } from "drizzle-orm";
import type { Database, Executor } from "../db/open.ts";
import { rows } from "../db/open.ts";
import { JourneyRuntime } from "../journeys/runtime/runtime.ts";
import type { ActivationGate, StatusChangeHook } from "../journeys/versions.ts";
import { DEFAULT_POLICY_CONFIG, safeParsePolicyConfig } from "../policies/config.ts";
import { createDecide } from "../policies/engine.ts";
import { createGateway } from "../policies/gateway.ts";
import type { Decide } from "../policies/types.ts";
import type { Dispatcher } from "../tools/channels/dispatcher.ts";
import { createDispatcher } from "../tools/channels/dispatcher.ts";
import { createStandardAdapters } from "../tools/channels/routing.ts";
import type { Config } from "./config.ts";
import { IngestService } from "./ingest/service.ts";

/**
 * The long-lived services of one process, built once from configuration and the database: the
 * journey runtime, the policy gateway, the outbox dispatcher, the designer. Route modules get them
 * through AppContext; `start()` launches the background loops (workers), `stop()` drains them.
 */
export interface Services {
  /** Segment-compatible ingestion (server/ingest); pass the runtime's EventSink as `sink` when it exists */
  ingest: IngestService;
  /**
   * Seams of the journey version lifecycle (journeys/versions.ts): hooks run inside every status
   * change's transaction (the runtime's schedule sync, the audit log), and the approval gate that
   * may park an activation for a reviewer. Services push into `onStatusChange` and set `gate`.
   */
  journeyLifecycle?: { onStatusChange: StatusChangeHook[]; gate?: ActivationGate };
  /** the journey runtime (journeys/runtime), when this process runs one: API entries use it */
  runtime?: JourneyRuntime;
  /** the outbox dispatcher (tools/channels): delivers what the runtime queued; woken by overture_outbox */
  dispatcher?: Dispatcher;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The gateway's policies: each workspace's newest stored policy config, compiled once per version
 * (the safe baseline when none is stored). An invalid stored config fails closed: the step fails and
 * is retried, nothing is sent under a config nobody can read.
 */
function storedPolicyDecide(): (executor: Executor, workspaceId: string) => Promise<Decide> {
  const compiled = new Map<string, Decide>();
  return async (executor, workspaceId) => {
    const [row] = await rows<{ version: number; config: unknown }>(
      executor,
      sql`select version, config from policy_configs where workspace_id = ${workspaceId} order by version desc limit 1`,
    );
    const key = `${workspaceId}:${row ? Number(row.version) : 0}`;
    let decide = compiled.get(key);
    if (!decide) {
      if (!row) {
        decide = createDecide(DEFAULT_POLICY_CONFIG);
      } else {
        const parsed = safeParsePolicyConfig(row.config);
        if (!parsed.ok) {
          throw new Error(
            `the policy config (version ${row.version}) of workspace ${workspaceId} does not validate`,
          );
        }
        decide = createDecide(parsed.config);
      }
      compiled.set(key, decide);
    }
    return decide;
  };
}

export async function createServices(config: Config, database: Database, now: () => Date): Promise<Services> {
  const loops: Array<{ start(): Promise<void> | void; stop(): Promise<void> }> = [];
  const gateway = createGateway({ decideFor: storedPolicyDecide(), now });
  // The agent node's NextBestAction and the data tools are injected here once they exist (agents/nba, tools/data).
  const runtime = new JourneyRuntime({ database, gateway, now });
  const ingest = new IngestService({ database, now, dedupeDays: config.OVERTURE_DEDUPE_DAYS, sink: runtime });
  loops.push(ingest.purgeLoop);
  // Registered early so it stops late: producers of outbox rows stop first, then it drains.
  const dispatcher = createDispatcher({
    database,
    now,
    adapters: createStandardAdapters({
      smtpUrl: config.SMTP_URL,
      smtpFrom: config.SMTP_FROM,
      webhookSecret: config.WEBHOOK_SECRET,
      now,
    }),
    retry: { maxAttempts: config.OVERTURE_OUTBOX_MAX_ATTEMPTS },
  });
  loops.push(dispatcher);
  // Stops before the dispatcher: it produces outbox rows the dispatcher drains.
  if (config.OVERTURE_WORKERS) loops.push(runtime);
  const journeyLifecycle: NonNullable<Services["journeyLifecycle"]> = {
    onStatusChange: [runtime.statusChangeHook],
  };
  return {
    ingest,
    journeyLifecycle,
    runtime,
    dispatcher,
    async start() {
      for (const loop of loops) await loop.start();
    },
    async stop() {
      for (const loop of [...loops].reverse()) await loop.stop();
    },
  };
}
