import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { EventSink, IngestedEvent } from "../../journeys/runtime/contract.ts";
import type { CategoryMap, ConsentMap } from "./consent.ts";
import { categoryMapFromSettings, consentFromCategories, consentFromTrack } from "./consent.ts";
import type { IdentityKind, ProfileState, StoredProfile } from "./identity.ts";
import { IdentityGraph, identitiesOf, identityKey } from "./identity.ts";
import type { CallType, SegmentCall } from "./messages.ts";
import { validateCalls } from "./messages.ts";

/**
 * The ingestion pipeline: one transaction per request, a fixed number of set-based statements per
 * batch whatever its size (dedupe, lock, look up, create, update, merge, insert), then the runtime's
 * EventSink inside the same transaction. Callable without HTTP (the benchmark does).
 */

export class UnknownWorkspaceError extends Error {
  readonly code = "unknown_workspace";
  constructor(readonly workspaceId: string) {
    super(`workspace ${workspaceId} does not exist`);
    this.name = "UnknownWorkspaceError";
  }
}

export interface IngestOptions {
  /** when the request arrived (default: now()) */
  receivedAt?: Date;
  now?: () => Date;
  /** the journey runtime; null/undefined = nothing reacts to events (e.g. a bare import) */
  sink?: EventSink | null | undefined;
  /** "batch" (default): paths are reported as batch[i]…; "single": one call from a /v1/<type> route */
  mode?: "batch" | "single";
  impliedType?: CallType;
  batchContext?: Record<string, unknown> | null;
  batchSentAt?: Date | null;
  /**
   * The database runs one transaction at a time (in-process PGlite), so the identity locks that keep
   * concurrent writers apart (PostgreSQL with several API processes) can be skipped. Default false.
   */
  serialized?: boolean;
}

export interface IngestResult {
  received: number;
  stored: number;
  duplicates: number;
  profilesCreated: number;
  merges: Array<{ from: number; into: number }>;
  events: IngestedEvent[];
}

/** Validates raw Segment calls (as parsed from JSON) and stores them: the whole pipeline. */
export async function ingestBatch(
  executor: Executor,
  workspaceId: string,
  rawCalls: readonly unknown[],
  options: IngestOptions = {},
): Promise<IngestResult> {
  const receivedAt = options.receivedAt ?? (options.now ?? (() => new Date()))();
  const calls = validateCalls(rawCalls, {
    receivedAt,
    mode: options.mode ?? "batch",
    impliedType: options.impliedType,
    batchContext: options.batchContext,
    batchSentAt: options.batchSentAt,
  });
  return storeCalls(executor, workspaceId, calls, {
    receivedAt,
    sink: options.sink,
    serialized: options.serialized ?? false,
  });
}

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

/** Stores validated calls in one transaction; duplicates (by messageId, per workspace) are skipped. */
export async function storeCalls(
  executor: Executor,
  workspaceId: string,
  calls: readonly SegmentCall[],
  options: { receivedAt: Date; sink?: EventSink | null | undefined; serialized?: boolean },
): Promise<IngestResult> {
  const { receivedAt, sink } = options;
  const serialized = options.serialized ?? false;
  return executor.transaction(async (tx) => {
    const [workspace] = await rows<{ settings: Record<string, unknown> | string }>(
      tx,
      sql`select settings from workspaces where id = ${workspaceId}`,
    );
    if (!workspace) throw new UnknownWorkspaceError(workspaceId);
    const categories = categoryMapFromSettings(parseJsonColumn(workspace.settings));

    const fresh = await dedupe(tx, workspaceId, calls, receivedAt);
    const result: IngestResult = {
      received: calls.length,
      stored: fresh.length,
      duplicates: calls.length - fresh.length,
      profilesCreated: 0,
      merges: [],
      events: [],
    };
    if (fresh.length === 0) return result;

    const graph = await loadGraph(tx, workspaceId, fresh, serialized);
    const resolved = fresh.map((call) => applyCall(graph, call, categories));

    const created = graph.newProfiles();
    await insertProfiles(tx, workspaceId, created, receivedAt);
    result.profilesCreated = created.length;
    await updateProfiles(tx, graph.changedStoredProfiles(), receivedAt);
    const merges = graph.storedMerges().map(({ from, into }) => ({ from: from.dbId!, into: into.dbId! }));
    if (merges.length > 0) await moveMergedRows(tx, merges);
    result.merges = merges;
    await upsertIdentities(tx, workspaceId, graph, receivedAt);

    result.events = await insertEvents(tx, workspaceId, resolved, receivedAt);
    if (sink) {
      for (const merge of merges) await sink.onProfilesMerged(tx, merge.from, merge.into);
      await sink.onEvents(tx, result.events);
    }
    return result;
  });
}

