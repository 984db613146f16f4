import type { EventRecord } from "../format/evaluate.ts";
import type { RuntimeBatch, StepMode } from "./batch.ts";
import type { CompiledJourney } from "./compiled.ts";
import type { EntryFacts } from "./matching.ts";
import {
  applyEventToInstance,
  audienceAllows,
  mayStillConvert,
  newInstance,
  reentryBlocks,
  triggerFor,
} from "./matching.ts";
import type { SegmentDefinition } from "./segments.ts";
import { loadSegments, touchesSegments, updateMemberships } from "./segments.ts";
import { loadEntryHistory, loadUsedEntryKeys, reserveInstanceIds } from "./store.ts";
import type { InstanceState, RuntimeEvent, TriggerRecord } from "./types.ts";
import { isOpen } from "./types.ts";
import type { WorkspaceIndex } from "./version-cache.ts";

/**
 * What events do to journeys inside one transaction: for each event, in the customer's order,
 * goals / exit_on / wait_for_event on the customer's instances, segment changes, then entries
 * (trigger, audience, re-entry, entry key). Events of different customers are independent, so a
 * batch is processed in waves — the k-th event of every customer together — and every wave's
 * database work (entry checks, gateway, history) is a handful of set-based statements.
 */

export interface WorkspaceContext {
  index: WorkspaceIndex;
  segments: SegmentDefinition[];
  memberships: Map<number, Set<string>>;
}

export async function workspaceContext(batch: RuntimeBatch, workspaceId: string): Promise<WorkspaceContext> {
  const index = await batch.deps.versions.workspace(batch.tx, workspaceId);
  batch.noteWorkspace(index);
  for (const version of index.active) batch.compiled.set(version.versionId, version);
  return { index, segments: await loadSegments(batch, workspaceId), memberships: new Map() };
}

export interface EntryPlan {
  compiled: CompiledJourney;
  profileId: number;
  trigger: TriggerRecord;
  entryKey: string | null;
}

/** Splits events into waves: wave k holds the k-th event of each customer, in arrival order. */
export function waves<T extends { profileId: number }>(events: readonly T[]): T[][] {
  const seen = new Map<number, number>();
  const result: T[][] = [];
  for (const event of events) {
    const position = seen.get(event.profileId) ?? 0;
    seen.set(event.profileId, position + 1);
    const wave = result[position] ?? [];
    wave.push(event);
    result[position] = wave;
  }
  return result;
}

/**
 * Creates the instances the plans call for, after the entry-key, audience and re-entry checks.
 * Returns the new instances (not yet stepped).
 */
export interface EntryResult {
  created: InstanceState[];
  /** plans that did not enter, with why (for the api trigger's answer) */
  rejected: Array<{ plan: EntryPlan; reason: string }>;
}

