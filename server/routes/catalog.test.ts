import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { checkoutJourney, storeCatalog } from "../../journeys/format/test-fixtures.ts";
import { catalogRoutes } from "./catalog.ts";
import { docsRoutes } from "./docs.ts";
import { journeyRoutes } from "./journeys.ts";
import type { ApiHarness } from "./test-harness.ts";
import { createApiHarness } from "./test-harness.ts";

let database: Database;
let harness: ApiHarness;

beforeAll(async () => {
  database = await openTestDb();
  harness = await createApiHarness(database, [journeyRoutes, catalogRoutes, docsRoutes]);
});
afterAll(async () => {
  await database?.close();
});

describe("catalog", () => {
  it("GET /api/catalog lists events, traits, channels, segments, templates and tools", async () => {
    const ws = await harness.workspace(storeCatalog);
    const response = await ws.call("viewer", "GET", "/api/catalog");
    expect(response.status).toBe(200);
    const body = response.body as {
      events: Array<{ name: string }>;
      traits: Array<{ name: string }>;
      channels: Array<{ channel: string; enabled: boolean }>;
      segments: Array<{ name: string; members: number }>;
      templates: Array<{ id: string }>;
      tools: string[];
    };
    expect(body.events.map((event) => event.name)).toEqual(Object.keys(storeCatalog.events).sort());
    expect(body.traits.map((trait) => trait.name)).toEqual(Object.keys(storeCatalog.traits).sort());
    expect(body.channels.map((channel) => channel.channel)).toEqual([...storeCatalog.channels].sort());
    expect(body.segments.map((segment) => [segment.name, segment.members])).toEqual([
      ["High churn risk", 0],
      ["VIP", 0],
    ]);
    expect(body.templates.map((template) => template.id)).toEqual([...(storeCatalog.templates ?? [])].sort());
    expect(body.tools).toEqual(["crm.lookup"]);
  });

  it("PUT events and traits create or replace them, and journeys validate against them at once", async () => {
    const ws = await harness.workspace(storeCatalog);
    const journey = { ...checkoutJourney(), trigger: { type: "event", event: "Cart Viewed" } };
    expect(
      (await ws.call("cx_lead", "POST", "/api/journeys/validate", { definition: journey })).body.ok,
    ).toBe(false);
    const put = await ws.call("cx_lead", "PUT", `/api/catalog/events/${encodeURIComponent("Cart Viewed")}`, {
      description: "the cart page was opened",
      properties: { cart_id: "string" },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      event: {
        name: "Cart Viewed",
        description: "the cart page was opened",
        properties: { cart_id: "string" },
      },
    });
    expect(
      (await ws.call("cx_lead", "POST", "/api/journeys/validate", { definition: journey })).body.ok,
    ).toBe(true);
    const trait = await ws.call("cx_lead", "PUT", "/api/catalog/traits/nps_score", {
      type: "number",
      description: "0-10",
    });
    expect(trait.body).toEqual({ trait: { name: "nps_score", type: "number", description: "0-10" } });
    const replaced = await ws.call("cx_lead", "PUT", "/api/catalog/traits/nps_score", { type: "0..10" });
    expect(replaced.body).toEqual({ trait: { name: "nps_score", type: "0..10", description: "" } });
  });

  it("catalog writes name the bad field", async () => {
    const ws = await harness.workspace(storeCatalog);
    const badProperties = await ws.call("cx_lead", "PUT", "/api/catalog/events/X", { properties: { a: 5 } });
    expect(badProperties.status).toBe(400);
    expect(badProperties.body.error).toMatchObject({ code: "invalid_request", field: "properties.a" });
    const noType = await ws.call("cx_lead", "PUT", "/api/catalog/traits/x", {});
    expect(noType.body.error).toMatchObject({ field: "type" });
    const viewer = await ws.call("viewer", "PUT", "/api/catalog/traits/x", { type: "string" });
    expect(viewer.status).toBe(403);
  });
});

