import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/open.ts";
import { openTestDb } from "../db/testing.ts";
import { storeCatalog } from "../journeys/format/test-fixtures.ts";
import type { ManagementRole } from "./auth.ts";
import { MANAGEMENT_ROLES } from "./auth.ts";
import { routeModules } from "./modules.ts";
import type { ApiHarness, TestKeys } from "./routes/test-harness.ts";
import { createApiHarness } from "./routes/test-harness.ts";

/**
 * The role × route matrix (issue 3): every operation of /openapi.json, called with a key of every
 * role, with no key and with an ingestion write key. A role the route declares (`x-roles`) is never
 * refused with 401/403; any other role always gets 403; no key and the write key always get 401.
 * Every route mounted under /api must be in the document, so none escapes the matrix.
 */

let database: Database;
let harness: ApiHarness;
let ws: TestKeys;

interface Operation {
  method: string;
  path: string;
  roles: string[];
}

let operations: Operation[] = [];

beforeAll(async () => {
  database = await openTestDb();
  harness = await createApiHarness(database, routeModules);
  ws = await harness.workspace(storeCatalog);
  const response = await harness.app.fetch(new Request("http://test/openapi.json"));
  const document = (await response.json()) as {
    paths: Record<string, Record<string, { "x-roles"?: string[] }>>;
  };
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      roles: operation["x-roles"] ?? [],
    })),
  );
});
afterAll(async () => {
  await harness?.ctx.services.stop();
  await database?.close();
});

/** A concrete URL for a documented path: ids that exist nowhere, numbers where numbers are expected. */
function concrete(path: string): string {
  return `/api${path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    ["version", "a", "b"].includes(name) ? "1" : name === "id" ? "1" : `no-such-${name}`,
  )}`;
}

describe("the role × route matrix", () => {
  it("documents every management route with its roles, admin always among them", () => {
    expect(operations.length).toBeGreaterThan(40);
    for (const operation of operations) {
      expect(operation.roles.length, `${operation.method} ${operation.path}`).toBeGreaterThan(0);
      expect(operation.roles[0], `${operation.method} ${operation.path}`).toBe("admin");
      for (const role of operation.roles) expect(MANAGEMENT_ROLES).toContain(role);
    }
    // routes registered on the API app without defineRoute would escape the matrix
    const documented = new Set(operations.map((operation) => `${operation.method} ${operation.path}`));
    const mounted = harness.app.routes
      .filter((route) => route.path.startsWith("/api/") && route.method !== "ALL")
      .map((route) => `${route.method} ${route.path.slice(4).replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`);
    expect(mounted.length).toBeGreaterThan(0);
    for (const route of new Set(mounted)) expect(documented, route).toContain(route);
  });

  it("allows the declared roles, refuses the others with 403, and answers 401 without a management key", async () => {
    const failures: string[] = [];
    for (const operation of operations) {
      const url = concrete(operation.path);
      const body = operation.method === "GET" || operation.method === "DELETE" ? undefined : {};
      for (const role of [...MANAGEMENT_ROLES, "none", "ingest"] as const) {
        const response = await ws.call(
          role as ManagementRole | "none" | "ingest",
          operation.method,
          url,
          body,
        );
        const label = `${role.padEnd(8)} ${operation.method} ${operation.path} → ${response.status}`;
        if (role === "none" || role === "ingest") {
          if (response.status !== 401) failures.push(`${label} (expected 401)`);
        } else if (operation.roles.includes(role)) {
          if (response.status === 401 || response.status === 403) failures.push(`${label} (role is allowed)`);
          if (response.status >= 500)
            failures.push(`${label} (server error: ${response.text.slice(0, 200)})`);
        } else if (response.status !== 403) {
          failures.push(`${label} (expected 403)`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
