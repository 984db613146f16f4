import type { Database, Executor } from "../../db/open.ts";
import type { RetryPolicy } from "./backoff.ts";
import { DEFAULT_RETRY_POLICY, retryDelayMs } from "./backoff.ts";
import type { DeliveryOutcome, ExternalChannelAdapter, OutboundMessage } from "./channel.ts";
import { ChannelError } from "./channel.ts";
import type { DispatchLog } from "./dispatch-loop.ts";
import { createDispatchLoop } from "./dispatch-loop.ts";
import type { Fence, OutboxRow } from "./outbox-store.ts";
import {
  loadDeliveryContext,
  lockDueRows,
  markDead,
  markRetry,
  markSending,
  markSent,
  markSentBatch,
  settingKey,
  toOutboundMessage,
} from "./outbox-store.ts";
import type { AdapterSet } from "./routing.ts";
import { chooseAdapter } from "./routing.ts";

export type { DispatchLog } from "./dispatch-loop.ts";

export interface DispatcherOptions {
  database: Database;
  now: () => Date;
  adapters: AdapterSet;
  /** jitter source, injected so tests are deterministic (default Math.random) */
  random?: () => number;
  /** rows claimed per transaction (default 50) */
  batchSize?: number;
  retry?: Partial<RetryPolicy>;
  /** how long a claimed external delivery may take before another dispatcher may retry it (default 120 s) */
  leaseMs?: number;
  /** deadline of one external delivery; its signal aborts the request (default 30 s, below the lease) */
  deliveryTimeoutMs?: number;
  /** external deliveries in flight at once (default 8) */
  concurrency?: number;
  /** the longest the loop sleeps without a notification (default 60 s) */
  pollMs?: number;
  log?: DispatchLog;
}

export interface RunSummary {
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
  /** external results dropped because the lease had passed to another dispatcher */
  lostLeases: number;
}

export interface Dispatcher {
  /** claims and delivers one batch of due rows; resolves when every delivery in it has settled */
  runOnce(options?: { limit?: number }): Promise<RunSummary>;
  /** listens on `overture_outbox` and runs until stopped, sleeping until the next due row */
  start(): Promise<void>;
  /** stops claiming, lets in-flight deliveries finish and records them, then returns */
  stop(): Promise<void>;
}

interface Failure {
  retryable: boolean;
  code: string;
  message: string;
  retryAfterMs?: number | undefined;
}

function describeFailure(error: unknown): Failure {
  if (error instanceof ChannelError) {
    return {
      retryable: error.retryable,
      code: error.code,
      message: error.message,
      retryAfterMs: error.details.retryAfterMs,
    };
  }
  // Not an error an adapter meant to raise (a bug, a driver fault): retry, bounded by maxAttempts,
  // rather than lose the message on a fault that may be transient.
  const message = error instanceof Error ? error.message : String(error);
  return { retryable: true, code: "unexpected", message };
}

interface ExternalJob {
  row: OutboxRow;
  attempts: number;
  adapter: ExternalChannelAdapter;
  message: OutboundMessage;
}

const consoleLog: DispatchLog = (level, message, fields) => {
  const line = `[outbox] ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}`;
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
};

