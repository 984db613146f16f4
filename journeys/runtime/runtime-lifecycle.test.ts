import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { createGateway } from "../../policies/gateway.ts";
import type { Decide, PolicyVerdict } from "../../policies/types.ts";
import type { JourneyInput } from "../format/schema.ts";
import { JourneyRuntime } from "./runtime.ts";
import {
  actionsOf,
  consentDecide,
  createCustomer,
  createJourney,
  createWorkspace,
  FakeClock,
  ingest,
  instancesOf,
  logKinds,
} from "./testing.ts";

/** Deferral, review (parked instances), failures and atomicity of the Postgres runtime. */

let database: Database;
const clock = new FakeClock("2026-03-02T09:00:00Z");

/** Defers SMS until 08:00 UTC the next day the first time it sees one at 09:00 UTC, sends push to review. */
const holdUntil = new Date("2026-03-03T08:00:00Z");
let pushThrows = false;
const decide: Decide = (action, context, now) => {
  if (action.channel === "sms" && now < holdUntil) {
    const verdict: PolicyVerdict = {
      policy: "quiet_hours",
      verdict: "defer",
      reason: "night",
      until: holdUntil,
    };
    return { outcome: "defer", until: holdUntil, verdicts: [verdict], deciding: verdict };
  }
  if (action.channel === "push") {
    if (pushThrows) throw new Error("policy store unavailable");
    const verdict: PolicyVerdict = {
      policy: "approval",
      verdict: "review",
      reason: "first send of a new journey",
    };
    return { outcome: "review", verdicts: [verdict], deciding: verdict };
  }
  return consentDecide(action, context, now);
};

let runtime: JourneyRuntime;
beforeAll(async () => {
  database = await openTestDb();
  runtime = new JourneyRuntime({
    database,
    gateway: createGateway({ decideFor: async () => decide, now: clock.now }),
    now: clock.now,
    maxFailures: 3,
  });
});
afterAll(async () => {
  await database?.close();
});

const exit = { id: "done", type: "exit" as const };

async function world(definition: JourneyInput, target: JourneyRuntime = runtime) {
  const workspaceId = await createWorkspace(database.db);
  const ids = await createJourney(database.db, workspaceId, definition);
  const profileId = await createCustomer(database.db, workspaceId, { userId: "u1" });
  const send = (name: string, properties: Record<string, unknown> = {}) =>
    ingest(database, target, clock.now, { workspaceId, userId: "u1", name, properties });
  return { workspaceId, profileId, send, ...ids };
}

describe("deferral", () => {
  it("a deferred action waits on its node and is decided again (round 2) with the same idempotency key", async () => {
    clock.set("2026-03-02T22:00:00Z");
    const w = await world({
      name: "defer",
      trigger: { type: "event", event: "Order Shipped" },
      start: "text",
      nodes: [{ id: "text", type: "send", channel: "sms", content: { body: "shipped" }, next: "done" }, exit],
    });
    await w.send("Order Shipped");
    const [held] = await actionsOf(database.db, w.profileId);
    expect(held).toMatchObject({ status: "deferred", channel: "sms" });
    const [instance] = await instancesOf(database.db, w.profileId);
    expect(instance).toMatchObject({ status: "running", node_id: "text" });
    expect(instance!.due_at?.toISOString()).toBe(holdUntil.toISOString());
    clock.set("2026-03-03T07:59:00Z");
    await runtime.runDue();
    expect((await actionsOf(database.db, w.profileId))[0]!.status).toBe("deferred");
    clock.set("2026-03-03T08:00:00Z");
    await runtime.runDue();
    const actions = await actionsOf(database.db, w.profileId);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      id: held!.id,
      status: "queued",
      idempotency_key: `${instance!.id}:text:1`,
    });
    const rounds = await rows<{ round: number; verdict: string }>(
      database.db,
      sql`select round, verdict from decisions where action_id = ${held!.id} order by round, id`,
    );
    expect(rounds.map((row) => `${row.round}:${row.verdict}`)).toEqual(["1:defer", "2:allow"]);
    expect(await logKinds(database.db, instance!.id)).toEqual([
      "entered:text",
      "held:text",
      "action:text",
      "completed:done",
    ]);
  });

  it("a customer who leaves (exit_on) while an action is held: the held action is cancelled", async () => {
    clock.set("2026-03-02T22:00:00Z");
    const w = await world({
      name: "defer then exit",
      trigger: { type: "event", event: "Checkout Started" },
      exit_on: [{ event: "Order Completed" }],
      start: "text",
      nodes: [
        { id: "text", type: "send", channel: "sms", content: { body: "come back" }, next: "done" },
        exit,
      ],
    });
    await w.send("Checkout Started");
    await w.send("Order Completed");
    const [action] = await actionsOf(database.db, w.profileId);
    expect(action!.status).toBe("cancelled");
    clock.set("2026-03-03T09:00:00Z");
    await runtime.runDue();
    expect((await actionsOf(database.db, w.profileId)).map((entry) => entry.status)).toEqual(["cancelled"]);
  });
});

