import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { actions, handoffTasks, outbox, sandboxMessages } from "../../db/schema/actions.ts";
import { channelSettings } from "../../db/schema/workspaces.ts";
import { openTestDb } from "../../db/testing.ts";
import type { DispatcherOptions } from "./dispatcher.ts";
import { createDispatcher } from "./dispatcher.ts";
import { createSmtpAdapter } from "./email-smtp.ts";
import { createHandoffAdapter } from "./handoff.ts";
import { OUTBOX_NOTIFY_CHANNEL } from "./outbox-store.ts";
import type { AdapterSet } from "./routing.ts";
import { createSandboxAdapter } from "./sandbox.ts";
import type { RecordingSmtpServer, RecordingWebhookServer } from "./testing.ts";
import {
  enqueue,
  fakeClock,
  gate,
  seedProfile,
  seedWorkspace,
  startRecordingSmtpServer,
  startRecordingWebhookServer,
  until,
} from "./testing.ts";
import { createWebhookAdapter } from "./webhook.ts";

const SECRET = "dispatcher-secret";
const T0 = "2026-03-02T10:00:00.000Z";

let database: Database;
let webhook: RecordingWebhookServer;
let smtp: RecordingSmtpServer;

beforeAll(async () => {
  [database, webhook, smtp] = await Promise.all([
    openTestDb(),
    startRecordingWebhookServer(SECRET),
    startRecordingSmtpServer(),
  ]);
});

afterAll(async () => {
  await Promise.all([database?.close(), webhook?.close(), smtp?.close()]);
});

// The dispatcher serves every workspace of the database; rows a previous test left due must not
// leak into the next one.
beforeEach(async () => {
  await database.db
    .update(outbox)
    .set({ status: "dead", lastError: "left over by an earlier test" })
    .where(inArray(outbox.status, ["pending", "sending"]));
  webhook.reply = () => ({ status: 200, body: "ok" });
  smtp.rcptReply = () => null;
});

function adaptersFor(clock: { now: () => Date }, options: { smtp?: boolean } = {}): AdapterSet {
  const list = [
    createSandboxAdapter(),
    createHandoffAdapter(),
    createWebhookAdapter({ secret: SECRET, now: clock.now }),
    ...(options.smtp ? [createSmtpAdapter({ url: smtp.url, from: "Shop <news@shop.example>" })] : []),
  ];
  return new Map(list.map((adapter) => [adapter.name, adapter]));
}

function dispatcherFor(clock: { now: () => Date }, overrides: Partial<DispatcherOptions> = {}) {
  return createDispatcher({
    database,
    now: clock.now,
    adapters: adaptersFor(clock),
    random: () => 0.5,
    retry: { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 5 },
    log: () => undefined,
    ...overrides,
  });
}

async function customer(traits: Record<string, unknown> = { email: "ada@example.com" }) {
  const workspaceId = await seedWorkspace(database.db);
  const profileId = await seedProfile(database.db, workspaceId, { traits });
  return { workspaceId, profileId };
}

async function outboxRow(id: number) {
  const [row] = await database.db.select().from(outbox).where(eq(outbox.id, id));
  return row!;
}

async function actionStatus(id: number) {
  const [row] = await database.db.select({ status: actions.status }).from(actions).where(eq(actions.id, id));
  return row?.status;
}

const requestsFor = (outboxId: number) =>
  webhook.requests.filter((request) => request.idempotencyKey === String(outboxId));

