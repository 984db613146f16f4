import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBMIT_JOURNEY } from "../../agents/designer/answer-tools.ts";
import type { OpenAiStub } from "../../agents/testing.ts";
import { startOpenAiStub } from "../../agents/testing.ts";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import { FakeClock } from "../../journeys/runtime/testing.ts";
import type { GuardrailServer, GuardrailWorkspace } from "../guardrails-testing.ts";
import {
  callApi,
  count,
  eventually,
  guardrailWorkspace,
  outboxRowsWithoutAllowChain,
  segment,
  startGuardrailServer,
} from "../guardrails-testing.ts";

/**
 * Issue 4, "Done when": with a scripted model, the whole loop in one test over real HTTP against the
 * real server and its running loops — a goal becomes a design (ChatOpenAI talking to a local
 * OpenAI-compatible server that answers from a script), the draft waits for review, a reviewer
 * accepts through the approval queue, the version goes live, a customer's Segment events arrive
 * through ingestion and the journey's email is delivered (sandbox), with its policy decisions stored.
 */

const catalog = WorkspaceCatalog.parse({
  events: {
    "Checkout Started": { description: "a customer began checkout", properties: { cart_id: "string" } },
    "Order Completed": { description: "an order was placed", properties: { order_id: "string" } },
  },
  traits: { email: "string", first_name: "string", timezone: "string", tier: "vip|regular" },
  channels: ["email", "sms", "handoff"],
});

const drafted: JourneyInput = {
  name: "Checkout nudge",
  trigger: { type: "event", event: "Checkout Started" },
  exit_on: [{ event: "Order Completed" }],
  start: "mail",
  nodes: [
    {
      id: "mail",
      type: "send",
      channel: "email",
      content: {
        subject: "{{traits.first_name}}, your cart is saved",
        body: "Cart {{trigger.properties.cart_id}} is waiting for you.",
      },
      category: "transactional",
      next: "done",
    },
    { id: "done", type: "exit" },
  ],
};

const clock = new FakeClock("2026-03-02T09:00:00Z"); // 10:00 in Berlin
let database: Database;
let stub: OpenAiStub;
let server: GuardrailServer;
let ws: GuardrailWorkspace;

const as = (role: keyof GuardrailWorkspace["keys"]) => (method: string, path: string, body?: unknown) =>
  callApi(server.url, ws.keys[role], method, path, body);

beforeAll(async () => {
  database = await openTestDb();
  stub = await startOpenAiStub();
  server = await startGuardrailServer(database, clock.now, {
    OPENAI_BASE_URL: stub.baseUrl,
    OVERTURE_MODEL: "scripted",
    OVERTURE_EMBEDDINGS: "hashing",
  });
  ws = await guardrailWorkspace(database.db, catalog, {}, clock.now());
});
afterAll(async () => {
  await server?.close();
  await stub?.close();
  await database?.close();
});

async function designStatus(id: string): Promise<Record<string, unknown>> {
  const response = await as("viewer")("GET", `/api/designs/${id}`);
  expect(response.status).toBe(200);
  return response.body.design as Record<string, unknown>;
}

describe("design → approval → activation → customer events → message", () => {
  it("runs the whole loop with a scripted model behind ChatOpenAI", async () => {
    stub.reply({
      kind: "tool_calls",
      calls: [
        {
          name: SUBMIT_JOURNEY,
          args: { journey: drafted, explanation: ["Email right when checkout starts."] },
        },
      ],
      usage: { prompt: 1800, completion: 240 },
    });
    const created = await as("cx_lead")("POST", "/api/designs", {
      goal: "When a customer starts checkout, email them that their cart is saved.",
    });
    expect(created.status).toBe(202);
    const id = (created.body.design as { id: string }).id;
    await eventually(
      async () => (await designStatus(id)).status === "awaiting_approval",
      "the draft waits for review",
    );
    const waiting = await designStatus(id);
    expect(waiting).toMatchObject({ model: "openai:scripted", llmCalls: 1, tokens: 2040, conflicts: [] });
    expect(waiting.lint).toEqual([expect.objectContaining({ code: "consent_fallback", path: "$.nodes[0]" })]);
    // The one model call carried the whole context and the answer tools (the call budget's common path).
    const request = stub.requests[0]!;
    expect(request.body.messages?.map((message) => message.role)).toEqual(["system", "user"]);
    expect(String(request.body.messages?.[1]?.content)).toContain('"Checkout Started"');
    expect(request.body.tools?.map((tool) => tool.function.name)).toContain(SUBMIT_JOURNEY);

    const approvalId = String(waiting.approvalId);
    const byAuthor = await as("cx_lead")("POST", `/api/approvals/${approvalId}/respond`, { type: "accept" });
    expect(byAuthor.status).toBe(403);
    const accepted = await as("reviewer")("POST", `/api/approvals/${approvalId}/respond`, {
      type: "accept",
      reason: "ok",
    });
    expect(accepted.status).toBe(200);
    await eventually(
      async () => (await designStatus(id)).status === "activated",
      "the design sees the activation",
    );
    const journey = await as("viewer")("GET", `/api/journeys/${String(waiting.journeyId)}`);
    expect(journey.body.live).toMatchObject({ status: "active", draftedBy: "model:openai:scripted" });

    const identify = await segment(server.url, ws.keys.ingest, "identify", {
      userId: "ada",
      messageId: "id-ada",
      traits: {
        email: "ada@example.com",
        first_name: "Ada",
        timezone: "Europe/Berlin",
        consent: { email: true },
      },
    });
    expect(identify.status).toBe(200);
    const track = await segment(server.url, ws.keys.ingest, "track", {
      userId: "ada",
      messageId: "checkout-ada",
      event: "Checkout Started",
      properties: { cart_id: "cart-7" },
    });
    expect(track.status).toBe(200);
    const [profile] = await rows<{ id: number }>(
      database.db,
      sql`select id from profiles where workspace_id = ${ws.workspaceId} and user_id = 'ada'`,
    );
    const sent = () =>
      rows<{ subject: string | null; body: string; recipient: string | null }>(
        database.db,
        sql`select subject, body, recipient from sandbox_messages where profile_id = ${profile!.id}`,
      );
    await eventually(async () => (await sent()).length === 1, "the email is delivered");
    expect((await sent())[0]).toMatchObject({
      subject: "Ada, your cart is saved",
      body: "Cart cart-7 is waiting for you.",
      recipient: "ada@example.com",
    });
    expect(await outboxRowsWithoutAllowChain(database.db, ws.workspaceId)).toEqual([]);
    expect(
      await count(
        database.db,
        sql`select count(*)::int8 as n from sandbox_messages where workspace_id = ${ws.workspaceId}`,
      ),
    ).toBe(1);

    // A finished design's event stream replays everything and ends by itself.
    const stream = await fetch(`${server.url}/api/designs/${id}/events`, {
      headers: { authorization: `Bearer ${ws.keys.viewer}` },
    });
    const text = await stream.text();
    expect(text).toContain("event: review");
    expect(text).toContain('"status":"activated"');
  });
});
