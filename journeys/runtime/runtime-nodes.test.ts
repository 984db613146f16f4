import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import type { JourneyInput } from "../format/schema.ts";
import type { DataTools } from "./data-tools.ts";
import { JourneyRuntime } from "./runtime.ts";
import {
  actionsOf,
  counters,
  createCustomer,
  createJourney,
  createWorkspace,
  DEFAULT_TRAITS,
  FakeClock,
  ingest,
  instancesOf,
  logKinds,
  testGateway,
} from "./testing.ts";

/** Every node type, driven through the real Postgres runtime (PGlite) with a fake clock. */

let database: Database;
const clock = new FakeClock("2026-03-02T09:00:00Z"); // 10:00 in Berlin
const toolCalls: Array<{ tool: string; args: Record<string, unknown> }> = [];
const dataTools: DataTools = {
  async call(call) {
    toolCalls.push({ tool: call.tool, args: call.args });
    if (call.tool === "orders.recent") return { ok: true, value: { count: 2, last_total: 80 } };
    return { ok: false, error: `unknown tool ${call.tool}` };
  },
};
let runtime: JourneyRuntime;

beforeAll(async () => {
  database = await openTestDb();
  runtime = new JourneyRuntime({ database, gateway: testGateway(clock.now), now: clock.now, dataTools });
});
afterAll(async () => {
  await database?.close();
});

async function setup(
  definition: JourneyInput,
  customer: { traits?: Record<string, unknown>; consent?: Record<string, boolean> } = {},
) {
  const workspaceId = await createWorkspace(database.db);
  const ids = await createJourney(database.db, workspaceId, definition);
  const userId = `u-${Math.random().toString(36).slice(2)}`;
  const profileId = await createCustomer(database.db, workspaceId, { userId, ...customer });
  const track = (name: string, properties: Record<string, unknown> = {}) =>
    ingest(database, runtime, clock.now, { workspaceId, userId, name, properties });
  return { workspaceId, userId, profileId, track, ...ids };
}

const exit = { id: "done", type: "exit" as const };
const emailNode = (id: string, next: string, body = "Hi {{traits.first_name}}") => ({
  id,
  type: "send" as const,
  channel: "email" as const,
  content: { subject: "Hello", body },
  next,
});

