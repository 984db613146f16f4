import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { checkoutJourney, storeCatalog } from "../../journeys/format/test-fixtures.ts";
import { JourneyRuntime } from "../../journeys/runtime/runtime.ts";
import { testGateway } from "../../journeys/runtime/testing.ts";
import { IngestService } from "../ingest/service.ts";
import { journeyRunRoutes } from "./journey-runs.ts";
import { journeyRoutes } from "./journeys.ts";
import type { ApiHarness, TestKeys } from "./test-harness.ts";
import { createApiHarness } from "./test-harness.ts";

let database: Database;
let harness: ApiHarness;
const NOW = new Date("2026-03-02T09:00:00Z");
const now = () => NOW;

beforeAll(async () => {
  database = await openTestDb();
  harness = await createApiHarness(database, [journeyRoutes, journeyRunRoutes], now);
});
afterAll(async () => {
  await database?.close();
});

async function liveJourney(ws: TestKeys, definition: unknown = checkoutJourney()) {
  const created = await ws.call("cx_lead", "POST", "/api/journeys", { definition });
  const journeyId = (created.body.journey as { id: string }).id;
  const activated = await ws.call("admin", "POST", `/api/journeys/${journeyId}/versions/1/activate`);
  expect(activated.status).toBe(200);
  return { journeyId, versionId: (activated.body.version as { id: string }).id };
}

const CUSTOMER = {
  traits: { timezone: "Europe/Berlin", first_name: "Ada", email: "ada@example.com", phone: "+4915112345678" },
  consent: { email: true, sms: true, push: true },
};

describe("stats", () => {
  it("reads the live version's per-node counters and the goal conversion rate", async () => {
    const ws = await harness.workspace(storeCatalog);
    const { journeyId, versionId } = await liveJourney(ws);
    await database.db.execute(
      sql`insert into node_counters (version_id, node_id, metric, count) values
          (${versionId}, 'wait_order', 'entered', 10), (${versionId}, 'sms', 'sent', 6), (${versionId}, 'sms', 'held', 2)`,
    );
    await database.db.execute(
      sql`insert into journey_instances (workspace_id, journey_id, version_id, profile_id, node_id, status, converted_at)
          values (${ws.workspaceId}, ${journeyId}, ${versionId}, 1, 'done', 'completed', now()),
                 (${ws.workspaceId}, ${journeyId}, ${versionId}, 2, 'wait_day', 'running', null)`,
    );
    // a newer draft exists, but stats default to the live version
    await ws.call("cx_lead", "PUT", `/api/journeys/${journeyId}/draft`, { definition: checkoutJourney() });
    const response = await ws.call("viewer", "GET", `/api/journeys/${journeyId}/stats`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      journeyId,
      version: 1,
      status: "active",
      instances: { total: 2, running: 1, completed: 1, converted: 1 },
      goal: { event: "Order Completed", within: "P7D", conversions: 1, conversionRate: 0.5 },
    });
    const nodes = response.body.nodes as Array<{ id: string; metrics: Record<string, number> }>;
    expect(nodes.find((node) => node.id === "sms")?.metrics).toMatchObject({ sent: 6, held: 2, skipped: 0 });
    const draft = await ws.call("viewer", "GET", `/api/journeys/${journeyId}/stats?version=2`);
    expect(draft.body).toMatchObject({ version: 2, status: "draft", instances: { total: 0 } });
    const bad = await ws.call("viewer", "GET", `/api/journeys/${journeyId}/stats?version=zero`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ field: "version" });
  });
});

