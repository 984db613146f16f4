import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { Gateway } from "../../policies/gateway.ts";
import { cancelActionsSql } from "../../policies/gateway-store.ts";
import type { ActionOutcome, ActionProposal } from "../../policies/types.ts";
import { addDuration } from "../format/duration.ts";
import type { EventRecord } from "../format/evaluate.ts";
import type { JourneyNode } from "../format/schema.ts";
import { Batcher } from "./batcher.ts";
import type { CompiledJourney } from "./compiled.ts";
import type { DataTools, ToolCall, ToolResult } from "./data-tools.ts";
import type { ProfileChange, StepEnvironment } from "./environment.ts";
import { advance, applyProfileChange } from "./executor.ts";
import type { NbaChoice, NbaRequest, NextBestAction } from "./nba.ts";
import { RECENT_EVENT_DAYS, RECENT_EVENT_LIMIT } from "./nba.ts";
import type { TemplateRecord } from "./render.ts";
import {
  addCounters,
  counterKey,
  idList,
  insertInstances,
  insertLogs,
  instanceRecord,
  loadCustomerInstances,
  loadRecentEvents,
  lockProfiles,
  parseTimestamp,
  textList,
  updateInstances,
  writeTogether,
} from "./store.ts";
import type { CounterMetric, CustomerSnapshot, InstanceState, LogEntry, RuntimeEvent } from "./types.ts";
import type { VersionCache, WorkspaceIndex } from "./version-cache.ts";
import { mayStep } from "./version-cache.ts";

/**
 * One transaction's worth of runtime work: the customers it locked, their instances, what the steps
 * logged and counted, and one batched write at the end. It is the StepEnvironment of the Postgres
 * runtime; calls from many instances stepping at once are coalesced (gateway, templates, history).
 */

export interface BatchDeps {
  now: () => Date;
  gateway: Gateway;
  nba: NextBestAction;
  dataTools: DataTools;
  versions: VersionCache;
  maxSteps: number;
  /**
   * Take row locks (profiles, then instances). Needed wherever transactions run concurrently; PGlite
   * runs one transaction at a time, so there they would only cost writes.
   */
  lockRows: boolean;
}

export interface StepMode {
  /** step new and resumed instances in this transaction (false: leave them due for a worker) */
  step: boolean;
  /** leave agent and data-tool nodes to a worker (inside ingestion: no slow outside I/O) */
  yieldSlow: boolean;
  /** roll a failed step back to a savepoint and leave the instances due for a worker */
  isolate: boolean;
}

/** Goal windows are honoured up to this long after entry (finished visits older than this are not loaded). */
export const GOAL_LOOKBACK_MS = 90 * 86_400_000;

/** Nodes that may wait on slow outside I/O; inside an ingestion transaction they are left to a worker. */
export function isSlowNode(node: JourneyNode): boolean {
  return node.type === "agent" || (node.type === "tool" && node.tool !== "webhook");
}

interface StoredEvent extends EventRecord {
  id: number;
}

interface HistoryRequest {
  profileId: number;
  names: readonly string[];
  /** earliest timestamp needed (ms), or null for all history */
  since: number | null;
}

export class RuntimeBatch implements StepEnvironment {
  readonly customers = new Map<number, CustomerSnapshot>();
  readonly instances = new Map<number, InstanceState>();
  readonly compiled = new Map<string, CompiledJourney>();
  readonly loadedProfiles = new Set<number>();
  readonly profileChanges: RuntimeEvent[] = [];
  /** ingestion: per customer, the id of the event being processed (history stops there) */
  readonly historyCutoff = new Map<number, number>();
  /** membership changes to write, by "segment\0profile" (an add and a later removal cancel out) */
  private readonly membershipAdds = new Map<
    string,
    { segmentId: string; profileId: number; workspaceId: string }
  >();
  private readonly membershipRemovals = new Map<string, { segmentId: string; profileId: number }>();
  logs: LogEntry[] = [];
  counters = new Map<string, number>();
  private readonly original = new Map<number, string>();
  private readonly created = new Set<number>();
  private readonly byProfile = new Map<number, InstanceState[]>();
  private readonly timezones = new Map<string, string>();
  private readonly goalVersions = new Set<string>();
  private readonly historyCache = new Map<string, { since: number | null; events: StoredEvent[] }>();
  private readonly templateCache = new Map<string, TemplateRecord | undefined>();
  private outboxSignal = false;
  private readonly proposals: Batcher<ActionProposal, ActionOutcome>;
  private readonly templates: Batcher<string, TemplateRecord | undefined>;
  private readonly histories: Batcher<HistoryRequest, StoredEvent[]>;

