import { setTimeout as sleep } from "node:timers/promises";
import type { Executor } from "../../db/open.ts";
import { policyConfigs } from "../../db/schema/policies.ts";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import { createJourney, createWorkspace } from "../../journeys/runtime/testing.ts";
import type { RecordingSmtpServer } from "../../tools/channels/testing.ts";
import { createApiKey } from "../auth.ts";

/**
 * The workload of the crash tests (docs/reliability.md): customers sign up through ingestion and run
 * an onboarding journey with waits, a wait-for-event with two exits, email over real SMTP and
 * sandbox sends. What each customer must receive is known in advance, so after any number of
 * SIGKILLs the receivers can be counted against it: every expected send once, nothing else.
 */

export const SUBJECT_STARTED = "Getting started";
export const SUBJECT_THANKS = "Thanks for your order";

/**
 * welcome (sms, sandbox) → 2 s → started (email, SMTP) → wait up to 6 s for "Order Completed":
 * thanks (email, SMTP) on the event, nudge (push, sandbox) on the timeout. Every customer gets
 * welcome + started + exactly one of thanks / nudge.
 */
export const CRASH_JOURNEY: JourneyInput = {
  name: "crash test: onboarding",
  trigger: { type: "event", event: "Signed Up" },
  start: "welcome",
  nodes: [
    {
      id: "welcome",
      type: "send",
      channel: "sms",
      content: { body: "Welcome, {{traits.first_name}}!" },
      next: "pause",
    },
    { id: "pause", type: "wait", duration: "PT2S", next: "started" },
    {
      id: "started",
      type: "send",
      channel: "email",
      content: { subject: SUBJECT_STARTED, body: "Hi {{traits.first_name}}, here is how to begin." },
      next: "order",
    },
    {
      id: "order",
      type: "wait_for_event",
      event: "Order Completed",
      timeout: "PT6S",
      on_event: "thanks",
      on_timeout: "nudge",
    },
    {
      id: "thanks",
      type: "send",
      channel: "email",
      content: { subject: SUBJECT_THANKS, body: "Thank you, {{traits.first_name}}." },
      next: "done",
    },
    {
      id: "nudge",
      type: "send",
      channel: "push",
      content: { title: "Still thinking?", body: "Your first order ships free." },
      next: "done",
    },
    { id: "done", type: "exit" },
  ],
};

export const SEND_NODES = ["welcome", "started", "thanks", "nudge"] as const;
export type SendNode = (typeof SEND_NODES)[number];

export interface CrashWorkspace {
  workspaceId: string;
  journeyId: string;
  versionId: string;
  writeKey: string;
  viewerKey: string;
}

/**
 * A workspace with the journey live and a policy config that only requires consent: quiet hours off
 * (the test runs at whatever time the machine has), no caps, no approvals.
 */
export async function seedCrashWorkspace(executor: Executor): Promise<CrashWorkspace> {
  const workspaceId = await createWorkspace(executor, "Europe/Berlin");
  await executor.insert(policyConfigs).values({
    workspaceId,
    version: 1,
    config: { consent_required: ["email", "sms", "push"], quiet_hours: { channels: [] } },
    createdBy: "crash-test",
  });
  const { journeyId, versionId } = await createJourney(executor, workspaceId, CRASH_JOURNEY);
  const write = await createApiKey(executor, { workspaceId, role: "ingest", name: "crash test" });
  const viewer = await createApiKey(executor, { workspaceId, role: "viewer", name: "crash test" });
  return { workspaceId, journeyId, versionId, writeKey: write.key, viewerKey: viewer.key };
}

export const userIdOf = (index: number) => `crash-${index}`;
export const emailOf = (index: number) => `c${index}@crash.test`;

/** Segment calls that sign customer `index` up: identify (traits, consent) then the trigger event. */
export function signUpCalls(index: number): Array<Record<string, unknown>> {
  const userId = userIdOf(index);
  return [
    {
      type: "identify",
      userId,
      messageId: `identify-${index}`,
      traits: {
        email: emailOf(index),
        phone: `+4915100${String(index).padStart(6, "0")}`,
        push_token: `token-${index}`,
        first_name: `Customer${index}`,
        timezone: "Europe/Berlin",
        consent: { email: true, sms: true, push: true },
      },
    },
    { type: "track", userId, event: "Signed Up", messageId: `signup-${index}`, properties: { plan: "free" } },
  ];
}

