import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import type { JourneyInput } from "../format/schema.ts";
import { RuntimeError } from "./errors.ts";
import { JourneyRuntime } from "./runtime.ts";
import { parseTimestamp } from "./store.ts";
import {
  actionsOf,
  addVersion,
  counters,
  createCustomer,
  createJourney,
  createWorkspace,
  DEFAULT_TRAITS,
  FakeClock,
  ingest,
  instancesOf,
  setVersionStatus,
  testGateway,
} from "./testing.ts";

/** Every trigger type, audience, re-entry, exit_on and goals through the Postgres runtime on PGlite. */

let database: Database;
const clock = new FakeClock("2026-03-02T09:00:00Z");
let runtime: JourneyRuntime;

beforeAll(async () => {
  database = await openTestDb();
  runtime = new JourneyRuntime({
    database,
    gateway: testGateway(clock.now),
    now: clock.now,
    schedulePageSize: 2,
  });
});
afterAll(async () => {
  await database?.close();
});

const exit = { id: "done", type: "exit" as const };
const mail = (id = "mail", next = "done") => ({
  id,
  type: "send" as const,
  channel: "email" as const,
  content: { body: "Hi" },
  next,
});

async function world(definition: JourneyInput, users = ["u1"], traits: Record<string, unknown>[] = []) {
  const workspaceId = await createWorkspace(database.db);
  const journey = await createJourney(database.db, workspaceId, definition);
  const profiles: number[] = [];
  for (const [index, userId] of users.entries()) {
    profiles.push(
      await createCustomer(database.db, workspaceId, {
        userId,
        traits: { ...DEFAULT_TRAITS, ...(traits[index] ?? {}) },
      }),
    );
  }
  const send = (userId: string, name: string, properties: Record<string, unknown> = {}, messageId?: string) =>
    ingest(database, runtime, clock.now, { workspaceId, userId, name, properties, messageId });
  const identify = (userId: string, newTraits: Record<string, unknown>) =>
    ingest(database, runtime, clock.now, { workspaceId, userId, traits: newTraits });
  return { workspaceId, ...journey, profiles, send, identify };
}

describe("event triggers", () => {
  it("enter on the named event when its condition holds, and on `also` events", async () => {
    const w = await world(
      {
        name: "event",
        trigger: {
          type: "event",
          event: "Order Completed",
          condition: { field: "event.properties.total", op: "gte", value: 50 },
          also: [{ event: "Order Shipped" }],
        },
        reentry: { mode: "always" },
        start: "mail",
        nodes: [mail(), exit],
      },
      ["a"],
    );
    await w.send("a", "Order Completed", { total: 10 });
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(0);
    await w.send("a", "Order Completed", { total: 80 });
    await w.send("a", "Order Shipped");
    await w.send("a", "Order Delivered");
    expect((await instancesOf(database.db, w.profiles[0]!)).length).toBe(2);
  });

  it("a replayed message never enters twice (entry key per message)", async () => {
    const w = await world({
      name: "replay",
      trigger: { type: "event", event: "Signed Up" },
      reentry: { mode: "always" },
      start: "mail",
      nodes: [mail(), exit],
    });
    await w.send("u1", "Signed Up", {}, "msg-1");
    await w.send("u1", "Signed Up", {}, "msg-1");
    await w.send("u1", "Signed Up", {}, "msg-2");
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(2);
    expect(await actionsOf(database.db, w.profiles[0]!)).toHaveLength(2);
  });

  it("the audience is checked at entry", async () => {
    const w = await world(
      {
        name: "audience",
        trigger: { type: "event", event: "Signed Up" },
        audience: { field: "traits.tier", op: "eq", value: "vip" },
        start: "mail",
        nodes: [mail(), exit],
      },
      ["vip", "regular"],
      [{ tier: "vip" }, { tier: "regular" }],
    );
    await w.send("vip", "Signed Up");
    await w.send("regular", "Signed Up");
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(1);
    expect(await instancesOf(database.db, w.profiles[1]!)).toHaveLength(0);
  });
});

