import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/open.ts";
import { openTestDb } from "../db/testing.ts";
import { storeCatalog } from "../journeys/format/test-fixtures.ts";
import { routeModules } from "./modules.ts";
import type { ApiHarness, TestKeys } from "./routes/test-harness.ts";
import { createApiHarness } from "./routes/test-harness.ts";

let database: Database;
let harness: ApiHarness;
let ws: TestKeys;
beforeAll(async () => {
  database = await openTestDb();
  harness = await createApiHarness(database, routeModules);
  ws = await harness.workspace(storeCatalog);
});
afterAll(async () => {
  await database?.close();
});

describe("NUL in a management URL", () => {
  // PostgreSQL text cannot hold NUL: these reached the database and failed there with a 500.
  const urls: Array<[string, string]> = [
    ["GET", "/api/profiles?q=a%00b"],
    ["GET", "/api/profiles/u%00"],
    ["GET", "/api/audit?subject=%00"],
    ["GET", "/api/outbox?channel=%00"],
    ["GET", "/api/outbox?userId=%00"],
    ["GET", "/api/journeys/jrn%00/stats"],
    ["GET", "/api/segments/%00"],
    ["GET", "/api/designs/%00"],
    ["GET", "/api/approvals?cursor=%00"],
    ["DELETE", "/api/keys/key%00"],
  ];

  it.each(urls)("%s %s is refused with a 400 naming the URL, not a 500", async (method, path) => {
    const response = await ws.call("admin", method, path);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: expect.objectContaining({ code: "invalid_request", field: "url" }),
    });
  });

  it("still answers an unauthenticated request with 401 first", async () => {
    const response = await ws.call("none", "GET", "/api/profiles?q=%00");
    expect(response.status).toBe(401);
  });
});
