import type { Hono } from "hono";
import { createWorkspaceWithCatalog } from "../../db/catalog-testing.ts";
import type { Database } from "../../db/open.ts";
import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { RouteModule } from "../app.ts";
import { createApp } from "../app.ts";
import type { ManagementRole } from "../auth.ts";
import { createApiKey, KeyResolver } from "../auth.ts";
import { loadConfig } from "../config.ts";
import type { AppContext } from "../context.ts";
import { createServices } from "../services.ts";

/**
 * Test support for the management API: the real app (real services, real auth) over a test
 * database, called in-process through `app.fetch`, with a workspace and a key for every role.
 */
export interface ApiHarness {
  app: Hono;
  ctx: AppContext;
  workspace(catalog: WorkspaceCatalog): Promise<TestKeys>;
}

export interface TestKeys {
  workspaceId: string;
  keys: Record<ManagementRole, string> & { ingest: string };
  keyIds: Record<ManagementRole, string>;
  call(
    role: ManagementRole | "none" | "ingest",
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiResponse>;
}

export interface ApiResponse {
  status: number;
  /** the parsed JSON body ({} when the body is not JSON; see `text`) */
  body: Record<string, unknown>;
  text: string;
  contentType: string | null;
}

export async function createApiHarness(
  database: Database,
  modules: readonly RouteModule[],
  now: () => Date = () => new Date(),
): Promise<ApiHarness> {
  const config = loadConfig({});
  const services = await createServices(config, database, now);
  const ctx: AppContext = { config, database, keys: new KeyResolver(database.db, 0), services, now };
  const app = createApp(ctx, modules);
  return {
    app,
    ctx,
    async workspace(catalog) {
      const workspaceId = await createWorkspaceWithCatalog(database.db, catalog);
      const keys = {} as TestKeys["keys"];
      const keyIds = {} as TestKeys["keyIds"];
      for (const role of ["admin", "cx_lead", "reviewer", "viewer"] as const) {
        const created = await createApiKey(database.db, { workspaceId, role, name: `test ${role}` });
        keys[role] = created.key;
        keyIds[role] = created.id;
      }
      keys.ingest = (
        await createApiKey(database.db, { workspaceId, role: "ingest", name: "test write" })
      ).key;
      return {
        workspaceId,
        keys,
        keyIds,
        async call(role, method, path, body) {
          const headers: Record<string, string> = {};
          if (role !== "none") headers.authorization = `Bearer ${keys[role]}`;
          let payload: string | undefined;
          if (body !== undefined) {
            headers["content-type"] = "application/json";
            payload = typeof body === "string" ? body : JSON.stringify(body);
          }
          const response = await app.fetch(
            new Request(`http://test${path}`, {
              method,
              headers,
              ...(payload !== undefined ? { body: payload } : {}),
            }),
          );
          const contentType = response.headers.get("content-type");
          const text = await response.text();
          const parsed: unknown = contentType?.includes("json") && text ? JSON.parse(text) : {};
          return {
            status: response.status,
            body: parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {},
            text,
            contentType,
          };
        },
      };
    },
  };
}