describe("wait", () => {
  it("a duration wait sends only once the clock has passed it, from a worker", async () => {
    const t = await setup({
      name: "wait",
      trigger: { type: "event", event: "Signed Up" },
      start: "w",
      nodes: [{ id: "w", type: "wait", duration: "PT1H", next: "mail" }, emailNode("mail", "done"), exit],
    });
    await t.track("Signed Up");
    const [instance] = await instancesOf(database.db, t.profileId);
    expect(instance).toMatchObject({ status: "running", node_id: "w" });
    expect(instance!.due_at?.toISOString()).toBe(new Date(clock.now().getTime() + 3_600_000).toISOString());
    clock.advance("PT59M");
    await runtime.runDue();
    expect(await actionsOf(database.db, t.profileId)).toHaveLength(0);
    clock.advance("PT1M");
    expect(await runtime.runDue()).toBeGreaterThanOrEqual(1);
    const actions = await actionsOf(database.db, t.profileId);
    expect(actions.map((action) => [action.channel, action.status])).toEqual([["email", "queued"]]);
    expect((await instancesOf(database.db, t.profileId))[0]!.status).toBe("completed");
    expect(await logKinds(database.db, instance!.id)).toEqual([
      "entered:w",
      "waiting:w",
      "action:mail",
      "completed:done",
    ]);
  });

  it("until_time waits for the next HH:MM in the customer's zone", async () => {
    clock.set("2026-03-02T09:00:00Z"); // 04:00 in New York
    const t = await setup(
      {
        name: "until time",
        trigger: { type: "event", event: "Signed Up" },
        start: "w",
        nodes: [
          { id: "w", type: "wait", until_time: "09:30", next: "mail" },
          emailNode("mail", "done"),
          exit,
        ],
      },
      { traits: { ...DEFAULT_TRAITS, timezone: "America/New_York" } },
    );
    await t.track("Signed Up");
    const [instance] = await instancesOf(database.db, t.profileId);
    expect(instance!.due_at?.toISOString()).toBe("2026-03-02T14:30:00.000Z");
  });

  it("until_time falls back to the workspace zone when the customer's is unknown, and logs it", async () => {
    clock.set("2026-03-02T09:00:00Z");
    const t = await setup(
      {
        name: "until time fallback",
        trigger: { type: "event", event: "Signed Up" },
        start: "w",
        nodes: [
          { id: "w", type: "wait", until_time: "18:00", next: "mail" },
          emailNode("mail", "done"),
          exit,
        ],
      },
      { traits: { ...DEFAULT_TRAITS, timezone: "Mars/Olympus" } },
    );
    await t.track("Signed Up");
    const [instance] = await instancesOf(database.db, t.profileId);
    expect(instance!.due_at?.toISOString()).toBe("2026-03-02T17:00:00.000Z"); // 18:00 Berlin
    const [log] = await rows<{ detail: Record<string, unknown> }>(
      database.db,
      sql`select detail from instance_log where instance_id = ${instance!.id} and kind = 'waiting'`,
    );
    expect(String(log!.detail.timezone_fallback)).toContain("Europe/Berlin");
  });

  it("until a date field minus an offset; a date already past continues at once", async () => {
    clock.set("2026-03-02T09:00:00Z");
    const definition: JourneyInput = {
      name: "until field",
      trigger: { type: "event", event: "Trial Started" },
      start: "w",
      nodes: [
        {
          id: "w",
          type: "wait",
          until: { field: "trigger.properties.trial_ends_at", offset: "-P3D" },
          next: "mail",
        },
        emailNode("mail", "done"),
        exit,
      ],
    };
    const t = await setup(definition);
    await t.track("Trial Started", { trial_ends_at: "2026-03-16T09:00:00Z" });
    expect((await instancesOf(database.db, t.profileId))[0]!.due_at?.toISOString()).toBe(
      "2026-03-13T09:00:00.000Z",
    );
    const past = await setup(definition);
    await past.track("Trial Started", { trial_ends_at: "2026-03-03T09:00:00Z" });
    expect((await actionsOf(database.db, past.profileId)).map((action) => action.status)).toEqual(["queued"]);
  });

  it("until a missing or unreadable date exits the visit with the reason instead of guessing a time", async () => {
    const t = await setup({
      name: "until missing",
      trigger: { type: "event", event: "Trial Started" },
      start: "w",
      nodes: [
        { id: "w", type: "wait", until: { field: "trigger.properties.trial_ends_at" }, next: "mail" },
        emailNode("mail", "done"),
        exit,
      ],
    });
    await t.track("Trial Started", { trial_ends_at: "next tuesday" });
    const [instance] = await instancesOf(database.db, t.profileId);
    expect(instance).toMatchObject({ status: "exited" });
    expect(instance!.exit_reason).toContain("not a date");
    expect(await actionsOf(database.db, t.profileId)).toHaveLength(0);
  });
});

describe("wait_for_event", () => {
  const definition: JourneyInput = {
    name: "wait for payment",
    trigger: { type: "event", event: "Payment Failed" },
    start: "paid",
    nodes: [
      {
        id: "paid",
        type: "wait_for_event",
        event: "Payment Succeeded",
        condition: {
          field: "event.properties.invoice_id",
          op: "eq",
          value: { ref: "trigger.properties.invoice_id" },
        },
        timeout: "P2D",
        on_event: "thanks",
        on_timeout: "agent",
      },
      emailNode("thanks", "done", "Thanks for paying invoice {{trigger.properties.invoice_id}}"),
      {
        id: "agent",
        type: "handoff",
        queue: "billing",
        instructions: "Call {{traits.first_name}}",
        next: "done",
      },
      exit,
    ],
  };

  it("resumes in the ingesting transaction when the matching event arrives, not on a poll", async () => {
    clock.set("2026-03-02T09:00:00Z");
    const t = await setup(definition);
    await t.track("Payment Failed", { invoice_id: "i1" });
    await t.track("Payment Succeeded", { invoice_id: "other" });
    expect(await actionsOf(database.db, t.profileId)).toHaveLength(0);
    await t.track("Payment Succeeded", { invoice_id: "i1" });
    // No worker ran: the resume and the send happened while the event was ingested.
    const actions = await actionsOf(database.db, t.profileId);
    expect(actions.map((action) => [action.channel, action.node_id])).toEqual([["email", "thanks"]]);
    expect((actions[0]!.payload.content as { body: string }).body).toBe("Thanks for paying invoice i1");
    const [instance] = await instancesOf(database.db, t.profileId);
    expect(await logKinds(database.db, instance!.id)).toContain("resumed:paid");
  });

  it("takes the timeout exit when nothing matching arrives", async () => {
    clock.set("2026-03-02T09:00:00Z");
    const t = await setup(definition);
    await t.track("Payment Failed", { invoice_id: "i2" });
    clock.advance("P2D");
    await runtime.runDue();
    const actions = await actionsOf(database.db, t.profileId);
    expect(actions.map((action) => [action.channel, action.kind])).toEqual([["handoff", "handoff"]]);
    expect(actions[0]!.payload.handoff).toMatchObject({ queue: "billing", instructions: "Call Ada" });
    const [instance] = await instancesOf(database.db, t.profileId);
    expect(await logKinds(database.db, instance!.id)).toContain("timeout:paid");
  });
});

