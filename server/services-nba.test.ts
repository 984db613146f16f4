import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHOOSE_ACTION } from "../agents/nba/prompt.ts";
import type { OpenAiStub } from "../agents/testing.ts";
import { startOpenAiStub } from "../agents/testing.ts";
import { newId } from "../db/ids.ts";
import type { Database } from "../db/open.ts";
import { rows } from "../db/open.ts";
import { openTestDb } from "../db/testing.ts";
import type { JourneyInput } from "../journeys/format/schema.ts";
import {
  actionsOf,
  createCustomer,
  createJourney,
  createWorkspace,
  FakeClock,
  ingest,
  instancesOf,
} from "../journeys/runtime/testing.ts";
import { loadConfig } from "./config.ts";
import type { Services } from "./services.ts";
import { createServices } from "./services.ts";

/**
 * What server/services.ts wires into the runtime: tool nodes read the real data adapters and agent
 * nodes ask the real next-best-action step — the scorer by default, ChatOpenAI when a model is
 * configured — with a fake clock and real policies.
 */

let database: Database;
let services: Services;
let withModel: Services;
let stub: OpenAiStub;
const clock = new FakeClock("2026-03-10T10:00:00Z");

beforeAll(async () => {
  database = await openTestDb();
  stub = await startOpenAiStub();
  services = await createServices(loadConfig({ OVERTURE_WORKERS: "false" }), database, clock.now);
  withModel = await createServices(
    loadConfig({ OVERTURE_WORKERS: "false", OPENAI_BASE_URL: stub.baseUrl, OVERTURE_MODEL: "stub-model" }),
    database,
    clock.now,
  );
});
afterAll(async () => {
  await stub?.close();
  await database?.close();
});

const journey: JourneyInput = {
  name: "support chat follow-up",
  trigger: { type: "event", event: "Chat Message Received" },
  start: "orders",
  nodes: [
    { id: "orders", type: "tool", tool: "orders.recent", args: { limit: 3 }, save_as: "orders", next: "nba" },
    {
      id: "nba",
      type: "agent",
      objective: "keep the customer: resolve problems first, win back those likely to leave",
      save_as: "choice",
      actions: [
        {
          id: "email_offer",
          kind: "send",
          channel: "email",
          content: { subject: "A thank-you", body: "15% off your next order, {{traits.first_name}}." },
          offer: { kind: "percent_off", value: 15 },
        },
        {
          id: "call_them",
          kind: "handoff",
          queue: "senior_support",
          instructions: "Call the customer today.",
        },
        { id: "nothing", kind: "none" },
      ],
      next: "done",
    },
    { id: "done", type: "exit" },
  ],
};

async function customerIn(workspaceId: string, traits: Record<string, unknown>) {
  const userId = `u-${newId("c")}`;
  const profileId = await createCustomer(database.db, workspaceId, {
    userId,
    traits: { first_name: "Ada", email: "ada@example.com", timezone: "Europe/Berlin", ...traits },
    consent: { email: true },
  });
  return { userId, profileId };
}

async function agentLog(instanceId: number) {
  const [entry] = await rows<{ detail: Record<string, unknown> }>(
    database.db,
    sql`select detail from instance_log where instance_id = ${instanceId} and node_id = 'nba' and detail ? 'choice'`,
  );
  return entry?.detail;
}

