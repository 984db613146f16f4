import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import type { EventSink, IngestedEvent } from "../../journeys/runtime/contract.ts";
import type { CategoryMap } from "./consent.ts";
import { categoryMapFromSettings, consentFromCategories, consentFromTrack } from "./consent.ts";
import type { IdentityGraph } from "./identity.ts";
import { identitiesOf, identityKey } from "./identity.ts";
import { lookupBatch, UnknownWorkspaceError } from "./lookup.ts";
import type { CallType, SegmentCall } from "./messages.ts";
import { validateCalls } from "./messages.ts";
import type { ResolvedCall } from "./writes.ts";
import {
  ConcurrentDuplicateError,
  insertEvents,
  insertProfiles,
  moveMergedRows,
  updateProfiles,
  upsertIdentities,
} from "./writes.ts";

/**
 * The ingestion pipeline: one transaction per request, a fixed number of set-based statements per
 * batch whatever its size (look up settings, duplicates and identities; create, update, merge;
 * insert the events), then the runtime's EventSink inside the same transaction. Callable without
 * HTTP (the benchmark does).
 */

export { UnknownWorkspaceError };

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

/**
 * How many times a batch is redone after losing a race before the error surfaces. Each lost
 * messageId race means another request committed those events, so a batch loses at most once per
 * concurrent request that shares its messageIds; deadlock victims make no such progress and back
 * off first. Six requests racing for the same 40 messageIds used up the earlier limit of 5 in CI.
 */
const MAX_ATTEMPTS = 25;

/** Stores validated calls in one transaction; duplicates (by messageId, per workspace) are skipped. */
export async function storeCalls(
  executor: Executor,
  workspaceId: string,
  calls: readonly SegmentCall[],
  options: { receivedAt: Date; sink?: EventSink | null | undefined; serialized?: boolean },
): Promise<IngestResult> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await executor.transaction((tx) => storeOnce(tx, workspaceId, calls, options));
    } catch (error) {
      // Rolled back whole: the next attempt sees the other request's events as duplicates. Two
      // requests inserting the same messageIds in different orders can deadlock on the unique
      // index instead; PostgreSQL rolls one back, and it is redone the same way.
      if (attempt >= MAX_ATTEMPTS) throw error;
      if (error instanceof ConcurrentDuplicateError) continue;
      if (!isDeadlock(error)) throw error;
      // two deadlocked requests redone at once would meet again in the same order
      await sleep(Math.random() * 10 * attempt);
    }
  }
}

async function storeOnce(
  tx: Executor,
  workspaceId: string,
  calls: readonly SegmentCall[],
  options: { receivedAt: Date; sink?: EventSink | null | undefined; serialized?: boolean },
): Promise<IngestResult> {
  const { receivedAt, sink } = options;
  const serialized = options.serialized ?? false;
  // a messageId repeated inside one batch counts once: the first occurrence wins
  const firsts = new Map<string, SegmentCall>();
  for (const call of calls) if (!firsts.has(call.messageId)) firsts.set(call.messageId, call);
  if (!serialized) await lockIdentities(tx, workspaceId, firsts.values());
  const lookup = await lookupBatch(tx, workspaceId, [...firsts.values()], !serialized);
  const fresh = [...firsts.values()].filter((call) => !lookup.duplicates.has(call.messageId));
  const result: IngestResult = {
    received: calls.length,
    stored: fresh.length,
    duplicates: calls.length - fresh.length,
    profilesCreated: 0,
    merges: [],
    events: [],
  };
  if (fresh.length === 0) return result;

  const { graph } = lookup;
  const categories = categoryMapFromSettings(lookup.settings);
  const resolved = fresh.map((call) => applyCall(graph, call, categories));

  const created = graph.newProfiles();
  await insertProfiles(tx, workspaceId, created, receivedAt);
  result.profilesCreated = created.length;
  await updateProfiles(tx, graph.changedStoredProfiles(), receivedAt);
  const merges = graph.storedMerges().map(({ from, into }) => ({ from: from.dbId!, into: into.dbId! }));
  if (merges.length > 0) await moveMergedRows(tx, merges);
  result.merges = merges;
  await upsertIdentities(tx, workspaceId, graph, receivedAt);

  result.events = await insertEvents(tx, workspaceId, resolved, receivedAt, serialized);
  if (sink) {
    for (const merge of merges) await sink.onProfilesMerged(tx, merge.from, merge.into);
    await sink.onEvents(tx, result.events);
  }
  return result;
}

/** PostgreSQL's deadlock_detected, anywhere in the cause chain (drivers and drizzle wrap errors). */
function isDeadlock(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth += 1) {
    if ((current as { code?: unknown }).code === "40P01") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Serialises requests that share an identity (two API processes creating the same user); requests
 * for different customers proceed in parallel. Not needed where one transaction runs at a time.
 */
async function lockIdentities(tx: Executor, workspaceId: string, calls: Iterable<SegmentCall>) {
  const keys = new Set<string>();
  for (const call of calls)
    for (const key of identitiesOf(call)) keys.add(`${workspaceId}|${identityKey(key.kind, key.value)}`);
  await tx.execute(
    sql`select pg_advisory_xact_lock(k) from (
          select distinct hashtext(v)::bigint as k from jsonb_array_elements_text(${json([...keys])}) as v
        ) keys order by k`,
  );
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