describe("branch and split", () => {
  it("branch takes the first matching branch, else otherwise", async () => {
    const definition: JourneyInput = {
      name: "branch",
      trigger: { type: "event", event: "Order Completed" },
      start: "b",
      nodes: [
        {
          id: "b",
          type: "branch",
          branches: [
            {
              name: "big",
              condition: { field: "trigger.properties.total", op: "gte", value: 100 },
              next: "big",
            },
            { name: "vip", condition: { field: "traits.tier", op: "eq", value: "vip" }, next: "vip" },
          ],
          otherwise: "small",
        },
        emailNode("big", "done"),
        emailNode("vip", "done"),
        emailNode("small", "done"),
        exit,
      ],
    };
    const big = await setup(definition, { traits: { ...DEFAULT_TRAITS, tier: "vip" } });
    await big.track("Order Completed", { total: 150 });
    const small = await setup(definition);
    await small.track("Order Completed", { total: 10 });
    expect((await actionsOf(database.db, big.profileId)).map((action) => action.node_id)).toEqual(["big"]);
    expect((await actionsOf(database.db, small.profileId)).map((action) => action.node_id)).toEqual([
      "small",
    ]);
  });

  it("split picks a variant from a hash of (instance, node), stores it, and records holdouts", async () => {
    const workspaceId = await createWorkspace(database.db);
    const { versionId } = await createJourney(database.db, workspaceId, {
      name: "split",
      trigger: { type: "event", event: "Signed Up" },
      start: "s",
      nodes: [
        {
          id: "s",
          type: "split",
          variants: [
            { name: "A", weight: 40, next: "a" },
            { name: "B", weight: 40, next: "b" },
            { name: "holdout", weight: 20, next: "done", holdout: true },
          ],
        },
        emailNode("a", "done"),
        emailNode("b", "done"),
        exit,
      ],
    });
    const seen: Record<string, number> = {};
    for (let index = 0; index < 60; index++) {
      const userId = `split-${index}`;
      const profileId = await createCustomer(database.db, workspaceId, { userId });
      await ingest(database, runtime, clock.now, { workspaceId, userId, name: "Signed Up" });
      const [instance] = await instancesOf(database.db, profileId);
      seen[instance!.variant!] = (seen[instance!.variant!] ?? 0) + 1;
      const sent = await actionsOf(database.db, profileId);
      expect(sent.map((action) => action.node_id)).toEqual(
        instance!.variant === "holdout" ? [] : [instance!.variant === "A" ? "a" : "b"],
      );
    }
    expect(Object.keys(seen).sort()).toEqual(["A", "B", "holdout"]);
    const [holdoutLog] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int8 as n from instance_log where version_id = ${versionId} and kind = 'node'
          and detail->>'holdout' = 'true'`,
    );
    expect(Number(holdoutLog!.n)).toBe(seen.holdout);
  });
});

describe("send, handoff and tools", () => {
  it("renders workspace templates; missing values render empty, never as the placeholder", async () => {
    const t = await setup({
      name: "template",
      trigger: { type: "event", event: "Checkout Started" },
      start: "mail",
      nodes: [
        {
          id: "mail",
          type: "send",
          channel: "email",
          template: "cart",
          offer: { kind: "percent_off", value: 10, code: "SAVE10" },
          next: "done",
        },
        exit,
      ],
    });
    await database.db.execute(sql`
      insert into templates (workspace_id, id, channel, name, subject, body)
      values (${t.workspaceId}, 'cart', 'email', 'Cart', 'Your cart {{trigger.properties.cart_id}}',
              'Hi {{traits.first_name}} {{traits.last_name}}, use {{offer.code}} for {{offer.label}}. {{nothing.here}}')`);
    await t.track("Checkout Started", { cart_id: "c9" });
    const [action] = await actionsOf(database.db, t.profileId);
    expect(action!.payload.content).toEqual({
      subject: "Your cart c9",
      body: "Hi Ada , use SAVE10 for 10% off. ",
    });
    expect(action!.payload.to).toBe("ada@example.com");
    expect(action!.payload.offer).toEqual({ kind: "percent_off", value: 10, code: "SAVE10" });
    const [outbox] = await rows<{ channel: string; action_id: number }>(
      database.db,
      sql`select channel, action_id from outbox where action_id = ${action!.id}`,
    );
    expect(outbox).toEqual({ channel: "email", action_id: action!.id });
    const [instance] = await instancesOf(database.db, t.profileId);
    expect(action!.idempotency_key).toBe(`${instance!.id}:mail:1`);
  });

  it("a send without consent is denied and takes on_skip", async () => {
    const t = await setup(
      {
        name: "skip",
        trigger: { type: "event", event: "Checkout Started" },
        start: "text",
        nodes: [
          {
            id: "text",
            type: "send",
            channel: "sms",
            content: { body: "hi" },
            next: "done",
            on_skip: "mail",
          },
          emailNode("mail", "done"),
          exit,
        ],
      },
      { consent: { email: true, sms: false } },
    );
    await t.track("Checkout Started");
    const actions = await actionsOf(database.db, t.profileId);
    expect(actions.map((action) => [action.channel, action.status])).toEqual([
      ["sms", "denied"],
      ["email", "queued"],
    ]);
    const [denied] = await rows<{ policy: string; verdict: string; reason: string }>(
      database.db,
      sql`select policy, verdict, reason from decisions where action_id = ${actions[0]!.id}`,
    );
    expect(denied).toMatchObject({ policy: "consent", verdict: "deny" });
    const outboxCount = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int8 as n from outbox where action_id = ${actions[0]!.id}`,
    );
    expect(Number(outboxCount[0]!.n)).toBe(0);
  });

  it("a webhook tool node becomes a webhook action with the rendered request", async () => {
    const t = await setup({
      name: "webhook",
      trigger: { type: "event", event: "Order Completed" },
      start: "hook",
      nodes: [
        {
          id: "hook",
          type: "tool",
          tool: "webhook",
          args: {
            url: "https://crm.example/hooks/{{trigger.properties.order_id}}",
            total: { ref: "trigger.properties.total" },
          },
          next: "done",
        },
        exit,
      ],
    });
    await t.track("Order Completed", { order_id: "o1", total: 42 });
    const [action] = await actionsOf(database.db, t.profileId);
    expect(action).toMatchObject({ kind: "webhook", channel: "webhook", status: "queued" });
    expect(action!.payload.request).toMatchObject({
      url: "https://crm.example/hooks/o1",
      method: "POST",
      body: { total: 42, user_id: t.userId, node_id: "hook" },
    });
  });

  it("a data tool saves its result under vars; an error takes on_error (run by a worker, not inline)", async () => {
    const definition: JourneyInput = {
      name: "data tool",
      trigger: { type: "event", event: "Signed Up" },
      start: "orders",
      nodes: [
        {
          id: "orders",
          type: "tool",
          tool: "orders.recent",
          args: { limit: 3 },
          save_as: "orders",
          next: "check",
          on_error: "failed",
        },
        {
          id: "check",
          type: "branch",
          branches: [{ condition: { field: "vars.orders.count", op: "gte", value: 2 }, next: "loyal" }],
          otherwise: "done",
        },
        emailNode("loyal", "done"),
        emailNode("failed", "done"),
        exit,
      ],
    };
    const t = await setup(definition);
    await t.track("Signed Up");
    // Slow outside I/O is never done inside the ingestion transaction.
    expect(toolCalls).toHaveLength(0);
    expect((await instancesOf(database.db, t.profileId))[0]).toMatchObject({
      status: "running",
      node_id: "orders",
    });
    await runtime.runDue();
    expect(toolCalls).toEqual([{ tool: "orders.recent", args: { limit: 3 } }]);
    const [instance] = await instancesOf(database.db, t.profileId);
    expect(instance!.vars).toEqual({ orders: { count: 2, last_total: 80 } });
    expect((await actionsOf(database.db, t.profileId)).map((action) => action.node_id)).toEqual(["loyal"]);

    const failing = await setup({
      ...definition,
      nodes: definition.nodes.map((node) =>
        node.id === "orders" ? { ...node, tool: "tickets.open" } : node,
      ),
    } as JourneyInput);
    await failing.track("Signed Up");
    await runtime.runDue();
    expect((await actionsOf(database.db, failing.profileId)).map((action) => action.node_id)).toEqual([
      "failed",
    ]);
  });

  it("update_profile sets, increments and unsets traits in the same transaction", async () => {
    const t = await setup({
      name: "update",
      trigger: { type: "event", event: "Order Completed" },
      start: "u",
      nodes: [
        {
          id: "u",
          type: "update_profile",
          set: { last_order: { ref: "trigger.properties.order_id" }, tier: "vip" },
          increment: { orders: 1 },
          unset: ["phone"],
          next: "done",
        },
        exit,
      ],
    });
    await t.track("Order Completed", { order_id: "o7" });
    await t.track("Order Completed", { order_id: "o8" });
    const [profile] = await rows<{ traits: Record<string, unknown> }>(
      database.db,
      sql`select traits from profiles where id = ${t.profileId}`,
    );
    expect(profile!.traits).toMatchObject({ last_order: "o8", tier: "vip", orders: 2, first_name: "Ada" });
    expect(profile!.traits).not.toHaveProperty("phone");
  });
});

