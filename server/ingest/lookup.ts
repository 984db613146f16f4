import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { isSubscriptionEvent } from "./consent.ts";
import type { IdentityKind, StoredProfile } from "./identity.ts";
import { IdentityGraph, identitiesOf, identityKey } from "./identity.ts";
import type { SegmentCall } from "./messages.ts";

/**
 * What ingestion reads before it writes, in as few statements as a batch allows: one statement
 * answers the workspace's settings, which messageIds were seen before, and the batch's identities
 * with their profiles (ids, merge pointer, last event: no traits). Traits and consent are read in a
 * second statement only for profiles a call may change or merge (identify, alias, consent, an
 * anonymous id meeting a user id on another profile), which is a few percent of track traffic.
 *
 * Results come back as one JSON text per column: PGlite decodes every field of every row into a
 * JavaScript value (a copy per field), so a 600-row answer costs more to decode than to compute.
 */

export interface BatchLookup {
  settings: Record<string, unknown>;
  /** messageIds of the batch already stored in this workspace (or remembered after deletion) */
  duplicates: Set<string>;
  graph: IdentityGraph;
}

type IdentityRow = [
  kind: IdentityKind,
  value: string,
  profileId: number,
  userId: string | null,
  mergedInto: number | null,
  lastEventAt: string | null,
];
type ProfileRow = [
  profileId: number,
  userId: string | null,
  mergedInto: number | null,
  lastEventAt: string | null,
];

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

// PGlite and node-postgres return json/jsonb as parsed values; text columns arrive as strings.
function parseJson<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

const asDate = (value: string | null) => (value === null ? null : new Date(value));

export class UnknownWorkspaceError extends Error {
  readonly code = "unknown_workspace";
  constructor(readonly workspaceId: string) {
    super(`workspace ${workspaceId} does not exist`);
    this.name = "UnknownWorkspaceError";
  }
}

/**
 * Settings, duplicates and identities in one statement, then (when needed) merge targets and the
 * traits of profiles the fresh calls may change. `lock`: lock the profiles (in id order) because
 * other writers may run concurrently (PostgreSQL); PGlite runs one transaction at a time.
 */
export async function lookupBatch(
  tx: Executor,
  workspaceId: string,
  calls: readonly SegmentCall[],
  lock: boolean,
): Promise<BatchLookup> {
  const keys = new Map<string, { kind: IdentityKind; value: string }>();
  for (const call of calls)
    for (const key of identitiesOf(call)) keys.set(identityKey(key.kind, key.value), key);
  const messageIds = [...new Set(calls.map((call) => call.messageId))];
  // The lateral subqueries with OFFSET 0 (a planner fence) keep these one index probe per key: the
  // planner cannot tell how many keys jsonb_to_recordset yields (it guesses 100) and, without
  // statistics (PGlite never auto-analyzes) or with them, otherwise hashes every identity (or every
  // event) of the workspace, a cost that grows with the customer base instead of the batch.
  const [answer] = await rows<{ settings: unknown; duplicates: unknown; identities: unknown }>(
    tx,
    sql`with found as materialized (
          select i.kind, i.value, p.id, p.user_id, p.merged_into, p.last_event_at
          from jsonb_to_recordset(${json([...keys.values()])}) as k(kind text, value text)
          cross join lateral (
            select i.kind, i.value, i.profile_id from profile_identities i
            where i.workspace_id = ${workspaceId} and i.kind = k.kind and i.value = k.value offset 0
          ) i
          join profiles p on p.id = i.profile_id
          order by p.id ${lock ? sql`for update of p` : sql``}
        )
        select (select settings from workspaces where id = ${workspaceId}) as settings,
          (select coalesce(json_agg(m.id), '[]')::text
             from jsonb_array_elements_text(${json(messageIds)}) as m(id)
             where exists (select 1 from events e
                           where e.workspace_id = ${workspaceId} and e.message_id = m.id offset 0)
                -- tombstones are rare: probed per messageId only when the workspace has any
                or (exists (select 1 from ingest_message_ids where workspace_id = ${workspaceId})
                    and exists (select 1 from ingest_message_ids t
                                where t.workspace_id = ${workspaceId} and t.message_id = m.id offset 0))
          ) as duplicates,
          (select coalesce(json_agg(json_build_array(kind, value, id, user_id, merged_into, last_event_at)), '[]')::text
             from found) as identities`,
  );
  if (!answer || answer.settings === null || answer.settings === undefined)
    throw new UnknownWorkspaceError(workspaceId);
  const duplicates = new Set(parseJson<string[]>(answer.duplicates, []));
  const found = parseJson<IdentityRow[]>(answer.identities, []);
  const profiles = new Map<number, StoredProfile>();
  const light = (id: number, userId: string | null, mergedInto: number | null, last: string | null) => ({
    id,
    userId,
    traits: null,
    consent: null,
    lastEventAt: asDate(last),
    mergedInto,
  });
  for (const [, , id, userId, mergedInto, last] of found)
    if (!profiles.has(id)) profiles.set(id, light(id, userId, mergedInto, last));
  const identities = found.map(([kind, value, profileId]) => ({ kind, value, profileId }));

  // Merge targets not reached through the batch's identities (a merged-away profile's survivor).
  let wanted = missingTargets(profiles, profiles.values());
  while (wanted.length > 0) {
    const [loaded] = await rows<{ profiles: unknown }>(
      tx,
      sql`with locked as materialized (
            select id, user_id, merged_into, last_event_at from profiles
            where id in (select value::bigint from jsonb_array_elements_text(${json(wanted)}))
            order by id ${lock ? sql`for update` : sql``}
          )
          select coalesce(json_agg(json_build_array(id, user_id, merged_into, last_event_at)), '[]')::text as profiles
          from locked`,
    );
    const added = parseJson<ProfileRow[]>(loaded?.profiles, []).map(([id, userId, mergedInto, last]) =>
      light(id, userId, mergedInto, last),
    );
    for (const profile of added) profiles.set(profile.id, profile);
    wanted = missingTargets(profiles, added);
  }

  const fresh = calls.filter((call) => !duplicates.has(call.messageId));
  const full = profilesToLoad(fresh, profiles, identities);
  if (full.length > 0) {
    const [loaded] = await rows<{ profiles: unknown }>(
      tx,
      sql`select coalesce(json_agg(json_build_array(id, traits, consent)), '[]')::text as profiles
          from profiles where id in (select value::bigint from jsonb_array_elements_text(${json(full)}))`,
    );
    for (const [id, traits, consent] of parseJson<
      Array<[number, Record<string, unknown>, Record<string, boolean>]>
    >(loaded?.profiles, [])) {
      const profile = profiles.get(id)!;
      profile.traits = traits ?? {};
      profile.consent = consent ?? {};
    }
  }
  return {
    settings: parseJson<Record<string, unknown>>(answer.settings, {}),
    duplicates,
    graph: new IdentityGraph(profiles.values(), identities),
  };
}

