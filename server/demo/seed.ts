import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import {
  putTemplate,
  upsertCatalogEvent,
  upsertCatalogTrait,
  upsertChannelSetting,
} from "../../db/catalog.ts";
import { newId } from "../../db/ids.ts";
import type { Executor } from "../../db/open.ts";
import { defaultDataDir, rows } from "../../db/open.ts";
import { journeys } from "../../db/schema/journeys.ts";
import { apiKeys, segments, workspaces } from "../../db/schema/workspaces.ts";
import { CHANNELS } from "../../journeys/format/schema.ts";
import type { DraftedBy, LifecycleOptions } from "../../journeys/versions.ts";
import { activateVersion, createJourney } from "../../journeys/versions.ts";
import { currentPolicyConfig, savePolicyConfig } from "../../policies/config-store.ts";
import { createApiKey } from "../auth.ts";
import type { DemoCall } from "./customers.ts";
import { demoCustomers, recentCheckouts } from "./customers.ts";
import catalogJson from "./data/catalog.json" with { type: "json" };
import journeysJson from "./data/journeys.json" with { type: "json" };
import policiesJson from "./data/policies.json" with { type: "json" };
import segmentsJson from "./data/segments.json" with { type: "json" };
import templatesJson from "./data/templates.json" with { type: "json" };

/**
 * The demo workspace "Demo Store", seeded by `npm start` on an empty database (OVERTURE_DEMO=0
 * skips it). Every step is idempotent, so an interrupted seed completes on the next start: the
 * catalog is upserted, customers go through ingestion with fixed messageIds (deduplicated on a
 * re-run), journeys are created once by name, and the keys are created (and printed) only once.
 */

export const DEMO_WORKSPACE_ID = "ws_demo";
export const DEMO_WORKSPACE_NAME = "Demo Store";
const KEY_ROLES = ["admin", "cx_lead", "reviewer", "viewer", "ingest"] as const;
type KeyRole = (typeof KEY_ROLES)[number];

const DemoCatalog = z.object({
  events: z.record(
    z.string(),
    z.object({ description: z.string(), properties: z.record(z.string(), z.string()) }).strict(),
  ),
  traits: z.record(z.string(), z.object({ type: z.string(), description: z.string() }).strict()),
});
const DemoSegments = z.array(
  z.object({ name: z.string(), description: z.string(), condition: z.unknown() }).strict(),
);
const DemoTemplates = z.array(
  z
    .object({
      id: z.string(),
      channel: z.string(),
      name: z.string(),
      subject: z.string().optional(),
      title: z.string().optional(),
      body: z.string(),
      tags: z.array(z.string()),
    })
    .strict(),
);
const DemoJourneys = z.array(
  z.object({ status: z.enum(["active", "draft"]), draftedBy: z.string(), definition: z.unknown() }).strict(),
);

export interface DemoSeedOptions {
  db: Executor;
  /** hands Segment calls to the ingestion pipeline (ctx.services.ingest) */
  ingest: (workspaceId: string, calls: readonly DemoCall[]) => Promise<unknown>;
  now: () => Date;
  /** where the keys are written (mode 0600); default .overture/demo-keys.json */
  keysFile?: string;
  /** how many customers (default 300) */
  customers?: number;
  /** email over SMTP when the process has SMTP_URL, else the sandbox */
  smtp?: boolean;
  lifecycle?: LifecycleOptions;
  /** semantic memory: the demo's templates are embedded for the designer (tools/data/memory.ts) */
  memory?: { syncTemplates(workspaceId: string): Promise<unknown> };
  log?: (line: string) => void;
}

export type DemoOutcome =
  | { status: "skipped"; reason: string }
  | {
      status: "seeded" | "existing";
      workspaceId: string;
      keysFile: string;
      /** the keys in clear text: only when they were created by this call */
      keys: Record<KeyRole, string> | null;
      counts: { customers: number; events: number; journeys: number };
    };

/**
 * Where the demo keys are saved: beside the embedded database's data dir (.overture/demo-keys.json
 * by default, so each data dir has its own), or .overture/demo-keys.json with PostgreSQL.
 */
export function demoKeysFile(options: { postgres?: boolean; dataDir?: string | undefined } = {}): string {
  const dataDir = options.postgres
    ? path.resolve(".overture", "pgdata")
    : (options.dataDir ?? defaultDataDir());
  return path.join(path.dirname(path.resolve(dataDir)), "demo-keys.json");
}