describe("re-entry", () => {
  const waiting = (mode: "never" | "after_exit" | "always", cooldown?: string): JourneyInput => ({
    name: `reentry ${mode}`,
    trigger: { type: "event", event: "Checkout Started" },
    reentry: cooldown ? { mode, cooldown } : { mode },
    start: "w",
    nodes: [{ id: "w", type: "wait", duration: "PT1H", next: "done" }, exit],
  });

  it("never: once per customer, ever", async () => {
    const w = await world(waiting("never"));
    await w.send("u1", "Checkout Started");
    clock.advance("PT2H");
    await runtime.runDue();
    await w.send("u1", "Checkout Started");
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(1);
  });

  it("after_exit: again only once the previous visit ended", async () => {
    const w = await world(waiting("after_exit"));
    await w.send("u1", "Checkout Started");
    await w.send("u1", "Checkout Started");
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(1);
    clock.advance("PT2H");
    await runtime.runDue();
    await w.send("u1", "Checkout Started");
    expect((await instancesOf(database.db, w.profiles[0]!)).map((instance) => instance.status)).toEqual([
      "completed",
      "running",
    ]);
  });

  it("always: concurrent visits, but a cooldown spaces entries", async () => {
    const w = await world(waiting("always", "PT30M"));
    await w.send("u1", "Checkout Started");
    clock.advance("PT10M");
    await w.send("u1", "Checkout Started");
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(1);
    clock.advance("PT25M");
    await w.send("u1", "Checkout Started");
    expect(
      (await instancesOf(database.db, w.profiles[0]!)).filter((instance) => instance.status === "running"),
    ).toHaveLength(2);
  });
});

describe("trait_changed", () => {
  it("enters when the condition turns from false to true, not while it stays true", async () => {
    const w = await world(
      {
        name: "churn",
        trigger: {
          type: "trait_changed",
          trait: "churn_risk",
          condition: { field: "traits.churn_risk", op: "gt", value: 0.7 },
        },
        reentry: { mode: "always" },
        start: "mail",
        nodes: [mail(), exit],
      },
      ["u1"],
      [{ churn_risk: 0.2 }],
    );
    await w.identify("u1", { churn_risk: 0.5 });
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(0);
    await w.identify("u1", { churn_risk: 0.8 });
    await w.identify("u1", { churn_risk: 0.9 });
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(1);
    await w.identify("u1", { churn_risk: 0.1 });
    await w.identify("u1", { churn_risk: 0.75 });
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(2);
  });

  it("without a condition, any change of the trait enters", async () => {
    const w = await world({
      name: "plan change",
      trigger: { type: "trait_changed", trait: "plan" },
      reentry: { mode: "always" },
      start: "mail",
      nodes: [mail(), exit],
    });
    await w.identify("u1", { first_name: "Ada" });
    await w.identify("u1", { plan: "pro" });
    await w.identify("u1", { plan: "pro" });
    await w.identify("u1", { plan: "free" });
    const instances = await instancesOf(database.db, w.profiles[0]!);
    expect(instances).toHaveLength(2);
  });

  it("update_profile acts like an identify for other journeys, never for its own", async () => {
    const workspaceId = await createWorkspace(database.db);
    const writer = await createJourney(database.db, workspaceId, {
      name: "writer",
      trigger: { type: "event", event: "Order Completed" },
      reentry: { mode: "always" },
      start: "u",
      nodes: [{ id: "u", type: "update_profile", set: { tier: "vip" }, next: "done" }, exit],
    });
    const reader = await createJourney(database.db, workspaceId, {
      name: "reader",
      trigger: {
        type: "trait_changed",
        trait: "tier",
        condition: { field: "traits.tier", op: "eq", value: "vip" },
      },
      start: "mail",
      nodes: [mail(), exit],
    });
    const profileId = await createCustomer(database.db, workspaceId, { userId: "u1" });
    await ingest(database, runtime, clock.now, { workspaceId, userId: "u1", name: "Order Completed" });
    const instances = await instancesOf(database.db, profileId);
    expect(instances.map((instance) => [instance.journey_id, instance.status])).toEqual([
      [writer.journeyId, "completed"],
      [reader.journeyId, "completed"],
    ]);
    expect((await actionsOf(database.db, profileId)).map((action) => action.channel)).toEqual(["email"]);
  });
});

