import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { loadConfig } from "../config.ts";
import type { Services } from "../services.ts";
import { createServices } from "../services.ts";
import templatesJson from "./data/templates.json" with { type: "json" };
import { DEMO_WORKSPACE_ID, ensureDemoWorkspace } from "./seed.ts";

/** The demo workspace's templates are in semantic memory from the first start, for the designer. */

const NOW = new Date("2026-03-02T09:00:00Z");
let database: Database;
let services: Services;
let directory: string;

beforeAll(async () => {
  database = await openTestDb();
  services = await createServices(loadConfig({}), database, () => NOW);
  directory = await mkdtemp(path.join(tmpdir(), "overture-demo-memory-"));
});
afterAll(async () => {
  await services?.stop();
  await database?.close();
  await rm(directory, { recursive: true, force: true });
});

describe("the demo seed and semantic memory", () => {
  it("embeds every demo template, so the designer finds a fitting one by its words", async () => {
    await ensureDemoWorkspace({
      db: database.db,
      ingest: (workspaceId, calls) => services.ingest.ingest(workspaceId, calls, { mode: "batch" }),
      now: () => NOW,
      keysFile: path.join(directory, "demo-keys.json"),
      customers: 5,
      lifecycle: { now: () => NOW, onStatusChange: services.journeyLifecycle?.onStatusChange ?? [] },
      memory: services.memory,
    });
    expect(services.memory.available).toBe(true);
    const search = await services.memory.search(DEMO_WORKSPACE_ID, "cart reminder by SMS", {
      kinds: ["template"],
      limit: templatesJson.length,
    });
    expect(search.available && search.hits.map((hit) => hit.refId).sort()).toEqual(
      templatesJson.map((template) => template.id).sort(),
    );
    expect(search.available && search.hits[0]!.refId).toBe("cart-reminder-sms");
  });
});
