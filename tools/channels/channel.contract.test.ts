import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { handoffTasks, outbox, sandboxMessages } from "../../db/schema/actions.ts";
import { openTestDb } from "../../db/testing.ts";
import type { ChannelAdapter, DeliveryOptions, DeliveryOutcome, OutboundMessage } from "./channel.ts";
import { ChannelError } from "./channel.ts";
import { createSmtpAdapter } from "./email-smtp.ts";
import { createHandoffAdapter } from "./handoff.ts";
import { loadDeliveryContext, toOutboundMessage } from "./outbox-store.ts";
import { createSandboxAdapter } from "./sandbox.ts";
import type { RecordingSmtpServer, RecordingWebhookServer } from "./testing.ts";
import {
  closedPort,
  enqueue,
  gate,
  seedProfile,
  seedWorkspace,
  startRecordingSmtpServer,
  startRecordingWebhookServer,
  until,
} from "./testing.ts";
import { createWebhookAdapter } from "./webhook.ts";

/**
 * One contract, every adapter: it delivers, the destination sees the idempotency key, a repeat is
 * recognisable as one, failures are classified by status (retryable vs final), and an aborted signal
 * stops the delivery. Each fixture names where its deliveries land and how to provoke its failures.
 */

const SECRET = "contract-secret";

let database: Database;
let workspaceId: string;
let profileId: number;
let smtp: RecordingSmtpServer;
let webhook: RecordingWebhookServer;

beforeAll(async () => {
  [database, smtp, webhook] = await Promise.all([
    openTestDb(),
    startRecordingSmtpServer(),
    startRecordingWebhookServer(SECRET),
  ]);
  workspaceId = await seedWorkspace(database.db);
  profileId = await seedProfile(database.db, workspaceId, {
    userId: "contract-user",
    traits: { email: "ada@example.com", first_name: "Ada", tier: "gold" },
    consent: { email: true },
  });
});

afterAll(async () => {
  await Promise.all([database?.close(), smtp?.close(), webhook?.close()]);
});

/** The message the dispatcher would build for a freshly queued outbox row. */
async function queued(
  channel: string,
  payload: Record<string, unknown>,
  config: Record<string, unknown> = {},
) {
  const { outboxId } = await enqueue(database.db, { workspaceId, profileId, channel, payload });
  const rows = await database.db.select().from(outbox).where(eq(outbox.id, outboxId));
  const context = await loadDeliveryContext(database.db, rows);
  const built = toOutboundMessage(rows[0]!, context, config);
  if (!built.ok) throw new Error(built.reason);
  return built.message;
}

function deliver(adapter: ChannelAdapter, message: OutboundMessage, options: DeliveryOptions) {
  if (adapter.effect === "database") {
    return database.db.transaction((tx) => adapter.deliver(tx, message, options));
  }
  return adapter.deliver(message, options);
}

const keyOf = (message: OutboundMessage) => String(message.outboxId);
const live = () => ({ signal: new AbortController().signal });

type Expected =
  | { kind: "delivered" }
  | { kind: "rejected"; code: string; providerStatus?: number }
  | { kind: "error"; code: string; retryable: boolean; retryAfterMs?: number };

interface FailureCase {
  name: string;
  arrange(): Promise<{ adapter?: ChannelAdapter; message: OutboundMessage }>;
  expected: Expected;
}

interface Fixture {
  name: string;
  adapter: () => ChannelAdapter;
  /** a message this adapter delivers */
  deliverable(): Promise<OutboundMessage>;
  /** what reached the destination for this key: one entry per arrival, with its dedupe id */
  arrivals(key: string): Promise<Array<{ key: string | null; dedupeId: string | null }>>;
  /** the effect lives in our database, so a repeat must not create a second one */
  exactlyOnce: boolean;
  failures: FailureCase[];
  /**
   * A delivery that stalls at the destination until released, and how to tell it was cancelled: the
   * connection closed before the destination could complete it (SMTP: before DATA; HTTP: before the
   * response, which the receiver can no longer send).
   */
  stalling?: () => Promise<{
    message: OutboundMessage;
    release(): void;
    /** the destination has the message in hand and is holding its answer */
    held(): boolean;
    cancelled(): boolean;
  }>;
}

