import { readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadWorkspaceCatalog } from "../../db/catalog.ts";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { workspaces } from "../../db/schema/workspaces.ts";
import { openTestDb } from "../../db/testing.ts";
import { sharedPathForTest } from "../../evals/shared-data.ts";
import { validateJourney } from "../../journeys/format/validate.ts";
import { listJourneys, listVersions } from "../../journeys/versions.ts";
import { KeyResolver } from "../auth.ts";
import { loadConfig } from "../config.ts";
import type { Services } from "../services.ts";
import { createServices } from "../services.ts";
import { demoAnnouncement } from "./announce.ts";
import { demoCustomers } from "./customers.ts";
import type { DemoSeedOptions } from "./seed.ts";
import { DEMO_WORKSPACE_ID, ensureDemoWorkspace } from "./seed.ts";

let database: Database;
let directory: string;
let keysFile: string;
const NOW = new Date("2026-03-02T09:00:00Z");
const now = () => NOW;

let services: Services;

/** As server/main.ts wires it: the real services, so ingestion feeds the journey runtime. */
function seedOptions(): DemoSeedOptions {
  return {
    db: database.db,
    ingest: (workspaceId, calls) => services.ingest.ingest(workspaceId, calls, { mode: "batch" }),
    now,
    keysFile,
    lifecycle: { now, onStatusChange: services.journeyLifecycle?.onStatusChange ?? [] },
  };
}

const KeysFile = z.object({
  workspace: z.literal("Demo Store"),
  workspaceId: z.string(),
  keys: z.object({
    admin: z.string(),
    cx_lead: z.string(),
    reviewer: z.string(),
    viewer: z.string(),
    ingest: z.string(),
  }),
});

