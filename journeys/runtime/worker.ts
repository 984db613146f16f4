import { sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { BatchDeps } from "./batch.ts";
import { RuntimeBatch } from "./batch.ts";
import { finishInstance } from "./executor.ts";
import { contextCache, drainProfileChanges } from "./router.ts";
import type { InstanceRow } from "./store.ts";
import { INSTANCE_COLUMNS, instanceFromRow, parseTimestamp } from "./store.ts";
import type { InstanceState } from "./types.ts";

/**
 * Workers: `journey_instances` is the queue. A claim takes due instances of active or archived
 * versions in one statement — first their customers' profile rows, then the instance rows, both
 * FOR UPDATE SKIP LOCKED — steps them, writes state + actions + outbox rows, and commits. The row
 * locks live as long as the transaction, so no two workers (or a worker and an ingestion
 * transaction, which locks the profile first too) ever step one instance at once, and a crash rolls
 * everything back for the next worker to redo.
 */

export interface ClaimedInstance {
  instance: InstanceState;
  customer: {
    profileId: number;
    userId: string | null;
    traits: Record<string, unknown>;
    consent: Record<string, boolean>;
  };
}

type ClaimRow = InstanceRow & {
  p_user_id: string | null;
  p_traits: Record<string, unknown> | null;
  p_consent: Record<string, boolean> | null;
};

export async function claimDue(
  tx: Executor,
  now: Date,
  limit: number,
  onlyId?: number,
): Promise<ClaimedInstance[]> {
  const at = now.toISOString();
  const found = await rows<ClaimRow>(
    tx,
    sql`
      with candidates as (
        select i.id, i.profile_id from journey_instances i
        where i.status = 'running' and i.due_at <= ${at}::timestamptz
          ${onlyId === undefined ? sql`` : sql`and i.id = ${onlyId}`}
          and exists (select 1 from journey_versions v where v.id = i.version_id and v.status in ('active', 'archived'))
        order by i.due_at
        limit ${limit}
      ), locked_profiles as (
        select p.id, p.user_id, p.traits, p.consent from profiles p
        where p.id in (select profile_id from candidates)
        order by p.id
        for update skip locked
      )
      select ${INSTANCE_COLUMNS}, lp.user_id as p_user_id, lp.traits as p_traits, lp.consent as p_consent
      from journey_instances i join locked_profiles lp on lp.id = i.profile_id
      where i.id in (select id from candidates) and i.status = 'running' and i.due_at <= ${at}::timestamptz
      order by i.due_at, i.id
      for update of i skip locked`,
  );
  return found.map((row) => ({
    instance: instanceFromRow(row),
    customer: {
      profileId: Number(row.profile_id),
      userId: row.p_user_id,
      traits: row.p_traits ?? {},
      consent: row.p_consent ?? {},
    },
  }));
}

/** Steps what was claimed, in the claiming transaction. */
export async function stepClaimed(tx: Executor, deps: BatchDeps, claimed: readonly ClaimedInstance[]) {
  const batch = new RuntimeBatch(tx, deps);
  for (const { customer } of claimed) batch.customers.set(customer.profileId, customer);
  const instances = claimed.map((entry) => entry.instance);
  await batch.ensureCompiled(instances.map((instance) => instance.versionId));
  batch.adopt(instances);
  const contextFor = contextCache(batch);
  for (const workspaceId of new Set(instances.map((instance) => instance.workspaceId)))
    await contextFor(workspaceId);
  // The claim already excluded paused versions; every claimed instance steps.
  await batch.stepMany(instances, null, { step: true, yieldSlow: false, isolate: false });
  await drainProfileChanges(batch, contextFor, { step: true, yieldSlow: false, isolate: false });
  await batch.flush();
}

export interface WorkerOptions {
  database: Database;
  deps: BatchDeps;
  /** an instance whose step keeps throwing is given up (exited) after this many attempts */
  maxFailures: number;
}

function backoffMs(failures: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.max(0, failures - 1));
}

/**
 * Claims and steps one batch. When the batch fails, each instance is retried in its own
 * transaction so one broken instance cannot hold back the others; an instance that fails alone
 * backs off (30 s, 1 min, 2 min … 1 h) and is exited with the error after `maxFailures` attempts.
 */
export async function runDueBatch(options: WorkerOptions, limit: number): Promise<number> {
  const { database, deps } = options;
  let claimedIds: number[] = [];
  try {
    return await database.db.transaction(async (tx) => {
      const claimed = await claimDue(tx, deps.now(), limit);
      claimedIds = claimed.map((entry) => entry.instance.id);
      if (claimed.length === 0) return 0;
      await stepClaimed(tx, deps, claimed);
      return claimed.length;
    });
  } catch (error) {
    if (claimedIds.length <= 1 && claimedIds.length > 0) {
      await recordFailure(options, claimedIds[0]!, error);
      return 1;
    }
    if (claimedIds.length === 0) throw error;
    let stepped = 0;
    for (const id of claimedIds) {
      try {
        stepped += await database.db.transaction(async (tx) => {
          const claimed = await claimDue(tx, deps.now(), 1, id);
          if (claimed.length === 0) return 0;
          await stepClaimed(tx, deps, claimed);
          return 1;
        });
      } catch (single) {
        await recordFailure(options, id, single);
        stepped++;
      }
    }
    return stepped;
  }
}

async function recordFailure(options: WorkerOptions, instanceId: number, error: unknown) {
  const { database, deps } = options;
  const message = error instanceof Error ? error.message : String(error);
  console.warn(`[runtime] instance ${instanceId} failed to step: ${message}`);
  await database.db.transaction(async (tx) => {
    const claimed = await claimDue(tx, deps.now(), 1, instanceId);
    const entry = claimed[0];
    if (!entry) return;
    const batch = new RuntimeBatch(tx, deps);
    batch.customers.set(entry.customer.profileId, entry.customer);
    batch.adopt([entry.instance]);
    const instance = entry.instance;
    const failures = (instance.book.failures ?? 0) + 1;
    instance.book.failures = failures;
    const now = deps.now();
    if (failures >= options.maxFailures) {
      finishInstance(instance, "exited", `step failed ${failures} times: ${message}`, batch, now);
    } else {
      instance.dueAt = new Date(now.getTime() + backoffMs(failures));
      batch.record({
        instance,
        nodeId: instance.nodeId,
        kind: "node",
        detail: { error: message, failures, retry_at: instance.dueAt.toISOString() },
        at: now,
      });
    }
    await batch.flush();
  });
}

/** The earliest due time of steppable work (for the worker's sleep), or null. */
export async function earliestDue(executor: Executor): Promise<Date | null> {
  const [row] = await rows<{ due: unknown }>(
    executor,
    sql`select min(i.due_at) as due from journey_instances i
        where i.status = 'running' and i.due_at is not null
          and exists (select 1 from journey_versions v where v.id = i.version_id and v.status in ('active', 'archived'))`,
  );
  return parseTimestamp(row?.due);
}