// PGlite returns jsonb from raw SQL as parsed values, node-postgres too; a string means text was selected.
function parseJsonColumn<T>(value: T | string | null): T | null {
  if (typeof value !== "string") return value;
  return JSON.parse(value) as T;
}

async function dedupe(tx: Executor, workspaceId: string, calls: readonly SegmentCall[], receivedAt: Date) {
  // a messageId repeated inside one batch counts once: the first occurrence wins
  const firsts = new Map<string, SegmentCall>();
  for (const call of calls) if (!firsts.has(call.messageId)) firsts.set(call.messageId, call);
  const inserted = await rows<{ message_id: string }>(
    tx,
    sql`insert into ingest_message_ids (workspace_id, message_id, received_at)
        select ${workspaceId}, id, ${receivedAt.toISOString()}::timestamptz
        from jsonb_array_elements_text(${json([...firsts.keys()])}) as id
        on conflict do nothing
        returning message_id`,
  );
  const fresh = new Set(inserted.map((row) => row.message_id));
  return [...firsts.values()].filter((call) => fresh.has(call.messageId));
}

interface ProfileRow {
  id: number;
  user_id: string | null;
  traits: Record<string, unknown> | string;
  consent: ConsentMap | string;
  last_event_at: string | Date | null;
  merged_into: number | null;
}

async function loadGraph(
  tx: Executor,
  workspaceId: string,
  calls: readonly SegmentCall[],
  serialized: boolean,
) {
  const keys = new Map<string, { kind: IdentityKind; value: string }>();
  for (const call of calls)
    for (const key of identitiesOf(call)) keys.set(identityKey(key.kind, key.value), key);
  if (!serialized) {
    // Serialises requests that share an identity (two API processes creating the same user);
    // requests for different customers proceed in parallel.
    const lockKeys = [...keys.keys()].map((key) => `${workspaceId}|${key}`);
    await tx.execute(
      sql`select pg_advisory_xact_lock(k) from (
            select distinct hashtext(v)::bigint as k from jsonb_array_elements_text(${json(lockKeys)}) as v
          ) keys order by k`,
    );
  }
  // One statement finds the identities and their profiles (locked in id order when other writers
  // may exist, so batches never deadlock); merge targets not reached that way follow below.
  // The lateral subquery with OFFSET 0 (a planner fence) keeps this one index probe per key: the
  // planner cannot tell how many keys jsonb_to_recordset yields (it guesses 100), and without
  // statistics (PGlite never auto-analyzes) or with them it otherwise picks a hash join over every
  // identity of the workspace, a cost that grows with the customer base instead of the batch.
  const lock = serialized ? sql`` : sql`for update of p`;
  const found = await rows<ProfileRow & { kind: IdentityKind; value: string }>(
    tx,
    sql`select i.kind, i.value, p.id, p.user_id, p.traits, p.consent, p.last_event_at, p.merged_into
        from jsonb_to_recordset(${json([...keys.values()])}) as k(kind text, value text)
        cross join lateral (
          select i.kind, i.value, i.profile_id from profile_identities i
          where i.workspace_id = ${workspaceId} and i.kind = k.kind and i.value = k.value offset 0
        ) i
        join profiles p on p.id = i.profile_id
        order by p.id ${lock}`,
  );
  const profiles = new Map<number, StoredProfile>();
  for (const row of found)
    if (!profiles.has(Number(row.id))) profiles.set(Number(row.id), toStoredProfile(row));
  const missingTargets = (loaded: Iterable<StoredProfile>) =>
    [...loaded]
      .map((profile) => profile.mergedInto)
      .filter((id): id is number => id !== null && !profiles.has(id));
  let wanted = missingTargets(profiles.values());
  while (wanted.length > 0) {
    const loaded = (
      await rows<ProfileRow>(
        tx,
        sql`select id, user_id, traits, consent, last_event_at, merged_into from profiles
            where id in (select value::bigint from jsonb_array_elements_text(${json(wanted)}))
            order by id ${serialized ? sql`` : sql`for update`}`,
      )
    ).map(toStoredProfile);
    for (const profile of loaded) profiles.set(profile.id, profile);
    wanted = missingTargets(loaded);
  }
  const identities = found;
  return new IdentityGraph(
    profiles.values(),
    identities.map((row) => ({ kind: row.kind, value: row.value, profileId: Number(row.id) })),
  );
}

