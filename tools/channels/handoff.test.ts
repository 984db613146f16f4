import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { handoffTasks } from "../../db/schema/actions.ts";
import { journeyInstances, journeys } from "../../db/schema/journeys.ts";
import { events } from "../../db/schema/profiles.ts";
import { openTestDb } from "../../db/testing.ts";
import { createDispatcher } from "./dispatcher.ts";
import { createHandoffAdapter } from "./handoff.ts";
import { createSandboxAdapter } from "./sandbox.ts";
import { enqueue, fakeClock, seedProfile, seedWorkspace } from "./testing.ts";

let database: Database;
beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database?.close();
});

describe("hand-off adapter", () => {
  it("creates a task carrying who the customer is, what they did, what we told them, and why", async () => {
    const clock = fakeClock("2026-06-01T09:00:00Z");
    const workspaceId = await seedWorkspace(database.db);
    const profileId = await seedProfile(database.db, workspaceId, {
      userId: "cust-88",
      traits: { first_name: "Lin", tier: "vip", churn_risk: 0.82 },
      consent: { email: true, sms: false },
    });
    await database.db.insert(journeys).values({
      id: "jrn_winback",
      workspaceId,
      name: "VIP win-back",
      createdBy: "test",
    });
    const [instance] = await database.db
      .insert(journeyInstances)
      .values({
        workspaceId,
        journeyId: "jrn_winback",
        versionId: "ver_winback_1",
        profileId,
        nodeId: "call_vip",
        trigger: { name: "Subscription Cancelled", properties: { plan: "annual" } },
      })
      .returning({ id: journeyInstances.id });
    for (const [index, name] of [
      "Product Viewed",
      "Support Ticket Opened",
      "Subscription Cancelled",
    ].entries()) {
      await database.db.insert(events).values({
        workspaceId,
        profileId,
        messageId: `m-${index}`,
        type: "track",
        name,
        properties: { index },
        timestamp: new Date(Date.parse("2026-05-30T10:00:00Z") + index * 3_600_000),
      });
    }
    // An email we already sent and delivered through the sandbox.
    const earlier = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "email",
      payload: { content: { subject: "We miss you", body: "Come back for 20% off." } },
      at: clock.now(),
    });
    const adapters = new Map([
      ["sandbox", createSandboxAdapter()],
      ["handoff", createHandoffAdapter()],
    ] as const);
    const dispatcher = createDispatcher({ database, now: clock.now, adapters, log: () => undefined });
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 1 });

    const task = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "handoff",
      payload: {
        content: { subject: "Hand-off to senior_support", body: "Call Lin before Friday." },
        handoff: { queue: "senior_support", priority: "urgent", instructions: "Call Lin before Friday." },
      },
      journeyId: "jrn_winback",
      versionId: "ver_winback_1",
      nodeId: "call_vip",
      instanceId: instance!.id,
      at: clock.now(),
    });
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 1 });

    const [row] = await database.db
      .select()
      .from(handoffTasks)
      .where(eq(handoffTasks.outboxId, task.outboxId));
    expect(row).toMatchObject({
      workspaceId,
      profileId,
      queue: "senior_support",
      priority: "urgent",
      instructions: "Call Lin before Friday.",
      status: "open",
    });
    const context = row!.context;
    expect(context.customer).toEqual({
      profileId,
      userId: "cust-88",
      traits: { first_name: "Lin", tier: "vip", churn_risk: 0.82 },
      consent: { email: true, sms: false },
    });
    expect((context.recentEvents as Array<{ name: string }>).map((event) => event.name)).toEqual([
      "Subscription Cancelled",
      "Support Ticket Opened",
      "Product Viewed",
    ]);
    expect(context.recentMessages).toEqual([
      expect.objectContaining({
        channel: "email",
        status: "sent",
        subject: "We miss you",
        body: "Come back for 20% off.",
      }),
    ]);
    expect(context.journey).toEqual({
      id: "jrn_winback",
      name: "VIP win-back",
      versionId: "ver_winback_1",
      nodeId: "call_vip",
      instanceId: instance!.id,
      variant: null,
      trigger: { name: "Subscription Cancelled", properties: { plan: "annual" } },
    });
    expect(context.request).toMatchObject({ queue: "senior_support", priority: "urgent" });
    expect(earlier.outboxId).not.toBe(task.outboxId);
  });

  it("falls back to normal priority when the payload's priority is unknown", async () => {
    const clock = fakeClock("2026-06-01T09:00:00Z");
    const workspaceId = await seedWorkspace(database.db);
    const profileId = await seedProfile(database.db, workspaceId);
    const task = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "handoff",
      payload: { handoff: { queue: "support", priority: "asap!!", instructions: "Check the refund." } },
      at: clock.now(),
    });
    const adapters = new Map([["handoff", createHandoffAdapter()]] as const);
    await createDispatcher({ database, now: clock.now, adapters, log: () => undefined }).runOnce();
    const [row] = await database.db
      .select()
      .from(handoffTasks)
      .where(eq(handoffTasks.outboxId, task.outboxId));
    expect(row?.priority).toBe("normal");
    expect(row?.context.journey).toBeNull();
  });
});
