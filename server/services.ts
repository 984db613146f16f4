import type { Database } from "../db/open.ts";
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
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createServices(config: Config, database: Database, now: () => Date): Promise<Services> {
  const loops: Array<{ start(): Promise<void> | void; stop(): Promise<void> }> = [];
  const ingest = new IngestService({ database, now, dedupeDays: config.OVERTURE_DEDUPE_DAYS });
  loops.push(ingest.purgeLoop);
  return {
    ingest,
    async start() {
      for (const loop of loops) await loop.start();
    },
    async stop() {
      for (const loop of [...loops].reverse()) await loop.stop();
    },
  };
}