describe("the runtime as services.ts wires it", () => {
  it("without a model, the scorer hands a furious customer to a person and wins back a calm one at risk", async () => {
    const runtime = services.runtime!;
    const workspaceId = await createWorkspace(database.db);
    await createJourney(database.db, workspaceId, journey);
    const furious = await customerIn(workspaceId, { churn_risk: 0.3 });
    const calm = await customerIn(workspaceId, { churn_risk: 0.9, purchase_propensity: 0.1 });
    await ingest(database, runtime, clock.now, {
      workspaceId,
      userId: calm.userId,
      name: "Order Completed",
      properties: { order_id: "o1", total: 64, currency: "EUR", category: "shoes" },
      timestamp: new Date(clock.now().getTime() - 5 * 86_400_000),
    });
    for (const [who, text] of [
      [furious, "Third time my parcel is late. This is unacceptable, I'm furious!"],
      [calm, "Thanks, all good now."],
    ] as const) {
      await ingest(database, runtime, clock.now, {
        workspaceId,
        userId: who.userId,
        name: "Chat Message Received",
        properties: { conversation_id: `k-${who.userId}`, text },
      });
    }
    await runtime.runDue();

    const [furiousVisit] = await instancesOf(database.db, furious.profileId);
    expect(furiousVisit!.vars).toMatchObject({ choice: "call_them", orders: { count: 0 } });
    expect(await agentLog(furiousVisit!.id)).toMatchObject({ choice: "call_them", chosen_by: "scorer" });
    expect(String((await agentLog(furiousVisit!.id))!.reason)).toContain("in their own words");
    expect((await actionsOf(database.db, furious.profileId)).map((action) => action.channel)).toEqual([
      "handoff",
    ]);

    const [calmVisit] = await instancesOf(database.db, calm.profileId);
    expect(calmVisit!.vars).toMatchObject({ choice: "email_offer", orders: { count: 1, last_total: 64 } });
    const [offer] = await actionsOf(database.db, calm.profileId);
    expect(offer).toMatchObject({ channel: "email", node_id: "nba" });
    expect((offer!.payload.content as { body: string }).body).toBe("15% off your next order, Ada.");
  });

  it("with a model configured, ChatOpenAI chooses; its written content marks the action AI-generated", async () => {
    const runtime = withModel.runtime!;
    const workspaceId = await createWorkspace(database.db);
    await createJourney(database.db, workspaceId, journey);
    const ada = await customerIn(workspaceId, { churn_risk: 0.8, purchase_propensity: 0.2 });
    stub.reply({
      kind: "tool_calls",
      calls: [
        {
          name: CHOOSE_ACTION,
          args: {
            option_id: "email_offer",
            reason: "At risk and calm: an incentive fits.",
            content: { subject: "For you, Ada", body: "Here is 15% off, valid this week." },
          },
        },
      ],
    });
    await ingest(database, runtime, clock.now, {
      workspaceId,
      userId: ada.userId,
      name: "Chat Message Received",
      properties: { conversation_id: "k1", text: "Is there anything new for me?" },
    });
    await runtime.runDue();
    const [visit] = await instancesOf(database.db, ada.profileId);
    expect(await agentLog(visit!.id)).toMatchObject({
      choice: "email_offer",
      chosen_by: "model:openai:stub-model",
      reason: "At risk and calm: an incentive fits.",
    });
    const [action] = await actionsOf(database.db, ada.profileId);
    expect(action!.payload).toMatchObject({
      aiGenerated: true,
      content: { subject: "For you, Ada", body: "Here is 15% off, valid this week." },
    });
    // the model saw the customer's words only inside a quarantine block
    const prompt = JSON.stringify(stub.requests.at(-1)!.body.messages);
    expect(prompt).toContain('untrusted_input source=\\"Chat_Message_Received.text\\"');
    expect(prompt).not.toContain("ada@example.com");
  });

  it("a model that fails leaves the decision to the scorer and the journey moves on", async () => {
    const runtime = withModel.runtime!;
    const workspaceId = await createWorkspace(database.db);
    await createJourney(database.db, workspaceId, journey);
    const ada = await customerIn(workspaceId, { churn_risk: 0.8, purchase_propensity: 0.2 });
    stub.reply({ kind: "error", status: 401, message: "bad key" });
    await ingest(database, runtime, clock.now, {
      workspaceId,
      userId: ada.userId,
      name: "Chat Message Received",
      properties: { conversation_id: "k1", text: "hello" },
    });
    await runtime.runDue();
    const [visit] = await instancesOf(database.db, ada.profileId);
    expect(visit!.status).toBe("completed");
    expect(await agentLog(visit!.id)).toMatchObject({ choice: "email_offer", chosen_by: "scorer" });
    expect(String((await agentLog(visit!.id))!.reason)).toContain("model_auth");
  });
});