describe("agent", () => {
  it("the default chooser picks the first eligible option, skipping opted-out channels, and records the choice", async () => {
    const t = await setup(
      {
        name: "agent",
        trigger: { type: "event", event: "Subscription Cancelled" },
        start: "nba",
        nodes: [
          {
            id: "nba",
            type: "agent",
            objective: "win the customer back",
            save_as: "choice",
            actions: [
              {
                id: "vip_call",
                kind: "handoff",
                queue: "account_manager",
                condition: { field: "traits.tier", op: "eq", value: "vip" },
              },
              {
                id: "sms_offer",
                kind: "send",
                channel: "sms",
                content: { body: "20% off" },
                offer: { kind: "percent_off", value: 20 },
              },
              {
                id: "email_offer",
                kind: "send",
                channel: "email",
                content: { body: "Come back, {{traits.first_name}}" },
              },
              { id: "nothing", kind: "none" },
            ],
            next: "done",
          },
          exit,
        ],
      },
      { consent: { email: true, sms: false } },
    );
    await t.track("Subscription Cancelled");
    // agent nodes may call a model: a worker runs them, outside the ingestion transaction
    expect(await actionsOf(database.db, t.profileId)).toHaveLength(0);
    await runtime.runDue();
    const actions = await actionsOf(database.db, t.profileId);
    expect(actions.map((action) => [action.channel, action.status, action.node_id])).toEqual([
      ["email", "queued", "nba"],
    ]);
    expect((actions[0]!.payload.content as { body: string }).body).toBe("Come back, Ada");
    expect((await instancesOf(database.db, t.profileId))[0]!.vars).toEqual({ choice: "email_offer" });
  });
});