describe("simulate", () => {
  it("runs eval-format scenarios under the workspace's policies and checks their expectations", async () => {
    const ws = await harness.workspace(storeCatalog);
    const created = await ws.call("cx_lead", "POST", "/api/journeys", { definition: checkoutJourney() });
    const journeyId = (created.body.journey as { id: string }).id;
    const response = await ws.call("cx_lead", "POST", `/api/journeys/${journeyId}/simulate`, {
      profileDefault: CUSTOMER,
      scenarios: [
        {
          name: "never buys",
          events: [{ at: "PT0S", track: "Checkout Started", properties: { cart_id: "c1", value: 80 } }],
          horizon: "P3D",
          expect: [
            { channel: "sms", at: "PT1H" },
            { channel: "email", at: "PT25H", offer: { kind: "percent_off", value: 10 } },
          ],
        },
        {
          name: "buys within the hour",
          events: [
            { at: "PT0S", track: "Checkout Started", properties: { cart_id: "c1" } },
            { at: "PT30M", track: "Order Completed", properties: { order_id: "o1" } },
          ],
          horizon: "P3D",
          expect: [],
        },
        {
          name: "no SMS consent",
          profile: { consent: { sms: false } },
          events: [{ at: "PT0S", track: "Checkout Started", properties: { cart_id: "c1" } }],
          horizon: "P3D",
        },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      journeyId,
      version: 1,
      summary: { scenarios: 3, withExpectations: 2, passed: 2, actions: 4 },
    });
    const [neverBuys, buys, noConsent] = response.body.results as Array<{
      actions: Array<{
        channel: string;
        status: string;
        offset: string;
        offer: unknown;
        verdicts: Array<{ policy: string }>;
      }>;
      expectation: { pass: boolean } | null;
    }>;
    expect(neverBuys!.actions.map((action) => [action.channel, action.status, action.offset])).toEqual([
      ["sms", "sent", "PT1H"],
      ["email", "sent", "P1DT1H"],
    ]);
    expect(neverBuys!.actions[1]!.offer).toEqual({ kind: "percent_off", value: 10 });
    expect(buys!.actions).toEqual([]);
    // the workspace's consent policy denies the SMS and says why; the email still goes out
    expect(noConsent!.actions.map((action) => [action.channel, action.status])).toEqual([
      ["sms", "denied"],
      ["email", "sent"],
    ]);
    expect(noConsent!.actions[0]!.verdicts.some((verdict) => verdict.policy === "consent")).toBe(true);
    expect(noConsent!.expectation).toBeNull();
  });

  it("simulates an unsaved definition, and names bad scenarios and definitions by path", async () => {
    const ws = await harness.workspace(storeCatalog);
    const created = await ws.call("cx_lead", "POST", "/api/journeys", { definition: checkoutJourney() });
    const journeyId = (created.body.journey as { id: string }).id;
    const scenario = { events: [{ at: "PT0S", track: "Checkout Started" }], horizon: "P2D" };
    const inline = { ...checkoutJourney(), nodes: checkoutJourney().nodes.map((node) => node) };
    (inline.nodes[0] as { timeout: string }).timeout = "PT2H";
    const edited = await ws.call("reviewer", "POST", `/api/journeys/${journeyId}/simulate`, {
      definition: inline,
      profileDefault: CUSTOMER,
      scenarios: [scenario],
    });
    expect(edited.status).toBe(200);
    expect(edited.body.version).toBeNull();
    const actions = (edited.body.results as Array<{ actions: Array<{ offset: string }> }>)[0]!.actions;
    expect(actions[0]!.offset).toBe("PT2H");

    const badScenario = await ws.call("cx_lead", "POST", `/api/journeys/${journeyId}/simulate`, {
      scenarios: [scenario, { events: [], horizon: "three days" }],
    });
    expect(badScenario.status).toBe(400);
    expect(badScenario.body.error).toMatchObject({ code: "invalid_scenario", field: "scenarios[1].horizon" });
    const badDefinition = await ws.call("cx_lead", "POST", `/api/journeys/${journeyId}/simulate`, {
      definition: { name: "x" },
      scenarios: [scenario],
    });
    expect(badDefinition.status).toBe(400);
    expect(badDefinition.body.error).toMatchObject({ code: "invalid_definition" });
    const none = await ws.call("cx_lead", "POST", `/api/journeys/${journeyId}/simulate`, { scenarios: [] });
    expect(none.body.error).toMatchObject({ field: "scenarios" });
    expect(
      (await ws.call("viewer", "POST", `/api/journeys/${journeyId}/simulate`, { scenarios: [scenario] }))
        .status,
    ).toBe(403);
    expect(
      (await ws.call("cx_lead", "POST", "/api/journeys/jrn_missing/simulate", { scenarios: [scenario] }))
        .status,
    ).toBe(404);
  });
});

describe("enter through the api trigger", () => {
  const apiJourney = {
    name: "Concierge welcome",
    trigger: { type: "api" },
    start: "hello",
    nodes: [
      {
        id: "hello",
        type: "send",
        channel: "email",
        content: {
          subject: "Welcome",
          body: "Hi {{traits.first_name}}, your plan: {{trigger.properties.plan}}",
        },
        next: "done",
      },
      { id: "done", type: "exit" },
    ],
  };

  it("answers 503 when this process runs no runtime", async () => {
    const ws = await harness.workspace(storeCatalog);
    const { journeyId } = await liveJourney(ws, apiJourney);
    const services = harness.ctx.services;
    const runtime = services.runtime;
    delete services.runtime;
    try {
      const response = await ws.call("admin", "POST", `/api/journeys/${journeyId}/enter`, { userId: "u1" });
      expect(response.status).toBe(503);
      expect(response.body.error).toMatchObject({ code: "runtime_unavailable" });
    } finally {
      if (runtime) services.runtime = runtime;
    }
  });

  it("enters a known customer once per idempotency key; unknown customers and other triggers are refused", async () => {
    const services = harness.ctx.services;
    const original = services.runtime;
    // the runtime with a consent-only gateway, fed by ingestion like the server's own
    const runtime = new JourneyRuntime({ database, gateway: testGateway(now), now });
    services.runtime = runtime;
    try {
      const ws = await harness.workspace(storeCatalog);
      const ingest = new IngestService({ database, now, dedupeDays: 30, sink: runtime });
      await ingest.ingest(
        ws.workspaceId,
        [
          {
            type: "identify",
            messageId: "m1",
            userId: "u1",
            traits: { first_name: "Ada", email: "ada@example.com", consent: { email: true } },
          },
        ],
        { mode: "batch" },
      );
      const { journeyId } = await liveJourney(ws, apiJourney);
      const body = { userId: "u1", properties: { plan: "pro" }, idempotencyKey: "signup-u1" };
      const entered = await ws.call("admin", "POST", `/api/journeys/${journeyId}/enter`, body);
      expect(entered.status).toBe(200);
      expect(entered.body).toMatchObject({ entered: true, status: "completed" });
      const again = await ws.call("admin", "POST", `/api/journeys/${journeyId}/enter`, body);
      expect(again.body).toMatchObject({ entered: false });
      const [queued] = await rows<{ count: number }>(
        database.db,
        sql`select count(*)::int8 as count from actions where journey_id = ${journeyId} and status = 'queued'`,
      );
      expect(Number(queued?.count)).toBe(1);

      const unknown = await ws.call("admin", "POST", `/api/journeys/${journeyId}/enter`, {
        userId: "nobody",
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatchObject({ code: "profile_not_found", field: "userId" });
      const { journeyId: eventJourney } = await liveJourney(ws);
      const wrongTrigger = await ws.call("admin", "POST", `/api/journeys/${eventJourney}/enter`, {
        userId: "u1",
      });
      expect(wrongTrigger.status).toBe(409);
      expect(wrongTrigger.body.error).toMatchObject({ code: "not_api_triggered" });
      const cx = await ws.call("cx_lead", "POST", `/api/journeys/${journeyId}/enter`, { userId: "u1" });
      expect(cx.status).toBe(403);
      const noUser = await ws.call("admin", "POST", `/api/journeys/${journeyId}/enter`, { properties: {} });
      expect(noUser.body.error).toMatchObject({ field: "userId" });
    } finally {
      if (original) services.runtime = original;
      else delete services.runtime;
    }
  });
});