describe("review", () => {
  const definition: JourneyInput = {
    name: "review",
    trigger: { type: "event", event: "Signed Up" },
    start: "push",
    nodes: [
      {
        id: "push",
        type: "send",
        channel: "push",
        content: { body: "welcome" },
        next: "mail",
        on_skip: "done",
      },
      { id: "mail", type: "send", channel: "email", content: { body: "and an email" }, next: "done" },
      exit,
    ],
  };

  it("parks the instance with an approval item in HumanInterrupt shape until the review is answered", async () => {
    clock.set("2026-03-02T09:00:00Z");
    const w = await world(definition);
    await w.send("Signed Up");
    const [instance] = await instancesOf(database.db, w.profileId);
    expect(instance).toMatchObject({ status: "parked", node_id: "push", due_at: null });
    const [action] = await actionsOf(database.db, w.profileId);
    const [approval] = await rows<{
      kind: string;
      status: string;
      request: Record<string, unknown>;
      expires_at: unknown;
    }>(
      database.db,
      sql`select kind, status, request, expires_at from approvals where action_id = ${action!.id}`,
    );
    expect(approval).toMatchObject({ kind: "action", status: "pending" });
    expect(approval!.request).toMatchObject({
      action_request: { action: "send_push", args: { channel: "push", node_id: "push" } },
      config: { allow_accept: true, allow_edit: true, allow_respond: false, allow_ignore: true },
    });
    expect(String(approval!.request.description)).toContain("first send of a new journey");
    await runtime.runDue();
    expect((await instancesOf(database.db, w.profileId))[0]!.status).toBe("parked");

    expect(await database.db.transaction((tx) => runtime.resumeParked(tx, instance!.id, "sent"))).toBe(true);
    await runtime.runDue();
    const after = await instancesOf(database.db, w.profileId);
    expect(after[0]!.status).toBe("completed");
    expect((await actionsOf(database.db, w.profileId)).map((entry) => entry.channel)).toEqual([
      "push",
      "email",
    ]);
    // Answering twice does nothing.
    expect(await database.db.transaction((tx) => runtime.resumeParked(tx, instance!.id, "sent"))).toBe(false);
  });

  it("a rejected review takes on_skip", async () => {
    const w = await world(definition);
    await w.send("Signed Up");
    const [instance] = await instancesOf(database.db, w.profileId);
    await database.db.transaction((tx) => runtime.resumeParked(tx, instance!.id, "skipped"));
    await runtime.runDue();
    expect((await instancesOf(database.db, w.profileId))[0]!.status).toBe("completed");
    expect((await actionsOf(database.db, w.profileId)).map((entry) => entry.channel)).toEqual(["push"]);
    expect(await logKinds(database.db, instance!.id)).toEqual([
      "entered:push",
      "parked:push",
      "resumed:push",
      "completed:done",
    ]);
  });
});