describe("exit and the step cap", () => {
  it("an exit node completes the visit with its reason and counts it", async () => {
    const t = await setup({
      name: "exit",
      trigger: { type: "event", event: "Signed Up" },
      start: "done",
      nodes: [{ id: "done", type: "exit", reason: "nothing to do" }],
    });
    await t.track("Signed Up");
    const [instance] = await instancesOf(database.db, t.profileId);
    expect(instance).toMatchObject({ status: "completed", exit_reason: "nothing to do" });
    expect(await counters(database.db, t.versionId)).toMatchObject({
      "$journey.entered": 1,
      "$journey.completed": 1,
      "done.entered": 1,
      "done.completed": 1,
    });
  });

  it("a loop without a wait (which the validator forbids) is stopped by the step cap, not spun forever", async () => {
    const t = await setup({
      name: "loop",
      trigger: { type: "event", event: "Signed Up" },
      start: "a",
      nodes: [
        {
          id: "a",
          type: "branch",
          branches: [{ condition: { field: "traits.tier", op: "exists" }, next: "b" }],
          otherwise: "done",
        },
        {
          id: "b",
          type: "branch",
          branches: [{ condition: { field: "traits.tier", op: "exists" }, next: "a" }],
          otherwise: "done",
        },
        exit,
      ],
    });
    await t.track("Signed Up");
    const [instance] = await instancesOf(database.db, t.profileId);
    expect(instance!.status).toBe("exited");
    expect(instance!.exit_reason).toContain("100 steps");
  });
});
