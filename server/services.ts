import type { Database } from "../db/open.ts";
import type { Config } from "./config.ts";

/**
 * The long-lived services of one process, built once from configuration and the database: the
 * journey runtime, the policy gateway, the outbox dispatcher, the designer. Route modules get them
 * through AppContext; `start()` launches the background loops (workers), `stop()` drains them.
 */
export interface Services {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createServices(
  _config: Config,
  _database: Database,
  _now: () => Date,
): Promise<Services> {
  const loops: Array<{ start(): Promise<void> | void; stop(): Promise<void> }> = [];
  return {
    async start() {
      for (const loop of loops) await loop.start();
    },
    async stop() {
      for (const loop of [...loops].reverse()) await loop.stop();
    },
  };
}