describe("failures and atomicity", () => {
  it("an ingestion transaction that rolls back leaves no visit, action or outbox row behind", async () => {
    const w = await world({
      name: "atomic",
      trigger: { type: "event", event: "Signed Up" },
      start: "mail",
      nodes: [{ id: "mail", type: "send", channel: "email", content: { body: "hi" }, next: "done" }, exit],
    });
    await expect(
      database.db.transaction(async (tx) => {
        await runtime.onEvents(tx, [
          {
            workspaceId: w.workspaceId,
            profileId: w.profileId,
            userId: "u1",
            eventId: 0,
            messageId: "m-rollback",
            type: "track",
            name: "Signed Up",
            properties: {},
            timestamp: clock.now(),
          },
        ]);
        expect(await actionsOf(tx, w.profileId)).toHaveLength(1);
        throw new Error("ingestion failed after the runtime ran");
      }),
    ).rejects.toThrow("ingestion failed");
    expect(await instancesOf(database.db, w.profileId)).toHaveLength(0);
    expect(await actionsOf(database.db, w.profileId)).toHaveLength(0);
  });

  it("a step that throws inline does not fail ingestion; workers retry with back-off and finally give up", async () => {
    clock.set("2026-03-02T09:00:00Z");
    pushThrows = true;
    try {
      const w = await world({
        name: "throws",
        trigger: { type: "event", event: "Signed Up" },
        start: "push",
        nodes: [{ id: "push", type: "send", channel: "push", content: { body: "x" }, next: "done" }, exit],
      });
      await w.send("Signed Up"); // does not throw
      const [instance] = await instancesOf(database.db, w.profileId);
      expect(instance).toMatchObject({ status: "running", node_id: "push" });
      expect(await actionsOf(database.db, w.profileId)).toHaveLength(0);
      await runtime.runDue();
      const [retrying] = await instancesOf(database.db, w.profileId);
      expect(retrying!.due_at!.getTime()).toBe(clock.now().getTime() + 30_000);
      clock.advance("PT1M");
      await runtime.runDue();
      clock.advance("PT2M");
      await runtime.runDue();
      const [gaveUp] = await instancesOf(database.db, w.profileId);
      expect(gaveUp!.status).toBe("exited");
      expect(gaveUp!.exit_reason).toContain("policy store unavailable");
    } finally {
      pushThrows = false;
    }
  });

  it("with inline stepping off, ingestion only enters and a worker runs the steps", async () => {
    const deferred = new JourneyRuntime({
      database,
      gateway: createGateway({ decideFor: async () => decide, now: clock.now }),
      now: clock.now,
      inline: false,
    });
    const w = await world(
      {
        name: "not inline",
        trigger: { type: "event", event: "Signed Up" },
        start: "mail",
        nodes: [{ id: "mail", type: "send", channel: "email", content: { body: "hi" }, next: "done" }, exit],
      },
      deferred,
    );
    await w.send("Signed Up");
    expect(await actionsOf(database.db, w.profileId)).toHaveLength(0);
    expect((await instancesOf(database.db, w.profileId))[0]!.due_at?.getTime()).toBe(clock.now().getTime());
    await deferred.runDue();
    expect((await actionsOf(database.db, w.profileId)).map((action) => action.status)).toEqual(["queued"]);
  });
});

describe("wake-ups", () => {
  it("a commit that creates due work notifies overture_due with the earliest due time, and overture_outbox on sends", async () => {
    const received: Array<[string, string]> = [];
    const stopDue = await database.listen("overture_due", (payload) => received.push(["due", payload]));
    const stopOutbox = await database.listen("overture_outbox", (payload) =>
      received.push(["outbox", payload]),
    );
    try {
      clock.set("2026-03-02T09:00:00Z");
      const w = await world({
        name: "notify",
        trigger: { type: "event", event: "Signed Up" },
        start: "mail",
        nodes: [
          { id: "mail", type: "send", channel: "email", content: { body: "hi" }, next: "w" },
          { id: "w", type: "wait", duration: "PT1H", next: "done" },
          exit,
        ],
      });
      await w.send("Signed Up");
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received).toContainEqual(["due", "2026-03-02T10:00:00.000Z"]);
      expect(received.some(([channel]) => channel === "outbox")).toBe(true);
    } finally {
      await stopDue();
      await stopOutbox();
    }
  });
});
