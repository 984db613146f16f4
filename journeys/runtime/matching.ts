import { addDuration } from "../format/duration.ts";
import type { EventRecord } from "../format/evaluate.ts";
import { evaluateCondition } from "../format/evaluate.ts";
import type { EventMatch, Journey } from "../format/schema.ts";
import type { CompiledJourney } from "./compiled.ts";
import { finishInstance } from "./executor.ts";
import { entryScope, instanceScope } from "./scope.ts";
import type { CustomerSnapshot, InstanceState, RuntimeEvent, StepSink, TriggerRecord } from "./types.ts";
import { eventRecordOf, isOpen, JOURNEY_COUNTER_NODE } from "./types.ts";

/**
 * What an event does to journeys, shared by the runtime and the simulator: which journeys it starts
 * (trigger, audience, re-entry) and what it does to a customer's instances (goal, exit_on, resuming
 * a wait_for_event). Pure functions over in-memory state; the callers load and persist.
 */

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function eventMatches(
  match: EventMatch,
  event: EventRecord,
  customer: CustomerSnapshot,
  now: Date,
  trigger: EventRecord,
  instance?: InstanceState,
  history?: readonly EventRecord[],
): boolean {
  if (match.event !== event.name) return false;
  if (!match.condition) return true;
  const scope = instance
    ? instanceScope(instance, customer, now, { event, history })
    : entryScope(customer, now, trigger, { event, history });
  return evaluateCondition(match.condition, scope);
}

/**
 * The trigger record when this event starts the journey (before audience and re-entry checks), or
 * null. Segment, schedule and api triggers are entered elsewhere.
 */
export function triggerFor(
  compiled: CompiledJourney,
  event: RuntimeEvent,
  customer: CustomerSnapshot,
  now: Date,
  history?: readonly EventRecord[],
): TriggerRecord | null {
  const trigger = compiled.journey.trigger;
  if (event.sourceJourneyId === compiled.journeyId) return null;
  if (trigger.type === "event") {
    if (event.name === null) return null;
    const record: TriggerRecord = { ...eventRecordOf(event), messageId: event.messageId };
    const matches = [{ event: trigger.event, condition: trigger.condition }, ...(trigger.also ?? [])];
    return matches.some((match) => eventMatches(match, record, customer, now, record, undefined, history))
      ? record
      : null;
  }
  if (trigger.type === "trait_changed") {
    const before = event.traitsBefore;
    const after = event.traitsAfter;
    if (!before || !after) return null;
    const previous = before[trigger.trait];
    const current = after[trigger.trait];
    if (sameValue(previous, current)) return null;
    const record: TriggerRecord = {
      name: "trait_changed",
      properties: { trait: trigger.trait, before: previous ?? null, after: current ?? null },
      timestamp: event.timestamp,
      messageId: event.messageId,
    };
    if (trigger.condition) {
      const was = evaluateCondition(
        trigger.condition,
        entryScope({ ...customer, traits: before }, now, record),
      );
      const is = evaluateCondition(
        trigger.condition,
        entryScope({ ...customer, traits: after }, now, record),
      );
      if (was || !is) return null;
    }
    return record;
  }
  return null;
}

export function audienceAllows(
  journey: Journey,
  customer: CustomerSnapshot,
  trigger: EventRecord,
  now: Date,
  history?: readonly EventRecord[],
): boolean {
  if (!journey.audience) return true;
  return evaluateCondition(journey.audience, entryScope(customer, now, trigger, { history }));
}

/** What re-entry rules need to know about a customer's earlier visits to one journey. */
export interface EntryFacts {
  everEntered: boolean;
  open: boolean;
  lastEnteredAt: Date | null;
}

export const NO_ENTRY_FACTS: EntryFacts = { everEntered: false, open: false, lastEnteredAt: null };

export function reentryBlocks(journey: Journey, facts: EntryFacts, now: Date): string | null {
  const { mode, cooldown } = journey.reentry;
  if (mode === "never" && facts.everEntered) return "re-entry never: the customer entered before";
  if (mode === "after_exit" && facts.open) return "re-entry after_exit: the customer is still in the journey";
  if (
    cooldown &&
    facts.lastEnteredAt &&
    addDuration(facts.lastEnteredAt, cooldown).getTime() > now.getTime()
  ) {
    return `re-entry cooldown ${cooldown} has not passed since the last entry`;
  }
  return null;
}