export function orderCall(index: number, attempt: number): Record<string, unknown> {
  return {
    type: "track",
    userId: userIdOf(index),
    event: "Order Completed",
    messageId: `order-${index}-${attempt}`,
    properties: { order_id: `o-${index}-${attempt}`, total: 42 },
  };
}

/**
 * When an ordering customer orders again, after their sign-up was stored. How far behind the workers
 * run depends on the machine and the kills, so an ordering customer orders several times: an order
 * that arrives before the customer waits at `order` is ignored, the first one while waiting takes
 * the `thanks` exit, later ones change nothing. Either way the customer gets one of the two exits.
 */
const ORDER_OFFSETS_MS = [3_000, 9_000, 16_000, 25_000, 40_000];

/**
 * Feeds the workload through `send` (ingestion, in-process or over HTTP): sign-ups in batches of
 * `batchSize` customers with `pauseMs` between batches, and for a random half of the customers their
 * orders. Resolves when everything was sent.
 */
export async function feedCrashWorkload(options: {
  customers: number;
  batchSize: number;
  pauseMs: number;
  random: () => number;
  send: (calls: Array<Record<string, unknown>>) => Promise<void>;
}): Promise<{ orderingCustomers: number; orders: number }> {
  const { customers, batchSize, random, send } = options;
  const pending: Array<{ at: number; index: number; attempt: number }> = [];
  let orderingCustomers = 0;
  let orders = 0;
  const sendDueOrders = async () => {
    const now = Date.now();
    const due = pending.filter((order) => order.at <= now);
    if (due.length === 0) return;
    await send(due.map((order) => orderCall(order.index, order.attempt)));
    orders += due.length;
    for (const order of due) pending.splice(pending.indexOf(order), 1);
  };
  for (let offset = 0; offset < customers; offset += batchSize) {
    const calls: Array<Record<string, unknown>> = [];
    const ordering: number[] = [];
    for (let index = offset; index < Math.min(customers, offset + batchSize); index += 1) {
      calls.push(...signUpCalls(index));
      if (random() < 0.5) ordering.push(index);
    }
    await send(calls);
    const storedAt = Date.now();
    orderingCustomers += ordering.length;
    for (const index of ordering)
      ORDER_OFFSETS_MS.forEach((offsetMs, attempt) => {
        pending.push({ at: storedAt + offsetMs + Math.floor(random() * 1000), index, attempt });
      });
    await sendDueOrders();
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
  while (pending.length > 0) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    await sendDueOrders();
  }
  return { orderingCustomers, orders };
}

/**
 * Makes the SMTP server answer late now and then, so kills land while deliveries are in flight:
 * 30 % of RCPT replies wait 0–40 ms, and 30 % of the 250s after DATA (the message already recorded)
 * wait 20–100 ms. A kill during such a 250 lands between the provider accepting a message and our
 * commit: the window in which a redelivery under the same key is possible, which uniform kills
 * almost never hit. `replyPending()` says whether such a 250 is on its way now.
 */
export function holdSmtpReplies(smtp: RecordingSmtpServer, random: () => number) {
  let repliesHeld = 0;
  smtp.holdRcpt = () => (random() < 0.3 ? sleep(Math.floor(random() * 40)) : null);
  smtp.holdData = () => {
    if (random() >= 0.3) return null;
    repliesHeld += 1;
    return sleep(20 + Math.floor(random() * 80)).finally(() => {
      repliesHeld -= 1;
    });
  };
  return {
    replyPending: () => repliesHeld > 0,
    /** Waits up to `maxMs` for a held 250, so the next kill can aim at the window. */
    async awaitPendingReply(maxMs: number): Promise<void> {
      const until = Date.now() + maxMs;
      while (repliesHeld === 0 && Date.now() < until) await sleep(2);
    },
  };
}
