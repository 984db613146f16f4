import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { policyConfigs } from "../../db/schema/policies.ts";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import { createJourney, createWorkspace } from "../../journeys/runtime/testing.ts";
import type { RecordedMail } from "../../tools/channels/testing.ts";
import { createApiKey } from "../auth.ts";

/**
 * The workload of the crash tests (docs/reliability.md): customers sign up through ingestion and run
 * an onboarding journey with waits, a wait-for-event with two exits, email over real SMTP and
 * sandbox sends. What each customer must receive is known in advance, so after any number of
 * SIGKILLs the receivers can be counted against it: every expected send once, nothing else.
 */

/** A small seeded PRNG (mulberry32): the kill schedule of a run is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

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
type SendNode = (typeof SEND_NODES)[number];

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

/** Everything the journey's instances have finished and nothing waits in the outbox. */
export async function crashRunProgress(executor: Executor, versionId: string, workspaceId: string) {
  const [row] = await rows<{ instances: number; finished: number; undelivered: number }>(
    executor,
    sql`select (select count(*) from journey_instances where version_id = ${versionId})::int8 as instances,
               (select count(*) from journey_instances where version_id = ${versionId}
                  and status in ('completed', 'exited'))::int8 as finished,
               (select count(*) from outbox where workspace_id = ${workspaceId}
                  and status not in ('sent', 'dead'))::int8 as undelivered`,
  );
  return {
    instances: Number(row!.instances),
    finished: Number(row!.finished),
    undelivered: Number(row!.undelivered),
  };
}

export interface CrashReport {
  customers: number;
  instances: number;
  completed: number;
  /** sends the journey must have made (3 per customer) */
  expectedSends: number;
  /** expected sends that reached their receiver (SMTP server or sandbox) */
  delivered: number;
  lost: number;
  /** expected sends that reached a receiver under two or more idempotency keys */
  duplicateKeys: number;
  /** recipient + subject pairs the SMTP server saw under two or more keys (no database involved) */
  smtpAddressDuplicates: number;
  /** customers who got both `thanks` and `nudge` (a wait-for-event taking both exits) */
  bothExits: number;
  /** deliveries nobody expected (unknown customer or node) */
  unexpected: number;
  /** emails received again under an idempotency key already received (the documented window) */
  smtpRedeliveries: number;
  smtpMessages: number;
  sandboxMessages: number;
  /** sandbox rows beyond one per outbox row (the unique index makes this impossible) */
  sandboxDuplicates: number;
  /** outbox rows not `sent` */
  notSent: number;
  /** how many outbox rows needed more than one attempt, and the codes of their last failure */
  retried: { rows: number; codes: Record<string, number> };
  /** the first rows not `sent`, for the failure message */
  notSentRows: Array<{
    id: number;
    status: string;
    attempts: number;
    code: string | null;
    error: string | null;
  }>;
  /** steps (instance, node, kind of log entry) logged more than once */
  stepsLoggedTwice: number;
  outcomes: { thanks: number; nudge: number };
}

/**
 * Counts at the receivers. SMTP: by the X-Overture-Idempotency-Key header (the outbox id) and,
 * independently of our database, by recipient + subject. Sandbox: its rows. The database is read only
 * to map an outbox id to its customer and node.
 */
