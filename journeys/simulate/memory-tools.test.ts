import { describe, expect, it } from "vitest";
import type { Decide } from "../../policies/types.ts";
import type { JourneyInput } from "../format/schema.ts";
import { memoryDataTools } from "./memory-tools.ts";
import { simulate } from "./simulate.ts";

/** The simulator's data tools: derived from the scenario, the same arguments and shapes as the real ones. */

const catalog = {
  timezone_default: "Europe/Berlin",
  start: "2026-03-02T10:00:00",
  customer_facing: ["email", "sms", "push", "in_app", "chat", "handoff"],
  profile_default: {
    traits: { first_name: "Ada", email: "ada@example.com", timezone: "Europe/Berlin", tier: "regular" },
    consent: { email: true },
  },
};
const allow: Decide = () => ({
  outcome: "allow",
  verdicts: [{ policy: "consent", verdict: "allow", reason: "ok" }],
});

const journey: JourneyInput = {
  name: "return follow-up",
  trigger: { type: "event", event: "Product Returned" },
  start: "orders",
  nodes: [
    { id: "orders", type: "tool", tool: "orders.recent", save_as: "orders", next: "returned_before" },
    {
      id: "returned_before",
      type: "branch",
      branches: [{ condition: { field: "vars.orders.returned_count", op: "gte", value: 2 }, next: "person" }],
      otherwise: "recommend",
    },
    {
      id: "recommend",
      type: "tool",
      tool: "catalog.recommend",
      args: { product_id: { ref: "trigger.properties.product_id" }, limit: 1 },
      save_as: "recs",
      next: "mail",
      on_error: "done",
    },
    {
      id: "mail",
      type: "send",
      channel: "email",
      content: { subject: "Another idea", body: "How about {{vars.recs.products.0.name}}?" },
      next: "done",
    },
    { id: "person", type: "handoff", instructions: "Second return: call them", next: "done" },
    { id: "done", type: "exit" },
  ],
};

describe("the simulator's data tools", () => {
  it("let tool nodes branch on the scenario's own orders and recommend from its own views", async () => {
    const result = await simulate(
      journey,
      {
        events: [
          {
            at: "PT0S",
            track: "Product Viewed",
            properties: { product_id: "p2", name: "Road Runner", category: "shoes" },
          },
          {
            at: "PT0S",
            track: "Product Viewed",
            properties: { product_id: "p3", name: "Trail Runner", category: "shoes" },
          },
          {
            at: "PT1H",
            track: "Order Completed",
            properties: { order_id: "o1", total: 80, products: [{ product_id: "p3", category: "shoes" }] },
          },
          {
            at: "P3D",
            track: "Product Returned",
            properties: { order_id: "o1", product_id: "p3", category: "shoes" },
          },
        ],
        horizon: "P5D",
      },
      { decide: allow, catalog },
    );
    expect(result.actions.map((action) => [action.nodeId, action.content?.body])).toEqual([
      ["mail", "How about Road Runner?"],
    ]);
  });

  it("a second return in the window takes the other branch", async () => {
    const order = (id: string, at: string) => ({
      at,
      track: "Order Completed",
      properties: { order_id: id, total: 20, product_id: `${id}-p` },
    });
    const back = (id: string, at: string) => ({
      at,
      track: "Product Returned",
      properties: { order_id: id, product_id: `${id}-p` },
    });
    const result = await simulate(
      journey,
      {
        events: [order("o1", "PT0S"), back("o1", "PT1H"), order("o2", "P2D"), back("o2", "P2DT1H")],
        horizon: "P5D",
      },
      { decide: allow, catalog },
    );
    // the first return is the only one so far: an alternative; the second: a person
    expect(result.actions.map((action) => action.nodeId)).toEqual(["mail", "person"]);
  });

  it("refuse bad arguments and unknown tools the way the database adapters do", async () => {
    const tools = memoryDataTools(
      () => ({ profileId: 1, userId: "u", traits: {}, consent: {} }),
      () => [],
      () => new Date("2026-03-02T09:00:00Z"),
    );
    const call = { workspaceId: "w", profileId: 1, userId: "u" };
    expect(await tools.call({ ...call, tool: "tickets.open", args: { limit: "many" } })).toMatchObject({
      ok: false,
      error: expect.stringContaining("limit"),
    });
    expect(await tools.call({ ...call, tool: "weather.today", args: {} })).toMatchObject({ ok: false });
    expect(await tools.call({ ...call, tool: "memory.search", args: { query: "refund" } })).toEqual({
      ok: true,
      value: { count: 0, items: [] },
    });
  });
});