  constructor(
    readonly tx: Executor,
    readonly deps: BatchDeps,
  ) {
    this.proposals = new Batcher(async (list) => {
      const outcomes = await deps.gateway.proposeMany(tx, list);
      if (outcomes.some((outcome) => outcome.status === "queued")) this.outboxSignal = true;
      return outcomes;
    });
    this.templates = new Batcher((keys) => this.loadTemplates(keys));
    this.histories = new Batcher((requests) => this.loadHistories(requests));
  }

  // ─── state ────────────────────────────────────────────────────────────────────────────────────
  noteWorkspace(index: WorkspaceIndex) {
    this.timezones.set(index.workspaceId, index.timezone);
    for (const versionId of index.goalVersions) this.goalVersions.add(versionId);
  }

  /** Registers loaded instances (remembering their stored form, to write back only what changed). */
  adopt(instances: readonly InstanceState[]) {
    for (const instance of instances) {
      if (this.instances.has(instance.id)) continue;
      this.instances.set(instance.id, instance);
      this.original.set(instance.id, JSON.stringify(instanceRecord(instance)));
      this.indexByProfile(instance);
    }
  }

  /** Registers an instance created in this batch. */
  add(instance: InstanceState) {
    this.instances.set(instance.id, instance);
    this.created.add(instance.id);
    this.indexByProfile(instance);
  }

  private indexByProfile(instance: InstanceState) {
    const list = this.byProfile.get(instance.profileId) ?? [];
    list.push(instance);
    this.byProfile.set(instance.profileId, list);
  }

  addMembership(segmentId: string, profileId: number, workspaceId: string) {
    const key = `${segmentId}\u0000${profileId}`;
    if (this.membershipRemovals.delete(key)) return; // the stored row stays
    this.membershipAdds.set(key, { segmentId, profileId, workspaceId });
  }

  removeMembership(segmentId: string, profileId: number) {
    const key = `${segmentId}\u0000${profileId}`;
    if (this.membershipAdds.delete(key)) return; // never stored
    this.membershipRemovals.set(key, { segmentId, profileId });
  }

  instancesOf(profileId: number): readonly InstanceState[] {
    return this.byProfile.get(profileId) ?? [];
  }

  async ensureCompiled(versionIds: Iterable<string>) {
    const missing = [...new Set(versionIds)].filter((id) => !this.compiled.has(id));
    if (missing.length === 0) return;
    for (const [id, compiled] of await this.deps.versions.versions(this.tx, missing))
      this.compiled.set(id, compiled);
  }

  /**
   * Locks customers (in id order) and loads them with their open and goal-eligible instances. Call
   * `noteWorkspace` first so finished visits of goal versions are included.
   */
  async loadProfiles(profileIds: Iterable<number>) {
    const missing = [...new Set(profileIds)].filter((id) => !this.loadedProfiles.has(id));
    if (missing.length === 0) return;
    for (const snapshot of await lockProfiles(this.tx, missing, this.deps.lockRows)) {
      this.customers.set(snapshot.profileId, snapshot);
    }
    for (const id of missing) this.loadedProfiles.add(id);
    const since = new Date(this.deps.now().getTime() - GOAL_LOOKBACK_MS);
    const found = await loadCustomerInstances(
      this.tx,
      missing,
      since,
      [...this.goalVersions],
      this.deps.lockRows,
    );
    const loaded = found.filter((instance) => !this.instances.has(instance.id));
    await this.ensureCompiled(loaded.map((instance) => instance.versionId));
    this.adopt(loaded.filter((instance) => this.compiled.has(instance.versionId)));
  }