function toStoredProfile(row: ProfileRow): StoredProfile {
  return {
    id: Number(row.id),
    userId: row.user_id,
    traits: parseJsonColumn(row.traits) ?? {},
    consent: parseJsonColumn(row.consent) ?? {},
    lastEventAt: row.last_event_at === null ? null : new Date(row.last_event_at),
    mergedInto: row.merged_into === null ? null : Number(row.merged_into),
  };
}

interface ResolvedCall {
  call: SegmentCall;
  profile: ProfileState;
  traitsBefore?: Record<string, unknown> | undefined;
  traitsAfter?: Record<string, unknown> | undefined;
}

function applyCall(graph: IdentityGraph, call: SegmentCall, categories: CategoryMap): ResolvedCall {
  const { profile, traitsBefore } = graph.resolve(call);
  if (call.categoryPreferences)
    graph.applyConsent(profile, consentFromCategories(call.categoryPreferences, categories));
  if (call.consentTraits) graph.applyConsent(profile, call.consentTraits);
  if (call.type === "track" && call.name)
    graph.applyConsent(profile, consentFromTrack(call.name, call.properties));
  if (call.type === "identify" && call.traits) graph.applyTraits(profile, call.traits);
  graph.touch(profile, call.timestamp);
  const changed = profile.traits !== traitsBefore && !sameJson(profile.traits, traitsBefore);
  return changed ? { call, profile, traitsBefore, traitsAfter: profile.traits } : { call, profile };
}

function sameJson(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => key in b && JSON.stringify(a[key]) === JSON.stringify(b[key]));
}

async function insertProfiles(tx: Executor, workspaceId: string, created: ProfileState[], at: Date) {
  if (created.length === 0) return;
  // ids are allocated first so each in-memory profile knows its row without relying on RETURNING order
  const ids = await rows<{ id: number }>(
    tx,
    sql`select nextval(pg_get_serial_sequence('profiles', 'id')) as id from generate_series(1, ${created.length}::int)`,
  );
  created.forEach((profile, index) => {
    profile.dbId = Number(ids[index]!.id);
  });
  const records = created.map((profile) => ({
    id: profile.dbId,
    user_id: profile.userId,
    traits: profile.traits,
    consent: profile.consent,
    last_event_at: profile.lastEventAt?.toISOString() ?? null,
  }));
  await tx.execute(
    sql`insert into profiles (id, workspace_id, user_id, traits, consent, created_at, updated_at, last_event_at)
        overriding system value
        select p.id, ${workspaceId}, p.user_id, p.traits, p.consent, ${at.toISOString()}::timestamptz,
               ${at.toISOString()}::timestamptz, p.last_event_at
        from jsonb_to_recordset(${json(records)})
          as p(id bigint, user_id text, traits jsonb, consent jsonb, last_event_at timestamptz)`,
  );
}

