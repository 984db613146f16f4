import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { InstanceStatus } from "../../db/schema/journeys.ts";
import type { EventRecord } from "../format/evaluate.ts";
import type {
  CounterMetric,
  CustomerSnapshot,
  InstanceBook,
  InstanceState,
  LogEntry,
  TriggerRecord,
} from "./types.ts";

/**
 * The runtime's SQL: instances in and out of `journey_instances`, the step log, node counters.
 * Every write is one statement per batch (jsonb_to_recordset), whatever the batch size.
 */

/** Timestamps arrive as Date (node-postgres) or as text (PGlite raw queries: "2026-03-02 09:00:00.5+00"). */
export function parseTimestamp(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = String(value)
    .replace(" ", "T")
    .replace(/([+-]\d{2})$/, "$1:00");
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time);
}

function eventFromJson(value: unknown): EventRecord | null {
  if (value === null || typeof value !== "object") return null;
  const record = value as Record<string, unknown>;
  const properties =
    record.properties !== null && typeof record.properties === "object"
      ? (record.properties as Record<string, unknown>)
      : {};
  return {
    name: typeof record.name === "string" ? record.name : "",
    properties,
    timestamp: parseTimestamp(record.timestamp) ?? new Date(0),
  };
}

function eventToJson(event: TriggerRecord | EventRecord | null): Record<string, unknown> | null {
  if (!event) return null;
  return {
    name: event.name,
    properties: event.properties,
    timestamp: event.timestamp.toISOString(),
    ...("messageId" in event && event.messageId ? { messageId: event.messageId } : {}),
  };
}

export interface InstanceRow {
  id: number;
  workspace_id: string;
  journey_id: string;
  version_id: string;
  profile_id: number;
  status: InstanceStatus;
  node_id: string;
  due_at: unknown;
  wait_event: string | null;
  resume_event: unknown;
  trigger: unknown;
  vars: Record<string, unknown> | null;
  state: Record<string, unknown> | null;
  variant: string | null;
  entry_key: string | null;
  entered_at: unknown;
  finished_at: unknown;
  exit_reason: string | null;
  converted_at: unknown;
  step_seq: number;
}

export const INSTANCE_COLUMNS = sql.raw(
  "i.id, i.workspace_id, i.journey_id, i.version_id, i.profile_id, i.status, i.node_id, i.due_at, i.wait_event, " +
    "i.resume_event, i.trigger, i.vars, i.state, i.variant, i.entry_key, i.entered_at, i.finished_at, " +
    "i.exit_reason, i.converted_at, i.step_seq",
);

export function instanceFromRow(row: InstanceRow): InstanceState {
  const state = (row.state ?? {}) as Partial<InstanceBook>;
  const trigger = eventFromJson(row.trigger) ?? { name: "", properties: {}, timestamp: new Date(0) };
  const messageId = (row.trigger as Record<string, unknown> | null)?.messageId;
  return {
    id: Number(row.id),
    workspaceId: row.workspace_id,
    journeyId: row.journey_id,
    versionId: row.version_id,
    profileId: Number(row.profile_id),
    status: row.status,
    nodeId: row.node_id,
    dueAt: parseTimestamp(row.due_at),
    waitEvent: row.wait_event,
    resumeEvent: eventFromJson(row.resume_event),
    trigger: { ...trigger, messageId: typeof messageId === "string" ? messageId : undefined },
    vars: row.vars ?? {},
    variant: row.variant,
    entryKey: row.entry_key,
    enteredAt: parseTimestamp(row.entered_at) ?? new Date(0),
    finishedAt: parseTimestamp(row.finished_at),
    exitReason: row.exit_reason,
    convertedAt: parseTimestamp(row.converted_at),
    book: {
      visits: state.visits && typeof state.visits === "object" ? { ...state.visits } : {},
      pending: state.pending,
      pendingActionId: state.pendingActionId,
      choice: state.choice,
      failures: state.failures,
    },
    stepSeq: Number(row.step_seq ?? 0),
  };
}

