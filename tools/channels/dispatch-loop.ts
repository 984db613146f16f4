import type { Database } from "../../db/open.ts";
import { nextDueAt, OUTBOX_NOTIFY_CHANNEL } from "./outbox-store.ts";

/**
 * When the dispatcher runs (dispatcher.ts says what a run does): at once on a NOTIFY from a
 * committing writer, again straight away while batches come back full, otherwise when the earliest
 * retry or lease comes due, and at least every `pollMs`.
 */

export type DispatchLog = (
  level: "info" | "warn" | "error",
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface DispatchLoop {
  start(): Promise<void>;
  /** stops claiming, lets the run in progress finish, then returns */
  stop(): Promise<void>;
}

export function createDispatchLoop(options: {
  database: Database;
  now: () => Date;
  /** one batch; a full batch (`claimed >= batchSize`) means more may be waiting */
  runOnce: () => Promise<{ claimed: number }>;
  batchSize: number;
  pollMs: number;
  log: DispatchLog;
}): DispatchLoop {
  const { database, now, runOnce, batchSize, pollMs, log } = options;
  let running: Promise<void> | null = null;
  let stopping = false;
  let wakeRequested = false;
  let wakeUp: (() => void) | null = null;
  let unlisten: (() => Promise<void>) | null = null;

  const wake = () => {
    wakeRequested = true;
    wakeUp?.();
  };

  // A wake that arrives while a run is in progress is remembered, so its rows are not left waiting.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
      if (wakeRequested || stopping) done();
    });

  async function loop(): Promise<void> {
    while (!stopping) {
      wakeRequested = false;
      let summary: { claimed: number };
      try {
        summary = await runOnce();
      } catch (error) {
        log("error", "dispatch failed; retrying shortly", {
          error: error instanceof Error ? error.message : String(error),
        });
        await sleep(Math.min(pollMs, 5_000));
        continue;
      }
      if (stopping) break;
      if (summary.claimed >= batchSize) continue;
      let delay = pollMs;
      try {
        const dueAt = await nextDueAt(database.db);
        if (dueAt) delay = Math.min(pollMs, dueAt.getTime() - now().getTime());
      } catch (error) {
        log("warn", "could not read the next due time", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      // A due row another dispatcher holds locked right now would otherwise make this spin.
      await sleep(Math.max(25, delay));
    }
  }

  return {
    async start() {
      if (running) return;
      stopping = false;
      unlisten = await database.listen(OUTBOX_NOTIFY_CHANNEL, wake);
      running = loop();
    },
    async stop() {
      if (!running) return;
      stopping = true;
      wake();
      await running;
      running = null;
      await unlisten?.();
      unlisten = null;
    },
  };
}