async function updateProfiles(tx: Executor, changed: ProfileState[], at: Date) {
  if (changed.length === 0) return;
  // A profile that only saw new events gets last_event_at alone: no jsonb re-sent, and updated_at
  // (an indexed column) untouched, so PostgreSQL can update the row in place (HOT).
  const records = changed.map((profile) =>
    profile.dirty
      ? {
          id: profile.dbId,
          changed: true,
          user_id: profile.userId,
          traits: profile.traits,
          consent: profile.consent,
          last_event_at: profile.lastEventAt?.toISOString() ?? null,
          merged_into: profile.mergedInto ? IdentityGraph.live(profile).dbId : null,
        }
      : { id: profile.dbId, changed: false, last_event_at: profile.lastEventAt?.toISOString() ?? null },
  );
  await tx.execute(
    sql`update profiles p
        set user_id = case when u.changed then u.user_id else p.user_id end,
            traits = case when u.changed then u.traits else p.traits end,
            consent = case when u.changed then u.consent else p.consent end,
            merged_into = case when u.changed then u.merged_into else p.merged_into end,
            last_event_at = u.last_event_at,
            updated_at = case when u.changed then ${at.toISOString()}::timestamptz else p.updated_at end
        from jsonb_to_recordset(${json(records)})
          as u(id bigint, changed boolean, user_id text, traits jsonb, consent jsonb, last_event_at timestamptz,
               merged_into bigint)
        where p.id = u.id`,
  );
}

/** A merged-away profile's identities and events move to the survivor; earlier merges into it follow. */
async function moveMergedRows(tx: Executor, merges: Array<{ from: number; into: number }>) {
  const mapping = json(merges);
  await tx.execute(
    sql`with m as (select * from jsonb_to_recordset(${mapping}) as m("from" bigint, "into" bigint)),
        moved_identities as (
          update profile_identities i set profile_id = m."into" from m where i.profile_id = m."from" returning 1
        ),
        moved_events as (update events e set profile_id = m."into" from m where e.profile_id = m."from" returning 1),
        earlier_merges as (
          update profiles p set merged_into = m."into" from m where p.merged_into = m."from" returning 1
        )
        select (select count(*) from moved_identities) as identities, (select count(*) from moved_events) as events,
               (select count(*) from earlier_merges) as merges`,
  );
}

async function upsertIdentities(tx: Executor, workspaceId: string, graph: IdentityGraph, at: Date) {
  const added = graph.addedIdentities();
  if (added.length === 0) return;
  const records = added.map((identity) => ({
    kind: identity.kind,
    value: identity.value,
    profile_id: identity.profile.dbId,
  }));
  await tx.execute(
    sql`insert into profile_identities (workspace_id, kind, value, profile_id, created_at)
        select ${workspaceId}, i.kind, i.value, i.profile_id, ${at.toISOString()}::timestamptz
        from jsonb_to_recordset(${json(records)}) as i(kind text, value text, profile_id bigint)
        on conflict (workspace_id, kind, value) do update set profile_id = excluded.profile_id`,
  );
}

async function insertEvents(
  tx: Executor,
  workspaceId: string,
  resolved: readonly ResolvedCall[],
  receivedAt: Date,
): Promise<IngestedEvent[]> {
  const records = resolved.map(({ call, profile }) => ({
    profile_id: IdentityGraph.live(profile).dbId,
    message_id: call.messageId,
    type: call.type,
    name: call.name,
    properties: call.properties,
    traits: call.traits,
    context: call.context,
    user_id: call.userId,
    anonymous_id: call.anonymousId,
    timestamp: call.timestamp.toISOString(),
  }));
  const inserted = await rows<{ id: number; message_id: string }>(
    tx,
    sql`insert into events
          (workspace_id, profile_id, message_id, type, name, properties, traits, context, user_id, anonymous_id,
           timestamp, received_at)
        select ${workspaceId}, e.profile_id, e.message_id, e.type, e.name, coalesce(e.properties, '{}'::jsonb),
               e.traits, e.context, e.user_id, e.anonymous_id, e.timestamp, ${receivedAt.toISOString()}::timestamptz
        from jsonb_to_recordset(${json(records)})
          as e(profile_id bigint, message_id text, type text, name text, properties jsonb, traits jsonb,
               context jsonb, user_id text, anonymous_id text, timestamp timestamptz)
        returning id, message_id`,
  );
  const ids = new Map(inserted.map((row) => [row.message_id, Number(row.id)]));
  return resolved.map(({ call, profile, traitsBefore, traitsAfter }) => {
    const live = IdentityGraph.live(profile);
    return {
      workspaceId,
      profileId: live.dbId!,
      userId: live.userId,
      eventId: ids.get(call.messageId)!,
      messageId: call.messageId,
      type: call.type,
      name: call.name,
      properties: call.properties,
      timestamp: call.timestamp,
      traitsBefore,
      traitsAfter,
    };
  });
}