describe("dispatcher", () => {
  it("delivers sandbox and hand-off rows and marks them and their actions sent", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer();
    const sms = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "sms",
      payload: { to: "+4915112345678", content: { body: "Your parcel is on its way." } },
      at: clock.now(),
    });
    const task = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "handoff",
      payload: { handoff: { queue: "vip", priority: "urgent", instructions: "Call back today." } },
      at: clock.now(),
    });

    const summary = await dispatcherFor(clock).runOnce();

    expect(summary).toMatchObject({ claimed: 2, sent: 2, retried: 0, dead: 0 });
    for (const { outboxId, actionId } of [sms, task]) {
      const row = await outboxRow(outboxId);
      expect(row).toMatchObject({ status: "sent", attempts: 1, leaseUntil: null });
      expect(row.sentAt?.toISOString()).toBe(T0);
      expect(await actionStatus(actionId)).toBe("sent");
    }
    expect((await outboxRow(sms.outboxId)).adapter).toBe("sandbox");
    expect((await outboxRow(task.outboxId)).adapter).toBe("handoff");
    const [message] = await database.db
      .select()
      .from(sandboxMessages)
      .where(eq(sandboxMessages.outboxId, sms.outboxId));
    expect(message).toMatchObject({
      channel: "sms",
      recipient: "+4915112345678",
      body: "Your parcel is on its way.",
    });
    const [handoff] = await database.db
      .select()
      .from(handoffTasks)
      .where(eq(handoffTasks.outboxId, task.outboxId));
    expect(handoff).toMatchObject({ queue: "vip", priority: "urgent", status: "open" });
  });

  it("runs a row again only when it is due", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer();
    const later = new Date(clock.now().getTime() + 60_000);
    const { outboxId } = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "sms",
      payload: { content: { body: "later" } },
      at: later,
    });
    const dispatcher = dispatcherFor(clock);
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    clock.set(later);
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect((await outboxRow(outboxId)).status).toBe("sent");
  });

  it("retries a retryable failure with exponential backoff, then succeeds with the same idempotency key", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer();
    const { outboxId, actionId } = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "webhook",
      payload: { request: { url: webhook.url, body: { ping: true } } },
      at: clock.now(),
    });
    webhook.reply = () => (requestsFor(outboxId).length <= 2 ? { status: 503 } : { status: 200 });
    const dispatcher = dispatcherFor(clock);

    // attempt 1 fails → next at +750 ms (half of 1 s fixed + half × random 0.5)
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    let row = await outboxRow(outboxId);
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastErrorCode: "provider_unavailable" });
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(750);
    expect(await actionStatus(actionId)).toBe("queued");

    clock.advance(749);
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    clock.advance(1);
    // attempt 2 fails → the delay doubles: +1500 ms
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    row = await outboxRow(outboxId);
    expect(row.attempts).toBe(2);
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(1_500);

    clock.advance(1_500);
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    row = await outboxRow(outboxId);
    expect(row).toMatchObject({ status: "sent", attempts: 3, lastError: null, lastErrorCode: null });
    expect(await actionStatus(actionId)).toBe("sent");
    const requests = requestsFor(outboxId);
    expect(requests).toHaveLength(3);
    expect(requests.every((request) => request.signatureValid)).toBe(true);
  });

  it("waits at least as long as the provider's Retry-After", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer();
    const { outboxId } = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "webhook",
      payload: { request: { url: webhook.url } },
      at: clock.now(),
    });
    webhook.reply = () => ({ status: 429, headers: { "retry-after": "30" } });
    await dispatcherFor(clock).runOnce();
    const row = await outboxRow(outboxId);
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(30_000);
  });

  it("turns a row into a dead letter after maxAttempts; its action fails and stops counting against caps", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer();
    const { outboxId, actionId } = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "webhook",
      payload: { request: { url: webhook.url } },
      at: clock.now(),
    });
    webhook.reply = () => ({ status: 502, body: "bad gateway" });
    const dispatcher = dispatcherFor(clock, {
      retry: { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: 3 },
    });

    const outcomes = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      outcomes.push(await dispatcher.runOnce());
      clock.advance(60_000);
    }
    expect(outcomes.map((summary) => [summary.retried, summary.dead])).toEqual([
      [1, 0],
      [1, 0],
      [0, 1],
    ]);
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    const row = await outboxRow(outboxId);
    expect(row).toMatchObject({
      status: "dead",
      attempts: 3,
      lastErrorCode: "provider_unavailable",
      adapter: "webhook",
    });
    expect(row.lastError).toMatch(/^gave up after 3 attempts/);
    expect(await actionStatus(actionId)).toBe("failed");
    // Frequency caps count the customer's actions that are queued or sent.
    const counted = await database.db
      .select({ id: actions.id })
      .from(actions)
      .where(and(eq(actions.profileId, profileId), inArray(actions.status, ["queued", "sent"])));
    expect(counted).toHaveLength(0);
    expect(requestsFor(outboxId)).toHaveLength(3);
  });

  it("dead-letters a permanent failure at once: webhook 4xx and SMTP 5xx", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer({ email: "gone@example.com" });
    const hook = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "webhook",
      payload: { request: { url: webhook.url } },
      at: clock.now(),
    });
    const mail = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "email",
      payload: { content: { subject: "Hi", body: "Hello" } },
      at: clock.now(),
    });
    webhook.reply = () => ({ status: 410, body: "endpoint retired" });
    smtp.rcptReply = (address) => (address === "gone@example.com" ? 550 : null);

    const summary = await dispatcherFor(clock, { adapters: adaptersFor(clock, { smtp: true }) }).runOnce();

    expect(summary).toMatchObject({ claimed: 2, dead: 2, retried: 0 });
    expect(await outboxRow(hook.outboxId)).toMatchObject({
      status: "dead",
      attempts: 1,
      lastErrorCode: "request_rejected",
    });
    expect(await outboxRow(mail.outboxId)).toMatchObject({
      status: "dead",
      attempts: 1,
      lastErrorCode: "recipient_rejected",
      adapter: "smtp",
    });
    expect(await actionStatus(mail.actionId)).toBe("failed");
  });

  it("sends email over SMTP when the adapter exists, with the outbox id in the Message-ID", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer({ email: "ada@example.com" });
    const { outboxId } = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "email",
      payload: { content: { subject: "Welcome", body: "Hello Ada" } },
      at: clock.now(),
    });
    await dispatcherFor(clock, { adapters: adaptersFor(clock, { smtp: true }) }).runOnce();
    const row = await outboxRow(outboxId);
    expect(row).toMatchObject({ status: "sent", adapter: "smtp" });
    const mail = smtp.messages.find((message) => message.idempotencyKey === String(outboxId));
    expect(mail?.to).toEqual(["ada@example.com"]);
    expect(mail?.messageId).toBe(row.providerMessageId);
    expect(mail?.messageId).toContain(`outbox-${outboxId}.`);
  });

  it("follows the workspace's channel settings: another adapter, a disabled channel, an adapter this process lacks", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer();
    await database.db.insert(channelSettings).values([
      { workspaceId, channel: "sms", adapter: "webhook", config: { url: webhook.url } },
      { workspaceId, channel: "push", adapter: "sandbox", enabled: false },
      { workspaceId, channel: "email", adapter: "smtp" },
    ]);
    const sms = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "sms",
      payload: { to: "+15550100", content: { body: "via the SMS gateway" } },
      at: clock.now(),
    });
    const push = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "push",
      payload: { content: { body: "muted" } },
      at: clock.now(),
    });
    const email = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "email",
      payload: { content: { body: "no SMTP here" } },
      at: clock.now(),
    });

    await dispatcherFor(clock).runOnce();

    expect(await outboxRow(sms.outboxId)).toMatchObject({ status: "sent", adapter: "webhook" });
    expect(JSON.parse(requestsFor(sms.outboxId)[0]!.body)).toMatchObject({
      channel: "sms",
      data: { content: { body: "via the SMS gateway" } },
    });
    expect(await outboxRow(push.outboxId)).toMatchObject({
      status: "dead",
      lastErrorCode: "channel_disabled",
    });
    const emailRow = await outboxRow(email.outboxId);
    expect(emailRow).toMatchObject({ status: "dead", lastErrorCode: "misconfigured" });
    expect(emailRow.lastError).toContain("SMTP_URL");
  });

  it("dead-letters a malformed payload instead of retrying it", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer();
    const { outboxId } = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "sms",
      payload: { content: { subject: "no body" } },
      at: clock.now(),
    });
    await dispatcherFor(clock).runOnce();
    const row = await outboxRow(outboxId);
    expect(row).toMatchObject({ status: "dead", lastErrorCode: "invalid_payload", attempts: 1 });
    expect(row.lastError).toContain("content.body");
  });

  it("redelivers a row whose dispatcher stalled once its lease expires, and drops the stale late result", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer();
    const { outboxId } = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "webhook",
      payload: { request: { url: webhook.url } },
      at: clock.now(),
    });
    const firstReply = gate();
    webhook.reply = (request) =>
      requestsFor(Number(request.idempotencyKey)).length === 1
        ? { status: 200, hold: firstReply.promise }
        : { status: 200 };
    const stalled = dispatcherFor(clock, { leaseMs: 120_000, deliveryTimeoutMs: 60_000 });
    const rescuer = dispatcherFor(clock, { leaseMs: 120_000 });

    const stalledRun = stalled.runOnce();
    await until(() => requestsFor(outboxId).length === 1);
    expect(await outboxRow(outboxId)).toMatchObject({ status: "sending", attempts: 1 });

    // While the lease holds, nobody else touches the row.
    clock.advance(119_999);
    expect((await rescuer.runOnce()).claimed).toBe(0);
    clock.advance(1);
    expect(await rescuer.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await outboxRow(outboxId)).toMatchObject({ status: "sent", attempts: 2 });

    firstReply.release();
    expect(await stalledRun).toMatchObject({ sent: 0, lostLeases: 1 });
    expect(await outboxRow(outboxId)).toMatchObject({ status: "sent", attempts: 2 });
    // Both deliveries carried the same key: the receiver can drop the second.
    expect(new Set(requestsFor(outboxId).map((request) => request.idempotencyKey)).size).toBe(1);
  });

  it("dead-letters a row whose last allowed attempt was interrupted, rather than guessing", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer();
    const { outboxId } = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "webhook",
      payload: { request: { url: webhook.url } },
      at: clock.now(),
    });
    // What a dispatcher killed during its 5th (last) attempt leaves behind.
    await database.db
      .update(outbox)
      .set({ status: "sending", attempts: 5, leaseUntil: new Date(clock.now().getTime() - 1) })
      .where(eq(outbox.id, outboxId));
    expect(await dispatcherFor(clock).runOnce()).toMatchObject({ claimed: 1, dead: 1 });
    expect(await outboxRow(outboxId)).toMatchObject({
      status: "dead",
      attempts: 5,
      lastErrorCode: "lease_expired",
    });
    expect(requestsFor(outboxId)).toHaveLength(0);
  });

  it("two dispatchers on one database never deliver one row twice", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer();
    const ids: number[] = [];
    for (let index = 0; index < 40; index += 1) {
      const hook = await enqueue(database.db, {
        workspaceId,
        profileId,
        channel: "webhook",
        payload: { request: { url: webhook.url, body: { index } } },
        at: clock.now(),
      });
      const sms = await enqueue(database.db, {
        workspaceId,
        profileId,
        channel: "sms",
        payload: { content: { body: `message ${index}` } },
        at: clock.now(),
      });
      ids.push(hook.outboxId, sms.outboxId);
    }
    const drain = async (dispatcher: ReturnType<typeof dispatcherFor>) => {
      let claimed = 0;
      for (;;) {
        const summary = await dispatcher.runOnce({ limit: 7 });
        if (summary.claimed === 0) return claimed;
        claimed += summary.claimed;
      }
    };
    const [first, second] = await Promise.all([drain(dispatcherFor(clock)), drain(dispatcherFor(clock))]);

    expect(first + second).toBe(ids.length);
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);
    const rows = await database.db.select().from(outbox).where(inArray(outbox.id, ids));
    expect(rows.every((row) => row.status === "sent" && row.attempts === 1)).toBe(true);
    const keys = webhook.requests
      .map((request) => Number(request.idempotencyKey))
      .filter((key) => ids.includes(key));
    expect(keys).toHaveLength(40);
    expect(new Set(keys).size).toBe(40);
    const [sandbox] = await database.db
      .select({ count: sql<number>`count(*)::int` })
      .from(sandboxMessages)
      .where(inArray(sandboxMessages.outboxId, ids));
    expect(sandbox?.count).toBe(40);
  });
});

