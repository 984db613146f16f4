import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { checkoutJourney, mutableJourney, storeCatalog } from "../../journeys/format/test-fixtures.ts";
import type { ActivationGate, StatusChange } from "../../journeys/versions.ts";
import { catalogRoutes } from "./catalog.ts";
import { journeyRoutes } from "./journeys.ts";
import { KeyNames } from "./key-names.ts";
import type { ApiHarness, TestKeys } from "./test-harness.ts";
import { createApiHarness } from "./test-harness.ts";

let database: Database;
let harness: ApiHarness;
const NOW = new Date("2026-03-02T09:00:00Z");

beforeAll(async () => {
  database = await openTestDb();
  harness = await createApiHarness(database, [journeyRoutes, catalogRoutes], () => NOW);
});
afterAll(async () => {
  await database?.close();
});

async function createDraft(ws: TestKeys, definition: unknown = checkoutJourney()) {
  const created = await ws.call("cx_lead", "POST", "/api/journeys", { definition });
  expect(created.status).toBe(201);
  return created.body as { journey: { id: string }; version: { version: number; author: string } };
}

describe("journey drafts over the API", () => {
  it("creates a journey: 201 with draft version 1, author = the calling key, drafted_by recorded", async () => {
    const ws = await harness.workspace(storeCatalog);
    const response = await ws.call("cx_lead", "POST", "/api/journeys", {
      definition: checkoutJourney(),
      draftedBy: "offline-planner",
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      journey: { name: "Checkout abandonment" },
      version: {
        version: 1,
        status: "draft",
        author: ws.keyIds.cx_lead,
        authorName: "test cx_lead",
        draftedBy: "offline-planner",
      },
      issues: [],
      created: true,
    });
    const list = await ws.call("viewer", "GET", "/api/journeys");
    expect(list.status).toBe(200);
    expect(list.body.journeys).toEqual([
      expect.objectContaining({
        name: "Checkout abandonment",
        createdBy: ws.keyIds.cx_lead,
        createdByName: "test cx_lead",
        latestVersion: 1,
        latestStatus: "draft",
        liveVersion: null,
      }),
    ]);
  });

  it("names authors for every role (only admins may list keys), and leaves a non-key author unnamed", async () => {
    const ws = await harness.workspace(storeCatalog);
    const created = await createDraft(ws);
    const detail = await ws.call("viewer", "GET", `/api/journeys/${created.journey.id}`);
    expect(detail.body).toMatchObject({
      journey: { createdByName: "test cx_lead" },
      versions: [{ author: ws.keyIds.cx_lead, authorName: "test cx_lead" }],
      latest: { authorName: "test cx_lead" },
    });
    const version = await ws.call("reviewer", "GET", `/api/journeys/${created.journey.id}/versions/1`);
    expect(version.body.version).toMatchObject({ authorName: "test cx_lead" });
    // names are looked up within the workspace; values that are not keys stay unnamed
    const other = await harness.workspace(storeCatalog);
    const names = await KeyNames.load(database.db, other.workspaceId, [ws.keyIds.cx_lead, "human"]);
    expect(names.of(ws.keyIds.cx_lead)).toBeNull();
    expect(names.of("human")).toBeNull();
    expect(
      (await KeyNames.load(database.db, ws.workspaceId, [ws.keyIds.cx_lead])).of(ws.keyIds.cx_lead),
    ).toBe("test cx_lead");
  });

  it("answers a definition that does not parse with 400 naming the first problem and listing every issue", async () => {
    const ws = await harness.workspace(storeCatalog);
    const broken = mutableJourney();
    broken.nodes[1]!.channel = "fax";
    broken.nodes[2]!.duration = "1 day";
    const response = await ws.call("cx_lead", "POST", "/api/journeys", { definition: broken });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: "invalid_definition",
      field: "definition.nodes[1].channel",
      issues: [
        expect.objectContaining({
          path: "$.nodes[1].channel",
          message: "channel must be one of email, sms, push, in_app, chat",
        }),
        expect.objectContaining({ path: "$.nodes[2].duration" }),
      ],
    });
  });

  it("rejects a body without a definition, with unknown fields, or not JSON", async () => {
    const ws = await harness.workspace(storeCatalog);
    const missing = await ws.call("cx_lead", "POST", "/api/journeys", {});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: "invalid_request", field: "definition" });
    const extra = await ws.call("cx_lead", "POST", "/api/journeys", {
      definition: checkoutJourney(),
      colour: 1,
    });
    expect(extra.status).toBe(400);
    expect(extra.body.error).toMatchObject({ code: "invalid_request" });
    expect(String((extra.body.error as { message: string }).message)).toMatch(/colour/);
    const notJson = await ws.call("cx_lead", "POST", "/api/journeys", "{not json");
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatchObject({ code: "malformed_json" });
    const badDraftedBy = await ws.call("cx_lead", "POST", "/api/journeys", {
      definition: checkoutJourney(),
      draftedBy: "a robot",
    });
    expect(badDraftedBy.status).toBe(400);
    expect(badDraftedBy.body.error).toMatchObject({ field: "draftedBy" });
  });

  it("refuses bodies that are not JSON objects, or hold what the database cannot store, naming the place", async () => {
    const ws = await harness.workspace(storeCatalog);
    const send = (body: string, contentType?: string) =>
      harness.app.fetch(
        new Request("http://test/api/journeys", {
          method: "POST",
          headers: {
            authorization: `Bearer ${ws.keys.cx_lead}`,
            ...(contentType ? { "content-type": contentType } : {}),
            "content-length": String(Buffer.byteLength(body)),
          },
          body,
        }),
      );
    const valid = JSON.stringify({ definition: checkoutJourney() });
    const plain = await send(valid, "text/plain");
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({
      error: { code: "unsupported_media_type", field: "content-type" },
    });
    const empty = await send("", "application/json");
    expect(await empty.json()).toMatchObject({ error: { code: "empty_body", field: "body" } });
    const array = await send("[1]", "application/json");
    expect(await array.json()).toMatchObject({
      error: { field: "body", message: "the body must be a JSON object, not an array" },
    });
    const nul = await send(
      JSON.stringify({ definition: { ...checkoutJourney(), name: "a\u0000b" } }),
      "application/json",
    );
    expect(nul.status).toBe(400);
    expect(await nul.json()).toMatchObject({ error: { field: "definition.name" } });
    const tooBig = await send(
      JSON.stringify({ definition: { ...checkoutJourney(), description: "x".repeat(1_100_000) } }),
      "application/json",
    );
    expect(tooBig.status).toBe(413);
    expect((await ws.call("viewer", "GET", "/api/journeys")).body.journeys).toEqual([]);
  });

  it("validates without storing: 200 with ok and every issue", async () => {
    const ws = await harness.workspace(storeCatalog);
    const definition = mutableJourney();
    definition.trigger = { type: "event", event: "Checkout Startd" };
    const response = await ws.call("cx_lead", "POST", "/api/journeys/validate", { definition });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ok: false,
      issues: [
        {
          path: "$.trigger.event",
          code: "unknown_event",
          severity: "error",
          message:
            'event "Checkout Startd" is not in the workspace\'s event catalog. Did you mean "Checkout Started"?',
        },
      ],
    });
    const valid = await ws.call("viewer", "POST", "/api/journeys/validate", {
      definition: checkoutJourney(),
    });
    expect(valid.body).toEqual({ ok: true, issues: [] });
    expect((await ws.call("viewer", "GET", "/api/journeys")).body.journeys).toEqual([]);
  });

  it("PUT draft edits in place, then after activation creates version 2 and leaves version 1 unchanged", async () => {
    const ws = await harness.workspace(storeCatalog);
    const { journey } = await createDraft(ws);
    const renamed = { ...checkoutJourney(), name: "Cart rescue" };
    const edit = await ws.call("cx_lead", "PUT", `/api/journeys/${journey.id}/draft`, {
      definition: renamed,
    });
    expect(edit.status).toBe(200);
    expect(edit.body).toMatchObject({
      created: false,
      version: { version: 1 },
      journey: { name: "Cart rescue" },
    });
    expect((await ws.call("admin", "POST", `/api/journeys/${journey.id}/versions/1/activate`)).status).toBe(
      200,
    );
    const afterLive = await ws.call("cx_lead", "PUT", `/api/journeys/${journey.id}/draft`, {
      definition: { ...renamed, priority: 90 },
    });
    expect(afterLive.body).toMatchObject({ created: true, version: { version: 2, status: "draft" } });
    const v1 = await ws.call("viewer", "GET", `/api/journeys/${journey.id}/versions/1`);
    expect(v1.body.version).toMatchObject({
      status: "active",
      definition: { priority: 50, name: "Cart rescue" },
    });
    const detail = await ws.call("viewer", "GET", `/api/journeys/${journey.id}`);
    expect(detail.body).toMatchObject({
      journey: { latestVersion: 2, latestStatus: "draft", liveVersion: 1, liveStatus: "active" },
      live: { version: 1 },
      latest: { version: 2 },
    });
    expect((detail.body.versions as unknown[]).length).toBe(2);
  });
});

