import { sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { Gateway } from "../../policies/gateway.ts";
import type { BatchDeps, StepMode } from "./batch.ts";
import { RuntimeBatch } from "./batch.ts";
import type { EventSink, IngestedEvent } from "./contract.ts";
import type { DataTools } from "./data-tools.ts";
import { noDataTools } from "./data-tools.ts";
import { RuntimeError } from "./errors.ts";
import { enterNode } from "./executor.ts";
import type { NextBestAction } from "./nba.ts";
import { firstEligibleNba } from "./nba.ts";
import {
  contextCache,
  drainProfileChanges,
  enterMany,
  processEvents,
  relevantEvents,
  workspaceContext,
} from "./router.ts";
import { earliestSchedule, runSchedulePage, syncSchedule } from "./schedules.ts";
import type { InstanceRow } from "./store.ts";
import { INSTANCE_COLUMNS, instanceFromRow } from "./store.ts";
import type { RuntimeEvent } from "./types.ts";
import { VersionCache } from "./version-cache.ts";
import { earliestDue, runDueBatch } from "./worker.ts";

/**
 * The journey runtime on Postgres (PGlite or a server). Ingestion hands it events inside its own
 * transaction (EventSink); workers step due instances; the versions lifecycle keeps schedules in
 * sync through `statusChangeHook`. See docs/runtime.md for the execution model.
 */

export interface JourneyRuntimeOptions {
  database: Database;
  gateway: Gateway;
  now?: () => Date;
  nba?: NextBestAction;
  dataTools?: DataTools;
  /** instances claimed per worker transaction (default 200) */
  batchSize?: number;
  /** node transitions per activation before the instance is stopped (default 100) */
  maxSteps?: number;
  /** step entered/resumed instances inside the ingestion transaction (default true) */
  inline?: boolean;
  /** the longest a worker sleeps without a notification (default 30 s) */
  fallbackPollMs?: number;
  /** profiles entered per schedule transaction (default 500) */
  schedulePageSize?: number;
  /** attempts before an instance whose step keeps failing is exited (default 8) */
  maxFailures?: number;
}

export interface ApiEntryInput {
  workspaceId: string;
  journeyId: string;
  userId: string;
  properties?: Record<string, unknown>;
  /** makes the call idempotent: the same key never enters twice */
  idempotencyKey?: string;
}

export type ApiEntryResult =
  | { entered: true; instanceId: number; status: string; nodeId: string }
  | { entered: false; reason: string };

function toRuntimeEvent(event: IngestedEvent): RuntimeEvent {
  return {
    profileId: event.profileId,
    workspaceId: event.workspaceId,
    name: event.type === "track" || event.type === "page" || event.type === "screen" ? event.name : null,
    type: event.type,
    properties: event.properties ?? {},
    timestamp: event.timestamp,
    messageId: event.messageId,
    entryKey: `msg:${event.messageId}`,
    traitsBefore: event.traitsBefore,
    traitsAfter: event.traitsAfter,
    eventId: event.eventId,
  };
}

export class JourneyRuntime implements EventSink {
  readonly database: Database;
  private readonly deps: BatchDeps;
  private readonly batchSize: number;
  private readonly inline: boolean;
  private readonly fallbackPollMs: number;
  private readonly schedulePageSize: number;
  private readonly maxFailures: number;
  private loop: Promise<void> | null = null;
  private running = false;
  private wake: (() => void) | null = null;
  private plannedWake = Number.POSITIVE_INFINITY;
  private unlisten: (() => Promise<void>) | null = null;

  constructor(options: JourneyRuntimeOptions) {
    this.database = options.database;
    this.deps = {
      now: options.now ?? (() => new Date()),
      gateway: options.gateway,
      nba: options.nba ?? firstEligibleNba,
      dataTools: options.dataTools ?? noDataTools,
      versions: new VersionCache(),
      maxSteps: options.maxSteps ?? 100,
      lockRows: options.database.kind !== "pglite",
    };
    this.batchSize = options.batchSize ?? 200;
    this.inline = options.inline ?? true;
    this.fallbackPollMs = options.fallbackPollMs ?? 30_000;
    this.schedulePageSize = options.schedulePageSize ?? 500;
    this.maxFailures = options.maxFailures ?? 8;
  }

  private get ingestMode(): StepMode {
    return this.inline
      ? { step: true, yieldSlow: true, isolate: true }
      : { step: false, yieldSlow: true, isolate: true };
  }

  // ─── EventSink ────────────────────────────────────────────────────────────────────────────────
  async onEvents(tx: Executor, events: readonly IngestedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const batch = new RuntimeBatch(tx, this.deps);
    const contextFor = contextCache(batch);
    const byWorkspace = new Map<string, RuntimeEvent[]>();
    for (const event of events) {
      const list = byWorkspace.get(event.workspaceId) ?? [];
      list.push(toRuntimeEvent(event));
      byWorkspace.set(event.workspaceId, list);
    }
    for (const [workspaceId, list] of byWorkspace) {
      const context = await contextFor(workspaceId);
      const relevant = relevantEvents(context, list);
      if (relevant.length === 0) continue;
      await batch.loadProfiles(relevant.map((event) => event.profileId));
      await processEvents(batch, context, relevant, this.ingestMode);
    }
    await drainProfileChanges(batch, contextFor, this.ingestMode);
    await batch.flush();
  }

  /**
   * Moves the merged-away profile's visits to the surviving profile. A visit to a journey the
   * surviving profile is already in is exited (one customer, one visit), as are its pending actions.
   */
  async onProfilesMerged(tx: Executor, fromProfileId: number, intoProfileId: number): Promise<void> {
    if (fromProfileId === intoProfileId) return;
    const now = this.deps.now().toISOString();
    const reason = "merged into a profile that is already in this journey";
    await tx.execute(sql`
      with duplicates as (
        update journey_instances f set status = 'exited', exit_reason = ${reason}, finished_at = ${now}::timestamptz,
          due_at = null, wait_event = null, updated_at = ${now}::timestamptz
        where f.profile_id = ${fromProfileId} and f.status in ('running', 'parked')
          and exists (select 1 from journey_instances t where t.profile_id = ${intoProfileId}
                      and t.journey_id = f.journey_id and t.status in ('running', 'parked'))
        returning f.id, f.workspace_id, f.journey_id, f.version_id, f.node_id
      ), logged as (
        insert into instance_log (workspace_id, instance_id, journey_id, version_id, profile_id, node_id, kind, detail, at)
        select workspace_id, id, journey_id, version_id, ${intoProfileId}, node_id, 'exited',
          jsonb_build_object('reason', ${reason}::text), ${now}::timestamptz
        from duplicates returning instance_id
      )
      update actions set status = 'cancelled', reason = ${reason}
      where instance_id in (select instance_id from logged) and status in ('deferred', 'review', 'pending')`);
    await tx.execute(
      sql`update journey_instances set profile_id = ${intoProfileId} where profile_id = ${fromProfileId}`,
    );
    await tx.execute(
      sql`update instance_log set profile_id = ${intoProfileId} where profile_id = ${fromProfileId}`,
    );
    await tx.execute(
      sql`update actions set profile_id = ${intoProfileId} where profile_id = ${fromProfileId}`,
    );
    await tx.execute(sql`delete from segment_memberships where profile_id = ${fromProfileId}`);
  }

  // ─── api trigger ──────────────────────────────────────────────────────────────────────────────
  /** Enters a customer into an active journey with an `api` trigger, and runs it up to its first wait. */
  async enterViaApi(input: ApiEntryInput, executor?: Executor): Promise<ApiEntryResult> {
    const work = async (tx: Executor): Promise<ApiEntryResult> => {
      const [profile] = await rows<{ id: number }>(
        tx,
        sql`select id from profiles where workspace_id = ${input.workspaceId} and user_id = ${input.userId}
            and merged_into is null`,
      );
      if (!profile) {
        throw new RuntimeError(
          "profile_not_found",
          `no customer with userId "${input.userId}" in this workspace`,
        );
      }
      const batch = new RuntimeBatch(tx, this.deps);
      const context = await workspaceContext(batch, input.workspaceId);
      const compiled = context.index.active.find((version) => version.journeyId === input.journeyId);
      if (!compiled) {
        throw new RuntimeError("journey_not_active", `journey ${input.journeyId} has no active version`);
      }
      if (compiled.journey.trigger.type !== "api") {
        throw new RuntimeError(
          "not_api_triggered",
          `journey ${input.journeyId} starts on a ${compiled.journey.trigger.type} trigger, not through the API`,
        );
      }
      await batch.loadProfiles([Number(profile.id)]);
      const now = this.deps.now();
      const { created, rejected } = await enterMany(batch, [
        {
          compiled,
          profileId: Number(profile.id),
          trigger: { name: "api", properties: input.properties ?? {}, timestamp: now },
          entryKey: input.idempotencyKey ? `api:${input.idempotencyKey}` : null,
        },
      ]);
      await batch.stepMany(created, context.index, { step: true, yieldSlow: true, isolate: true });
      await drainProfileChanges(batch, contextCache(batch), { step: true, yieldSlow: true, isolate: true });
      await batch.flush();
      const instance = created[0];
      if (!instance) return { entered: false, reason: rejected[0]?.reason ?? "the customer did not enter" };
      return { entered: true, instanceId: instance.id, status: instance.status, nodeId: instance.nodeId };
    };
    return executor ? work(executor) : this.database.db.transaction(work);
  }

  // ─── approvals ────────────────────────────────────────────────────────────────────────────────
  /**
   * Continues a parked instance once its action's review is answered: "sent" follows `next`,
   * "skipped" follows `on_skip` (else `next`). The instance is due at once; a worker steps it.
   * Returns false when the instance is no longer parked (it exited meanwhile, or was resumed).
   */
  async resumeParked(tx: Executor, instanceId: number, result: "sent" | "skipped"): Promise<boolean> {
    const [row] = await rows<InstanceRow>(
      tx,
      sql`select ${INSTANCE_COLUMNS} from journey_instances i where i.id = ${instanceId} for update`,
    );
    if (!row) throw new RuntimeError("instance_not_found", `journey instance ${instanceId} does not exist`);
    const instance = instanceFromRow(row);
    if (instance.status !== "parked") return false;
    const batch = new RuntimeBatch(tx, this.deps);
    batch.noteWorkspace(await this.deps.versions.workspace(tx, instance.workspaceId));
    batch.adopt([instance]);
    await batch.ensureCompiled([instance.versionId]);
    const node = batch.compiled.get(instance.versionId)?.byId.get(instance.nodeId);
    if (!node || !("next" in node)) {
      throw new RuntimeError("instance_not_parked", `instance ${instanceId} is not parked at an action node`);
    }
    const target = result === "sent" ? node.next : ("on_skip" in node && node.on_skip) || node.next;
    const now = this.deps.now();
    batch.record({
      instance,
      nodeId: instance.nodeId,
      kind: "resumed",
      detail: { review: result, actionId: instance.book.pendingActionId },
      at: now,
    });
    instance.status = "running";
    enterNode(instance, target, batch);
    instance.dueAt = now;
    await batch.flush();
    return true;
  }

  // ─── schedules ────────────────────────────────────────────────────────────────────────────────
  /** Keeps `journey_schedules` in line with a version's status (call on every status change). */
  async syncSchedules(executor: Executor, versionId: string): Promise<void> {
    await syncSchedule(executor, versionId, this.deps.now());
  }

  /** A StatusChangeHook for journeys/versions.ts lifecycle options. */
  readonly statusChangeHook = async (tx: Executor, change: { versionId: string }): Promise<void> => {
    await this.syncSchedules(tx, change.versionId);
  };

  /** Runs due schedules page by page; returns the pages processed. */
  async runSchedules(options: { maxPages?: number } = {}): Promise<number> {
    let pages = 0;
    const max = options.maxPages ?? Number.POSITIVE_INFINITY;
    while (pages < max && (await runSchedulePage(this.database, this.deps, this.schedulePageSize))) pages++;
    return pages;
  }

  // ─── workers ──────────────────────────────────────────────────────────────────────────────────
  /** Claims and steps due instances until none is due or `limit` were stepped; returns how many. */
  async runDue(options: { limit?: number } = {}): Promise<number> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    let total = 0;
    while (total < limit) {
      const stepped = await runDueBatch(
        { database: this.database, deps: this.deps, maxFailures: this.maxFailures },
        Math.min(this.batchSize, limit - total),
      );
      total += stepped;
      if (stepped === 0) break;
    }
    return total;
  }

  /**
   * Starts the background loop: wakes on `overture_due` notifications (sent at commit by whoever
   * created due work) and otherwise sleeps until the earliest due instance or schedule, at most
   * `fallbackPollMs`.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unlisten = await this.database.listen("overture_due", (payload) => {
      const due = Date.parse(payload);
      if (Number.isNaN(due) || due < this.plannedWake) this.wake?.();
    });
    this.loop = this.runLoop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await this.unlisten?.();
    this.unlisten = null;
  }

  private async runLoop() {
    let idleBackoff = 25;
    while (this.running) {
      try {
        const stepped = await this.runDue({ limit: this.batchSize * 5 });
        const pages = await this.runSchedules({ maxPages: 5 });
        if (stepped > 0 || pages > 0) {
          idleBackoff = 25;
          continue;
        }
        const now = this.deps.now().getTime();
        const [due, schedule] = await Promise.all([
          earliestDue(this.database.db),
          earliestSchedule(this.database.db),
        ]);
        const next = Math.min(
          due?.getTime() ?? Number.POSITIVE_INFINITY,
          schedule?.getTime() ?? Number.POSITIVE_INFINITY,
        );
        let delay = Math.min(this.fallbackPollMs, Math.max(0, next - now));
        // Due work that could not be claimed (its customers are locked right now): back off briefly.
        if (next <= now) {
          delay = idleBackoff;
          idleBackoff = Math.min(idleBackoff * 2, 1000);
        }
        await this.sleep(delay, now + delay);
      } catch (error) {
        console.error(`[runtime] worker loop error: ${(error as Error).message}`);
        await this.sleep(1000, this.deps.now().getTime() + 1000);
      }
    }
  }

  private sleep(ms: number, until: number): Promise<void> {
    return new Promise((resolve) => {
      if (!this.running) return resolve();
      this.plannedWake = until;
      const finish = () => {
        clearTimeout(timer);
        this.wake = null;
        this.plannedWake = Number.POSITIVE_INFINITY;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wake = finish;
    });
  }
}