describe("dispatcher loop", () => {
  it("wakes on NOTIFY, and stop() waits for the in-flight delivery and records it", async () => {
    const clock = fakeClock(T0);
    const { workspaceId, profileId } = await customer();
    const dispatcher = dispatcherFor(clock, { pollMs: 60_000 });
    await dispatcher.start();
    try {
      const quick = await enqueue(database.db, {
        workspaceId,
        profileId,
        channel: "sms",
        payload: { content: { body: "hello" } },
        at: clock.now(),
      });
      await database.notify(OUTBOX_NOTIFY_CHANNEL);
      await until(async () => (await outboxRow(quick.outboxId)).status === "sent");

      const held = gate();
      webhook.reply = () => ({ status: 200, hold: held.promise });
      const slow = await enqueue(database.db, {
        workspaceId,
        profileId,
        channel: "webhook",
        payload: { request: { url: webhook.url } },
        at: clock.now(),
      });
      await database.notify(OUTBOX_NOTIFY_CHANNEL);
      await until(() => requestsFor(slow.outboxId).length === 1);

      const stopped = dispatcher.stop();
      expect((await outboxRow(slow.outboxId)).status).toBe("sending");
      held.release();
      await stopped;
      expect(await outboxRow(slow.outboxId)).toMatchObject({ status: "sent", attempts: 1 });
    } finally {
      await dispatcher.stop();
    }
  });

  it("wakes itself when the earliest retry comes due, without a notification", async () => {
    const { workspaceId, profileId } = await customer();
    const realClock = { now: () => new Date() };
    const dispatcher = dispatcherFor(realClock, {
      pollMs: 600_000,
      retry: { baseDelayMs: 40, maxDelayMs: 40, maxAttempts: 5 },
    });
    const { outboxId } = await enqueue(database.db, {
      workspaceId,
      profileId,
      channel: "webhook",
      payload: { request: { url: webhook.url } },
      at: realClock.now(),
    });
    webhook.reply = () => (requestsFor(outboxId).length === 1 ? { status: 503 } : { status: 200 });
    await dispatcher.start();
    try {
      await until(async () => (await outboxRow(outboxId)).status === "sent");
      expect(requestsFor(outboxId)).toHaveLength(2);
    } finally {
      await dispatcher.stop();
    }
  });
});
