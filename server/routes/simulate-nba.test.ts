import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import { storeCatalog } from "../../journeys/format/test-fixtures.ts";
import { journeyRunRoutes } from "./journey-runs.ts";
import { journeyRoutes } from "./journeys.ts";
import type { ApiHarness } from "./test-harness.ts";
import { createApiHarness } from "./test-harness.ts";

/** POST /api/journeys/:id/simulate decides agent nodes as the runtime's model-free chooser does. */

let database: Database;
let harness: ApiHarness;
const now = () => new Date("2026-03-02T09:00:00Z");

beforeAll(async () => {
  database = await openTestDb();
  harness = await createApiHarness(database, [journeyRoutes, journeyRunRoutes], now);
});
afterAll(async () => {
  await database?.close();
});

const chatFollowUp: JourneyInput = {
  name: "chat follow-up",
  trigger: { type: "event", event: "Chat Message Received" },
  start: "nba",
  nodes: [
    {
      id: "nba",
      type: "agent",
      objective: "keep the customer",
      actions: [
        {
          id: "email_offer",
          kind: "send",
          channel: "email",
          content: { body: "10% off" },
          offer: { kind: "percent_off", value: 10 },
        },
        { id: "call_them", kind: "handoff", queue: "support", instructions: "Call them" },
      ],
      next: "done",
    },
    { id: "done", type: "exit" },
  ],
};

describe("simulating agent nodes", () => {
  it("hands the furious customer to a person and mails the calm one, as the scorer decides", async () => {
    const ws = await harness.workspace(storeCatalog);
    const created = await ws.call("cx_lead", "POST", "/api/journeys", { definition: chatFollowUp });
    expect(created.status).toBe(201);
    const journeyId = (created.body.journey as { id: string }).id;
    const scenario = (name: string, text: string) => ({
      name,
      events: [{ at: "PT0S", track: "Chat Message Received", properties: { text } }],
      horizon: "P1D",
    });
    const response = await ws.call("cx_lead", "POST", `/api/journeys/${journeyId}/simulate`, {
      profileDefault: {
        traits: { timezone: "Europe/Berlin", first_name: "Ada", email: "ada@example.com", churn_risk: 0.8 },
        consent: { email: true },
      },
      scenarios: [
        scenario("furious", "Third time my order is late. Unacceptable, I'm furious!"),
        scenario("calm", "Thanks, that helped."),
      ],
    });
    expect(response.status).toBe(200);
    const results = response.body.results as Array<{ name: string; actions: Array<{ channel: string }> }>;
    expect(results.map((result) => [result.name, result.actions.map((action) => action.channel)])).toEqual([
      ["furious", ["handoff"]],
      ["calm", ["email"]],
    ]);
  });
});
