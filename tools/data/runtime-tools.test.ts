import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../db/ids.ts";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import { JourneyRuntime } from "../../journeys/runtime/runtime.ts";
import {
  actionsOf,
  createCustomer,
  createJourney,
  createWorkspace,
  FakeClock,
  ingest,
  instancesOf,
  testGateway,
} from "../../journeys/runtime/testing.ts";
import { memoryDataTools } from "../../journeys/simulate/memory-tools.ts";
import { QUARANTINE_TAG } from "../../policies/injection/quarantine.ts";
import { loadCustomerEvents } from "./customer-events.ts";
import type { RecommendResult } from "./event-facts.ts";
import { createRuntimeDataTools, customerDataTools } from "./runtime-tools.ts";

/**
 * The wired data tools inside the real runtime (tool nodes saving vars and branching on them), the
 * simulator's in-memory tools answering like the database adapters, and the LangChain tools.
 */

let database: Database;
let runtime: JourneyRuntime;
const clock = new FakeClock("2026-03-10T12:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(clock.now().getTime() - ms);

beforeAll(async () => {
  database = await openTestDb();
  runtime = new JourneyRuntime({
    database,
    gateway: testGateway(clock.now),
    now: clock.now,
    dataTools: createRuntimeDataTools({ database, memory: null, now: clock.now }),
  });
});
afterAll(async () => {
  await database?.close();
});

async function customer(workspaceId: string, traits: Record<string, unknown> = {}) {
  const userId = `u-${newId("c")}`;
  const profileId = await createCustomer(database.db, workspaceId, {
    userId,
    traits: { first_name: "Ada", email: "ada@example.com", timezone: "Europe/Berlin", ...traits },
    consent: { email: true },
  });
  const track = (name: string, properties: Record<string, unknown>, at: Date = clock.now()) =>
    ingest(database, runtime, clock.now, { workspaceId, userId, name, properties, timestamp: at });
  return { userId, profileId, track };
}

const returnJourney: JourneyInput = {
  name: "alternative after a return",
  trigger: { type: "event", event: "Product Returned" },
  start: "tickets",
  nodes: [
    {
      id: "tickets",
      type: "tool",
      tool: "tickets.open",
      save_as: "tickets",
      next: "ticket_check",
      on_error: "failed",
    },
    {
      id: "ticket_check",
      type: "branch",
      branches: [{ condition: { field: "vars.tickets.count", op: "gt", value: 0 }, next: "done" }],
      otherwise: "recommend",
    },
    {
      id: "recommend",
      type: "tool",
      tool: "catalog.recommend",
      args: { product_id: { ref: "trigger.properties.product_id" }, limit: 2 },
      save_as: "recs",
      next: "has_recs",
      on_error: "failed",
    },
    {
      id: "has_recs",
      type: "branch",
      branches: [{ condition: { field: "vars.recs.count", op: "gt", value: 0 }, next: "mail" }],
      otherwise: "done",
    },
    {
      id: "mail",
      type: "send",
      channel: "email",
      content: { subject: "Something else?", body: "Maybe {{vars.recs.products.0.name}} fits better." },
      next: "done",
    },
    {
      id: "failed",
      type: "send",
      channel: "email",
      content: { subject: "Sorry", body: "We could not look that up." },
      next: "done",
    },
    { id: "done", type: "exit" },
  ],
};

describe("tool nodes in the runtime with the wired data tools", () => {
  it("save real results under vars and branch on them: an alternative from the returned product's category", async () => {
    const workspaceId = await createWorkspace(database.db);
    await createJourney(database.db, workspaceId, returnJourney);
    const peer = await customer(workspaceId);
    await peer.track(
      "Product Viewed",
      { product_id: "p3", name: "Trail Runner", category: "shoes" },
      ago(3 * DAY),
    );
    await peer.track(
      "Product Viewed",
      { product_id: "p4", name: "Road Runner", category: "shoes" },
      ago(3 * DAY),
    );
    await peer.track("Product Viewed", { product_id: "b1", name: "Tote", category: "bags" }, ago(3 * DAY));
    const ada = await customer(workspaceId);
    await ada.track("Product Returned", {
      order_id: "o7",
      product_id: "p3",
      category: "shoes",
      reason: "too small",
    });
    // data tools may be slow: a worker runs them, not the ingestion transaction
    expect(await actionsOf(database.db, ada.profileId)).toHaveLength(0);
    await runtime.runDue();
    const [instance] = await instancesOf(database.db, ada.profileId);
    expect(instance!.status).toBe("completed");
    const recs = instance!.vars.recs as RecommendResult;
    expect(recs.category).toBe("shoes");
    expect(recs.products.map((product) => product.product_id)).toEqual(["p4"]);
    expect(instance!.vars.tickets).toMatchObject({ count: 0 });
    const actions = await actionsOf(database.db, ada.profileId);
    expect(actions.map((action) => action.node_id)).toEqual(["mail"]);
    expect((actions[0]!.payload.content as { body: string }).body).toBe("Maybe Road Runner fits better.");
  });

  it("a customer with an open ticket takes the other branch; a bad argument takes on_error", async () => {
    const workspaceId = await createWorkspace(database.db);
    await createJourney(database.db, workspaceId, returnJourney);
    const waiting = await customer(workspaceId);
    await waiting.track(
      "Support Ticket Opened",
      { ticket_id: "t1", topic: "refund", priority: "high" },
      ago(DAY),
    );
    await waiting.track("Product Returned", { order_id: "o1", product_id: "p1" });
    await runtime.runDue();
    expect((await instancesOf(database.db, waiting.profileId))[0]!.vars.tickets).toMatchObject({
      count: 1,
      highest_priority: "high",
    });
    expect(await actionsOf(database.db, waiting.profileId)).toHaveLength(0);

    // limit 99 is outside catalog.recommend's range: an expected failure, not a retry
    const brokenJourney = structuredClone(returnJourney);
    const node = brokenJourney.nodes.find((candidate) => candidate.id === "recommend");
    if (node?.type === "tool") node.args = { limit: 99 };
    const otherWorkspace = await createWorkspace(database.db);
    await createJourney(database.db, otherWorkspace, brokenJourney);
    const other = await customer(otherWorkspace);
    await other.track("Product Returned", { order_id: "o1", product_id: "p1" });
    await runtime.runDue();
    expect((await actionsOf(database.db, other.profileId)).map((action) => action.node_id)).toEqual([
      "failed",
    ]);
  });
});

describe("the simulator's data tools", () => {
  it("answer like the database adapters for the same customer and history", async () => {
    const workspaceId = await createWorkspace(database.db);
    const traits = { first_name: "Ada", churn_risk: 0.4, open_support_tickets: 1 };
    const ada = await customer(workspaceId, traits);
    await ada.track(
      "Product Viewed",
      { product_id: "p1", name: "Trail Runner", category: "shoes", price: 80 },
      ago(4 * DAY),
    );
    await ada.track(
      "Product Viewed",
      { product_id: "p2", name: "Road Runner", category: "shoes", price: 90 },
      ago(4 * DAY),
    );
    await ada.track("Product Added", { product_id: "p1", cart_id: "c1", price: 80 }, ago(3 * DAY));
    await ada.track(
      "Order Completed",
      { order_id: "o1", total: 80, currency: "EUR", category: "shoes" },
      ago(3 * DAY - HOUR),
    );
    await ada.track("Product Returned", { order_id: "o1", product_id: "p1", category: "shoes" }, ago(DAY));
    await ada.track(
      "Support Ticket Opened",
      { ticket_id: "t1", topic: "return", priority: "normal" },
      ago(20 * HOUR),
    );
    await ada.track(
      "Product Viewed",
      { product_id: "b1", name: "Tote", category: "bags", price: 30 },
      ago(HOUR),
    );

    const real = createRuntimeDataTools({ database, memory: null, now: clock.now });
    const history = await loadCustomerEvents(
      database.db,
      { workspaceId, profileId: ada.profileId, now: clock.now() },
      ["Product Viewed", "Product Added", "Order Completed", "Product Returned", "Support Ticket Opened"],
      ago(30 * DAY),
    );
    const simulated = memoryDataTools(
      () => ({
        profileId: ada.profileId,
        userId: ada.userId,
        traits: { ...traits, email: "ada@example.com", timezone: "Europe/Berlin" },
        consent: { email: true },
      }),
      () => history,
      clock.now,
    );
    const call = { workspaceId, profileId: ada.profileId, userId: ada.userId };
    for (const [tool, args] of [
      ["orders.recent", {}],
      ["tickets.open", { limit: 3 }],
      ["profiles.get", {}],
      ["catalog.recommend", { limit: 2 }],
      ["orders.recent", { limit: 0 }],
    ] as const) {
      const fromDb = await real.call({ ...call, tool, args });
      const fromMemory = await simulated.call({ ...call, tool, args });
      expect(fromMemory, `${tool} ${JSON.stringify(args)}`).toEqual(fromDb);
    }
    // Only placeholders (where the simulator has no shop) differ: p1 is being returned, so one shoe is left.
    const args = { category: "shoes" };
    const fromDb = await real.call({ ...call, tool: "catalog.recommend", args });
    const fromMemory = await simulated.call({ ...call, tool: "catalog.recommend", args });
    if (!fromDb.ok || !fromMemory.ok) throw new Error("catalog.recommend failed");
    const dbProducts = (fromDb.value as RecommendResult).products;
    expect(dbProducts.map((product) => product.product_id)).toEqual(["p2"]);
    expect((fromMemory.value as RecommendResult).products.slice(0, 1)).toEqual(dbProducts);
    expect(
      (fromMemory.value as RecommendResult).products.slice(1).map((product) => product.product_id),
    ).toEqual(["sim-shoes-1", "sim-shoes-2"]);
  });

  it("fill recommendations with placeholders where a real shop would have popular products", async () => {
    const simulated = memoryDataTools(
      () => ({ profileId: 1, userId: "u", traits: {}, consent: {} }),
      () => [
        {
          name: "Product Returned",
          properties: { product_id: "p3", category: "shoes" },
          timestamp: ago(HOUR),
        },
      ],
      clock.now,
    );
    const result = await simulated.call({
      workspaceId: "w",
      profileId: 1,
      userId: "u",
      tool: "catalog.recommend",
      args: { category: "shoes", limit: 2 },
    });
    expect(result).toEqual({
      ok: true,
      value: {
        count: 2,
        based_on: [],
        category: "shoes",
        products: [1, 2].map((index) => ({
          product_id: `sim-shoes-${index}`,
          name: `Placeholder shoes product ${index}`,
          category: "shoes",
          price: null,
          reason: "popular_in_category",
          score: 0,
        })),
      },
    });
  });
});

describe("the data tools as LangChain tools", () => {
  it("are bound to one customer, validate their arguments and hand results over quarantined", async () => {
    const workspaceId = await createWorkspace(database.db);
    const ada = await customer(workspaceId);
    const bob = await customer(workspaceId);
    await ada.track("Order Completed", { order_id: "ada-1", total: 10 }, ago(DAY));
    await bob.track("Order Completed", { order_id: "bob-1", total: 20 }, ago(DAY));
    const tools = customerDataTools({
      executor: database.db,
      scope: { workspaceId, profileId: ada.profileId, now: clock.now() },
      deps: { memory: null },
    });
    expect(tools.map((tool) => tool.name)).toEqual([
      "profiles_get",
      "orders_recent",
      "tickets_open",
      "catalog_recommend",
      "memory_search",
    ]);
    const orders = tools.find((tool) => tool.name === "orders_recent")!;
    const answer = String(await orders.invoke({ limit: 5 }));
    expect(answer.startsWith(`<${QUARANTINE_TAG} source="tool.orders.recent"`)).toBe(true);
    expect(answer).toContain("ada-1");
    expect(answer).not.toContain("bob-1");
    await expect(orders.invoke({ limit: 500 })).rejects.toThrow();
    const memory = tools.find((tool) => tool.name === "memory_search")!;
    expect(String(await memory.invoke({ query: "refund tone" }))).toContain("not configured");
  });
});