async function settle(promise: Promise<DeliveryOutcome>): Promise<DeliveryOutcome | ChannelError> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ChannelError) return error;
    throw error;
  }
}

const emailPayload = (to?: string) => ({
  ...(to ? { to } : {}),
  content: {
    subject: "Your cart misses you",
    body: "Hi Ada,\n\nyour cart is waiting.",
    cta_url: "https://shop.example/cart",
  },
  category: "promotional",
});

const fixtures: Fixture[] = [
  {
    name: "sandbox",
    adapter: createSandboxAdapter,
    exactlyOnce: true,
    deliverable: () => queued("sms", { content: { body: "Your order shipped." } }),
    async arrivals(key) {
      const rows = await database.db
        .select()
        .from(sandboxMessages)
        .where(eq(sandboxMessages.outboxId, Number(key)));
      return rows.map((row) => ({ key: String(row.outboxId), dedupeId: String(row.outboxId) }));
    },
    failures: [],
  },
  {
    name: "handoff",
    adapter: () => createHandoffAdapter(),
    exactlyOnce: true,
    deliverable: () =>
      queued("handoff", {
        handoff: { queue: "support", priority: "high", instructions: "Call Ada about the failed payment." },
      }),
    async arrivals(key) {
      const rows = await database.db
        .select()
        .from(handoffTasks)
        .where(eq(handoffTasks.outboxId, Number(key)));
      return rows.map((row) => ({ key: String(row.outboxId), dedupeId: String(row.outboxId) }));
    },
    failures: [
      {
        name: "a hand-off without instructions is rejected as an invalid payload",
        arrange: async () => ({ message: await queued("handoff", { content: { body: "no instructions" } }) }),
        expected: { kind: "rejected", code: "invalid_payload" },
      },
    ],
  },
  {
    name: "smtp",
    adapter: () => createSmtpAdapter({ url: smtp.url, from: "Shop <news@shop.example>" }),
    exactlyOnce: false,
    deliverable: () => queued("email", emailPayload()),
    async arrivals(key) {
      return smtp.messages
        .filter((mail) => mail.idempotencyKey === key)
        .map((mail) => ({ key: mail.idempotencyKey, dedupeId: mail.messageId }));
    },
    failures: [
      {
        name: "a 4xx reply to RCPT is retryable",
        arrange: async () => {
          smtp.rcptReply = (address) => (address === "busy@example.com" ? 451 : null);
          return { message: await queued("email", emailPayload("busy@example.com")) };
        },
        expected: { kind: "error", code: "provider_unavailable", retryable: true },
      },
      {
        name: "a 5xx reply to RCPT is a final rejection",
        arrange: async () => {
          smtp.rcptReply = (address) => (address === "gone@example.com" ? 550 : null);
          return { message: await queued("email", emailPayload("gone@example.com")) };
        },
        expected: { kind: "rejected", code: "recipient_rejected", providerStatus: 550 },
      },
      {
        name: "a refused connection is a retryable network error",
        arrange: async () => ({
          adapter: createSmtpAdapter({ url: `smtp://127.0.0.1:${await closedPort()}`, from: "a@b.example" }),
          message: await queued("email", emailPayload()),
        }),
        expected: { kind: "error", code: "network", retryable: true },
      },
      {
        name: "no address anywhere is a final rejection",
        arrange: async () => {
          const anonymous = await seedProfile(database.db, workspaceId, { traits: {} });
          const { outboxId } = await enqueue(database.db, {
            workspaceId,
            profileId: anonymous,
            channel: "email",
            payload: emailPayload(),
          });
          const rows = await database.db.select().from(outbox).where(eq(outbox.id, outboxId));
          const built = toOutboundMessage(rows[0]!, await loadDeliveryContext(database.db, rows), {});
          if (!built.ok) throw new Error(built.reason);
          return { message: built.message };
        },
        expected: { kind: "rejected", code: "no_recipient" },
      },
    ],
    async stalling() {
      // Held at RCPT TO, before any message data: a cancelled dialogue cannot have delivered.
      const held = gate();
      smtp.holdRcpt = (address) => (address === "slow@example.com" ? held.promise : null);
      const rcptBefore = smtp.rcptReceived;
      const closedBefore = smtp.closedConnections;
      return {
        message: await queued("email", emailPayload("slow@example.com")),
        release: held.release,
        held: () => smtp.rcptReceived > rcptBefore,
        cancelled: () =>
          smtp.closedConnections > closedBefore &&
          !smtp.messages.some((mail) => mail.to.includes("slow@example.com")),
      };
    },
  },
  {
    name: "webhook",
    adapter: () => createWebhookAdapter({ secret: SECRET }),
    exactlyOnce: false,
    deliverable: () =>
      queued("webhook", { request: { url: webhook.url, body: { event: "vip_upgrade", tier: "gold" } } }),
    async arrivals(key) {
      return webhook.requests
        .filter((request) => request.idempotencyKey === key)
        .map((request) => ({ key: request.idempotencyKey, dedupeId: request.idempotencyKey }));
    },
    failures: [
      ...[408, 500, 502, 503].map(
        (status): FailureCase => ({
          name: `HTTP ${status} is retryable`,
          arrange: async () => {
            webhook.reply = () => ({ status, body: "upstream trouble" });
            return { message: await queued("webhook", { request: { url: webhook.url } }) };
          },
          expected: { kind: "error", code: "provider_unavailable", retryable: true },
        }),
      ),
      {
        name: "HTTP 429 is retryable and honours Retry-After",
        arrange: async () => {
          webhook.reply = () => ({ status: 429, headers: { "retry-after": "120" } });
          return { message: await queued("webhook", { request: { url: webhook.url } }) };
        },
        expected: { kind: "error", code: "provider_unavailable", retryable: true, retryAfterMs: 120_000 },
      },
      ...[400, 401, 404, 422].map(
        (status): FailureCase => ({
          name: `HTTP ${status} is a final rejection`,
          arrange: async () => {
            webhook.reply = () => ({ status, body: "no" });
            return { message: await queued("webhook", { request: { url: webhook.url } }) };
          },
          expected: { kind: "rejected", code: "request_rejected", providerStatus: status },
        }),
      ),
      {
        name: "a redirect is not followed and is final",
        arrange: async () => {
          webhook.reply = () => ({ status: 302, headers: { location: "http://169.254.169.254/" } });
          return { message: await queued("webhook", { request: { url: webhook.url } }) };
        },
        expected: { kind: "rejected", code: "request_rejected", providerStatus: 302 },
      },
      {
        name: "a refused connection is a retryable network error",
        arrange: async () => ({
          message: await queued("webhook", { request: { url: `http://127.0.0.1:${await closedPort()}/x` } }),
        }),
        expected: { kind: "error", code: "network", retryable: true },
      },
      {
        name: "a missing URL is a final rejection",
        arrange: async () => ({ message: await queued("webhook", { request: { body: {} } }) }),
        expected: { kind: "rejected", code: "no_recipient" },
      },
      {
        name: "a non-HTTP URL is a final rejection",
        arrange: async () => ({
          message: await queued("webhook", { request: { url: "file:///etc/passwd" } }),
        }),
        expected: { kind: "rejected", code: "invalid_url" },
      },
      {
        name: "the URL from the channel settings is used when the action names none",
        arrange: async () => {
          webhook.reply = () => ({ status: 200 });
          return { message: await queued("webhook", { request: { body: { a: 1 } } }, { url: webhook.url }) };
        },
        expected: { kind: "delivered" },
      },
      {
        name: "no answer within the adapter's deadline is a retryable timeout that cancels the request",
        arrange: async () => {
          const held = gate();
          webhook.reply = () => ({ status: 200, hold: held.promise });
          afterTimeoutRelease.push(held.release);
          return {
            adapter: createWebhookAdapter({ secret: SECRET, timeoutMs: 150 }),
            message: await queued("webhook", { request: { url: webhook.url } }),
          };
        },
        expected: { kind: "error", code: "timeout", retryable: true },
      },
    ],
    async stalling() {
      const held = gate();
      webhook.reply = () => ({ status: 200, hold: held.promise });
      const abandonedBefore = webhook.abandoned;
      const message = await queued("webhook", { request: { url: webhook.url } });
      return {
        message,
        release: held.release,
        held: () => webhook.requests.some((request) => request.idempotencyKey === keyOf(message)),
        cancelled: () => webhook.abandoned > abandonedBefore,
      };
    },
  },
];

