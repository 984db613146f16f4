import { openDb } from "../db/open.ts";
import { loadConfig } from "./config.ts";
import { createServices } from "./services.ts";

/**
 * A worker-only Overture process: the journey workers (due steps, schedules), the approval expiry
 * loop and the outbox dispatcher — everything `npm start` runs besides HTTP. Start several next to
 * the API processes against one PostgreSQL (DATABASE_URL) to scale stepping and delivery on their
 * own: `tsx server/worker-cli.ts`. They share the work through FOR UPDATE SKIP LOCKED claims, so a
 * worker may be killed at any moment (docs/reliability.md).
 *
 * On the embedded database (no DATABASE_URL) only one process may open the data directory, so a
 * worker process replaces the server there rather than running beside it.
 */
const config = loadConfig({ ...process.env, OVERTURE_WORKERS: "1" });
const now = () => new Date();
const database = await openDb({ url: config.DATABASE_URL, dataDir: config.OVERTURE_DATA_DIR });
const services = await createServices(config, database, now);
await services.start();
console.log(`worker ready (database: ${database.kind}, pid ${process.pid})`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: finishing in-flight work`);
  await services.stop();
  await database.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