describe("lifecycle over the API", () => {
  it("activate → pause → resume → archive, each answering the new status", async () => {
    const ws = await harness.workspace(storeCatalog);
    const { journey } = await createDraft(ws);
    const base = `/api/journeys/${journey.id}/versions/1`;
    const activated = await ws.call("admin", "POST", `${base}/activate`);
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({
      outcome: "activated",
      version: { status: "active", activatedAt: NOW.toISOString() },
      archived: null,
      warnings: [],
    });
    expect((await ws.call("admin", "POST", `${base}/pause`)).body).toMatchObject({
      version: { status: "paused" },
    });
    expect((await ws.call("admin", "POST", `${base}/resume`)).body).toMatchObject({
      version: { status: "active" },
    });
    expect((await ws.call("admin", "POST", `${base}/archive`)).body).toMatchObject({
      version: { status: "archived" },
    });
  });

  it("activation with validation errors is 422 with every issue and its path", async () => {
    const ws = await harness.workspace(storeCatalog);
    const definition = mutableJourney();
    definition.nodes[3]!.channel = "push";
    definition.nodes[3]!.template = "no-such-template";
    const { journey } = await createDraft(ws, definition);
    const response = await ws.call("admin", "POST", `/api/journeys/${journey.id}/versions/1/activate`);
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({
      code: "invalid_journey",
      field: "definition.nodes[3].template",
      issues: [expect.objectContaining({ path: "$.nodes[3].template", code: "unknown_template" })],
    });
  });

  it("impossible transitions are 409 with a sentence saying what to do", async () => {
    const ws = await harness.workspace(storeCatalog);
    const { journey } = await createDraft(ws);
    const pause = await ws.call("admin", "POST", `/api/journeys/${journey.id}/versions/1/pause`);
    expect(pause.status).toBe(409);
    expect(pause.body.error).toMatchObject({ code: "invalid_transition", field: "version" });
    expect(String((pause.body.error as { message: string }).message)).toMatch(
      /Only an active version can be paused/,
    );
  });

  it("unknown journeys and versions are 404; a version that is not a number is 400", async () => {
    const ws = await harness.workspace(storeCatalog);
    const { journey } = await createDraft(ws);
    expect((await ws.call("viewer", "GET", "/api/journeys/jrn_nope")).body.error).toMatchObject({
      code: "journey_not_found",
      field: "id",
    });
    const noVersion = await ws.call("viewer", "GET", `/api/journeys/${journey.id}/versions/9`);
    expect(noVersion.status).toBe(404);
    expect(noVersion.body.error).toMatchObject({ code: "version_not_found", field: "version" });
    const badVersion = await ws.call("viewer", "GET", `/api/journeys/${journey.id}/versions/first`);
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.error).toMatchObject({ code: "invalid_request", field: "version" });
  });

  it("another workspace's journey is 404, not 403", async () => {
    const owner = await harness.workspace(storeCatalog);
    const other = await harness.workspace(storeCatalog);
    const { journey } = await createDraft(owner);
    expect((await other.call("admin", "GET", `/api/journeys/${journey.id}`)).status).toBe(404);
    expect(
      (await other.call("admin", "POST", `/api/journeys/${journey.id}/versions/1/activate`)).status,
    ).toBe(404);
  });

  it("stop requires a reason, exits in-flight customers and reports the counts", async () => {
    const ws = await harness.workspace(storeCatalog);
    const { journey } = await createDraft(ws);
    const base = `/api/journeys/${journey.id}/versions/1`;
    await ws.call("admin", "POST", `${base}/activate`);
    const versionId = ((await ws.call("viewer", "GET", base)).body.version as { id: string }).id;
    await database.db.execute(
      sql`insert into journey_instances (workspace_id, journey_id, version_id, profile_id, node_id)
          values (${ws.workspaceId}, ${journey.id}, ${versionId}, 1, 'wait_order')`,
    );
    const noReason = await ws.call("admin", "POST", `${base}/stop`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error).toMatchObject({ field: "reason" });
    const stopped = await ws.call("admin", "POST", `${base}/stop`, { reason: "offer was wrong" });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ version: { status: "archived" }, exited: 1, cancelledActions: 0 });
  });

  it("diff between versions lists node and envelope changes", async () => {
    const ws = await harness.workspace(storeCatalog);
    const { journey } = await createDraft(ws);
    await ws.call("admin", "POST", `/api/journeys/${journey.id}/versions/1/activate`);
    const edited = mutableJourney();
    edited.nodes[3]!.offer = { kind: "percent_off", value: 15 };
    edited.priority = 70;
    await ws.call("cx_lead", "PUT", `/api/journeys/${journey.id}/draft`, { definition: edited });
    const diff = await ws.call("viewer", "GET", `/api/journeys/${journey.id}/versions/1/diff/2`);
    expect(diff.status).toBe(200);
    expect(diff.body).toEqual({
      from: 1,
      to: 2,
      identical: false,
      envelope: [{ path: "$.priority", before: 50, after: 70 }],
      nodes: {
        added: [],
        removed: [],
        changed: [{ id: "email", type: "send", changes: [{ path: "$.offer.value", before: 10, after: 15 }] }],
      },
    });
  });

  it("runs the services' status-change hooks and obeys the approval gate", async () => {
    const ws = await harness.workspace(storeCatalog);
    const changes: string[] = [];
    const lifecycle = harness.ctx.services.journeyLifecycle!;
    const hook = async (_tx: unknown, change: StatusChange) => {
      changes.push(`${change.version}:${change.from}->${change.to}`);
    };
    const gate: ActivationGate = {
      review: async () => ({ proceed: false, approvalId: "apr_test", reason: "a reviewer must approve" }),
    };
    const serviceGate = lifecycle.gate;
    lifecycle.onStatusChange.push(hook);
    lifecycle.gate = gate;
    try {
      const { journey } = await createDraft(ws);
      const response = await ws.call("admin", "POST", `/api/journeys/${journey.id}/versions/1/activate`);
      expect(response.status).toBe(202);
      expect(response.body).toMatchObject({
        outcome: "pending_approval",
        approvalId: "apr_test",
        version: { status: "pending_approval" },
      });
      expect(changes).toEqual(["1:draft->pending_approval"]);
    } finally {
      lifecycle.onStatusChange.splice(lifecycle.onStatusChange.indexOf(hook), 1);
      lifecycle.gate = serviceGate;
    }
  });
});