describe("segment_entered", () => {
  it("keeps memberships and enters when a customer newly enters the segment", async () => {
    const w = await world({
      name: "vip welcome",
      trigger: { type: "segment_entered", segment: "VIP" },
      reentry: { mode: "always" },
      start: "mail",
      nodes: [mail(), exit],
    });
    await database.db.execute(sql`
      insert into segments (id, workspace_id, name, condition)
      values (${`seg-${w.workspaceId}`}, ${w.workspaceId}, 'VIP', ${JSON.stringify({ field: "traits.tier", op: "eq", value: "vip" })}::jsonb)`);
    const memberships = async () =>
      rows<{ segment_id: string }>(
        database.db,
        sql`select segment_id from segment_memberships where profile_id = ${w.profiles[0]!}`,
      );
    await w.identify("u1", { tier: "vip" });
    expect(await memberships()).toHaveLength(1);
    await w.identify("u1", { first_name: "Ada Lovelace" });
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(1);
    await w.identify("u1", { tier: "regular" });
    expect(await memberships()).toHaveLength(0);
    await w.identify("u1", { tier: "vip" });
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(2);
  });

  it("segments that count events are re-evaluated when the customer performs them", async () => {
    const w = await world({
      name: "frequent buyer",
      trigger: { type: "segment_entered", segment: "Frequent buyers" },
      start: "mail",
      nodes: [mail(), exit],
    });
    await database.db.execute(sql`
      insert into segments (id, workspace_id, name, condition)
      values (${`seg2-${w.workspaceId}`}, ${w.workspaceId}, 'Frequent buyers',
              ${JSON.stringify({ performed: "Order Completed", within: "P30D", min_count: 2 })}::jsonb)`);
    await w.send("u1", "Order Completed");
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(0);
    await w.send("u1", "Order Completed");
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(1);
  });
});

describe("schedule", () => {
  it("runs on its cron in the trigger's zone, enters the audience page by page, then plans the next run", async () => {
    clock.set("2026-03-02T09:00:00Z"); // 10:00 Berlin
    const workspaceId = await createWorkspace(database.db);
    const users = ["s1", "s2", "s3", "s4", "s5"];
    const profiles: number[] = [];
    for (const [index, userId] of users.entries()) {
      profiles.push(
        await createCustomer(database.db, workspaceId, {
          userId,
          traits: { ...DEFAULT_TRAITS, tier: index === 1 ? "regular" : "vip" },
        }),
      );
    }
    const { versionId } = await createJourney(database.db, workspaceId, {
      name: "weekly digest",
      trigger: { type: "schedule", cron: "0 9 * * *", timezone: "Europe/Berlin" },
      audience: { field: "traits.tier", op: "eq", value: "vip" },
      start: "mail",
      nodes: [mail(), exit],
    });
    await runtime.syncSchedules(database.db, versionId);
    const schedule = async () => {
      const [row] = await rows<{ next_run_at: unknown; last_run_at: unknown }>(
        database.db,
        sql`select next_run_at, last_run_at from journey_schedules where version_id = ${versionId}`,
      );
      return { next: parseTimestamp(row?.next_run_at), last: parseTimestamp(row?.last_run_at) };
    };
    expect((await schedule()).next?.toISOString()).toBe("2026-03-03T08:00:00.000Z");
    await runtime.runSchedules();
    expect(await instancesOf(database.db, profiles[0]!)).toHaveLength(0);
    clock.set("2026-03-03T08:00:30Z");
    const pages = await runtime.runSchedules();
    expect(pages).toBe(3); // 5 profiles, 2 per page
    await runtime.runDue();
    const entered = await Promise.all(profiles.map((id) => instancesOf(database.db, id)));
    expect(entered.map((list) => list.length)).toEqual([1, 0, 1, 1, 1]);
    expect(entered.flat().every((instance) => instance.status === "completed")).toBe(true);
    expect(await schedule()).toEqual({
      next: new Date("2026-03-04T08:00:00.000Z"),
      last: new Date("2026-03-03T08:00:00.000Z"),
    });
    // A repeated run is harmless (entry keys per run and profile); pausing removes the schedule.
    await setVersionStatus(database.db, versionId, "paused");
    await runtime.syncSchedules(database.db, versionId);
    expect((await schedule()).next).toBeNull();
  });
});