function missingTargets(known: Map<number, StoredProfile>, loaded: Iterable<StoredProfile>): number[] {
  const ids = new Set<number>();
  for (const profile of loaded)
    if (profile.mergedInto !== null && !known.has(profile.mergedInto)) ids.add(profile.mergedInto);
  return [...ids];
}

/** Whether a call may change a profile's traits, consent or user id whatever the identities say. */
function changesProfile(call: SegmentCall): boolean {
  if (call.type === "alias") return true;
  if (call.type === "identify" && call.traits !== null && Object.keys(call.traits).length > 0) return true;
  if (call.consentTraits !== null || call.categoryPreferences !== null) return true;
  return call.type === "track" && call.name !== null && isSubscriptionEvent(call.name);
}

/**
 * The stored profiles whose traits and consent the fresh calls may read or change: every profile
 * (and its merge chain) reachable from a call that changes a profile, or from a call whose user id
 * and anonymous id are not already one profile (a possible merge or sign-up). A profile left out is
 * only ever touched (last_event_at); the identity graph refuses anything else (ProfileNotLoadedError).
 */
export function profilesToLoad(
  calls: readonly SegmentCall[],
  profiles: ReadonlyMap<number, StoredProfile>,
  identities: ReadonlyArray<{ kind: IdentityKind; value: string; profileId: number }>,
): number[] {
  const owner = new Map<string, number>();
  for (const identity of identities)
    owner.set(identityKey(identity.kind, identity.value), identity.profileId);
  const live = (id: number | undefined): number | undefined => {
    let current = id;
    for (let hops = 0; current !== undefined && hops <= profiles.size; hops += 1) {
      const next = profiles.get(current)?.mergedInto;
      if (next === null || next === undefined) return current;
      current = next;
    }
    return current;
  };
  const wanted = new Set<number>();
  const addChain = (id: number | undefined) => {
    let current = id;
    for (let hops = 0; current !== undefined && !wanted.has(current) && hops <= profiles.size; hops += 1) {
      wanted.add(current);
      current = profiles.get(current)?.mergedInto ?? undefined;
    }
  };
  for (const call of calls) {
    const keys = identitiesOf(call).map((key) => owner.get(identityKey(key.kind, key.value)));
    let load = changesProfile(call);
    if (!load && call.userId && call.anonymousId) {
      const [user, anonymous] = keys;
      load = user === undefined || anonymous === undefined || live(user) !== live(anonymous);
    }
    if (load) for (const id of keys) addChain(id);
  }
  return [...wanted];
}