describe("roles", () => {
  it("viewer reads but cannot draft; cx_lead drafts and asks a reviewer to activate; admin activates", async () => {
    const ws = await harness.workspace(storeCatalog);
    const viewerDraft = await ws.call("viewer", "POST", "/api/journeys", { definition: checkoutJourney() });
    expect(viewerDraft.status).toBe(403);
    expect(viewerDraft.body.error).toMatchObject({ code: "forbidden" });
    const { journey } = await createDraft(ws);
    const cxActivate = await ws.call("cx_lead", "POST", `/api/journeys/${journey.id}/versions/1/activate`);
    expect(cxActivate.status).toBe(202);
    expect(cxActivate.body).toMatchObject({
      outcome: "pending_approval",
      version: { status: "pending_approval" },
    });
    const reviewerActivate = await ws.call(
      "reviewer",
      "POST",
      `/api/journeys/${journey.id}/versions/1/activate`,
    );
    expect(reviewerActivate.status).toBe(403);
    expect((await ws.call("admin", "POST", `/api/journeys/${journey.id}/versions/1/activate`)).status).toBe(
      200,
    );
  });

  it("without an approval queue, a cx_lead's activation is refused rather than let through", async () => {
    const ws = await harness.workspace(storeCatalog);
    const { journey } = await createDraft(ws);
    const lifecycle = harness.ctx.services.journeyLifecycle!;
    const serviceGate = lifecycle.gate;
    delete lifecycle.gate;
    try {
      const response = await ws.call("cx_lead", "POST", `/api/journeys/${journey.id}/versions/1/activate`);
      expect(response.status).toBe(403);
      expect(
        (await ws.call("viewer", "GET", `/api/journeys/${journey.id}/versions/1`)).body.version,
      ).toMatchObject({
        status: "draft",
      });
    } finally {
      if (serviceGate) lifecycle.gate = serviceGate;
    }
  });

  it("no key or an ingestion write key is 401", async () => {
    const ws = await harness.workspace(storeCatalog);
    expect((await ws.call("none", "GET", "/api/journeys")).status).toBe(401);
    expect((await ws.call("ingest", "GET", "/api/journeys")).status).toBe(401);
  });
});

