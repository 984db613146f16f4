import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../db/ids.ts";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { JourneyRuntime } from "../../journeys/runtime/runtime.ts";
import type { TestEvent } from "../../journeys/runtime/testing.ts";
import {
  createCustomer,
  createWorkspace,
  FakeClock,
  ingest,
  testGateway,
} from "../../journeys/runtime/testing.ts";
import { createEmbedder } from "./embedder.ts";
import type { OrdersResult, RecommendResult, TicketsResult } from "./event-facts.ts";
import { SemanticMemory } from "./memory.ts";
import { createRuntimeDataTools } from "./runtime-tools.ts";

/** The data adapters against PGlite, over events stored the way ingestion stores them. */

let database: Database;
let runtime: JourneyRuntime;
const clock = new FakeClock("2026-03-10T12:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(clock.now().getTime() - ms);
let memory: SemanticMemory;

beforeAll(async () => {
  database = await openTestDb();
  runtime = new JourneyRuntime({ database, gateway: testGateway(clock.now), now: clock.now });
  memory = new SemanticMemory(database, createEmbedder({}));
});
afterAll(async () => {
  await database?.close();
});

function tools() {
  return createRuntimeDataTools({ database, memory, now: clock.now });
}

async function customer(workspaceId: string, traits: Record<string, unknown> = {}) {
  const userId = `u-${newId("c")}`;
  const profileId = await createCustomer(database.db, workspaceId, {
    userId,
    traits: { first_name: "Ada", ...traits },
    consent: { email: true, sms: false },
  });
  const track = (name: string, properties: Record<string, unknown>, at: Date) =>
    ingest(database, runtime, clock.now, { workspaceId, userId, name, properties, timestamp: at });
  const call = (tool: string, args: Record<string, unknown> = {}) =>
    tools().call({ workspaceId, profileId, userId, tool, args });
  return { userId, profileId, track, call };
}

async function value<T>(result: Promise<{ ok: true; value: unknown } | { ok: false; error: string }>) {
  const settled = await result;
  if (!settled.ok) throw new Error(`expected ok, got: ${settled.error}`);
  return settled.value as T;
}

describe("orders.recent", () => {
  it("lists the window's orders newest first with products, categories, returns and cancellations", async () => {
    const workspaceId = await createWorkspace(database.db);
    const c = await customer(workspaceId);
    await c.track("Order Completed", { order_id: "old", total: 99, category: "bags" }, ago(400 * DAY));
    // an order naming its products (Segment e-commerce spec)
    await c.track(
      "Order Completed",
      {
        order_id: "o1",
        total: 120,
        currency: "EUR",
        products: [
          { product_id: "p1", category: "shoes", price: 80 },
          { product_id: "p2", category: "socks", price: 40 },
        ],
      },
      ago(20 * DAY),
    );
    await c.track(
      "Product Returned",
      { order_id: "o1", product_id: "p1", reason: "too small" },
      ago(15 * DAY),
    );
    // an order that names nothing: the cart adds before it name its products
    await c.track("Product Added", { product_id: "p7", cart_id: "c1", price: 30 }, ago(3 * DAY + HOUR));
    await c.track(
      "Order Completed",
      { order_id: "o2", total: 30, currency: "EUR", category: "hats" },
      ago(3 * DAY),
    );
    await c.track("Order Completed", { order_id: "o3", total: 55, product_id: "p9" }, ago(DAY));
    await c.track("Order Cancelled", { order_id: "o3", total: 55 }, ago(20 * HOUR));

    const result = await value<OrdersResult>(c.call("orders.recent", { limit: 2 }));
    expect(result).toEqual({
      count: 3,
      orders: [
        {
          order_id: "o3",
          at: ago(DAY).toISOString(),
          total: 55,
          currency: null,
          categories: [],
          product_ids: ["p9"],
          returned: false,
          returned_product_ids: [],
          cancelled: true,
        },
        {
          order_id: "o2",
          at: ago(3 * DAY).toISOString(),
          total: 30,
          currency: "EUR",
          categories: ["hats"],
          product_ids: ["p7"],
          returned: false,
          returned_product_ids: [],
          cancelled: false,
        },
      ],
      last_order_at: ago(DAY).toISOString(),
      last_total: 55,
      total_value: 150,
      returned_count: 1,
      cancelled_count: 1,
    });
    const wide = await value<OrdersResult>(c.call("orders.recent", { within: "P500D", limit: 20 }));
    expect(wide.count).toBe(4);
    expect(wide.orders.find((order) => order.order_id === "o1")).toMatchObject({
      product_ids: ["p1", "p2"],
      categories: ["shoes", "socks"],
      returned: true,
      returned_product_ids: ["p1"],
    });
  });

  it("never reads another customer's orders or events after now", async () => {
    const workspaceId = await createWorkspace(database.db);
    const a = await customer(workspaceId);
    const b = await customer(workspaceId);
    await b.track("Order Completed", { order_id: "b1", total: 10 }, ago(DAY));
    await a.track(
      "Order Completed",
      { order_id: "a-future", total: 10 },
      new Date(clock.now().getTime() + DAY),
    );
    expect(await value<OrdersResult>(a.call("orders.recent"))).toMatchObject({ count: 0, orders: [] });
  });

  it("refuses bad arguments with a sentence naming them, as an expected outcome", async () => {
    const workspaceId = await createWorkspace(database.db);
    const c = await customer(workspaceId);
    const bad = await c.call("orders.recent", { limit: 500, within: "three days", colour: "red" });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error).toContain("orders.recent");
    expect(bad.error).toContain("limit");
    expect(bad.error).toContain("within");
    expect(bad.error).toContain("colour");
    // a ref that resolved to nothing is an omitted argument, not an error
    expect((await c.call("orders.recent", { limit: null })).ok).toBe(true);
    const unknown = await c.call("orders.everything");
    expect(unknown).toMatchObject({ ok: false });
  });
});