/** The stored form of an instance (also used to tell whether a step changed anything). */
export function instanceRecord(instance: InstanceState): Record<string, unknown> {
  const book: Record<string, unknown> = { visits: instance.book.visits };
  if (instance.book.pending !== undefined) book.pending = instance.book.pending;
  if (instance.book.pendingActionId !== undefined) book.pendingActionId = instance.book.pendingActionId;
  if (instance.book.choice !== undefined) book.choice = instance.book.choice;
  if (instance.book.failures) book.failures = instance.book.failures;
  return {
    id: instance.id,
    workspace_id: instance.workspaceId,
    journey_id: instance.journeyId,
    version_id: instance.versionId,
    profile_id: instance.profileId,
    status: instance.status,
    node_id: instance.nodeId,
    due_at: instance.dueAt?.toISOString() ?? null,
    wait_event: instance.waitEvent,
    resume_event: eventToJson(instance.resumeEvent),
    trigger: eventToJson(instance.trigger),
    vars: instance.vars,
    state: book,
    variant: instance.variant,
    entry_key: instance.entryKey,
    entered_at: instance.enteredAt.toISOString(),
    finished_at: instance.finishedAt?.toISOString() ?? null,
    exit_reason: instance.exitReason,
    converted_at: instance.convertedAt?.toISOString() ?? null,
  };
}

const RECORD_TYPES = sql.raw(
  "id bigint, workspace_id text, journey_id text, version_id text, profile_id bigint, status text, node_id text, " +
    "due_at timestamptz, wait_event text, resume_event jsonb, trigger jsonb, vars jsonb, state jsonb, variant text, " +
    "entry_key text, entered_at timestamptz, finished_at timestamptz, exit_reason text, converted_at timestamptz",
);

export function idList(ids: Iterable<number>) {
  return sql.raw([...ids].map((id) => String(Math.trunc(Number(id)))).join(",") || "null");
}

export function textList(values: Iterable<string>) {
  const list = [...values];
  return list.length === 0
    ? sql`null`
    : sql.join(
        list.map((value) => sql`${value}`),
        sql`, `,
      );
}

/**
 * Locks the customers' profile rows in id order (the lock order every path uses: profile, then
 * instance rows, then counters) and returns their snapshots. Merged-away profiles are skipped.
 */
export async function lockProfiles(
  tx: Executor,
  profileIds: readonly number[],
  lock = true,
): Promise<CustomerSnapshot[]> {
  if (profileIds.length === 0) return [];
  const sorted = [...new Set(profileIds)].sort((a, b) => a - b);
  const found = await rows<{
    id: number;
    user_id: string | null;
    traits: Record<string, unknown> | null;
    consent: Record<string, boolean> | null;
  }>(
    tx,
    sql`select id, user_id, traits, consent from profiles where id in (${idList(sorted)}) order by id
        ${lock ? sql`for update` : sql``}`,
  );
  return found.map((row) => ({
    profileId: Number(row.id),
    userId: row.user_id,
    traits: row.traits ?? {},
    consent: row.consent ?? {},
  }));
}

/**
 * Open instances of these customers, and finished ones of versions with a goal (`goalVersions`)
 * whose goal window may still be open.
 */
export async function loadCustomerInstances(
  tx: Executor,
  profileIds: readonly number[],
  goalSince: Date,
  goalVersions: readonly string[],
  lock = true,
): Promise<InstanceState[]> {
  if (profileIds.length === 0) return [];
  const found = await rows<InstanceRow>(
    tx,
    sql`select ${INSTANCE_COLUMNS} from journey_instances i
        where i.profile_id in (${idList(profileIds)})
          and (i.status in ('running', 'parked')
               ${
                 goalVersions.length === 0
                   ? sql``
                   : sql`or (i.converted_at is null and i.entered_at >= ${goalSince.toISOString()}
                             and i.version_id in (${textList(goalVersions)}))`
               })
        order by i.id
        ${lock ? sql`for update of i` : sql``}`,
  );
  return found.map(instanceFromRow);
}

