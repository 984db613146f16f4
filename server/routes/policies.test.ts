import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { checkoutJourney, storeCatalog } from "../../journeys/format/test-fixtures.ts";
import { auditRoutes } from "./audit.ts";
import { policyRoutes } from "./policies.ts";
import type { ApiHarness } from "./test-harness.ts";
import { createApiHarness } from "./test-harness.ts";

let database: Database;
let harness: ApiHarness;

beforeAll(async () => {
  database = await openTestDb();
  harness = await createApiHarness(database, [policyRoutes, auditRoutes]);
});
afterAll(async () => {
  await database?.close();
});

describe("policy config API", () => {
  it("a workspace without a saved config reports the safe baseline as version 0 and offers the starter", async () => {
    const ws = await harness.workspace(storeCatalog);
    const current = await ws.call("viewer", "GET", "/api/policies");
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({
      version: 0,
      history: [],
      config: { consent_required: ["email", "sms", "push"] },
      starter: { approvals: { ai_generated: true } },
    });
  });

  it("PUT stores the next version (defaults filled in), keeps the history and audits the change", async () => {
    const ws = await harness.workspace(storeCatalog);
    const first = await ws.call("admin", "PUT", "/api/policies", {
      config: { frequency_cap: { per_local_day: 2 } },
      note: "two a day",
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      version: 1,
      config: { frequency_cap: { per_local_day: 2, action: "deny" } },
    });
    const second = await ws.call("admin", "PUT", "/api/policies", {
      config: { frequency_cap: { per_local_day: 3 } },
    });
    expect(second.body.version).toBe(2);
    const current = await ws.call("reviewer", "GET", "/api/policies");
    expect(current.body).toMatchObject({
      version: 2,
      config: { frequency_cap: { per_local_day: 3 } },
      createdByName: "test admin",
    });
    // who changed it, by name (a reviewer may not list keys), and why
    expect(current.body.history).toEqual([
      expect.objectContaining({
        version: 2,
        createdBy: ws.keyIds.admin,
        createdByName: "test admin",
        note: null,
      }),
      expect.objectContaining({ version: 1, createdByName: "test admin", note: "two a day" }),
    ]);
    expect((current.body.history as Array<{ version: number }>).map((entry) => entry.version)).toEqual([
      2, 1,
    ]);
    const old = await ws.call("viewer", "GET", "/api/policies/versions/1");
    expect(old.body).toMatchObject({ version: 1, config: { frequency_cap: { per_local_day: 2 } } });
    expect((await ws.call("viewer", "GET", "/api/policies/versions/9")).status).toBe(404);
    const audit = await ws.call("viewer", "GET", "/api/audit?kind=policy_config.saved");
    const entries = audit.body.entries as Array<{
      subject: string;
      actor: string;
      data: Record<string, unknown>;
    }>;
    expect(entries.map((entry) => entry.subject)).toEqual(["policy_config:2", "policy_config:1"]);
    expect(entries[1]).toMatchObject({
      actor: ws.keyIds.admin,
      data: { version: 1, previousVersion: 0, note: "two a day" },
    });
  });

  it("GET answers the newest historyLimit versions of the history (default 100), not every save ever made", async () => {
    const ws = await harness.workspace(storeCatalog);
    for (const perDay of [1, 2, 3]) {
      const saved = await ws.call("admin", "PUT", "/api/policies", {
        config: { frequency_cap: { per_local_day: perDay } },
      });
      expect(saved.status).toBe(200);
    }
    const page = await ws.call("viewer", "GET", "/api/policies?historyLimit=2");
    expect(page.status).toBe(200);
    expect(page.body.version).toBe(3);
    expect((page.body.history as Array<{ version: number }>).map((entry) => entry.version)).toEqual([3, 2]);
    const all = await ws.call("viewer", "GET", "/api/policies");
    expect((all.body.history as unknown[]).length).toBe(3);
    const bad = await ws.call("viewer", "GET", "/api/policies?historyLimit=0");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ field: "historyLimit" });
  });

  it("an invalid config is 400 naming the field, listing every issue, and stores nothing", async () => {
    const ws = await harness.workspace(storeCatalog);
    const bad = await ws.call("admin", "PUT", "/api/policies", {
      config: { quiet_hours: { start: "25:00" }, frequency_cap: { per_local_day: 0 }, colour: "red" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "invalid_policy_config" });
    const error = bad.body.error as { field: string; issues: Array<{ path: string }> };
    expect(error.field).toMatch(/^config\./);
    expect(error.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([
        "$.config.quiet_hours.start",
        "$.config.frequency_cap.per_local_day",
        "$.config",
      ]),
    );
    expect((await ws.call("viewer", "GET", "/api/policies")).body.version).toBe(0);
    expect((await ws.call("admin", "PUT", "/api/policies", { settings: {} })).status).toBe(400);
  });

  it("only admins change policies", async () => {
    const ws = await harness.workspace(storeCatalog);
    for (const role of ["cx_lead", "reviewer", "viewer"] as const) {
      expect((await ws.call(role, "PUT", "/api/policies", { config: {} })).status).toBe(403);
    }
  });

  it("a saved config takes effect in the running process at once", async () => {
    const ws = await harness.workspace(storeCatalog);
    const before = await harness.ctx.services.policies.config(database.db, ws.workspaceId);
    expect(before.offer_ceilings.max_percent).toBeUndefined();
    await ws.call("admin", "PUT", "/api/policies", { config: { offer_ceilings: { max_percent: 15 } } });
    const after = await harness.ctx.services.policies.config(database.db, ws.workspaceId);
    expect(after.offer_ceilings.max_percent).toBe(15);
  });

  it("lint returns policy warnings with JSON paths for a valid journey, validation issues otherwise", async () => {
    const ws = await harness.workspace(storeCatalog);
    await ws.call("admin", "PUT", "/api/policies", { config: { offer_ceilings: { max_percent: 5 } } });
    const linted = await ws.call("cx_lead", "POST", "/api/policies/lint", { definition: checkoutJourney() });
    expect(linted.status).toBe(200);
    expect(linted.body).toMatchObject({ valid: true, policyVersion: 1 });
    const warnings = linted.body.warnings as Array<{ path: string; code: string }>;
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "offer_above_ceiling", path: "$.nodes[3].offer.value" }),
      ]),
    );
    const broken = await ws.call("viewer", "POST", "/api/policies/lint", {
      definition: { ...checkoutJourney(), start: "nowhere" },
    });
    expect(broken.body).toMatchObject({ valid: false, warnings: [] });
    expect((broken.body.issues as unknown[]).length).toBeGreaterThan(0);
    expect((await ws.call("viewer", "POST", "/api/policies/lint", {})).status).toBe(400);
  });
});
