import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { storeCatalog } from "../../journeys/format/test-fixtures.ts";
import { createConsoleRoutes, isReservedPath } from "./console.ts";
import { healthRoutes } from "./health.ts";
import { journeyRoutes } from "./journeys.ts";
import type { ApiHarness, TestKeys } from "./test-harness.ts";
import { createApiHarness } from "./test-harness.ts";

const INDEX =
  '<!doctype html><html><body><div id="root"></div><script src="/assets/app-1a2b.js"></script></body></html>';

let database: Database;
let dist: string;
let harness: ApiHarness;
let unbuilt: ApiHarness;
let keys: TestKeys;

beforeAll(async () => {
  database = await openTestDb();
  dist = await mkdtemp(path.join(tmpdir(), "overture-console-"));
  await mkdir(path.join(dist, "assets"));
  await writeFile(path.join(dist, "index.html"), INDEX);
  await writeFile(path.join(dist, "assets", "app-1a2b.js"), "console.log('app')");
  await writeFile(path.join(dist, ".build-hash"), "secret-looking-stamp\n");
  await writeFile(path.join(path.dirname(dist), "outside.txt"), "outside the build");
  // the console last, as in server/modules.ts
  harness = await createApiHarness(database, [
    healthRoutes,
    journeyRoutes,
    createConsoleRoutes({ distDir: dist }),
  ]);
  unbuilt = await createApiHarness(database, [
    createConsoleRoutes({ distDir: path.join(dist, "does-not-exist") }),
  ]);
  keys = await harness.workspace(storeCatalog);
});

afterAll(async () => {
  await database?.close();
  await rm(dist, { recursive: true, force: true });
  await rm(path.join(path.dirname(dist), "outside.txt"), { force: true });
});

const get = (app: ApiHarness, url: string, headers: Record<string, string> = {}) =>
  app.app.fetch(new Request(`http://test${url}`, { headers }));

describe("the console route", () => {
  it("serves the app's index.html at / with a content security policy", async () => {
    const response = await get(harness, "/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toBe(INDEX);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(response.headers.get("cache-control")).toBe("no-cache");
  });

  it("answers client-side routes with index.html so reloads and shared links work", async () => {
    for (const route of ["/journeys/jrn_123", "/customers/demo-0001", "/approvals"]) {
      const response = await get(harness, route);
      expect(response.status, route).toBe(200);
      expect(await response.text(), route).toBe(INDEX);
    }
  });

  it("serves hashed assets with their type and a long immutable cache", async () => {
    const response = await get(harness, "/assets/app-1a2b.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toContain("immutable");
    expect(await response.text()).toBe("console.log('app')");
  });

  it("leaves the API its precedence: API paths get the API's JSON, never the console's HTML", async () => {
    const listed = await keys.call("viewer", "GET", "/api/journeys");
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveProperty("journeys");

    const unknown = await get(harness, "/api/no-such-route", { authorization: `Bearer ${keys.keys.viewer}` });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/json");

    const health = await get(harness, "/health");
    expect(await health.json()).toMatchObject({ ok: true });

    const v1 = await get(harness, "/v1/track");
    expect(v1.headers.get("content-type")).toContain("application/json");
  });

  it("answers a missing file with a 404, not the app", async () => {
    const response = await get(harness, "/assets/missing-9f9f.js");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/json");
  });

  it("never serves files outside the build or its dotfiles", async () => {
    for (const url of ["/..%2Foutside.txt", "/assets/..%2F..%2Foutside.txt", "/%2e%2e/outside.txt"]) {
      const response = await get(harness, url);
      expect(await response.text(), url).not.toContain("outside the build");
    }
    const stamp = await get(harness, "/.build-hash");
    expect(await stamp.text()).not.toContain("secret-looking-stamp");
  });

  it("says how to build the console when web/dist is missing", async () => {
    const response = await get(unbuilt, "/");
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("web/build-if-stale.mjs");
  });

  it("reserves exactly the API prefixes", () => {
    expect(isReservedPath("/api")).toBe(true);
    expect(isReservedPath("/api/journeys")).toBe(true);
    expect(isReservedPath("/openapi.json")).toBe(true);
    expect(isReservedPath("/docs/assets/x.css")).toBe(true);
    expect(isReservedPath("/apiary")).toBe(false);
    expect(isReservedPath("/journeys")).toBe(false);
  });
});