describe("api trigger", () => {
  it("enters through the API, runs to the first wait, and an idempotency key enters once", async () => {
    const w = await world({
      name: "api",
      trigger: { type: "api" },
      reentry: { mode: "always" },
      start: "mail",
      nodes: [{ ...mail(), content: { body: "Code {{trigger.properties.code}}" } }, exit],
    });
    const first = await runtime.enterViaApi({
      workspaceId: w.workspaceId,
      journeyId: w.journeyId,
      userId: "u1",
      properties: { code: "X1" },
      idempotencyKey: "k1",
    });
    expect(first).toMatchObject({ entered: true, status: "completed" });
    const again = await runtime.enterViaApi({
      workspaceId: w.workspaceId,
      journeyId: w.journeyId,
      userId: "u1",
      idempotencyKey: "k1",
    });
    expect(again).toMatchObject({ entered: false });
    const [action] = await actionsOf(database.db, w.profiles[0]!);
    expect((action!.payload.content as { body: string }).body).toBe("Code X1");
    await expect(
      runtime.enterViaApi({ workspaceId: w.workspaceId, journeyId: w.journeyId, userId: "nobody" }),
    ).rejects.toMatchObject({ code: "profile_not_found" });
    const other = await world({
      name: "not api",
      trigger: { type: "event", event: "X" },
      start: "done",
      nodes: [exit],
    });
    await expect(
      runtime.enterViaApi({ workspaceId: other.workspaceId, journeyId: other.journeyId, userId: "u1" }),
    ).rejects.toBeInstanceOf(RuntimeError);
  });
});

describe("exit_on and goals", () => {
  it("exit_on ends the visit wherever it is, and the pending send never happens", async () => {
    const w = await world({
      name: "exit on",
      trigger: { type: "event", event: "Checkout Started" },
      exit_on: [
        { event: "Order Completed", condition: { field: "event.properties.total", op: "gt", value: 0 } },
      ],
      start: "w",
      nodes: [{ id: "w", type: "wait", duration: "PT1H", next: "mail" }, mail(), exit],
    });
    await w.send("u1", "Checkout Started");
    await w.send("u1", "Order Completed", { total: 0 });
    expect((await instancesOf(database.db, w.profiles[0]!))[0]!.status).toBe("running");
    await w.send("u1", "Order Completed", { total: 30 });
    clock.advance("PT2H");
    await runtime.runDue();
    const [instance] = await instancesOf(database.db, w.profiles[0]!);
    expect(instance).toMatchObject({ status: "exited", exit_reason: "exit_on: Order Completed" });
    expect(await actionsOf(database.db, w.profiles[0]!)).toHaveLength(0);
  });

  it("a goal records the conversion and exits; with exit: false the visit continues", async () => {
    const goal = (exitOnGoal: boolean): JourneyInput => ({
      name: `goal ${exitOnGoal}`,
      trigger: { type: "event", event: "Checkout Started" },
      goal: { event: "Order Completed", within: "P7D", exit: exitOnGoal },
      start: "w",
      nodes: [{ id: "w", type: "wait", duration: "PT1H", next: "mail" }, mail(), exit],
    });
    const exits = await world(goal(true));
    await exits.send("u1", "Checkout Started");
    await exits.send("u1", "Order Completed");
    const [converted] = await instancesOf(database.db, exits.profiles[0]!);
    expect(converted!.status).toBe("exited");
    expect(converted!.converted_at).not.toBeNull();
    expect(await counters(database.db, exits.versionId)).toMatchObject({
      "$journey.converted": 1,
      "w.converted": 1,
    });

    const stays = await world(goal(false));
    await stays.send("u1", "Checkout Started");
    await stays.send("u1", "Order Completed");
    clock.advance("PT1H");
    await runtime.runDue();
    const [continued] = await instancesOf(database.db, stays.profiles[0]!);
    expect(continued).toMatchObject({ status: "completed" });
    expect(continued!.converted_at).not.toBeNull();
    expect(await actionsOf(database.db, stays.profiles[0]!)).toHaveLength(1);
  });

  it("a conversion after the visit ended still counts inside the goal window, not after it", async () => {
    const definition: JourneyInput = {
      name: "late conversion",
      trigger: { type: "event", event: "Checkout Started" },
      reentry: { mode: "always" },
      goal: { event: "Order Completed", within: "P2D" },
      start: "mail",
      nodes: [mail(), exit],
    };
    const w = await world(definition);
    await w.send("u1", "Checkout Started");
    clock.advance("P1D");
    await w.send("u1", "Order Completed");
    expect((await instancesOf(database.db, w.profiles[0]!))[0]!.converted_at).not.toBeNull();
    const late = await world(definition);
    await late.send("u1", "Checkout Started");
    clock.advance("P3D");
    await late.send("u1", "Order Completed");
    expect((await instancesOf(database.db, late.profiles[0]!))[0]!.converted_at).toBeNull();
  });

  it("events of one customer in one batch are applied in order (enter, then exit)", async () => {
    const w = await world({
      name: "same batch",
      trigger: { type: "event", event: "Checkout Started" },
      exit_on: [{ event: "Order Completed" }],
      start: "w",
      nodes: [{ id: "w", type: "wait", duration: "PT1H", next: "mail" }, mail(), exit],
    });
    await ingest(database, runtime, clock.now, [
      { workspaceId: w.workspaceId, userId: "u1", name: "Checkout Started" },
      { workspaceId: w.workspaceId, userId: "u1", name: "Order Completed" },
    ]);
    expect((await instancesOf(database.db, w.profiles[0]!)).map((instance) => instance.status)).toEqual([
      "exited",
    ]);
  });
});