  // ─── StepEnvironment ──────────────────────────────────────────────────────────────────────────
  now(): Date {
    return this.deps.now();
  }
  workspaceTimezone(workspaceId: string): string {
    return this.timezones.get(workspaceId) ?? "UTC";
  }
  customer(profileId: number): CustomerSnapshot {
    const customer = this.customers.get(profileId);
    if (!customer) throw new Error(`profile ${profileId} was not loaded into this batch`);
    return customer;
  }
  async history(
    instance: InstanceState,
    needs: ReadonlyMap<string, string | null>,
  ): Promise<readonly EventRecord[]> {
    return this.historyFor(instance.profileId, needs);
  }
  async historyFor(
    profileId: number,
    needs: ReadonlyMap<string, string | null>,
  ): Promise<readonly EventRecord[]> {
    if (needs.size === 0) return [];
    let since: number | null = Number.POSITIVE_INFINITY;
    const now = this.deps.now().getTime();
    for (const lookBack of needs.values()) {
      if (lookBack === null) {
        since = null;
        break;
      }
      since = Math.min(since, addDuration(new Date(now), lookBack, -1).getTime());
    }
    const events = await this.histories.get({ profileId, names: [...needs.keys()], since });
    const cutoff = this.historyCutoff.get(profileId);
    return cutoff === undefined ? events : events.filter((event) => event.id <= cutoff);
  }
  async template(workspaceId: string, templateId: string): Promise<TemplateRecord | undefined> {
    const key = `${workspaceId}\u0000${templateId}`;
    if (this.templateCache.has(key)) return this.templateCache.get(key);
    return this.templates.get(key);
  }
  async propose(proposal: ActionProposal): Promise<ActionOutcome> {
    return this.proposals.get(proposal);
  }
  async updateProfile(instance: InstanceState, change: ProfileChange): Promise<void> {
    const customer = this.customer(instance.profileId);
    const before = customer.traits;
    const after = applyProfileChange(before, change);
    const now = this.deps.now();
    await this.tx.execute(
      sql`update profiles set traits = ${JSON.stringify(after)}::jsonb, updated_at = ${now.toISOString()}::timestamptz
          where id = ${instance.profileId}`,
    );
    customer.traits = after;
    this.profileChanges.push({
      profileId: instance.profileId,
      workspaceId: instance.workspaceId,
      name: null,
      type: "identify",
      properties: {},
      timestamp: now,
      traitsBefore: before,
      traitsAfter: after,
      sourceJourneyId: instance.journeyId,
      entryKey: `upd:${instance.id}:${instance.nodeId}:${instance.book.visits[instance.nodeId] ?? 1}`,
    });
  }
  async callTool(call: ToolCall): Promise<ToolResult> {
    // In this transaction: on PGlite a read through another handle would wait for it forever.
    return this.deps.dataTools.call(call, { executor: this.tx });
  }
  async chooseAction(request: NbaRequest): Promise<NbaChoice> {
    const recentEvents = await loadRecentEvents(this.tx, request.customer.profileId, this.deps.now(), {
      limit: RECENT_EVENT_LIMIT,
      days: RECENT_EVENT_DAYS,
      cutoffId: this.historyCutoff.get(request.customer.profileId),
    });
    return this.deps.nba.choose({ ...request, recentEvents });
  }
  record(entry: LogEntry): void {
    this.logs.push(entry);
  }
  count(versionId: string, nodeId: string, metric: CounterMetric): void {
    const key = counterKey(versionId, nodeId, metric);
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }

