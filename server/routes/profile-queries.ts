import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";

/**
 * Reading the one customer view: profile search, one profile with its identities, consent,
 * segments and scores. The timeline is in profile-timeline.ts. Merged (anonymous) profiles are
 * never listed; asking for one of their ids answers with the profile they were merged into.
 */

/** Traits that are model scores: these names, or numeric traits ending in _score, _risk, _propensity. */
export const SCORE_TRAITS = [
  "churn_risk",
  "purchase_propensity",
  "dropoff_propensity",
  "frustration",
  "sentiment",
] as const;

export function isScoreTrait(name: string, value: unknown): value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  return (SCORE_TRAITS as readonly string[]).includes(name) || /_(score|risk|propensity)$/.test(name);
}

export function scoresOf(traits: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(traits).filter(([name, value]) => isScoreTrait(name, value)),
  ) as Record<string, number>;
}

/** ISO 8601 text of a timestamptz in UTC, whatever the session's time zone. */
export const isoText = (column: SQL) =>
  sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export interface ProfileSummaryRow {
  profileId: number;
  userId: string | null;
  anonymousIds: string[];
  email: string | null;
  name: string | null;
  traits: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  lastEventAt: string | null;
}

function displayName(traits: Record<string, unknown>): string | null {
  const text = (key: string) => (typeof traits[key] === "string" ? (traits[key] as string) : "");
  if (text("name")) return text("name");
  const joined = [text("first_name") || text("firstName"), text("last_name") || text("lastName")]
    .filter(Boolean)
    .join(" ");
  return joined || null;
}

interface RawSummary {
  id: number;
  user_id: string | null;
  traits: Record<string, unknown>;
  anonymous_ids: string[] | null;
  created_at: string;
  updated_at: string;
  last_event_at: string | null;
}

function toSummary(row: RawSummary): ProfileSummaryRow {
  const traits = row.traits ?? {};
  return {
    profileId: Number(row.id),
    userId: row.user_id,
    anonymousIds: row.anonymous_ids ?? [],
    email: typeof traits.email === "string" ? traits.email : null,
    name: displayName(traits),
    traits,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastEventAt: row.last_event_at,
  };
}

const summaryColumns = sql`p.id, p.user_id, p.traits,
  ${isoText(sql`p.created_at`)} as created_at, ${isoText(sql`p.updated_at`)} as updated_at,
  ${isoText(sql`p.last_event_at`)} as last_event_at,
  (select json_agg(i.value order by i.created_at, i.value) from profile_identities i
    where i.profile_id = p.id and i.kind = 'anonymous_id') as anonymous_ids`;

function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * Live profiles, newest first (by creation, so pages do not shift while events arrive), optionally
 * matching `query`: an exact user or anonymous id, or a case-insensitive part of the email or name.
 */
export async function searchProfiles(
  executor: Executor,
  workspaceId: string,
  options: { query?: string | undefined; limit: number; before?: number | undefined },
): Promise<{ profiles: ProfileSummaryRow[]; nextCursor: number | null }> {
  const query = options.query?.trim();
  const like = query ? likePattern(query) : null;
  const matches = query
    ? sql`and (
        exists (select 1 from profile_identities i
                where i.workspace_id = ${workspaceId} and i.kind in ('user_id', 'anonymous_id')
                  and i.value = ${query} and i.profile_id = p.id)
        or lower(coalesce(p.traits->>'email', '')) like ${like}
        or lower(concat_ws(' ', p.traits->>'name', p.traits->>'first_name', p.traits->>'firstName',
                           p.traits->>'last_name', p.traits->>'lastName')) like ${like}
      )`
    : sql``;
  const before = options.before === undefined ? sql`` : sql`and p.id < ${options.before}`;
  const found = await rows<RawSummary>(
    executor,
    sql`select ${summaryColumns} from profiles p
        where p.workspace_id = ${workspaceId} and p.merged_into is null ${matches} ${before}
        order by p.id desc limit ${options.limit + 1}`,
  );
  const page = found.slice(0, options.limit).map(toSummary);
  const nextCursor = found.length > options.limit ? page[page.length - 1]!.profileId : null;
  return { profiles: page, nextCursor };
}

/** The live profile for a user id (or, failing that, an anonymous id), following merges. */
export async function resolveProfileId(
  executor: Executor,
  workspaceId: string,
  id: string,
): Promise<number | null> {
  const [row] = await rows<{ id: number }>(
    executor,
    sql`select coalesce(p.merged_into, p.id) as id
        from profile_identities i join profiles p on p.id = i.profile_id
        where i.workspace_id = ${workspaceId} and i.kind in ('user_id', 'anonymous_id') and i.value = ${id}
        order by (i.kind = 'user_id') desc limit 1`,
  );
  return row ? Number(row.id) : null;
}

export interface ProfileDetail extends ProfileSummaryRow {
  consent: Record<string, boolean>;
  scores: Record<string, number>;
  identities: Array<{ kind: "user_id" | "anonymous_id"; value: string; createdAt: string }>;
  segments: Array<{ id: string; name: string; enteredAt: string }>;
  /** anonymous (or aliased) profiles merged into this one */
  mergedProfileIds: number[];
}

export async function loadProfile(
  executor: Executor,
  workspaceId: string,
  profileId: number,
): Promise<ProfileDetail | null> {
  const [row] = await rows<
    RawSummary & {
      consent: Record<string, boolean>;
      identities: ProfileDetail["identities"] | null;
      segments: ProfileDetail["segments"] | null;
      merged: number[] | null;
    }
  >(
    executor,
    sql`select ${summaryColumns}, p.consent,
          (select json_agg(json_build_object('kind', i.kind, 'value', i.value,
                                             'createdAt', ${isoText(sql`i.created_at`)})
                           order by i.kind desc, i.created_at, i.value)
             from profile_identities i where i.profile_id = p.id) as identities,
          (select json_agg(json_build_object('id', s.id, 'name', s.name,
                                             'enteredAt', ${isoText(sql`m.created_at`)}) order by s.name)
             from segment_memberships m join segments s on s.id = m.segment_id
             where m.profile_id = p.id) as segments,
          (select json_agg(o.id order by o.id) from profiles o where o.merged_into = p.id) as merged
        from profiles p where p.workspace_id = ${workspaceId} and p.id = ${profileId}`,
  );
  if (!row) return null;
  const summary = toSummary(row);
  return {
    ...summary,
    consent: row.consent ?? {},
    scores: scoresOf(summary.traits),
    identities: row.identities ?? [],
    segments: row.segments ?? [],
    mergedProfileIds: (row.merged ?? []).map(Number),
  };
}
