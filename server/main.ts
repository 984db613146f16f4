import { serve } from "@hono/node-server";
import { openDb } from "../db/open.ts";
import { createApp } from "./app.ts";
import { KeyResolver } from "./auth.ts";
import { loadConfig } from "./config.ts";
import type { AppContext } from "./context.ts";
import { demoAnnouncement } from "./demo/announce.ts";
import type { DemoOutcome } from "./demo/seed.ts";
import { demoKeysFile, ensureDemoWorkspace } from "./demo/seed.ts";
import { routeModules } from "./modules.ts";
import { createServices } from "./services.ts";

const config = loadConfig();
const now = () => new Date();
const database = await openDb({ url: config.DATABASE_URL, dataDir: config.OVERTURE_DATA_DIR });
const services = await createServices(config, database, now);
const ctx: AppContext = { config, database, keys: new KeyResolver(database.db), services, now };
const app = createApp(ctx, routeModules);

// The demo workspace: seeded on an empty database (OVERTURE_DEMO=0 skips it), before serving.
let demo: DemoOutcome | null = null;
if (config.OVERTURE_DEMO) {
  demo = await ensureDemoWorkspace({
    db: database.db,
    ingest: (workspaceId, calls) => services.ingest.ingest(workspaceId, calls, { mode: "batch" }),
    now,
    smtp: Boolean(config.SMTP_URL),
    keysFile: demoKeysFile({ postgres: Boolean(config.DATABASE_URL), dataDir: config.OVERTURE_DATA_DIR }),
    lifecycle: { now, onStatusChange: services.journeyLifecycle?.onStatusChange ?? [] },
    memory: services.memory,
    log: (line) => console.log(line),
  });
}

if (config.OVERTURE_WORKERS) await services.start();

const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  const url = config.PUBLIC_URL ?? `http://localhost:${info.port}`;
  console.log(`Overture listening on ${url} (database: ${database.kind})`);
  if (demo) for (const line of demoAnnouncement(demo, url)) console.log(line);
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: draining workers and closing`);
  server.close();
  await services.stop();
  await database.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
