import type { Database } from "../db/open.ts";
import type { JourneyRuntime } from "../journeys/runtime/runtime.ts";
import type { ActivationGate, StatusChangeHook } from "../journeys/versions.ts";
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

export async function createServices(config: Config, database: Database, now: () => Date): Promise<Services> {
  const loops: Array<{ start(): Promise<void> | void; stop(): Promise<void> }> = [];
  const ingest = new IngestService({ database, now, dedupeDays: config.OVERTURE_DEDUPE_DAYS });
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
  const journeyLifecycle: NonNullable<Services["journeyLifecycle"]> = { onStatusChange: [] };
  return {
    ingest,
    journeyLifecycle,
    dispatcher,
    async start() {
      for (const loop of loops) await loop.start();
    },
    async stop() {
      for (const loop of [...loops].reverse()) await loop.stop();
    },
  };
}