/** Earlier visits per (customer, journey), for re-entry rules. */
export async function loadEntryHistory(
  tx: Executor,
  pairs: ReadonlyArray<{ profileId: number; journeyId: string }>,
): Promise<Map<string, Date>> {
  const result = new Map<string, Date>();
  if (pairs.length === 0) return result;
  const profiles = new Set(pairs.map((pair) => pair.profileId));
  const journeys = new Set(pairs.map((pair) => pair.journeyId));
  const found = await rows<{ profile_id: number; journey_id: string; last: unknown }>(
    tx,
    sql`select profile_id, journey_id, max(entered_at) as last from journey_instances
        where profile_id in (${idList(profiles)}) and journey_id in (${textList(journeys)})
        group by profile_id, journey_id`,
  );
  for (const row of found) {
    const last = parseTimestamp(row.last);
    if (last) result.set(`${row.profile_id}\u0000${row.journey_id}`, last);
  }
  return result;
}

/** Entry keys already used (a replayed message never enters twice). */
export async function loadUsedEntryKeys(
  tx: Executor,
  entries: ReadonlyArray<{ journeyId: string; entryKey: string }>,
): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const found = await rows<{ journey_id: string; entry_key: string }>(
    tx,
    sql`select journey_id, entry_key from journey_instances
        where journey_id in (${textList(new Set(entries.map((entry) => entry.journeyId)))})
          and entry_key in (${textList(new Set(entries.map((entry) => entry.entryKey)))})`,
  );
  return new Set(found.map((row) => `${row.journey_id}\u0000${row.entry_key}`));
}

/** Instance ids drawn before the rows exist, so actions can name their instance in the same batch. */
export async function reserveInstanceIds(tx: Executor, count: number): Promise<number[]> {
  if (count === 0) return [];
  const found = await rows<{ id: number }>(
    tx,
    sql`select nextval('journey_instances_id_seq') as id from generate_series(1, ${count})`,
  );
  return found.map((row) => Number(row.id));
}

/**
 * Runs several writes as one statement (each a data-modifying WITH query; PostgreSQL runs every one
 * of them to completion, all on the same snapshot, so they must touch disjoint rows), then the
 * signals. On the embedded database a statement has a fixed cost of its own, whatever it writes.
 */
export async function writeTogether(
  tx: Executor,
  writes: ReadonlyArray<SQL | null>,
  signals: readonly SQL[],
) {
  const present = writes.filter((write): write is SQL => write !== null);
  if (present.length === 0 && signals.length === 0) return;
  const withs = present.map((write, index) => sql`${sql.raw(`w${index}`)} as (${write})`);
  const select = signals.length > 0 ? sql.join([...signals], sql`, `) : sql`1`;
  await tx.execute(
    withs.length > 0 ? sql`with ${sql.join(withs, sql`, `)} select ${select}` : sql`select ${select}`,
  );
}

export function insertInstances(instances: readonly InstanceState[], now: Date): SQL | null {
  if (instances.length === 0) return null;
  const payload = JSON.stringify(instances.map(instanceRecord));
  return sql`
    insert into journey_instances (id, workspace_id, journey_id, version_id, profile_id, status, node_id, due_at,
      wait_event, resume_event, trigger, vars, state, variant, entry_key, entered_at, finished_at, exit_reason,
      converted_at, step_seq, updated_at)
    overriding system value
    select id, workspace_id, journey_id, version_id, profile_id, status, node_id, due_at, wait_event, resume_event,
      coalesce(trigger, '{}'::jsonb), coalesce(vars, '{}'::jsonb), coalesce(state, '{}'::jsonb), variant, entry_key,
      entered_at, finished_at, exit_reason, converted_at, 1, ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${payload}::jsonb) as u(${RECORD_TYPES})`;
}