export async function countCrashRun(
  executor: Executor,
  input: { workspaceId: string; versionId: string; customers: number; smtp: readonly RecordedMail[] },
): Promise<CrashReport> {
  const { workspaceId, versionId, customers } = input;
  const outboxRows = await rows<{
    id: number;
    user_id: string;
    node_id: string;
    status: string;
    attempts: number;
    last_error_code: string | null;
    last_error: string | null;
  }>(
    executor,
    sql`select o.id, p.user_id, a.node_id, o.status, o.attempts, o.last_error_code, o.last_error from outbox o
        join actions a on a.id = o.action_id join profiles p on p.id = o.profile_id
        where o.workspace_id = ${workspaceId}`,
  );
  const byOutbox = new Map(outboxRows.map((row) => [Number(row.id), row]));
  const sandbox = await rows<{ outbox_id: number; copies: number }>(
    executor,
    sql`select outbox_id, count(*)::int8 as copies from sandbox_messages where workspace_id = ${workspaceId}
        group by outbox_id`,
  );
  // (customer, node) → the idempotency keys under which it reached a receiver
  const received = new Map<string, Set<string>>();
  let unexpected = 0;
  const note = (userId: string | undefined, nodeId: string | undefined, key: string) => {
    if (!userId || !nodeId || !(SEND_NODES as readonly string[]).includes(nodeId)) {
      unexpected += 1;
      return;
    }
    const id = `${userId}\u0000${nodeId}`;
    const keys = received.get(id) ?? new Set<string>();
    keys.add(key);
    received.set(id, keys);
  };
  for (const row of sandbox) {
    const origin = byOutbox.get(Number(row.outbox_id));
    note(origin?.user_id, origin?.node_id, String(row.outbox_id));
  }
  const smtpKeys = new Set<string>();
  const subjectNode: Record<string, SendNode> = { [SUBJECT_STARTED]: "started", [SUBJECT_THANKS]: "thanks" };
  const byAddress = new Map<string, Set<string>>();
  for (const mail of input.smtp) {
    const key = mail.idempotencyKey ?? "";
    const origin = byOutbox.get(Number(key));
    if (!smtpKeys.has(key)) note(origin?.user_id, origin?.node_id, key);
    smtpKeys.add(key);
    // The database-free view: who received which email, under which keys.
    const node = subjectNode[mail.subject ?? ""];
    const address = `${mail.to.join(",")}\u0000${node ?? mail.subject}`;
    const keys = byAddress.get(address) ?? new Set<string>();
    keys.add(key);
    byAddress.set(address, keys);
  }

  let delivered = 0;
  let lost = 0;
  let duplicateKeys = 0;
  let bothExits = 0;
  const outcomes = { thanks: 0, nudge: 0 };
  const keysOf = (userId: string, node: SendNode) => received.get(`${userId}\u0000${node}`)?.size ?? 0;
  for (let index = 0; index < customers; index += 1) {
    const userId = userIdOf(index);
    for (const node of ["welcome", "started"] as const) {
      const keys = keysOf(userId, node);
      if (keys === 0) lost += 1;
      else delivered += 1;
      if (keys > 1) duplicateKeys += 1;
    }
    const thanks = keysOf(userId, "thanks");
    const nudge = keysOf(userId, "nudge");
    if (thanks > 0 && nudge > 0) bothExits += 1;
    if (thanks === 0 && nudge === 0) lost += 1;
    else delivered += 1;
    if (thanks > 1 || nudge > 1) duplicateKeys += 1;
    if (thanks > 0) outcomes.thanks += 1;
    if (nudge > 0) outcomes.nudge += 1;
  }
  // The same check without the database: one key per recipient and subject.
  const addressDuplicates = [...byAddress.values()].filter((keys) => keys.size > 1).length;

  const [instances] = await rows<{ total: number; completed: number }>(
    executor,
    sql`select count(*)::int8 as total, count(*) filter (where status = 'completed')::int8 as completed
        from journey_instances where version_id = ${versionId}`,
  );
  // Every step (a send's action, a wait's start, a resume, a timeout, …) is logged in the
  // transaction that makes it; a step redone after a crash that had committed would show twice.
  const [twice] = await rows<{ n: number }>(
    executor,
    sql`select count(*)::int8 as n from (
          select instance_id, node_id, kind from instance_log
          where workspace_id = ${workspaceId}
          group by instance_id, node_id, kind having count(*) > 1) repeated`,
  );
  return {
    customers,
    instances: Number(instances!.total),
    completed: Number(instances!.completed),
    expectedSends: customers * 3,
    delivered,
    lost,
    duplicateKeys,
    smtpAddressDuplicates: addressDuplicates,
    bothExits,
    unexpected,
    smtpRedeliveries: input.smtp.length - smtpKeys.size,
    smtpMessages: input.smtp.length,
    sandboxMessages: sandbox.reduce((sum, row) => sum + Number(row.copies), 0),
    sandboxDuplicates: sandbox.reduce((sum, row) => sum + Number(row.copies) - 1, 0),
    notSent: outboxRows.filter((row) => row.status !== "sent").length,
    retried: {
      rows: outboxRows.filter((row) => Number(row.attempts) > 1).length,
      codes: outboxRows
        .filter((row) => Number(row.attempts) > 1 || row.last_error_code)
        .reduce<Record<string, number>>((codes, row) => {
          const code = row.last_error_code ?? "none";
          codes[code] = (codes[code] ?? 0) + 1;
          return codes;
        }, {}),
    },
    notSentRows: outboxRows
      .filter((row) => row.status !== "sent")
      .slice(0, 10)
      .map((row) => ({
        id: Number(row.id),
        status: row.status,
        attempts: Number(row.attempts),
        code: row.last_error_code,
        error: row.last_error,
      })),
    stepsLoggedTwice: Number(twice!.n),
    outcomes,
  };
}

export function describeCrashReport(report: CrashReport): string {
  return [
    `${report.customers} customers, ${report.instances} instances (${report.completed} completed)`,
    `expected sends ${report.expectedSends}: delivered ${report.delivered}, lost ${report.lost}, ` +
      `under two keys ${report.duplicateKeys} (by SMTP recipient+subject ${report.smtpAddressDuplicates}), both wait exits ${report.bothExits}, unexpected ${report.unexpected}`,
    `wait-for-event exits: thanks ${report.outcomes.thanks}, nudge ${report.outcomes.nudge}`,
    `SMTP: ${report.smtpMessages} messages, ${report.smtpRedeliveries} same-key redeliveries; ` +
      `sandbox: ${report.sandboxMessages} messages, ${report.sandboxDuplicates} duplicates; ` +
      `outbox rows not sent ${report.notSent}; steps logged twice ${report.stepsLoggedTwice}`,
    `outbox rows that needed a retry: ${report.retried.rows} ${JSON.stringify(report.retried.codes)}`,
    ...(report.notSentRows.length > 0 ? [`not sent: ${JSON.stringify(report.notSentRows)}`] : []),
  ].join("\n  ");
}