/**
 * The outbox dispatcher. Delivery guarantees, per adapter kind:
 * - database adapters (sandbox, hand-off): claim, write and mark `sent` in ONE transaction, so the
 *   effect exists exactly once whatever moment the process dies;
 * - external adapters (SMTP, webhook): claim + lease commit first, the provider is called outside any
 *   transaction, then the result commits. A crash after the provider accepted and before that commit
 *   makes the row claimable again when the lease ends: at-least-once, always with the same
 *   idempotency key (outbox id) and Message-ID, so receivers drop the repeat.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { database, now, adapters } = options;
  const random = options.random ?? Math.random;
  const batchSize = options.batchSize ?? 50;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const leaseMs = options.leaseMs ?? 120_000;
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 30_000;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const pollMs = options.pollMs ?? 60_000;
  const log = options.log ?? consoleLog;

  /** Records a failed attempt: retry later, or a dead letter when retrying cannot help or attempts ran out. */
  async function settleFailure(
    tx: Executor,
    row: OutboxRow,
    attempts: number,
    adapter: string | null,
    failure: Failure,
    fence: Fence | null,
    summary: RunSummary,
  ): Promise<void> {
    if (failure.retryable && attempts < policy.maxAttempts) {
      const delay = retryDelayMs(attempts, policy, random, failure.retryAfterMs);
      const done = await markRetry(tx, {
        id: row.id,
        attempts,
        adapter,
        nextAttemptAt: new Date(now().getTime() + delay),
        code: failure.code,
        error: failure.message,
        fence,
      });
      if (done) summary.retried += 1;
      else summary.lostLeases += 1;
      return;
    }
    const error = failure.retryable
      ? `gave up after ${attempts} attempts; last: ${failure.message}`
      : failure.message;
    const done = await markDead(tx, { id: row.id, attempts, adapter, code: failure.code, error, fence });
    if (done) {
      summary.dead += 1;
      log("warn", "dead letter", { outboxId: row.id, channel: row.channel, code: failure.code, error });
    } else {
      summary.lostLeases += 1;
    }
  }

  async function settleOutcome(
    tx: Executor,
    row: OutboxRow,
    attempts: number,
    adapter: string,
    outcome: DeliveryOutcome,
    fence: Fence | null,
    summary: RunSummary,
  ): Promise<void> {
    if (outcome.status === "delivered") {
      const done = await markSent(tx, {
        id: row.id,
        attempts,
        adapter,
        providerMessageId: outcome.providerMessageId,
        at: now(),
        fence,
      });
      if (done) summary.sent += 1;
      else summary.lostLeases += 1;
      return;
    }
    const status = outcome.providerStatus !== undefined ? ` (${outcome.providerStatus})` : "";
    await settleFailure(
      tx,
      row,
      attempts,
      adapter,
      { retryable: false, code: outcome.code, message: `${outcome.reason}${status}` },
      fence,
      summary,
    );
  }

  /**
   * Phase 1, one transaction: lock due rows, deliver the database-adapter ones right here (each in a
   * savepoint, so one failure does not undo the others), and lease the external ones.
   */
  async function claim(limit: number, summary: RunSummary): Promise<ExternalJob[]> {
    const jobs: ExternalJob[] = [];
    await database.db.transaction(async (tx) => {
      jobs.length = 0;
      const at = now();
      const due = await lockDueRows(tx, at, limit);
      summary.claimed = due.length;
      if (due.length === 0) return;
      const context = await loadDeliveryContext(tx, due);
      const leased = new Map<string, number[]>();
      const deliveredHere: Array<{
        id: number;
        attempts: number;
        adapter: string;
        providerMessageId: string;
      }> = [];

      for (const row of due) {
        const attempts = row.attempts + 1;
        if (row.status === "sending" && row.attempts >= policy.maxAttempts) {
          // The last allowed attempt was interrupted (lease expired): its outcome is unknown, and
          // there are no attempts left to find out. A person decides, via the dead-letter list.
          await settleFailure(
            tx,
            row,
            row.attempts,
            row.adapter,
            {
              retryable: false,
              code: "lease_expired",
              message: `the last of ${policy.maxAttempts} attempts was interrupted; it may or may not have reached the provider`,
            },
            null,
            summary,
          );
          continue;
        }
        let choice: ReturnType<typeof chooseAdapter>;
        try {
          choice = chooseAdapter(
            row.channel,
            context.settings.get(settingKey(row.workspaceId, row.channel)),
            adapters,
          );
        } catch (error) {
          await settleFailure(tx, row, attempts, null, describeFailure(error), null, summary);
          continue;
        }
        if (choice.kind === "disabled") {
          await settleFailure(
            tx,
            row,
            attempts,
            null,
            { retryable: false, code: "channel_disabled", message: choice.reason },
            null,
            summary,
          );
          continue;
        }
        const { adapter } = choice;
        const built = toOutboundMessage(row, context, choice.config);
        if (!built.ok) {
          await settleFailure(
            tx,
            row,
            attempts,
            adapter.name,
            { retryable: false, code: "invalid_payload", message: built.reason },
            null,
            summary,
          );
          continue;
        }
        if (adapter.effect === "external") {
          jobs.push({ row, attempts, adapter, message: built.message });
          const ids = leased.get(adapter.name) ?? [];
          ids.push(row.id);
          leased.set(adapter.name, ids);
          continue;
        }
        try {
          const outcome = await tx.transaction((savepoint) =>
            adapter.deliver(savepoint, built.message, {
              idempotencyKey: String(row.id),
              signal: AbortSignal.timeout(deliveryTimeoutMs),
            }),
          );
          if (outcome.status === "delivered") {
            deliveredHere.push({
              id: row.id,
              attempts,
              adapter: adapter.name,
              providerMessageId: outcome.providerMessageId,
            });
          } else {
            await settleOutcome(tx, row, attempts, adapter.name, outcome, null, summary);
          }
        } catch (error) {
          await settleFailure(tx, row, attempts, adapter.name, describeFailure(error), null, summary);
        }
      }
      // Same transaction as the writes above: the effects and their 'sent' marks commit together.
      await markSentBatch(tx, deliveredHere, now());
      summary.sent += deliveredHere.length;
      const leaseUntil = new Date(at.getTime() + leaseMs);
      for (const [adapter, ids] of leased) await markSending(tx, ids, adapter, leaseUntil);
    });
    return jobs;
  }

  /** Phase 2, outside any transaction: call the provider, then commit the result at once. */
  async function deliverExternal(job: ExternalJob, summary: RunSummary): Promise<void> {
    const fence: Fence = { attempts: job.attempts };
    let outcome: DeliveryOutcome | null = null;
    let failure: Failure | null = null;
    try {
      outcome = await job.adapter.deliver(job.message, {
        idempotencyKey: String(job.row.id),
        signal: AbortSignal.timeout(deliveryTimeoutMs),
      });
    } catch (error) {
      failure = describeFailure(error);
    }
    const lostBefore = summary.lostLeases;
    await database.db.transaction(async (tx) => {
      if (outcome) await settleOutcome(tx, job.row, job.attempts, job.adapter.name, outcome, fence, summary);
      else if (failure)
        await settleFailure(tx, job.row, job.attempts, job.adapter.name, failure, fence, summary);
    });
    if (summary.lostLeases > lostBefore) {
      log("warn", "lease lost before the result was recorded; another dispatcher owns the row now", {
        outboxId: job.row.id,
        attempt: job.attempts,
        outcome: outcome?.status ?? failure?.code,
      });
    }
  }

  async function runOnce({ limit = batchSize }: { limit?: number } = {}): Promise<RunSummary> {
    const summary: RunSummary = { claimed: 0, sent: 0, retried: 0, dead: 0, lostLeases: 0 };
    const jobs = await claim(limit, summary);
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        try {
          await deliverExternal(job, summary);
        } catch (error) {
          // Recording the result failed (database down): the lease will expire and the row be retried
          // with the same idempotency key. Say so loudly rather than hide it.
          log("error", "could not record a delivery result; the row will be retried after its lease", {
            outboxId: job.row.id,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
    return summary;
  }

  const loop = createDispatchLoop({ database, now, runOnce, batchSize, pollMs, log });
  return { runOnce, start: loop.start, stop: loop.stop };
}
