import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { PopulationCustomer, PopulationEvent } from "../../journeys/simulate/population.ts";

/**
 * Read-only views of a workspace's customers for the designer: a deterministic sample with recent
 * event histories (for the population simulation) and a summary of trait values (for the prompt).
 * Nothing here writes; trait values are customer- or CRM-written text and reach a model only
 * inside quarantine blocks (the caller's job, see agents/designer/prompts.ts).
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export interface HistorySample {
  customers: PopulationCustomer[];
  from: Date;
  to: Date;
}

export interface SampleOptions {
  workspaceId: string;
  /** the same seed gives the same customers (a design's id) */
  seed: string;
  size: number;
  now: Date;
  /** days replayed (default 30) */
  replayDays?: number;
  /** days of history before the replay window that conditions may look back on (default 30) */
  historyDays?: number;
  /** newest events kept per customer (default 300) */
  maxEventsPerCustomer?: number;
}

interface ProfileRow {
  id: number;
  user_id: string | null;
  traits: Record<string, unknown>;
  consent: Record<string, boolean>;
}

interface EventRow {
  profile_id: number;
  type: string;
  name: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown> | null;
  timestamp: string | Date;
}

/** Customers active in the window, sampled by a hash of (id, seed), with their event histories. */
export async function sampleCustomerHistories(
  executor: Executor,
  options: SampleOptions,
): Promise<HistorySample> {
  const to = options.now;
  const from = new Date(to.getTime() - (options.replayDays ?? 30) * DAY_MS);
  const since = new Date(from.getTime() - (options.historyDays ?? 30) * DAY_MS);
  const profiles = await rows<ProfileRow>(
    executor,
    sql`select p.id, p.user_id, p.traits, p.consent from profiles p
        where p.workspace_id = ${options.workspaceId} and p.merged_into is null
          and exists (select 1 from events e where e.profile_id = p.id
                      and e.timestamp >= ${from.toISOString()}::timestamptz and e.timestamp <= ${to.toISOString()}::timestamptz)
        order by md5(p.id::text || ${options.seed}), p.id
        limit ${options.size}`,
  );
  if (profiles.length === 0) return { customers: [], from, to };
  const ids = profiles.map((profile) => profile.id);
  const events = await rows<EventRow>(
    executor,
    sql`select profile_id, type, name, properties, traits, timestamp from (
          select profile_id, type, name, properties, traits, timestamp,
                 row_number() over (partition by profile_id order by timestamp desc, id desc) as newest
          from events
          where workspace_id = ${options.workspaceId}
            and profile_id in (${sql.join(
              ids.map((id) => sql`${id}`),
              sql`, `,
            )})
            and timestamp >= ${since.toISOString()}::timestamptz
            and timestamp <= ${to.toISOString()}::timestamptz
            and type in ('track', 'identify', 'page', 'screen')
        ) recent
        where newest <= ${options.maxEventsPerCustomer ?? 300}
        order by profile_id, timestamp`,
  );
  const byProfile = new Map<number, PopulationEvent[]>();
  for (const event of events) {
    const list = byProfile.get(event.profile_id) ?? [];
    list.push({
      type: event.type as PopulationEvent["type"],
      name: event.name,
      properties: event.properties,
      ...(event.traits ? { traits: event.traits } : {}),
      timestamp: event.timestamp instanceof Date ? event.timestamp : new Date(event.timestamp),
    });
    byProfile.set(event.profile_id, list);
  }
  return {
    customers: profiles.map((profile) => ({
      userId: profile.user_id,
      traits: profile.traits,
      consent: profile.consent,
      events: byProfile.get(profile.id) ?? [],
    })),
    from,
    to,
  };
}

export interface TraitSummary {
  customers: number;
  values: Record<string, Array<{ value: string; count: number }>>;
  numeric: Record<string, { min: number; max: number; median: number }>;
}

/**
 * What values the catalog's traits take among recently active customers: the most frequent values
 * of text traits (truncated), range and median of numeric ones. Only values shared by at least two
 * customers are shown, and traits with many distinct values are left out: names, emails and phone
 * numbers never reach the model, and free text says nothing about how to segment.
 */
export async function summarizeTraits(
  executor: Executor,
  workspaceId: string,
  traitNames: readonly string[],
  options: { sample?: number; topValues?: number } = {},
): Promise<TraitSummary> {
  const found = await rows<{ traits: Record<string, unknown> }>(
    executor,
    sql`select traits from profiles where workspace_id = ${workspaceId} and merged_into is null
        order by last_event_at desc nulls last, id limit ${options.sample ?? 500}`,
  );
  const summary: TraitSummary = { customers: found.length, values: {}, numeric: {} };
  for (const trait of traitNames) {
    const present = found
      .map((row) => row.traits[trait])
      .filter((value) => value !== undefined && value !== null);
    if (present.length === 0) continue;
    if (present.every((value) => typeof value === "number" && Number.isFinite(value))) {
      const sorted = (present as number[]).slice().sort((a, b) => a - b);
      summary.numeric[trait] = {
        min: sorted[0]!,
        max: sorted.at(-1)!,
        median: sorted[Math.floor(sorted.length / 2)]!,
      };
      continue;
    }
    const counts = new Map<string, number>();
    for (const value of present) {
      const text = (typeof value === "string" ? value : JSON.stringify(value)).slice(0, 120);
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    if (counts.size > Math.max(20, present.length / 2)) continue;
    const shared = [...counts.entries()].filter(([, count]) => count >= 2);
    if (shared.length === 0) continue;
    summary.values[trait] = shared
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, options.topValues ?? 6)
      .map(([value, count]) => ({ value, count }));
  }
  return summary;
}