const afterTimeoutRelease: Array<() => void> = [];
afterAll(() => {
  for (const release of afterTimeoutRelease) release();
});

describe.each(fixtures)("channel contract: $name", (fixture) => {
  it("delivers, and the destination receives exactly the message once", async () => {
    const message = await fixture.deliverable();
    const outcome = await deliver(fixture.adapter(), message, { idempotencyKey: keyOf(message), ...live() });
    expect(outcome.status).toBe("delivered");
    if (outcome.status === "delivered") expect(outcome.providerMessageId).not.toBe("");
    expect(await fixture.arrivals(keyOf(message))).toHaveLength(1);
  });

  it("carries the idempotency key to the destination", async () => {
    const message = await fixture.deliverable();
    await deliver(fixture.adapter(), message, { idempotencyKey: keyOf(message), ...live() });
    const [arrival] = await fixture.arrivals(keyOf(message));
    expect(arrival?.key).toBe(keyOf(message));
  });

  it(
    fixture.exactlyOnce
      ? "a redelivery with the same key creates no second effect"
      : "a redelivery with the same key carries the same dedupe id, so the receiver can drop it",
    async () => {
      const adapter = fixture.adapter();
      const message = await fixture.deliverable();
      const first = await deliver(adapter, message, { idempotencyKey: keyOf(message), ...live() });
      const second = await deliver(adapter, message, { idempotencyKey: keyOf(message), ...live() });
      expect([first.status, second.status]).toEqual(["delivered", "delivered"]);
      if (first.status === "delivered" && second.status === "delivered" && fixture.exactlyOnce) {
        expect(second.providerMessageId).toBe(first.providerMessageId);
      }
      const arrivals = await fixture.arrivals(keyOf(message));
      expect(arrivals).toHaveLength(fixture.exactlyOnce ? 1 : 2);
      expect(new Set(arrivals.map((arrival) => arrival.dedupeId)).size).toBe(1);
      expect(arrivals[0]?.dedupeId).not.toBeNull();
    },
  );

  it("an already aborted signal throws a retryable 'aborted' error and delivers nothing", async () => {
    const message = await fixture.deliverable();
    const controller = new AbortController();
    controller.abort();
    const result = await settle(
      deliver(fixture.adapter(), message, { idempotencyKey: keyOf(message), signal: controller.signal }),
    );
    expect(result).toBeInstanceOf(ChannelError);
    expect(result).toMatchObject({ code: "aborted", retryable: true });
    expect(await fixture.arrivals(keyOf(message))).toHaveLength(0);
  });

  for (const failure of fixture.failures) {
    it(`classifies: ${failure.name}`, async () => {
      const arranged = await failure.arrange();
      const adapter = arranged.adapter ?? fixture.adapter();
      const result = await settle(
        deliver(adapter, arranged.message, { idempotencyKey: keyOf(arranged.message), ...live() }),
      );
      const expected = failure.expected;
      if (expected.kind === "delivered") {
        expect(result).toMatchObject({ status: "delivered" });
      } else if (expected.kind === "rejected") {
        expect(result).not.toBeInstanceOf(ChannelError);
        expect(result).toMatchObject({
          status: "rejected",
          code: expected.code,
          ...(expected.providerStatus !== undefined ? { providerStatus: expected.providerStatus } : {}),
        });
      } else {
        expect(result).toBeInstanceOf(ChannelError);
        expect(result).toMatchObject({ code: expected.code, retryable: expected.retryable });
        if (expected.retryAfterMs !== undefined && result instanceof ChannelError) {
          expect(result.details.retryAfterMs).toBe(expected.retryAfterMs);
        }
      }
    });
  }

  const stalling = fixture.stalling;
  if (stalling) {
    it("aborting mid-delivery closes the connection, so the delivery cannot complete afterwards", async () => {
      const stalled = await stalling();
      const controller = new AbortController();
      const pending = settle(
        deliver(fixture.adapter(), stalled.message, {
          idempotencyKey: keyOf(stalled.message),
          signal: controller.signal,
        }),
      );
      // Wait until the destination holds the message, then give up on it.
      await until(() => stalled.held());
      controller.abort();
      const result = await pending;
      expect(result).toBeInstanceOf(ChannelError);
      expect(result).toMatchObject({ code: "aborted", retryable: true });
      stalled.release();
      await until(() => stalled.cancelled());
    });
  }
});