  // ─── stepping ─────────────────────────────────────────────────────────────────────────────────
  /**
   * Steps instances together (their gateway calls coalesce). With `isolate`, a failure rolls back
   * to a savepoint and leaves the instances due now for a worker, which retries them one by one:
   * one broken journey never fails the ingestion transaction that carried the event.
   */
  async stepMany(list: readonly InstanceState[], index: WorkspaceIndex | null, options: StepMode) {
    const runnable = list.filter(
      (instance) =>
        instance.status === "running" &&
        this.compiled.has(instance.versionId) &&
        (!index || mayStep(index, instance.versionId)),
    );
    if (runnable.length === 0) return;
    const advanceAll = async () => {
      const settled = await Promise.allSettled(
        runnable.map((instance) =>
          advance(instance, this.compiled.get(instance.versionId)!, this, {
            maxSteps: this.deps.maxSteps,
            yieldBefore: options.yieldSlow ? isSlowNode : undefined,
          }),
        ),
      );
      const failure = settled.find((result) => result.status === "rejected");
      if (failure) throw (failure as PromiseRejectedResult).reason;
    };
    if (!options.isolate) return advanceAll();
    const saved = runnable.map((instance) => [instance, structuredClone(instance)] as const);
    const savedCustomers = new Map(
      [...new Set(runnable.map((instance) => instance.profileId))].map((id) => [
        id,
        { ...this.customer(id).traits },
      ]),
    );
    const logLength = this.logs.length;
    const counters = new Map(this.counters);
    const changes = this.profileChanges.length;
    const outbox = this.outboxSignal;
    try {
      await this.tx.transaction(async () => advanceAll());
    } catch (error) {
      const now = this.deps.now();
      for (const [instance, copy] of saved) {
        Object.assign(instance, copy);
        if (instance.status === "running") instance.dueAt = now;
      }
      for (const [id, traits] of savedCustomers) this.customer(id).traits = traits;
      this.logs.length = logLength;
      this.counters = counters;
      this.profileChanges.length = changes;
      this.outboxSignal = outbox;
      console.warn(
        `[runtime] stepping ${runnable.length} instance(s) inline failed; left due for a worker: ${(error as Error).message}`,
      );
    }
  }

  // ─── loaders ──────────────────────────────────────────────────────────────────────────────────
  private async loadTemplates(keys: readonly string[]): Promise<Array<TemplateRecord | undefined>> {
    const byWorkspace = new Map<string, Set<string>>();
    for (const key of keys) {
      const [workspaceId, templateId] = key.split("\u0000") as [string, string];
      const set = byWorkspace.get(workspaceId) ?? new Set<string>();
      set.add(templateId);
      byWorkspace.set(workspaceId, set);
    }
    for (const [workspaceId, ids] of byWorkspace) {
      const found = await rows<{
        id: string;
        channel: string;
        subject: string | null;
        title: string | null;
        body: string;
      }>(
        this.tx,
        sql`select id, channel, subject, title, body from templates
            where workspace_id = ${workspaceId} and id in (${textList(ids)})`,
      );
      for (const id of ids) this.templateCache.set(`${workspaceId}\u0000${id}`, undefined);
      for (const row of found) this.templateCache.set(`${workspaceId}\u0000${row.id}`, row);
    }
    return keys.map((key) => this.templateCache.get(key));
  }