describe("segments", () => {
  it("creates, reads, updates and deletes a segment with a validated condition", async () => {
    const ws = await harness.workspace(storeCatalog);
    const created = await ws.call("cx_lead", "POST", "/api/segments", {
      name: "Big spenders",
      description: "ordered over 100 twice",
      condition: { performed: "Order Completed", within: "P90D", min_count: 2 },
    });
    expect(created.status).toBe(201);
    const segment = created.body.segment as { id: string; members: number };
    expect(segment).toMatchObject({ name: "Big spenders", members: 0 });
    expect((await ws.call("viewer", "GET", `/api/segments/${segment.id}`)).body.segment).toMatchObject({
      name: "Big spenders",
    });
    const updated = await ws.call("cx_lead", "PUT", `/api/segments/${segment.id}`, {
      name: "Big spenders",
      condition: { field: "traits.tier", op: "eq", value: "vip" },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.segment).toMatchObject({
      condition: { field: "traits.tier", op: "eq", value: "vip" },
    });
    const names = (
      (await ws.call("viewer", "GET", "/api/segments")).body.segments as Array<{ name: string }>
    ).map((s) => s.name);
    expect(names).toEqual(["Big spenders", "High churn risk", "VIP"]);
    expect((await ws.call("cx_lead", "DELETE", `/api/segments/${segment.id}`)).body).toEqual({
      deleted: true,
    });
    expect((await ws.call("viewer", "GET", `/api/segments/${segment.id}`)).status).toBe(404);
  });

  it("refuses a condition with problems, naming the path inside it", async () => {
    const ws = await harness.workspace(storeCatalog);
    const unknownTrait = await ws.call("cx_lead", "POST", "/api/segments", {
      name: "x",
      condition: { all: [{ field: "traits.tierr", op: "eq", value: "vip" }] },
    });
    expect(unknownTrait.status).toBe(400);
    expect(unknownTrait.body.error).toMatchObject({
      code: "invalid_condition",
      field: "condition.all[0].field",
      issues: [expect.objectContaining({ code: "unknown_trait" })],
    });
    const shape = await ws.call("cx_lead", "POST", "/api/segments", { name: "x", condition: { fild: 1 } });
    expect(shape.body.error).toMatchObject({ code: "invalid_condition", field: "condition" });
    const missing = await ws.call("cx_lead", "POST", "/api/segments", { name: "x" });
    expect(missing.body.error).toMatchObject({ field: "condition" });
  });

  it("a duplicate name is 409", async () => {
    const ws = await harness.workspace(storeCatalog);
    const duplicate = await ws.call("cx_lead", "POST", "/api/segments", {
      name: "VIP",
      condition: { field: "traits.tier", op: "eq", value: "vip" },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({ code: "conflict", field: "name" });
  });

  it("will not delete or rename a segment a live journey triggers on", async () => {
    const ws = await harness.workspace(storeCatalog);
    const segments = (await ws.call("viewer", "GET", "/api/segments")).body.segments as Array<{
      id: string;
      name: string;
    }>;
    const vip = segments.find((segment) => segment.name === "VIP")!;
    const created = await ws.call("cx_lead", "POST", "/api/journeys", {
      definition: { ...checkoutJourney(), trigger: { type: "segment_entered", segment: "VIP" } },
    });
    const journeyId = (created.body.journey as { id: string }).id;
    expect((await ws.call("admin", "POST", `/api/journeys/${journeyId}/versions/1/activate`)).status).toBe(
      200,
    );
    const deletion = await ws.call("cx_lead", "DELETE", `/api/segments/${vip.id}`);
    expect(deletion.status).toBe(409);
    expect(String((deletion.body.error as { message: string }).message)).toMatch(/"Checkout abandonment" v1/);
    const rename = await ws.call("cx_lead", "PUT", `/api/segments/${vip.id}`, {
      name: "VIPs",
      condition: { field: "traits.tier", op: "eq", value: "vip" },
    });
    expect(rename.status).toBe(409);
  });
});

describe("templates", () => {
  it("creates, reads, replaces and deletes a template", async () => {
    const ws = await harness.workspace(storeCatalog);
    const template = {
      id: "welcome-email",
      channel: "email",
      name: "Welcome",
      subject: "Welcome, {{traits.first_name}}",
      body: "Hello {{traits.first_name}}!",
      tags: ["welcome"],
    };
    const created = await ws.call("cx_lead", "POST", "/api/templates", template);
    expect(created.status).toBe(201);
    expect(created.body.template).toMatchObject({ ...template, title: null });
    expect((await ws.call("cx_lead", "POST", "/api/templates", template)).status).toBe(409);
    const replaced = await ws.call("cx_lead", "PUT", "/api/templates/welcome-email", {
      channel: "email",
      name: "Welcome v2",
      body: "Hi!",
    });
    expect(replaced.body.template).toMatchObject({
      name: "Welcome v2",
      body: "Hi!",
      subject: null,
      tags: [],
    });
    expect((await ws.call("viewer", "GET", "/api/templates/welcome-email")).body.template).toMatchObject({
      name: "Welcome v2",
    });
    expect((await ws.call("cx_lead", "DELETE", "/api/templates/welcome-email")).body).toEqual({
      deleted: true,
    });
    expect((await ws.call("viewer", "GET", "/api/templates/welcome-email")).status).toBe(404);
    expect(
      (
        await ws.call("cx_lead", "PUT", "/api/templates/welcome-email", {
          channel: "email",
          name: "x",
          body: "x",
        })
      ).status,
    ).toBe(404);
  });

  it("names the bad field of a template", async () => {
    const ws = await harness.workspace(storeCatalog);
    const badChannel = await ws.call("cx_lead", "POST", "/api/templates", {
      id: "t",
      channel: "fax",
      name: "t",
      body: "b",
    });
    expect(badChannel.status).toBe(400);
    expect(badChannel.body.error).toMatchObject({
      field: "channel",
      message: "channel: channel must be one of email, sms, push, in_app, chat",
    });
    const badId = await ws.call("cx_lead", "POST", "/api/templates", {
      id: "a b",
      channel: "sms",
      name: "t",
      body: "b",
    });
    expect(badId.body.error).toMatchObject({ field: "id" });
    const emptyBody = await ws.call("cx_lead", "POST", "/api/templates", {
      id: "t",
      channel: "sms",
      name: "t",
      body: "",
    });
    expect(emptyBody.body.error).toMatchObject({ field: "body" });
  });

  it("will not delete a template a live journey sends", async () => {
    const ws = await harness.workspace(storeCatalog);
    const created = await ws.call("cx_lead", "POST", "/api/journeys", { definition: checkoutJourney() });
    const journeyId = (created.body.journey as { id: string }).id;
    await ws.call("admin", "POST", `/api/journeys/${journeyId}/versions/1/activate`);
    const deletion = await ws.call("cx_lead", "DELETE", "/api/templates/cart-reminder-sms");
    expect(deletion.status).toBe(409);
    expect(deletion.body.error).toMatchObject({ code: "conflict", field: "id" });
  });
});

describe("workspace", () => {
  it("describes the key's workspace with counts", async () => {
    const ws = await harness.workspace(storeCatalog);
    await ws.call("cx_lead", "POST", "/api/journeys", { definition: checkoutJourney() });
    const response = await ws.call("viewer", "GET", "/api/workspace");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: ws.workspaceId,
      name: "Test workspace",
      timezone: "UTC",
      role: "viewer",
      channels: ["email", "handoff", "push", "sms", "webhook"],
      policyVersion: null,
      counts: { profiles: 0, events: 0, journeys: 1, liveJourneys: 0 },
    });
  });
});

describe("API docs", () => {
  it("serves Swagger UI and its assets from the local package, pointing at /openapi.json", async () => {
    const page = await harness.app.fetch(new Request("http://test/docs"));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="swagger-ui"></div>');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3)/);
    const init = await (await harness.app.fetch(new Request("http://test/docs/init.js"))).text();
    expect(init).toContain('url: "/openapi.json"');
    for (const asset of ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"]) {
      const response = await harness.app.fetch(new Request(`http://test/docs/assets/${asset}`));
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(10_000);
    }
    const unknown = await harness.app.fetch(new Request("http://test/docs/assets/..%2Fpackage.json"));
    expect(unknown.status).toBe(404);
  });

  it("documents the catalog routes with their roles", async () => {
    const document = (await (await harness.app.fetch(new Request("http://test/openapi.json"))).json()) as {
      paths: Record<string, Record<string, { "x-roles"?: string[] }>>;
    };
    expect(document.paths["/catalog"]?.get?.["x-roles"]).toEqual(["admin", "viewer", "cx_lead", "reviewer"]);
    expect(document.paths["/catalog/events/{name}"]?.put?.["x-roles"]).toEqual(["admin", "cx_lead"]);
    expect(document.paths["/segments/{id}"]?.delete?.["x-roles"]).toEqual(["admin", "cx_lead"]);
    expect(document.paths["/templates"]?.post?.["x-roles"]).toEqual(["admin", "cx_lead"]);
    expect(document.paths["/workspace"]?.get?.["x-roles"]).toEqual([
      "admin",
      "viewer",
      "cx_lead",
      "reviewer",
    ]);
  });
});