export async function enterMany(batch: RuntimeBatch, plans: readonly EntryPlan[]): Promise<EntryResult> {
  const rejected: EntryResult["rejected"] = [];
  if (plans.length === 0) return { created: [], rejected };
  const now = batch.now();
  const keyed = plans.filter((plan) => plan.entryKey !== null) as Array<EntryPlan & { entryKey: string }>;
  const used = await loadUsedEntryKeys(
    batch.tx,
    keyed.map((plan) => ({ journeyId: plan.compiled.journeyId, entryKey: plan.entryKey })),
  );
  // Only `never` and cooldowns look at finished visits; open ones are all in memory.
  const needHistory = plans.filter(
    (plan) =>
      plan.compiled.journey.reentry.mode === "never" || plan.compiled.journey.reentry.cooldown !== undefined,
  );
  const previous = await loadEntryHistory(
    batch.tx,
    needHistory.map((plan) => ({ profileId: plan.profileId, journeyId: plan.compiled.journeyId })),
  );
  // Ids are drawn for every plan up front (one statement); ids of rejected plans are simply unused.
  const ids = await reserveInstanceIds(batch.tx, plans.length);
  const created: InstanceState[] = [];
  const usedNow = new Set(used);
  for (const [position, plan] of plans.entries()) {
    const { compiled } = plan;
    if (plan.entryKey !== null) {
      const key = `${compiled.journeyId}\u0000${plan.entryKey}`;
      if (usedNow.has(key)) {
        rejected.push({ plan, reason: `entry ${plan.entryKey} was already processed` });
        continue;
      }
      usedNow.add(key);
    }
    const customer = batch.customers.get(plan.profileId);
    if (!customer) {
      rejected.push({ plan, reason: "the customer's profile does not exist" });
      continue;
    }
    const history =
      compiled.historyNeeds.size > 0
        ? await batch.historyFor(plan.profileId, compiled.historyNeeds)
        : undefined;
    if (!audienceAllows(compiled.journey, customer, plan.trigger, now, history)) {
      rejected.push({ plan, reason: "the customer is not in the journey's audience" });
      continue;
    }
    const mine = batch
      .instancesOf(plan.profileId)
      .filter((instance) => instance.journeyId === compiled.journeyId);
    const stored = previous.get(`${plan.profileId}\u0000${compiled.journeyId}`) ?? null;
    let lastEnteredAt = stored;
    for (const instance of mine) {
      if (!lastEnteredAt || instance.enteredAt > lastEnteredAt) lastEnteredAt = instance.enteredAt;
    }
    const facts: EntryFacts = {
      everEntered: stored !== null || mine.length > 0,
      open: mine.some(isOpen),
      lastEnteredAt,
    };
    const blocked = reentryBlocks(compiled.journey, facts, now);
    if (blocked) {
      rejected.push({ plan, reason: blocked });
      continue;
    }
    const instance = newInstance({
      id: ids[position]!,
      compiled,
      profileId: plan.profileId,
      trigger: plan.trigger,
      entryKey: plan.entryKey,
      now,
      sink: batch,
    });
    batch.add(instance);
    created.push(instance);
  }
  return { created, rejected };
}

function entryPlans(
  batch: RuntimeBatch,
  context: WorkspaceContext,
  event: RuntimeEvent,
  segmentsEntered: readonly string[],
  history: Map<string, readonly EventRecord[] | undefined>,
): EntryPlan[] {
  const customer = batch.customers.get(event.profileId);
  if (!customer) return [];
  const now = batch.now();
  const plans: EntryPlan[] = [];
  const entryKey = event.entryKey ?? (event.messageId ? `msg:${event.messageId}` : null);
  const candidates: CompiledJourney[] = [];
  if (event.name !== null) candidates.push(...(context.index.byEvent.get(event.name) ?? []));
  if (event.traitsBefore && event.traitsAfter) candidates.push(...context.index.traitTriggered);
  for (const compiled of candidates) {
    const trigger = triggerFor(compiled, event, customer, now, history.get(compiled.versionId));
    if (trigger) plans.push({ compiled, profileId: event.profileId, trigger, entryKey });
  }
  if (segmentsEntered.length > 0) {
    for (const compiled of context.index.segmentTriggered) {
      const trigger = compiled.journey.trigger;
      if (trigger.type !== "segment_entered" || !segmentsEntered.includes(trigger.segment)) continue;
      if (event.sourceJourneyId === compiled.journeyId) continue;
      plans.push({
        compiled,
        profileId: event.profileId,
        trigger: {
          name: "segment_entered",
          properties: { segment: trigger.segment },
          timestamp: event.timestamp,
          messageId: event.messageId,
        },
        entryKey: entryKey === null ? null : `${entryKey}:seg:${trigger.segment}`,
      });
    }
  }
  return plans;
}

/** One wave: at most one event per customer. */
export async function processWave(
  batch: RuntimeBatch,
  context: WorkspaceContext,
  events: readonly RuntimeEvent[],
  mode: StepMode,
): Promise<void> {
  const now = batch.now();
  const runnable: InstanceState[] = [];
  const plans: EntryPlan[] = [];
  for (const event of events)
    if (event.eventId !== undefined) batch.historyCutoff.set(event.profileId, event.eventId);
  for (const event of events) {
    const customer = batch.customers.get(event.profileId);
    if (!customer) continue;
    if (event.type === "identify" && event.traitsAfter) customer.traits = event.traitsAfter;
    if (event.name === null) continue;
    for (const instance of batch.instancesOf(event.profileId)) {
      const compiled = batch.compiled.get(instance.versionId);
      if (!compiled?.instanceEvents.has(event.name)) continue;
      if (!isOpen(instance) && !mayStillConvert(compiled, instance, now)) continue;
      const history =
        compiled.historyNeeds.size > 0
          ? await batch.historyFor(event.profileId, compiled.historyNeeds)
          : undefined;
      const effect = applyEventToInstance(compiled, instance, event, customer, now, batch, history);
      if (effect.resumed) runnable.push(instance);
    }
  }
  const entered = await updateMemberships(
    batch,
    context.index.workspaceId,
    context.segments,
    events,
    context.memberships,
  );
  for (const event of events) {
    const history = new Map<string, readonly EventRecord[] | undefined>();
    if (event.name !== null) {
      for (const compiled of context.index.byEvent.get(event.name) ?? []) {
        if (compiled.historyNeeds.size > 0) {
          history.set(compiled.versionId, await batch.historyFor(event.profileId, compiled.historyNeeds));
        }
      }
    }
    plans.push(...entryPlans(batch, context, event, entered.get(event.profileId) ?? [], history));
  }
  runnable.push(...(await enterMany(batch, plans)).created);
  if (mode.step) await batch.stepMany(runnable, context.index, mode);
}

