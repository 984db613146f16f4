import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { storeCatalog } from "../../journeys/format/test-fixtures.ts";
import { createApp } from "../app.ts";
import { hashKey, KeyResolver } from "../auth.ts";
import { auditRoutes } from "./audit.ts";
import { keyRoutes } from "./keys.ts";
import { policyRoutes } from "./policies.ts";
import type { ApiHarness } from "./test-harness.ts";
import { createApiHarness } from "./test-harness.ts";

let database: Database;
let harness: ApiHarness;

beforeAll(async () => {
  database = await openTestDb();
  harness = await createApiHarness(database, [keyRoutes, policyRoutes, auditRoutes]);
});
afterAll(async () => {
  await database?.close();
});

describe("bodies PostgreSQL cannot store", () => {
  it("refuses a NUL in a key name, a policy config or a lint request with a 400 naming the field, not a 500", async () => {
    const ws = await harness.workspace(storeCatalog);
    const key = await ws.call("admin", "POST", "/api/keys", { name: "bad\u0000name", role: "viewer" });
    expect(key.status).toBe(400);
    expect(key.body).toEqual({ error: expect.objectContaining({ code: "invalid_request", field: "name" }) });
    const policy = await ws.call("admin", "PUT", "/api/policies", {
      config: { quiet_hours: { start: "21:00", end: "08:00" } },
      note: "night\u0000",
    });
    expect(policy.status).toBe(400);
    expect(policy.body).toEqual({
      error: expect.objectContaining({ code: "invalid_request", field: "note" }),
    });
    const lint = await ws.call("cx_lead", "POST", "/api/policies/lint", { definition: { name: "\u0000" } });
    expect(lint.status).toBe(400);
    expect(lint.body).toEqual({
      error: expect.objectContaining({ code: "invalid_request", field: "definition.name" }),
    });
  });
});

describe("API key management", () => {
  it("creates a key whose secret is shown once, stored only as its hash, and works at once", async () => {
    const ws = await harness.workspace(storeCatalog);
    const created = await ws.call("admin", "POST", "/api/keys", {
      name: "console reviewer",
      role: "reviewer",
    });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    const key = created.body.key as { id: string; prefix: string; role: string };
    expect(key).toMatchObject({ role: "reviewer", prefix: secret.slice(0, 10), revokedAt: null });
    const [stored] = await rows<{ key_hash: string }>(
      database.db,
      sql`select key_hash from api_keys where id = ${key.id}`,
    );
    expect(stored!.key_hash).toBe(hashKey(secret));
    expect(
      JSON.stringify(await rows(database.db, sql`select * from api_keys where id = ${key.id}`)),
    ).not.toContain(secret);
    const listed = await ws.call("admin", "GET", "/api/keys");
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect((listed.body.keys as Array<{ id: string }>).map((entry) => entry.id)).toContain(key.id);
    const response = await harness.app.fetch(
      new Request("http://test/api/policies", { headers: { authorization: `Bearer ${secret}` } }),
    );
    expect(response.status).toBe(200);
    const bad = await ws.call("admin", "POST", "/api/keys", { name: "x", role: "owner" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ field: "role" });
  });

  it("a revoked key stops working at once, even where the resolver caches keys", async () => {
    const ws = await harness.workspace(storeCatalog);
    // a resolver with the production TTL (30 s): revocation must not wait for it in this process
    const app = createApp({ ...harness.ctx, keys: new KeyResolver(database.db) }, [keyRoutes, policyRoutes]);
    const call = (key: string, method: string, path: string) =>
      app.fetch(new Request(`http://test${path}`, { method, headers: { authorization: `Bearer ${key}` } }));
    const created = await ws.call("admin", "POST", "/api/keys", { name: "temp", role: "viewer" });
    const secret = created.body.secret as string;
    const id = (created.body.key as { id: string }).id;
    expect((await call(secret, "GET", "/api/policies")).status).toBe(200); // now cached
    expect((await call(ws.keys.admin, "DELETE", `/api/keys/${id}`)).status).toBe(200);
    expect((await call(secret, "GET", "/api/policies")).status).toBe(401);
    expect((await ws.call("admin", "DELETE", `/api/keys/${id}`)).status).toBe(409);
    const listed = await ws.call("admin", "GET", "/api/keys");
    expect((listed.body.keys as Array<{ id: string }>).map((entry) => entry.id)).not.toContain(id);
    const all = await ws.call("admin", "GET", "/api/keys?revoked=true");
    expect(
      (all.body.keys as Array<{ id: string; revokedAt: string | null }>).find((entry) => entry.id === id)
        ?.revokedAt,
    ).not.toBeNull();
  });

  it("refuses to revoke the workspace's last admin key", async () => {
    const ws = await harness.workspace(storeCatalog);
    const last = await ws.call("admin", "DELETE", `/api/keys/${ws.keyIds.admin}`);
    expect(last.status).toBe(409);
    const second = await ws.call("admin", "POST", "/api/keys", { name: "second admin", role: "admin" });
    expect((await ws.call("admin", "DELETE", `/api/keys/${ws.keyIds.admin}`)).status).toBe(200);
    const survivor = second.body.secret as string;
    const response = await harness.app.fetch(
      new Request("http://test/api/keys", { headers: { authorization: `Bearer ${survivor}` } }),
    );
    expect(response.status).toBe(200);
  });

  it("keys are an admin matter, scoped to the workspace, and every change is audited", async () => {
    const ws = await harness.workspace(storeCatalog);
    const other = await harness.workspace(storeCatalog);
    for (const role of ["cx_lead", "reviewer", "viewer"] as const) {
      expect((await ws.call(role, "GET", "/api/keys")).status).toBe(403);
      expect((await ws.call(role, "POST", "/api/keys", { name: "x", role: "admin" })).status).toBe(403);
    }
    expect((await other.call("admin", "DELETE", `/api/keys/${ws.keyIds.viewer}`)).status).toBe(404);
    await ws.call("admin", "DELETE", `/api/keys/${ws.keyIds.viewer}`);
    const audit = await ws.call("viewer", "GET", "/api/audit?subject=api_key:");
    expect(audit.status).toBe(401); // the viewer key was just revoked
    const entries = (await ws.call("reviewer", "GET", "/api/audit?subject=api_key:")).body.entries as Array<{
      kind: string;
      actor: string;
    }>;
    expect(entries).toEqual([expect.objectContaining({ kind: "api_key.revoked", actor: ws.keyIds.admin })]);
  });
});