describe("version states", () => {
  it("only active versions take entries; paused ones hold their customers; archived ones let them finish", async () => {
    const definition: JourneyInput = {
      name: "versions",
      trigger: { type: "event", event: "Signed Up" },
      reentry: { mode: "always" },
      start: "w",
      nodes: [{ id: "w", type: "wait", duration: "PT1H", next: "mail" }, mail(), exit],
    };
    const w = await world(definition);
    await w.send("u1", "Signed Up");
    await setVersionStatus(database.db, w.versionId, "paused");
    await w.send("u1", "Signed Up");
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(1);
    clock.advance("PT2H");
    await runtime.runDue();
    expect((await instancesOf(database.db, w.profiles[0]!))[0]!.status).toBe("running");
    expect(await actionsOf(database.db, w.profiles[0]!)).toHaveLength(0);

    // Version 2 goes live: version 1 is archived (closed to entries), its customer finishes.
    await setVersionStatus(database.db, w.versionId, "archived");
    const v2 = await addVersion(database.db, w.journeyId, w.workspaceId, definition, 2, "active");
    await runtime.runDue();
    await w.send("u1", "Signed Up");
    const instances = await instancesOf(database.db, w.profiles[0]!);
    expect(instances.map((instance) => [instance.version_id === v2 ? "v2" : "v1", instance.status])).toEqual([
      ["v1", "completed"],
      ["v2", "running"],
    ]);
  });
});

describe("profile merges", () => {
  it("moves open visits to the surviving profile and exits duplicates", async () => {
    const w = await world(
      {
        name: "merge",
        trigger: { type: "event", event: "Checkout Started" },
        start: "w",
        nodes: [{ id: "w", type: "wait", duration: "PT1H", next: "mail" }, mail(), exit],
      },
      ["anon", "known", "other"],
    );
    await w.send("anon", "Checkout Started");
    await w.send("known", "Checkout Started");
    await database.db.transaction((tx) => runtime.onProfilesMerged(tx, w.profiles[0]!, w.profiles[1]!));
    const moved = await instancesOf(database.db, w.profiles[1]!);
    expect(moved.map((instance) => instance.status).sort()).toEqual(["exited", "running"]);
    expect(await instancesOf(database.db, w.profiles[0]!)).toHaveLength(0);

    await w.send("other", "Checkout Started");
    const fresh = await createCustomer(database.db, w.workspaceId, { userId: "fresh" });
    await database.db.transaction((tx) => runtime.onProfilesMerged(tx, w.profiles[2]!, fresh));
    expect((await instancesOf(database.db, fresh)).map((instance) => instance.status)).toEqual(["running"]);
  });
});