/**
 * The events the journeys of this workspace can react to: a trigger's event, an event open (or
 * goal-eligible) instances wait for, exit on or convert with, a trait change when trait triggers
 * exist, an event that moves segment memberships. A customer with none of those in the batch is
 * left out whole — nothing loaded, nothing locked — which is most of the traffic (page views);
 * a customer with one keeps all their events, in order, so conditions see traits as they evolved.
 */
export function relevantEvents(context: WorkspaceContext, events: readonly RuntimeEvent[]): RuntimeEvent[] {
  const { index, segments } = context;
  const traitsMatter = index.traitTriggered.length > 0;
  const matters = (event: RuntimeEvent) =>
    (event.name !== null && (index.byEvent.has(event.name) || index.instanceEventNames.has(event.name))) ||
    (traitsMatter && event.traitsBefore !== undefined && event.traitsAfter !== undefined) ||
    (segments.length > 0 && touchesSegments(event, segments));
  const customers = new Set<number>();
  for (const event of events) if (matters(event)) customers.add(event.profileId);
  return customers.size === events.length
    ? [...events]
    : events.filter((event) => customers.has(event.profileId));
}

/** Ingested events of one workspace, wave by wave. */
export async function processEvents(
  batch: RuntimeBatch,
  context: WorkspaceContext,
  events: readonly RuntimeEvent[],
  mode: StepMode,
): Promise<void> {
  for (const wave of waves(events)) await processWave(batch, context, wave, mode);
}

/** update_profile counts as an identify for other journeys; bounded so journeys cannot ping-pong forever. */
export const MAX_PROFILE_CHANGE_ROUNDS = 8;

export async function drainProfileChanges(
  batch: RuntimeBatch,
  contextFor: (workspaceId: string) => Promise<WorkspaceContext>,
  mode: StepMode,
) {
  for (let round = 0; round < MAX_PROFILE_CHANGE_ROUNDS && batch.profileChanges.length > 0; round++) {
    const changes = batch.profileChanges.splice(0);
    const byWorkspace = new Map<string, RuntimeEvent[]>();
    for (const change of changes) {
      const list = byWorkspace.get(change.workspaceId ?? "") ?? [];
      list.push(change);
      byWorkspace.set(change.workspaceId ?? "", list);
    }
    for (const [workspaceId, list] of byWorkspace) {
      const context = await contextFor(workspaceId);
      await batch.loadProfiles(list.map((change) => change.profileId));
      for (const wave of waves(list)) await processWave(batch, context, wave, mode);
    }
  }
  if (batch.profileChanges.length > 0) {
    console.warn(
      `[runtime] profile changes still cascading after ${MAX_PROFILE_CHANGE_ROUNDS} rounds; ${batch.profileChanges.length} not propagated`,
    );
    batch.profileChanges.length = 0;
  }
}

/** Caches a batch's workspace contexts (one trigger index and segment list per workspace per batch). */
export function contextCache(batch: RuntimeBatch): (workspaceId: string) => Promise<WorkspaceContext> {
  const contexts = new Map<string, Promise<WorkspaceContext>>();
  return (workspaceId) => {
    let context = contexts.get(workspaceId);
    if (!context) {
      context = workspaceContext(batch, workspaceId);
      contexts.set(workspaceId, context);
    }
    return context;
  };
}