describe("tickets.open", () => {
  it("lists tickets opened and not closed, oldest first, with the highest priority", async () => {
    const workspaceId = await createWorkspace(database.db);
    const c = await customer(workspaceId, { open_support_tickets: 5 });
    await c.track(
      "Support Ticket Opened",
      { ticket_id: "t1", topic: "billing", priority: "high" },
      ago(5 * DAY),
    );
    await c.track(
      "Support Ticket Opened",
      { ticket_id: "t2", topic: "delivery", priority: "low" },
      ago(2 * DAY),
    );
    await c.track(
      "Support Ticket Opened",
      { ticket_id: "t3", topic: "login", priority: "normal" },
      ago(30 * HOUR),
    );
    await c.track("Support Ticket Closed", { ticket_id: "t1" }, ago(DAY));
    await c.track("Support Ticket Opened", { topic: "no id, cannot be matched" }, ago(HOUR));
    expect(await value<TicketsResult>(c.call("tickets.open"))).toEqual({
      count: 2,
      tickets: [
        {
          ticket_id: "t2",
          topic: "delivery",
          priority: "low",
          opened_at: ago(2 * DAY).toISOString(),
          age_hours: 48,
        },
        {
          ticket_id: "t3",
          topic: "login",
          priority: "normal",
          opened_at: ago(30 * HOUR).toISOString(),
          age_hours: 30,
        },
      ],
      highest_priority: "normal",
      source: "events",
    });
  });

  it("a ticket reopened after it was closed is open again; with no ticket events the CRM trait counts", async () => {
    const workspaceId = await createWorkspace(database.db);
    const c = await customer(workspaceId);
    await c.track(
      "Support Ticket Opened",
      { ticket_id: "t1", topic: "refund", priority: "high" },
      ago(3 * DAY),
    );
    await c.track("Support Ticket Closed", { ticket_id: "t1" }, ago(2 * DAY));
    await c.track("Support Ticket Opened", { ticket_id: "t1", topic: "refund", priority: "high" }, ago(DAY));
    expect(await value<TicketsResult>(c.call("tickets.open"))).toMatchObject({
      count: 1,
      highest_priority: "high",
    });

    const crm = await customer(workspaceId, { open_support_tickets: 2 });
    expect(await value<TicketsResult>(crm.call("tickets.open"))).toEqual({
      count: 2,
      tickets: [],
      highest_priority: null,
      source: "trait",
    });
    const calm = await customer(workspaceId, { open_support_tickets: 0 });
    expect(await value<TicketsResult>(calm.call("tickets.open"))).toMatchObject({
      count: 0,
      source: "events",
    });
  });
});