beforeAll(async () => {
  database = await openTestDb();
  services = await createServices(loadConfig({}), database, now);
  directory = await mkdtemp(path.join(tmpdir(), "overture-demo-"));
  keysFile = path.join(directory, "demo-keys.json");
});
afterAll(async () => {
  await database?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe("demo customers", () => {
  it("are deterministic for a seed and a clock", () => {
    const first = demoCustomers({ count: 20, now: NOW });
    const second = demoCustomers({ count: 20, now: NOW });
    expect(second).toEqual(first);
    expect(new Set(first.map((customer) => customer.userId)).size).toBe(20);
  });

  it("span continents, consent mixes, tiers and plans, with no event in the future", () => {
    const customers = demoCustomers({ count: 300, now: NOW });
    const zones = new Set(customers.map((customer) => customer.timezone?.split("/")[0] ?? "unknown"));
    for (const continent of ["Europe", "America", "Asia", "Africa", "Australia", "Pacific"]) {
      expect(zones, continent).toContain(continent);
    }
    expect(zones).toContain("unknown");
    expect(customers.some((customer) => customer.tier === "vip")).toBe(true);
    expect(new Set(customers.map((customer) => customer.plan))).toEqual(
      new Set(["free", "pro", "enterprise"]),
    );
    const smsConsent = customers.filter((customer) => customer.consent.sms).length;
    expect(smsConsent).toBeGreaterThan(100);
    expect(smsConsent).toBeLessThan(250);
    const calls = customers.flatMap((customer) => customer.calls);
    expect(calls.every((call) => Date.parse(call.timestamp) < NOW.getTime())).toBe(true);
    expect(new Set(calls.map((call) => call.messageId)).size).toBe(calls.length);
  });
});

describe("ensureDemoWorkspace", () => {
  it("skips a database that already has other workspaces", async () => {
    const other = await openTestDb();
    try {
      await other.db.insert(workspaces).values({ id: "ws_mine", name: "Mine" });
      const outcome = await ensureDemoWorkspace({ ...seedOptions(), db: other.db });
      expect(outcome.status).toBe("skipped");
      expect(demoAnnouncement(outcome, "http://localhost:3000")).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it("seeds an empty database: catalog, policies, customers through ingestion, journeys and keys", async () => {
    const outcome = await ensureDemoWorkspace(seedOptions());
    if (outcome.status !== "seeded") throw new Error(`expected a seed, got ${outcome.status}`);
    expect(outcome.counts.customers).toBe(300);
    expect(outcome.counts.events).toBeGreaterThan(3_000);
    expect(outcome.counts.journeys).toBe(2);

    // keys: printed once, saved with mode 0600, and each one works with its role
    expect(statSync(keysFile).mode & 0o777).toBe(0o600);
    const saved = KeysFile.parse(JSON.parse(readFileSync(keysFile, "utf8")));
    expect(saved.keys).toEqual(outcome.keys);
    const resolver = new KeyResolver(database.db);
    for (const [role, key] of Object.entries(saved.keys)) {
      expect((await resolver.resolve(key))?.role, role).toBe(role);
    }
    const announcement = demoAnnouncement(outcome, "http://localhost:3000").join("\n");
    expect(announcement).toContain(saved.keys.admin);
    expect(announcement).toContain("http://localhost:3000/docs");
    expect(announcement).toContain(`curl -u '${saved.keys.ingest}:' http://localhost:3000/v1/track`);
    expect(announcement).toContain(
      `new Analytics({ writeKey: "${saved.keys.ingest}", host: "http://localhost:3000" })`,
    );

    // profiles are consistent with what ingestion made of the calls
    const [profileStats] = await rows<{ with_zone: number; anonymous_merged: number; consented_sms: number }>(
      database.db,
      sql`select count(*) filter (where traits ? 'timezone')::int8 as with_zone,
                 (select count(*) from profile_identities where workspace_id = ${DEMO_WORKSPACE_ID} and kind = 'anonymous_id')::int8 as anonymous_merged,
                 count(*) filter (where (consent->>'sms')::boolean)::int8 as consented_sms
            from profiles where workspace_id = ${DEMO_WORKSPACE_ID} and merged_into is null and user_id is not null`,
    );
    expect(Number(profileStats?.with_zone)).toBeGreaterThan(270);
    expect(Number(profileStats?.anonymous_merged)).toBeGreaterThan(50);
    expect(Number(profileStats?.consented_sms)).toBeGreaterThan(100);

    // the runtime saw the ingestion: segment memberships, and live checkouts in the active journey
    const members = await rows<{ name: string; members: number }>(
      database.db,
      sql`select s.name, count(m.profile_id)::int8 as members from segments s
            left join segment_memberships m on m.segment_id = s.id
           where s.workspace_id = ${DEMO_WORKSPACE_ID} group by s.name`,
    );
    for (const segment of members) expect(Number(segment.members), segment.name).toBeGreaterThan(0);
    const [inFlight] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int8 as n from journey_instances where workspace_id = ${DEMO_WORKSPACE_ID} and status = 'running'`,
    );
    expect(Number(inFlight?.n)).toBe(12);

    // starting policies are policy config version 1
    const [policy] = await rows<{ version: number; config: Record<string, unknown> }>(
      database.db,
      sql`select version, config from policy_configs where workspace_id = ${DEMO_WORKSPACE_ID}`,
    );
    expect(policy?.version).toBe(1);
    expect(policy?.config).toMatchObject({ consent_required: ["email", "sms", "push"] });

    // one active and one draft journey, both valid against the seeded catalog
    const catalog = await loadWorkspaceCatalog(database.db, DEMO_WORKSPACE_ID);
    expect(catalog.channels).toEqual(["chat", "email", "handoff", "in_app", "push", "sms", "webhook"]);
    const summaries = await listJourneys(database.db, DEMO_WORKSPACE_ID);
    expect(summaries.map((journey) => [journey.name, journey.latestStatus]).sort()).toEqual([
      ["Checkout abandonment", "active"],
      ["Win back customers at risk", "draft"],
    ]);
    for (const journey of summaries) {
      const [version] = await listVersions(database.db, DEMO_WORKSPACE_ID, journey.id);
      const result = validateJourney(version!.definition, catalog);
      expect(
        result.issues.filter((issue) => issue.severity === "error"),
        journey.name,
      ).toEqual([]);
    }
  });

  it("covers every event, property and trait of the eval catalog", async (context) => {
    const evalCatalogPath = sharedPathForTest("evals", "catalog.json");
    if (!evalCatalogPath) {
      context.skip();
      return;
    }
    const evalCatalog = z
      .object({
        events: z.record(
          z.string(),
          z.object({ properties: z.record(z.string(), z.string()) }).passthrough(),
        ),
        traits: z.record(z.string(), z.string()),
        channels: z.array(z.string()),
      })
      .passthrough()
      .parse(JSON.parse(readFileSync(evalCatalogPath, "utf8")));
    const catalog = await loadWorkspaceCatalog(database.db, DEMO_WORKSPACE_ID);
    for (const [name, event] of Object.entries(evalCatalog.events)) {
      expect(catalog.events[name], name).toBeDefined();
      for (const property of Object.keys(event.properties)) {
        expect(catalog.events[name]?.properties, `${name}.${property}`).toHaveProperty(property);
      }
    }
    for (const trait of Object.keys(evalCatalog.traits)) expect(catalog.traits, trait).toHaveProperty(trait);
    for (const channel of evalCatalog.channels) expect(catalog.channels).toContain(channel);
  });

  it("a later start changes nothing and prints where the keys are, not the keys", async () => {
    const before = await rows<{ keys: number; events: number; journeys: number }>(
      database.db,
      sql`select (select count(*) from api_keys)::int8 as keys, (select count(*) from events)::int8 as events,
                 (select count(*) from journey_versions)::int8 as journeys`,
    );
    const outcome = await ensureDemoWorkspace(seedOptions());
    expect(outcome).toMatchObject({ status: "existing", keys: null });
    const after = await rows<{ keys: number; events: number; journeys: number }>(
      database.db,
      sql`select (select count(*) from api_keys)::int8 as keys, (select count(*) from events)::int8 as events,
                 (select count(*) from journey_versions)::int8 as journeys`,
    );
    expect(after).toEqual(before);
    const announcement = demoAnnouncement(outcome, "http://localhost:3000").join("\n");
    expect(announcement).toContain(keysFile);
    const saved = KeysFile.parse(JSON.parse(readFileSync(keysFile, "utf8")));
    expect(announcement).not.toContain(saved.keys.admin);
  });

  it("an interrupted seed completes on the next start without duplicating anything", async () => {
    const [events] = await rows<{ n: number }>(database.db, sql`select count(*)::int8 as n from events`);
    await database.db
      .update(workspaces)
      .set({ settings: { demo: true } })
      .where(eq(workspaces.id, DEMO_WORKSPACE_ID));
    const outcome = await ensureDemoWorkspace(seedOptions());
    expect(outcome).toMatchObject({ status: "seeded", keys: null });
    const [again] = await rows<{ n: number }>(database.db, sql`select count(*)::int8 as n from events`);
    expect(again?.n).toBe(events?.n);
    expect((await listJourneys(database.db, DEMO_WORKSPACE_ID)).length).toBe(2);
  });
});
