import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { JourneyRuntime } from "../../journeys/runtime/runtime.ts";
import { createJourney, FakeClock, testGateway } from "../../journeys/runtime/testing.ts";
import { ingestRoutes } from "../ingest/routes.ts";
import type { TestServer, TestWorkspace } from "../ingest/test-server.ts";
import { basicAuth, createTestWorkspace, startTestServer } from "../ingest/test-server.ts";
import { profileRoutes, TimelineItemSchema } from "./profiles.ts";

/**
 * The whole loop a console user sees: Segment calls over HTTP → ingestion hands them to the real
 * journey runtime in its transaction → the customer's timeline shows the events, the journey steps,
 * the actions with their policy verdicts and the messages queued for delivery.
 */

const clock = new FakeClock("2026-03-02T09:00:00Z");
let database: Database;
let server: TestServer;
let workspace: TestWorkspace;

beforeAll(async () => {
  database = await openTestDb();
  const runtime = new JourneyRuntime({ database, gateway: testGateway(clock.now), now: clock.now });
  server = await startTestServer({
    database,
    sink: runtime,
    now: clock.now,
    modules: [ingestRoutes, profileRoutes],
  });
  workspace = await createTestWorkspace(database.db);
  await createJourney(database.db, workspace.workspaceId, {
    name: "Checkout rescue",
    trigger: { type: "event", event: "Checkout Started" },
    start: "mail",
    nodes: [
      {
        id: "mail",
        type: "send",
        channel: "email",
        content: { subject: "Your cart", body: "Come back" },
        next: "sms",
      },
      { id: "sms", type: "send", channel: "sms", content: { body: "Your cart misses you" }, next: "done" },
      { id: "done", type: "exit" },
    ],
  });
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

async function send(path: string, body: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basicAuth(workspace.writeKey) },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

describe("from a Segment call to the customer's timeline", () => {
  it("shows the anonymous visit, the journey it started, both actions with their verdicts and the queued email", async () => {
    await send("/v1/page", { anonymousId: "visitor-1", name: "Cart" });
    await send("/v1/identify", {
      userId: "ada",
      anonymousId: "visitor-1",
      traits: { email: "ada@example.com", timezone: "Europe/Berlin", consent: { email: true, sms: false } },
    });
    await send("/v1/batch", {
      batch: [{ type: "track", userId: "ada", event: "Checkout Started", messageId: "chk-1" }],
    });
    // a replay of the same call must not start the journey twice
    await send("/v1/batch", {
      batch: [{ type: "track", userId: "ada", event: "Checkout Started", messageId: "chk-1" }],
    });

    const response = await fetch(`${server.url}/api/profiles/ada/timeline`, {
      headers: { authorization: `Bearer ${workspace.viewerKey}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: unknown[] };
    const items = body.items.map((item) => TimelineItemSchema.parse(item));

    const events = items.filter((item) => item.kind === "event");
    expect(events.map((event) => event.type)).toEqual(["track", "identify", "page"]);
    const steps = items.filter((item) => item.kind === "journey");
    expect(steps.filter((step) => step.step === "entered")).toHaveLength(1);
    expect(steps.every((step) => step.journeyName === "Checkout rescue")).toBe(true);

    const actions = items.filter((item) => item.kind === "action");
    const email = actions.find((action) => action.channel === "email");
    const sms = actions.find((action) => action.channel === "sms");
    expect(email).toMatchObject({
      status: "queued",
      decisions: [expect.objectContaining({ policy: "consent", verdict: "allow" })],
    });
    expect(sms).toMatchObject({
      status: "denied",
      decisions: [expect.objectContaining({ policy: "consent", verdict: "deny" })],
    });
    const messages = items.filter((item) => item.kind === "message");
    expect(messages).toEqual([
      expect.objectContaining({
        channel: "email",
        status: "pending",
        subject: "Your cart",
        body: "Come back",
      }),
    ]);
  });
});