describe("profiles.get", () => {
  it("returns traits (bounded), consent, scores and segments of this workspace's customer only", async () => {
    const workspaceId = await createWorkspace(database.db);
    const c = await customer(workspaceId, {
      churn_risk: 0.8,
      purchase_propensity: 0.1,
      lifetime_value: 640,
      notes: "x".repeat(5000),
    });
    const segmentId = newId("seg");
    await database.db.execute(
      sql`insert into segments (id, workspace_id, name, condition) values (${segmentId}, ${workspaceId}, 'at risk', '{}'::jsonb)`,
    );
    await database.db.execute(
      sql`insert into segment_memberships (segment_id, profile_id, workspace_id) values (${segmentId}, ${c.profileId}, ${workspaceId})`,
    );
    const profile = await value<{
      user_id: string;
      traits: Record<string, unknown>;
      consent: Record<string, boolean>;
      scores: Record<string, number>;
      segments: string[];
    }>(c.call("profiles.get"));
    expect(profile).toMatchObject({
      user_id: c.userId,
      consent: { email: true, sms: false },
      scores: { churn_risk: 0.8, purchase_propensity: 0.1 },
      segments: ["at risk"],
    });
    expect(profile.scores).not.toHaveProperty("lifetime_value");
    expect(String(profile.traits.notes).length).toBeLessThanOrEqual(501);
    expect(JSON.stringify(profile).length).toBeLessThan(2000);

    const elsewhere = await createWorkspace(database.db);
    const foreign = await tools().call({
      workspaceId: elsewhere,
      profileId: c.profileId,
      userId: c.userId,
      tool: "profiles.get",
      args: {},
    });
    expect(foreign).toMatchObject({ ok: false });
  });
});

describe("catalog.recommend", () => {
  async function shop() {
    const workspaceId = await createWorkspace(database.db);
    const view = (id: string, category: string, name = `Product ${id}`) => ({
      product_id: id,
      name,
      category,
      price: 50,
    });
    const events: TestEvent[] = [];
    const peers = await Promise.all([1, 2, 3, 4].map(() => customer(workspaceId)));
    // Everyone who looked at p1 also looked at p2; two of them bought p3.
    for (const [index, peer] of peers.entries()) {
      events.push(
        {
          workspaceId,
          userId: peer.userId,
          name: "Product Viewed",
          properties: view("p1", "shoes", "Trail Runner"),
          timestamp: ago(5 * DAY),
        },
        {
          workspaceId,
          userId: peer.userId,
          name: "Product Viewed",
          properties: view("p2", "shoes", "Road Runner"),
          timestamp: ago(5 * DAY - HOUR),
        },
      );
      if (index < 2)
        events.push({
          workspaceId,
          userId: peer.userId,
          name: "Order Completed",
          properties: {
            order_id: `o-${index}`,
            total: 50,
            products: [{ product_id: "p3", category: "socks", name: "Wool Socks", price: 10 }],
          },
          timestamp: ago(4 * DAY),
        });
    }
    // p8 is the most popular shoe among people who never saw p1; p9 a popular bag.
    const others = await Promise.all([1, 2, 3, 4, 5, 6].map(() => customer(workspaceId)));
    for (const other of others) {
      events.push(
        {
          workspaceId,
          userId: other.userId,
          name: "Product Viewed",
          properties: view("p8", "shoes", "Hiker"),
          timestamp: ago(10 * DAY),
        },
        {
          workspaceId,
          userId: other.userId,
          name: "Product Viewed",
          properties: view("p9", "bags", "Tote"),
          timestamp: ago(10 * DAY),
        },
      );
    }
    for (const event of events) await ingest(database, runtime, clock.now, event);
    const me = await customer(workspaceId);
    await me.track("Product Viewed", view("p1", "shoes", "Trail Runner"), ago(DAY));
    return { workspaceId, me };
  }

  it("recommends what people with the same interest viewed and bought, then popular in its category, then popular", async () => {
    const { me } = await shop();
    const result = await value<RecommendResult>(me.call("catalog.recommend", { limit: 4 }));
    expect(result.based_on).toEqual(["p1"]);
    expect(result.products.map((product) => [product.product_id, product.reason])).toEqual([
      // two peers bought p3 (2 × 3) outweighs four peers viewing p2 (4 × 1)
      ["p3", "co_bought"],
      ["p2", "co_viewed"],
      ["p8", "popular_in_category"],
      ["p1", "popular_in_category"],
    ]);
    expect(result.products[1]).toMatchObject({ name: "Road Runner", category: "shoes", price: 50 });
    expect(result.products[0]).toMatchObject({ name: "Wool Socks", category: "socks", price: 10 });
    expect(result.count).toBe(4);
  });

  it("never recommends what the customer is returning, nor what they bought unless asked to", async () => {
    const { me } = await shop();
    await me.track(
      "Order Completed",
      {
        order_id: "mine",
        total: 50,
        products: [
          { product_id: "p2", category: "shoes" },
          { product_id: "p8", category: "shoes" },
        ],
      },
      ago(12 * HOUR),
    );
    await me.track(
      "Product Returned",
      { order_id: "mine", product_id: "p8", category: "shoes" },
      ago(2 * HOUR),
    );
    const ids = async (args: Record<string, unknown>) =>
      (await value<RecommendResult>(me.call("catalog.recommend", args))).products.map(
        (product) => product.product_id,
      );
    expect(await ids({ limit: 10 })).not.toContain("p2");
    expect(await ids({ limit: 10 })).not.toContain("p8");
    expect(await ids({ limit: 10, exclude_purchased: false })).toContain("p2");
    expect(await ids({ limit: 10, exclude_purchased: false })).not.toContain("p8");
  });

  it("keeps to a category when asked, and finds alternatives to a product in its own category", async () => {
    const { me } = await shop();
    const bags = await value<RecommendResult>(me.call("catalog.recommend", { category: "bags" }));
    expect(bags.products.map((product) => product.product_id)).toEqual(["p9"]);
    expect(bags.category).toBe("bags");
    const alternatives = await value<RecommendResult>(
      me.call("catalog.recommend", { product_id: "p8", limit: 5 }),
    );
    expect(alternatives.based_on).toEqual(["p8"]);
    expect(alternatives.category).toBe("shoes");
    expect(alternatives.products.map((product) => product.product_id)).not.toContain("p8");
    expect(alternatives.products.every((product) => product.category === "shoes")).toBe(true);
  });

  it("a customer with no history gets the workspace's popular products", async () => {
    const { workspaceId } = await shop();
    const newcomer = await customer(workspaceId);
    const result = await value<RecommendResult>(newcomer.call("catalog.recommend", { limit: 2 }));
    expect(result.based_on).toEqual([]);
    expect(result.products.map((product) => product.reason)).toEqual(["popular", "popular"]);
    // p3 (two buyers × 3), p8 and p9 (six viewers × 1) tie; ties go by product id
    expect(result.products.map((product) => product.product_id)).toEqual(["p3", "p8"]);
  });
});