/** A fresh instance at the start node, logged and counted as an entry. */
export function newInstance(input: {
  id: number;
  compiled: CompiledJourney;
  profileId: number;
  trigger: TriggerRecord;
  entryKey: string | null;
  now: Date;
  sink: StepSink;
}): InstanceState {
  const { compiled, now, sink } = input;
  const start = compiled.journey.start;
  const instance: InstanceState = {
    id: input.id,
    workspaceId: compiled.workspaceId,
    journeyId: compiled.journeyId,
    versionId: compiled.versionId,
    profileId: input.profileId,
    status: "running",
    nodeId: start,
    dueAt: now,
    waitEvent: null,
    resumeEvent: null,
    trigger: input.trigger,
    vars: {},
    variant: null,
    entryKey: input.entryKey,
    enteredAt: now,
    finishedAt: null,
    exitReason: null,
    convertedAt: null,
    book: { visits: { [start]: 1 } },
    stepSeq: 0,
  };
  sink.record({
    instance,
    nodeId: start,
    kind: "entered",
    detail: { trigger: input.trigger.name, ...(input.entryKey ? { entryKey: input.entryKey } : {}) },
    at: now,
  });
  sink.count(compiled.versionId, JOURNEY_COUNTER_NODE, "entered");
  sink.count(compiled.versionId, start, "entered");
  return instance;
}

/** Whether a finished instance could still convert (goal window still open). */
export function mayStillConvert(compiled: CompiledJourney, instance: InstanceState, now: Date): boolean {
  const goal = compiled.journey.goal;
  if (!goal || instance.convertedAt) return false;
  return addDuration(instance.enteredAt, goal.within).getTime() >= now.getTime();
}

export interface InstanceEventEffect {
  converted: boolean;
  exited: boolean;
  /** the instance was waiting for this event and can step on */
  resumed: boolean;
}

/**
 * Applies one event to one of the customer's instances, in this order: goal conversion (also for
 * recently finished visits inside the goal window), exit_on, then resuming a wait_for_event.
 */
export function applyEventToInstance(
  compiled: CompiledJourney,
  instance: InstanceState,
  event: RuntimeEvent,
  customer: CustomerSnapshot,
  now: Date,
  sink: StepSink,
  history?: readonly EventRecord[],
): InstanceEventEffect {
  const effect: InstanceEventEffect = { converted: false, exited: false, resumed: false };
  if (event.name === null) return effect;
  const record = eventRecordOf(event);
  const journey = compiled.journey;
  const goal = journey.goal;
  if (
    goal &&
    mayStillConvert(compiled, instance, now) &&
    eventMatches(goal, record, customer, now, instance.trigger, instance, history)
  ) {
    instance.convertedAt = now;
    effect.converted = true;
    sink.record({
      instance,
      nodeId: instance.nodeId,
      kind: "converted",
      detail: { event: record.name },
      at: now,
    });
    sink.count(instance.versionId, instance.nodeId, "converted");
    sink.count(instance.versionId, JOURNEY_COUNTER_NODE, "converted");
    if (goal.exit !== false && isOpen(instance)) {
      finishInstance(instance, "exited", `goal reached: ${record.name}`, sink, now);
      effect.exited = true;
      return effect;
    }
  }
  if (!isOpen(instance)) return effect;
  for (const match of journey.exit_on) {
    if (eventMatches(match, record, customer, now, instance.trigger, instance, history)) {
      finishInstance(instance, "exited", `exit_on: ${record.name}`, sink, now);
      effect.exited = true;
      return effect;
    }
  }
  if (
    instance.status === "running" &&
    instance.book.pending === "event" &&
    instance.waitEvent === record.name
  ) {
    const node = compiled.byId.get(instance.nodeId);
    if (
      node?.type === "wait_for_event" &&
      !instance.resumeEvent &&
      eventMatches(node, record, customer, now, instance.trigger, instance, history)
    ) {
      instance.resumeEvent = record;
      instance.dueAt = now;
      effect.resumed = true;
    }
  }
  return effect;
}

/** Whether the version's instance rules need the customer's history to judge this event. */
export function eventNeedsHistory(compiled: CompiledJourney): boolean {
  return compiled.historyNeeds.size > 0;
}