export async function ensureDemoWorkspace(options: DemoSeedOptions): Promise<DemoOutcome> {
  const { db } = options;
  const keysFile = options.keysFile ?? demoKeysFile();
  const [demo] = await db.select().from(workspaces).where(eq(workspaces.id, DEMO_WORKSPACE_ID));
  if (!demo) {
    const [other] = await db.select({ id: workspaces.id }).from(workspaces).limit(1);
    if (other)
      return {
        status: "skipped",
        reason: "the database already has workspaces; the demo seeds only an empty one",
      };
  } else if (typeof demo.settings.demo_seeded_at === "string") {
    return { status: "existing", workspaceId: demo.id, keysFile, keys: null, counts: await countsOf(db) };
  }
  const log = options.log ?? (() => undefined);
  const now = options.now();
  log(`[demo] seeding workspace "${DEMO_WORKSPACE_NAME}"…`);

  await db
    .insert(workspaces)
    .values({
      id: DEMO_WORKSPACE_ID,
      name: DEMO_WORKSPACE_NAME,
      timezone: "Europe/Berlin",
      settings: { demo: true },
    })
    .onConflictDoNothing();
  await seedCatalog(db, options.smtp ?? false);
  await options.memory?.syncTemplates(DEMO_WORKSPACE_ID);
  if ((await currentPolicyConfig(db, DEMO_WORKSPACE_ID)).version === 0) {
    await savePolicyConfig(db, {
      workspaceId: DEMO_WORKSPACE_ID,
      config: policiesJson,
      actor: "demo-seed",
      note: "the demo's starting policies: consent, quiet hours 21:00-08:00 for SMS and push, 3 a day",
      now,
    });
  }
  const keys = await ensureKeys(db, keysFile);

  const customers = demoCustomers({ count: options.customers ?? 300, now });
  const calls = customers.flatMap((customer) => customer.calls);
  calls.sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.messageId.localeCompare(b.messageId));
  for (let offset = 0; offset < calls.length; offset += 500) {
    await options.ingest(DEMO_WORKSPACE_ID, calls.slice(offset, offset + 500));
  }
  log(`[demo] ${customers.length} customers and ${calls.length} events ingested`);

  // Journeys after the history, so the history does not enter them; then a few live checkouts.
  const activated = await seedJourneys(db, options.lifecycle ?? { now: options.now });
  if (activated) await options.ingest(DEMO_WORKSPACE_ID, recentCheckouts(customers, options.now()));

  await db
    .update(workspaces)
    .set({ settings: { demo: true, demo_seeded_at: options.now().toISOString() } })
    .where(eq(workspaces.id, DEMO_WORKSPACE_ID));
  return { status: "seeded", workspaceId: DEMO_WORKSPACE_ID, keysFile, keys, counts: await countsOf(db) };
}

async function seedCatalog(db: Executor, smtp: boolean) {
  const catalog = DemoCatalog.parse(catalogJson);
  for (const [name, event] of Object.entries(catalog.events)) {
    await upsertCatalogEvent(db, DEMO_WORKSPACE_ID, { name, ...event });
  }
  for (const [name, trait] of Object.entries(catalog.traits)) {
    await upsertCatalogTrait(db, DEMO_WORKSPACE_ID, { name, ...trait });
  }
  for (const channel of CHANNELS) {
    // Nothing leaves the machine by default: hand-offs become tasks, everything else the sandbox.
    const adapter = channel === "handoff" ? "handoff" : channel === "email" && smtp ? "smtp" : "sandbox";
    await upsertChannelSetting(db, DEMO_WORKSPACE_ID, { channel, adapter });
  }
  for (const segment of DemoSegments.parse(segmentsJson)) {
    await db
      .insert(segments)
      .values({ id: newId("seg"), workspaceId: DEMO_WORKSPACE_ID, ...segment })
      .onConflictDoNothing();
  }
  for (const template of DemoTemplates.parse(templatesJson)) {
    await putTemplate(db, DEMO_WORKSPACE_ID, template);
  }
}

async function ensureKeys(db: Executor, keysFile: string): Promise<Record<KeyRole, string> | null> {
  const existing = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(eq(apiKeys.workspaceId, DEMO_WORKSPACE_ID))
    .limit(1);
  if (existing.length > 0) return null;
  // One transaction with the file write inside it: either the keys exist and their file was written,
  // or neither (a key nobody ever saw would be useless).
  return db.transaction(async (tx) => {
    const keys = {} as Record<KeyRole, string>;
    for (const role of KEY_ROLES) {
      const name = role === "ingest" ? "demo write key" : `demo ${role}`;
      keys[role] = (await createApiKey(tx, { workspaceId: DEMO_WORKSPACE_ID, role, name })).key;
    }
    await mkdir(path.dirname(keysFile), { recursive: true });
    const content = `${JSON.stringify({ workspace: DEMO_WORKSPACE_NAME, workspaceId: DEMO_WORKSPACE_ID, keys }, null, 2)}\n`;
    await writeFile(keysFile, content, { mode: 0o600 });
    await chmod(keysFile, 0o600); // writeFile keeps the mode of a file that already existed
    return keys;
  });
}

async function seedJourneys(db: Executor, lifecycle: LifecycleOptions): Promise<boolean> {
  let activated = false;
  for (const entry of DemoJourneys.parse(journeysJson)) {
    const name = (entry.definition as { name?: string }).name ?? "";
    const [existing] = await db
      .select({ id: journeys.id })
      .from(journeys)
      .where(and(eq(journeys.workspaceId, DEMO_WORKSPACE_ID), eq(journeys.name, name)));
    if (existing) continue;
    const created = await createJourney(db, {
      workspaceId: DEMO_WORKSPACE_ID,
      definition: entry.definition,
      author: "demo-seed",
      draftedBy: entry.draftedBy as DraftedBy,
    });
    if (entry.status === "active") {
      await activateVersion(
        db,
        { workspaceId: DEMO_WORKSPACE_ID, journeyId: created.journey.id, version: 1, actor: "demo-seed" },
        lifecycle,
      );
      activated = true;
    }
  }
  return activated;
}

async function countsOf(db: Executor) {
  const [counts] = await rows<{ customers: number; events: number; journeys: number }>(
    db,
    sql`select (select count(*) from profiles where workspace_id = ${DEMO_WORKSPACE_ID} and merged_into is null and user_id is not null)::int8 as customers,
               (select count(*) from events where workspace_id = ${DEMO_WORKSPACE_ID})::int8 as events,
               (select count(*) from journeys where workspace_id = ${DEMO_WORKSPACE_ID})::int8 as journeys`,
  );
  return {
    customers: Number(counts?.customers ?? 0),
    events: Number(counts?.events ?? 0),
    journeys: Number(counts?.journeys ?? 0),
  };
}