describe("OpenAPI document", () => {
  it("documents every journey route with its roles and the Journey schema", async () => {
    const response = await harness.app.fetch(new Request("http://test/openapi.json"));
    const document = (await response.json()) as {
      paths: Record<string, Record<string, { "x-roles"?: string[] }>>;
      components: { schemas: Record<string, unknown> };
    };
    const expected: Array<[string, string, string[]]> = [
      ["/journeys", "get", ["admin", "viewer", "cx_lead", "reviewer"]],
      ["/journeys", "post", ["admin", "cx_lead"]],
      ["/journeys/validate", "post", ["admin", "cx_lead", "viewer", "reviewer"]],
      ["/journeys/{id}", "get", ["admin", "viewer", "cx_lead", "reviewer"]],
      ["/journeys/{id}/draft", "put", ["admin", "cx_lead"]],
      ["/journeys/{id}/versions", "get", ["admin", "viewer", "cx_lead", "reviewer"]],
      ["/journeys/{id}/versions/{version}", "get", ["admin", "viewer", "cx_lead", "reviewer"]],
      ["/journeys/{id}/versions/{version}/activate", "post", ["admin", "cx_lead"]],
      ["/journeys/{id}/versions/{version}/pause", "post", ["admin"]],
      ["/journeys/{id}/versions/{version}/resume", "post", ["admin"]],
      ["/journeys/{id}/versions/{version}/archive", "post", ["admin"]],
      ["/journeys/{id}/versions/{version}/stop", "post", ["admin"]],
      ["/journeys/{id}/versions/{a}/diff/{b}", "get", ["admin", "viewer", "cx_lead", "reviewer"]],
    ];
    for (const [path, method, roles] of expected) {
      expect(document.paths[path]?.[method]?.["x-roles"], `${method} ${path}`).toEqual(roles);
    }
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(["Journey", "Condition", "ValidationIssue", "Error", "JourneyVersion"]),
    );
    // the format's schema is documented in full, with every reference resolvable inside the document
    const journeySchema = document.components.schemas.Journey as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(journeySchema.properties)).toEqual(
      expect.arrayContaining([
        "name",
        "trigger",
        "audience",
        "reentry",
        "exit_on",
        "goal",
        "priority",
        "start",
        "nodes",
      ]),
    );
    expect(journeySchema.required).toEqual(["name", "trigger", "start", "nodes"]);
    const text = JSON.stringify(document);
    expect(text).not.toContain("#/$defs/");
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      expect(document.components.schemas, name).toHaveProperty(name!);
    }
  });
});