describe("catalog.recommend's cache", () => {
  it("keeps a workspace's popular list for ten minutes of the clock, then sees new interest", async () => {
    const workspaceId = await createWorkspace(database.db);
    const shared = createRuntimeDataTools({ database, memory, now: clock.now });
    const fans = await Promise.all([1, 2].map(() => customer(workspaceId)));
    for (const fan of fans)
      await fan.track("Product Viewed", { product_id: "old-hit", category: "hats" }, ago(HOUR));
    const newcomer = await customer(workspaceId);
    const popularNow = async () => {
      const result = await shared.call({
        workspaceId,
        profileId: newcomer.profileId,
        userId: newcomer.userId,
        tool: "catalog.recommend",
        args: { limit: 1 },
      });
      if (!result.ok) throw new Error(result.error);
      return (result.value as RecommendResult).products.map((product) => product.product_id);
    };
    expect(await popularNow()).toEqual(["old-hit"]);
    const crowd = await Promise.all([1, 2, 3].map(() => customer(workspaceId)));
    for (const fan of crowd)
      await fan.track("Product Viewed", { product_id: "new-hit", category: "hats" }, clock.now());
    expect(await popularNow()).toEqual(["old-hit"]);
    clock.advance("PT11M");
    expect(await popularNow()).toEqual(["new-hit"]);
  });
});

describe("memory.search", () => {
  it("finds the workspace's templates by meaning, and says when memory is unavailable", async () => {
    const workspaceId = await createWorkspace(database.db);
    const c = await customer(workspaceId);
    await memory.upsert(workspaceId, [
      { kind: "template", refId: "cart", title: "Cart reminder", body: "You left items in your cart" },
      { kind: "note", title: "Tone", body: "Never use exclamation marks in refunds" },
    ]);
    const found = await value<{ count: number; items: Array<{ ref_id: string | null; kind: string }> }>(
      c.call("memory.search", { query: "items left in the cart", kind: "template" }),
    );
    expect(found.count).toBe(1);
    expect(found.items[0]).toMatchObject({ kind: "template", ref_id: "cart" });

    const withoutVector = createRuntimeDataTools({
      database,
      memory: new SemanticMemory({ ...database, vector: false }, createEmbedder({})),
      now: clock.now,
    });
    const unavailable = await withoutVector.call({
      workspaceId,
      profileId: c.profileId,
      userId: c.userId,
      tool: "memory.search",
      args: { query: "cart" },
    });
    expect(unavailable.ok).toBe(false);
    if (!unavailable.ok) expect(unavailable.error).toContain("pgvector");
    expect((await c.call("memory.search", {})).ok).toBe(false);
  });
});
