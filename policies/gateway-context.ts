import { sql } from "drizzle-orm";
import type { Executor } from "../db/open.ts";
import { rows } from "../db/open.ts";
import type { ActionProposal, CustomerContext } from "./types.ts";

/**
 * What the gateway reads about the customers of a batch of proposals before deciding: their profile
 * rows (locked in id order where transactions run concurrently), recent sends (caps), segment
 * memberships (suppression), products being returned, and whether each journey version has sent
 * before (first-send approval). One statement for all of it, every part answered as one JSON text:
 * the embedded database pays per statement and per decoded field.
 */

export type RecentSend = CustomerContext["recentSends"][number];

/** sends older than this never count against a cap (the longest rolling window a config may use) */
export const RECENT_SENDS_DAYS = 30;
/** events that mark a product as being returned (suppression: never promote it) */
export const RETURN_EVENTS = ["Product Returned", "Return Requested"] as const;

export interface ProfileRow {
  id: number;
  user_id: string | null;
  traits: Record<string, unknown>;
  consent: Record<string, boolean>;
}

export interface LoadedContext {
  recentSends: Map<number, RecentSend[]>;
  segments: Map<number, string[]>;
  returning: Map<number, string[]>;
  versionsWithSends: Set<string>;
}

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

function parseJson<T>(value: unknown): T {
  if (value === null || value === undefined) return [] as T;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

function asDate(value: unknown): Date {
  if (value instanceof Date) return value;
  // raw timestamptz text ("2026-03-02 09:00:00.123+00") or JSON's ("2026-03-02T09:00:00.123+00:00")
  return new Date(
    String(value)
      .replace(" ", "T")
      .replace(/([+-]\d{2})$/, "$1:00"),
  );
}

function idList(ids: readonly number[]) {
  return sql.raw(ids.map((id) => Math.trunc(Number(id))).join(",") || "null");
}

function profileIds(proposals: readonly ActionProposal[]): number[] {
  return [...new Set(proposals.map((proposal) => proposal.profileId))].sort((a, b) => a - b);
}

const toProfiles = (list: ProfileRow[]) =>
  new Map(list.map((row) => [Number(row.id), { ...row, id: Number(row.id) }]));

/**
 * Ordered locking: two transactions locking overlapping customers take the locks in the same order.
 * Its own statement, so what is read after it (recent sends) sees everything committed before the
 * lock was granted: caps stay race-free.
 */
export async function lockCustomerProfiles(
  tx: Executor,
  proposals: readonly ActionProposal[],
): Promise<Map<number, ProfileRow>> {
  const found = await rows<ProfileRow>(
    tx,
    sql`select id, user_id, traits, consent from profiles where id in (${idList(profileIds(proposals))})
        order by id for update`,
  );
  // int8 arrives as a number from PGlite and as a string from node-postgres raw queries
  return toProfiles(found);
}

/**
 * The policies' view of these proposals' customers. `withProfiles`: read the profile rows in the
 * same statement (where nothing needs locking: the embedded database runs one transaction at a time).
 */
export async function loadContext(
  tx: Executor,
  proposals: readonly ActionProposal[],
  now: Date,
  withProfiles: boolean,
): Promise<LoadedContext & { profiles: Map<number, ProfileRow> | null }> {
  const ids = idList(profileIds(proposals));
  const versionIds = [
    ...new Set(proposals.map((proposal) => proposal.versionId).filter((id): id is string => Boolean(id))),
  ];
  const since = new Date(now.getTime() - RECENT_SENDS_DAYS * 86_400_000).toISOString();
  const [answer] = await rows<{
    profiles: unknown;
    sends: unknown;
    memberships: unknown;
    returns: unknown;
    version_sends: unknown;
  }>(
    tx,
    sql`select
          ${
            withProfiles
              ? sql`(select coalesce(json_agg(json_build_object('id', id, 'user_id', user_id, 'traits', traits,
                                                   'consent', consent)), '[]')::text
                     from profiles where id in (${ids}))`
              : sql`null::text`
          } as profiles,
          (select coalesce(json_agg(json_build_array(profile_id, channel, queued_at, journey_id)
                                    order by queued_at desc), '[]')::text
             from actions
             where profile_id in (${ids}) and status in ('queued', 'sent')
               and queued_at >= ${since}::timestamptz) as sends,
          (select coalesce(json_agg(json_build_array(m.profile_id, s.name)), '[]')::text
             from segment_memberships m join segments s on s.id = m.segment_id
             where m.profile_id in (${ids})) as memberships,
          (select coalesce(json_agg(json_build_array(profile_id, properties->>'product_id')), '[]')::text
             from events
             where profile_id in (${ids}) and name in (${sql.join(
               RETURN_EVENTS.map((name) => sql`${name}`),
               sql`, `,
             )}) and timestamp >= ${since}::timestamptz) as returns,
          (select coalesce(json_agg(v.id), '[]')::text
             from jsonb_array_elements_text(${json(versionIds)}) as v(id)
             -- one index probe per version, not a scan of everything it ever sent (OFFSET 0 keeps
             -- the planner from turning this into a semi-join over every such action)
             where exists (select 1 from actions a
                           where a.version_id = v.id and a.status in ('queued', 'sent', 'review') offset 0)
          ) as version_sends`,
  );
  const group = (list: Array<[number, string | null]>) => {
    const map = new Map<number, string[]>();
    for (const [id, value] of list) {
      if (value === null) continue;
      const profileId = Number(id);
      const bucket = map.get(profileId) ?? [];
      bucket.push(value);
      map.set(profileId, bucket);
    }
    return map;
  };
  const recentSends = new Map<number, RecentSend[]>();
  for (const [id, channel, queuedAt, journeyId] of parseJson<Array<[number, string, string, string | null]>>(
    answer?.sends,
  )) {
    const profileId = Number(id);
    const bucket = recentSends.get(profileId) ?? [];
    bucket.push({ channel, at: asDate(queuedAt), journeyId });
    recentSends.set(profileId, bucket);
  }
  return {
    profiles: withProfiles ? toProfiles(parseJson<ProfileRow[]>(answer?.profiles)) : null,
    recentSends,
    segments: group(parseJson(answer?.memberships)),
    returning: group(parseJson(answer?.returns)),
    versionsWithSends: new Set(parseJson<string[]>(answer?.version_sends)),
  };
}
