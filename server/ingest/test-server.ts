import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { newId } from "../../db/ids.ts";
import type { Database, Executor } from "../../db/open.ts";
import { workspaces } from "../../db/schema/workspaces.ts";
import type { EventSink, IngestedEvent } from "../../journeys/runtime/contract.ts";
import type { RouteModule } from "../app.ts";
import { createApp } from "../app.ts";
import { createApiKey, KeyResolver } from "../auth.ts";
import { loadConfig } from "../config.ts";
import type { AppContext } from "../context.ts";
import { createServices } from "../services.ts";
import { ingestRoutes } from "./routes.ts";
import { IngestService } from "./service.ts";

/**
 * Test support for anything that talks to ingestion over real HTTP: a recording EventSink (a real
 * implementation of the interface that keeps what it was told), a server on an ephemeral port, and
 * a workspace with keys of every role.
 */

export class RecordingSink implements EventSink {
  readonly events: IngestedEvent[] = [];
  readonly merges: Array<{ from: number; into: number }> = [];
  /** one entry per onEvents call: the batch as handed over */
  readonly batches: IngestedEvent[][] = [];

  async onEvents(_tx: Executor, events: readonly IngestedEvent[]): Promise<void> {
    this.batches.push([...events]);
    this.events.push(...events);
  }

  async onProfilesMerged(_tx: Executor, fromProfileId: number, intoProfileId: number): Promise<void> {
    this.merges.push({ from: fromProfileId, into: intoProfileId });
  }

  clear() {
    this.events.length = 0;
    this.merges.length = 0;
    this.batches.length = 0;
  }
}

export interface TestServer {
  url: string;
  ctx: AppContext;
  close(): Promise<void>;
}

export async function startTestServer(options: {
  database: Database;
  sink?: EventSink;
  now?: () => Date;
  dedupeDays?: number;
  /** route modules to mount (default: ingestion only, so these tests do not depend on other areas) */
  modules?: readonly RouteModule[];
}): Promise<TestServer> {
  const config = loadConfig({});
  const now = options.now ?? (() => new Date());
  const ingest = new IngestService({
    database: options.database,
    now,
    dedupeDays: options.dedupeDays ?? config.OVERTURE_DEDUPE_DAYS,
    sink: options.sink,
  });
  // The process's real services (never started here), with ingestion bound to the test's sink.
  const services = { ...(await createServices(config, options.database, now)), ingest };
  const ctx: AppContext = {
    config,
    database: options.database,
    keys: new KeyResolver(options.database.db),
    services,
    now,
  };
  const app = createApp(ctx, options.modules ?? [ingestRoutes]);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ctx,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface TestWorkspace {
  workspaceId: string;
  writeKey: string;
  adminKey: string;
  viewerKey: string;
}

export async function createTestWorkspace(
  executor: Executor,
  settings: Record<string, unknown> = {},
): Promise<TestWorkspace> {
  const workspaceId = newId("ws");
  await executor.insert(workspaces).values({ id: workspaceId, name: `test ${workspaceId}`, settings });
  const write = await createApiKey(executor, { workspaceId, role: "ingest", name: "test write key" });
  const admin = await createApiKey(executor, { workspaceId, role: "admin", name: "test admin" });
  const viewer = await createApiKey(executor, { workspaceId, role: "viewer", name: "test viewer" });
  return { workspaceId, writeKey: write.key, adminKey: admin.key, viewerKey: viewer.key };
}

/** `Authorization: Basic base64(writeKey:)`, exactly as Segment's libraries send it. */
export function basicAuth(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`;
}