  private async loadHistories(requests: readonly HistoryRequest[]): Promise<StoredEvent[][]> {
    const cached = (request: HistoryRequest, name: string) => {
      const entry = this.historyCache.get(`${request.profileId}\u0000${name}`);
      return (
        entry !== undefined &&
        (entry.since === null || (request.since !== null && entry.since <= request.since))
      );
    };
    const missing = requests.filter((request) => request.names.some((name) => !cached(request, name)));
    if (missing.length > 0) {
      const profiles = new Set(missing.map((request) => request.profileId));
      const names = new Set(missing.flatMap((request) => request.names));
      const since = missing.some((request) => request.since === null)
        ? null
        : Math.min(...missing.map((request) => request.since ?? 0));
      const found = await rows<{
        id: number;
        profile_id: number;
        name: string;
        properties: unknown;
        timestamp: unknown;
      }>(
        this.tx,
        sql`select id, profile_id, name, properties, timestamp from events
            where profile_id in (${idList(profiles)}) and name in (${textList(names)})
            ${since === null ? sql`` : sql`and timestamp >= ${new Date(since).toISOString()}`}
            order by timestamp, id`,
      );
      for (const profileId of profiles) {
        for (const name of names) this.historyCache.set(`${profileId}\u0000${name}`, { since, events: [] });
      }
      for (const row of found) {
        this.historyCache.get(`${row.profile_id}\u0000${row.name}`)!.events.push({
          id: Number(row.id),
          name: row.name,
          properties: (row.properties ?? {}) as Record<string, unknown>,
          timestamp: parseTimestamp(row.timestamp) ?? new Date(0),
        });
      }
    }
    return requests.map((request) =>
      request.names
        .flatMap((name) => this.historyCache.get(`${request.profileId}\u0000${name}`)?.events ?? [])
        .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime() || a.id - b.id),
    );
  }

  // ─── the write ────────────────────────────────────────────────────────────────────────────────
  /** Writes everything in a fixed number of statements and signals workers and the dispatcher at commit. */
  async flush(): Promise<{ created: number; updated: number }> {
    const now = this.deps.now();
    const fresh: InstanceState[] = [];
    const changed: InstanceState[] = [];
    const cancel: number[] = [];
    let earliestDue: Date | null = null;
    for (const instance of this.instances.values()) {
      const isNew = this.created.has(instance.id);
      if (!isNew && JSON.stringify(instanceRecord(instance)) === this.original.get(instance.id)) continue;
      (isNew ? fresh : changed).push(instance);
      if (instance.status === "running" && instance.dueAt && (!earliestDue || instance.dueAt < earliestDue)) {
        earliestDue = instance.dueAt;
      }
      if (
        (instance.status === "exited" || instance.status === "completed") &&
        instance.book.pendingActionId
      ) {
        cancel.push(instance.book.pendingActionId);
      }
    }
    // NOTIFY inside the transaction is delivered at commit, and never if it rolls back.
    const signals = [
      ...(earliestDue ? [sql`pg_notify('overture_due', ${earliestDue.toISOString()})`] : []),
      ...(this.outboxSignal ? [sql`pg_notify('overture_outbox', '')`] : []),
    ];
    // One statement: every write touches rows no other one does (new vs stored instances, one
    // membership change per pair, counters in key order).
    await writeTogether(
      this.tx,
      [
        insertInstances(fresh, now),
        updateInstances(changed, now),
        cancelActionsSql(cancel, "the customer left the journey before this action was decided"),
        insertLogs(this.logs),
        ...this.membershipWrites(),
        addCounters(this.counters, now),
      ],
      signals,
    );
    return { created: fresh.length, updated: changed.length };
  }

  private membershipWrites(): SQL[] {
    const writes: SQL[] = [];
    if (this.membershipRemovals.size > 0) {
      const pairs = [...this.membershipRemovals.values()].map((entry) => ({
        segment_id: entry.segmentId,
        profile_id: entry.profileId,
      }));
      writes.push(sql`
        delete from segment_memberships m using jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb)
          as u(segment_id text, profile_id bigint)
        where m.segment_id = u.segment_id and m.profile_id = u.profile_id`);
    }
    if (this.membershipAdds.size > 0) {
      const now = this.deps.now().toISOString();
      const entries = [...this.membershipAdds.values()].map((entry) => ({
        segment_id: entry.segmentId,
        profile_id: entry.profileId,
        workspace_id: entry.workspaceId,
      }));
      writes.push(sql`
        insert into segment_memberships (segment_id, profile_id, workspace_id, created_at)
        select segment_id, profile_id, workspace_id, ${now}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(entries)}::jsonb) as u(segment_id text, profile_id bigint, workspace_id text)
        on conflict (segment_id, profile_id) do nothing`);
    }
    return writes;
  }
}
