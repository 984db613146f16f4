import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { RecordedMail } from "../../tools/channels/testing.ts";
import type { SendNode } from "./crash-journey.ts";
import { SEND_NODES, SUBJECT_STARTED, SUBJECT_THANKS, userIdOf } from "./crash-journey.ts";

/**
 * Counting a crash run (docs/reliability.md) at the receivers, against what the workload in
 * crash-journey.ts must have sent, and what of that must hold exactly after any number of kills.
 */

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

/** The counts that must be exact after any number of SIGKILLs; compare with `expectedExactCounts`. */
export function exactCounts(report: CrashReport) {
  return {
    instances: report.instances,
    completed: report.completed,
    delivered: report.delivered,
    lost: report.lost,
    duplicateKeys: report.duplicateKeys,
    smtpAddressDuplicates: report.smtpAddressDuplicates,
    bothExits: report.bothExits,
    unexpected: report.unexpected,
    sandboxDuplicates: report.sandboxDuplicates,
    notSent: report.notSent,
    stepsLoggedTwice: report.stepsLoggedTwice,
  };
}

/** Every customer entered and completed, got 3 sends under one key each, and nothing else happened. */
export function expectedExactCounts(customers: number): ReturnType<typeof exactCounts> {
  return {
    instances: customers,
    completed: customers,
    delivered: customers * 3,
    lost: 0,
    duplicateKeys: 0,
    smtpAddressDuplicates: 0,
    bothExits: 0,
    unexpected: 0,
    sandboxDuplicates: 0,
    notSent: 0,
    stepsLoggedTwice: 0,
  };
}
