import { sql } from "drizzle-orm";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { EventSink } from "../../journeys/runtime/contract.ts";
import type { CallType } from "./messages.ts";
import type { IngestResult } from "./pipeline.ts";
import { ingestBatch } from "./pipeline.ts";

export interface IngestServiceOptions {
  database: Database;
  now: () => Date;
  /** how long messageIds are remembered for dedupe (OVERTURE_DEDUPE_DAYS) */
  dedupeDays: number;
  /** the journey runtime; absent = events are stored and nothing reacts to them */
  sink?: EventSink | null | undefined;
  /** how often expired messageIds are purged (default hourly) */
  purgeIntervalMs?: number;
}

export interface IngestRequest {
  mode: "batch" | "single";
  impliedType?: CallType;
  batchContext?: Record<string, unknown> | null;
  batchSentAt?: Date | null;
}

const PURGE_CHUNK = 10_000;

/** Ingestion as a long-lived service: the pipeline bound to its database, sink and clock, plus the dedupe purge loop. */
export class IngestService {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly options: IngestServiceOptions) {}

  get dedupeDays(): number {
    return this.options.dedupeDays;
  }

  ingest(workspaceId: string, calls: readonly unknown[], request: IngestRequest): Promise<IngestResult> {
    const { database, now, sink } = this.options;
    return ingestBatch(database.db, workspaceId, calls, {
      ...request,
      now,
      sink,
      serialized: database.kind === "pglite",
    });
  }

  /**
   * Forgets messageIds older than the dedupe window, in chunks so a large backlog never holds one
   * long transaction. Returns how many were removed. After this, a replay of such a message is new.
   */
  async purgeExpiredMessageIds(): Promise<number> {
    const cutoff = new Date(this.options.now().getTime() - this.options.dedupeDays * 86_400_000);
    let removed = 0;
    for (;;) {
      const deleted = await rows<{ n: number }>(
        this.options.database.db,
        sql`with gone as (
              delete from ingest_message_ids where ctid in (
                select ctid from ingest_message_ids where received_at < ${cutoff.toISOString()}::timestamptz
                limit ${PURGE_CHUNK}::int
              ) returning 1
            ) select count(*)::int as n from gone`,
      );
      const count = Number(deleted[0]?.n ?? 0);
      removed += count;
      if (count < PURGE_CHUNK) return removed;
    }
  }

  /** The background loop that purges expired messageIds (registered in server/services.ts). */
  readonly purgeLoop = {
    start: () => {
      if (this.timer) return;
      const interval = this.options.purgeIntervalMs ?? 3_600_000;
      const tick = () => {
        if (this.running) return;
        this.running = this.purgeExpiredMessageIds()
          .catch((error: unknown) => {
            // a failed purge only delays forgetting; the next tick retries
            console.error("[ingest] purging expired messageIds failed:", (error as Error).message);
          })
          .finally(() => {
            this.running = null;
          });
      };
      tick();
      this.timer = setInterval(tick, interval);
      this.timer.unref();
    },
    stop: async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      await this.running;
    },
  };
}
