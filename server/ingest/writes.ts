import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { IngestedEvent } from "../../journeys/runtime/contract.ts";
import type { IdentityGraph, ProfileState } from "./identity.ts";
import { IdentityGraph as Graph, lastSeenMoved } from "./identity.ts";
import type { SegmentCall } from "./messages.ts";

/**
 * Ingestion's writes: set-based statements with the batch as one JSON parameter
 * (jsonb_to_recordset), so a batch costs the same handful of statements whatever its size, and
 * answers that come back as one JSON text instead of a row per record (see lookup.ts).
 */

export interface ResolvedCall {
  call: SegmentCall;
  profile: ProfileState;
  traitsBefore?: Record<string, unknown> | undefined;
  traitsAfter?: Record<string, unknown> | undefined;
}

/** Another transaction stored one of this batch's messageIds first: the batch is redone from the start. */
export class ConcurrentDuplicateError extends Error {
  readonly code = "concurrent_duplicate";
  readonly retryable = true;
  constructor(readonly messageIds: string[]) {
    super(`messageIds stored concurrently by another request: ${messageIds.slice(0, 3).join(", ")}`);
    this.name = "ConcurrentDuplicateError";
  }
}

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

function parseJson<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

export async function insertProfiles(tx: Executor, workspaceId: string, created: ProfileState[], at: Date) {
  if (created.length === 0) return;
  // ids are allocated first so each in-memory profile knows its row without relying on RETURNING order
  const [allocated] = await rows<{ ids: unknown }>(
    tx,
    sql`select json_agg(nextval(pg_get_serial_sequence('profiles', 'id')))::text as ids
        from generate_series(1, ${created.length}::int)`,
  );
  const ids = parseJson<number[]>(allocated?.ids, []);
  created.forEach((profile, index) => {
    profile.dbId = Number(ids[index]);
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

export async function updateProfiles(tx: Executor, changed: ProfileState[], at: Date) {
  if (changed.length === 0) return;
  // A profile that only saw new events gets last_event_at alone: no jsonb re-sent, and updated_at
  // (an indexed column) untouched, so PostgreSQL can update the row in place (HOT). A changed one
  // keeps its stored last_event_at unless it moved by the resolution (LAST_SEEN_RESOLUTION_MS).
  const lastSeen = (profile: ProfileState) =>
    (lastSeenMoved(profile) ? profile.lastEventAt : profile.storedLastEventAt)?.toISOString() ?? null;
  const records = changed.map((profile) =>
    profile.dirty
      ? {
          id: profile.dbId,
          changed: true,
          user_id: profile.userId,
          traits: profile.traits,
          consent: profile.consent,
          last_event_at: lastSeen(profile),
          merged_into: profile.mergedInto ? Graph.live(profile).dbId : null,
        }
      : { id: profile.dbId, changed: false, last_event_at: lastSeen(profile) },
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
export async function moveMergedRows(tx: Executor, merges: Array<{ from: number; into: number }>) {
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

export async function upsertIdentities(tx: Executor, workspaceId: string, graph: IdentityGraph, at: Date) {
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

/**
 * Inserts the events. The unique (workspace_id, message_id) index is the dedupe's last word: the
 * batch's messageIds were checked before anything was resolved, so an event that is skipped here
 * was stored by a concurrent request in the meantime (PostgreSQL with several API processes); the
 * batch is then redone (ConcurrentDuplicateError), since its profile changes included that call.
 * `serialized` (PGlite): no concurrent request exists; a duplicate here would be a bug and fails
 * the batch on the unique index instead of being skipped.
 */
export async function insertEvents(
  tx: Executor,
  workspaceId: string,
  resolved: readonly ResolvedCall[],
  receivedAt: Date,
  serialized: boolean,
): Promise<IngestedEvent[]> {
  const records = resolved.map(({ call, profile }) => ({
    profile_id: Graph.live(profile).dbId,
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
  const [answer] = await rows<{ ids: unknown }>(
    tx,
    sql`with inserted as (
          insert into events
            (workspace_id, profile_id, message_id, type, name, properties, traits, context, user_id, anonymous_id,
             timestamp, received_at)
          select ${workspaceId}, e.profile_id, e.message_id, e.type, e.name, coalesce(e.properties, '{}'::jsonb),
                 e.traits, e.context, e.user_id, e.anonymous_id, e.timestamp, ${receivedAt.toISOString()}::timestamptz
          from jsonb_to_recordset(${json(records)})
            as e(profile_id bigint, message_id text, type text, name text, properties jsonb, traits jsonb,
                 context jsonb, user_id text, anonymous_id text, timestamp timestamptz)
          ${
            // One transaction at a time (PGlite): nothing can have stored these since the lookup, and a
            // plain insert skips the speculative insertion ON CONFLICT costs per row.
            serialized ? sql`` : sql`on conflict (workspace_id, message_id) do nothing`
          }
          returning id, message_id
        )
        select coalesce(json_object_agg(message_id, id), '{}')::text as ids from inserted`,
  );
  const ids = parseJson<Record<string, number>>(answer?.ids, {});
  const skipped = resolved.filter(({ call }) => ids[call.messageId] === undefined);
  if (skipped.length > 0) throw new ConcurrentDuplicateError(skipped.map(({ call }) => call.messageId));
  return resolved.map(({ call, profile, traitsBefore, traitsAfter }) => {
    const live = Graph.live(profile);
    return {
      workspaceId,
      profileId: live.dbId!,
      userId: live.userId,
      eventId: Number(ids[call.messageId]),
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