export function updateInstances(instances: readonly InstanceState[], now: Date): SQL | null {
  if (instances.length === 0) return null;
  const payload = JSON.stringify(instances.map(instanceRecord));
  return sql`
    update journey_instances i set
      profile_id = u.profile_id, status = u.status, node_id = u.node_id, due_at = u.due_at,
      wait_event = u.wait_event, resume_event = u.resume_event, vars = coalesce(u.vars, '{}'::jsonb),
      state = coalesce(u.state, '{}'::jsonb), variant = u.variant, finished_at = u.finished_at,
      exit_reason = u.exit_reason, converted_at = u.converted_at, step_seq = i.step_seq + 1,
      lease_until = null, updated_at = ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${payload}::jsonb) as u(${RECORD_TYPES})
    where i.id = u.id`;
}

export function insertLogs(entries: readonly LogEntry[]): SQL | null {
  if (entries.length === 0) return null;
  const payload = JSON.stringify(
    entries.map((entry) => ({
      workspace_id: entry.instance.workspaceId,
      instance_id: entry.instance.id,
      journey_id: entry.instance.journeyId,
      version_id: entry.instance.versionId,
      profile_id: entry.instance.profileId,
      node_id: entry.nodeId,
      kind: entry.kind,
      detail: entry.detail ?? null,
      at: entry.at.toISOString(),
    })),
  );
  return sql`
    insert into instance_log (workspace_id, instance_id, journey_id, version_id, profile_id, node_id, kind, detail, at)
    select workspace_id, instance_id, journey_id, version_id, profile_id, node_id, kind, detail, at
    from jsonb_to_recordset(${payload}::jsonb) as u(workspace_id text, instance_id bigint, journey_id text,
      version_id text, profile_id bigint, node_id text, kind text, detail jsonb, at timestamptz)`;
}

export function counterKey(versionId: string, nodeId: string, metric: CounterMetric): string {
  return `${versionId}\u0000${nodeId}\u0000${metric}`;
}

/**
 * Adds counter deltas in one upsert, rows sorted by key: every transaction takes counter-row locks in
 * the same order, so two batches touching the same counters wait for each other but never deadlock.
 */
export function addCounters(deltas: ReadonlyMap<string, number>, now: Date): SQL | null {
  if (deltas.size === 0) return null;
  const entries = [...deltas.entries()]
    .filter(([, count]) => count !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, count]) => {
      const [version_id, node_id, metric] = key.split("\u0000");
      return { version_id, node_id, metric, count };
    });
  if (entries.length === 0) return null;
  return sql`
    insert into node_counters (version_id, node_id, metric, count, updated_at)
    select version_id, node_id, metric, count, ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(entries)}::jsonb)
      as u(version_id text, node_id text, metric text, count bigint)
    on conflict (version_id, node_id, metric)
    do update set count = node_counters.count + excluded.count, updated_at = excluded.updated_at`;
}

/**
 * A customer's latest track events up to `now` (oldest first): the context a next-best-action
 * chooser is shown. Events after `cutoffId` (later in the ingestion batch) are not yet history.
 */
export async function loadRecentEvents(
  executor: Executor,
  profileId: number,
  now: Date,
  options: { limit: number; days: number; cutoffId?: number | undefined },
): Promise<EventRecord[]> {
  const since = new Date(now.getTime() - options.days * 86_400_000);
  const found = await rows<{ name: string | null; properties: unknown; timestamp: unknown }>(
    executor,
    sql`select name, properties, timestamp from events
        where profile_id = ${profileId} and type = 'track'
          and timestamp >= ${since.toISOString()}::timestamptz and timestamp <= ${now.toISOString()}::timestamptz
          ${options.cutoffId === undefined ? sql`` : sql`and id <= ${options.cutoffId}`}
        order by timestamp desc, id desc
        limit ${options.limit}`,
  );
  return found.reverse().map((row) => ({
    name: row.name ?? "",
    properties:
      row.properties !== null && typeof row.properties === "object"
        ? (row.properties as Record<string, unknown>)
        : {},
    timestamp: parseTimestamp(row.timestamp) ?? new Date(0),
  }));
}
