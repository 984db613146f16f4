import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { Condition } from "../../journeys/format/condition.ts";
import type { EventMatch, MessageChannel, Offer } from "../../journeys/format/schema.ts";
import type { HandoffMention, OfferMention, SendMention } from "./actions.ts";
import { splitWeights } from "./actions.ts";
import type { AnalysisContext, ConditionFact, EventFact, SentenceFacts } from "./analyse.ts";
import { analyseSentence } from "./analyse.ts";
import type { EventIndex } from "./events.ts";
import { buildEventIndex, findDatetimeProperty } from "./events.ts";
import { clauseIndexAt, normaliseGoal, splitSentences } from "./text.ts";
import type { TimeExpression } from "./time-expressions.ts";
import { humanDuration } from "./time-expressions.ts";

/**
 * From sentence facts to a plan: which event starts the journey, which customers take which path
 * (segments), and the ordered steps of each path with their timing and guards. The plan is still
 * free of node ids; assemble.ts turns it into the journey graph.
 *
 * How facts relate (documented in docs/offline-planner.md):
 *   - the first event mentioned without a negation is the trigger; a date property named with
 *     "… before <date>" makes the event that carries that date the trigger; a trait comparison with
 *     no event ("churn risk rises above 0.7") makes a trait_changed trigger;
 *   - a negated event ("hasn't ordered", "without adding", "unless they returned") guards the
 *     steps of its sentence: if it happened since entry, the journey ends there;
 *   - another event with a pronoun subject ("if they rate us 2 or lower") is awaited before the
 *     steps of its sentence; with an indefinite subject or "at any point" it is a second entry
 *     into the same journey (trigger.also);
 *   - conditions in the trigger sentence select who the journey is for; a later sentence with its
 *     own conditions and "people who …", or "everyone else", starts another path.
 */

export type Timing =
  | { kind: "now" }
  | { kind: "after"; ms: number; months: number; anchor: "previous" | "entry" | { channel: string } }
  | { kind: "until"; field: string; offsetMs: number; months: number; phrase: string };

export interface StepTiming {
  base: Timing;
  atTime?: { time: string; dayOffset: number } | undefined;
  phrase?: string | undefined;
}

export type PlanAction =
  | {
      kind: "send";
      channel: MessageChannel;
      offer?: Offer | undefined;
      offerAssumed: boolean;
      purpose: string;
    }
  | {
      kind: "handoff";
      queue: string;
      priority: HandoffMention["priority"];
      task: string | null;
      role: string;
      purpose: string;
    }
  | { kind: "update"; set: Record<string, string>; phrase: string }
  | {
      kind: "split";
      variants: Array<{ name: string; weight: number; action: PlanAction }>;
      holdout: number;
    };

export interface Guard {
  condition: Condition;
  label: string;
}

export interface PlanStep {
  actions: PlanAction[];
  timing: StepTiming;
  notPerformed: Array<{ event: string; where?: Condition | undefined; label: string }>;
  awaits: Array<{ event: string; condition?: Condition | undefined; timeoutMs: number; label: string }>;
  /** node-scope conditions that must hold (fields use trigger.* and traits.*) */
  conditions: Guard[];
  /** node-scope conditions that must not hold */
  suppressions: Guard[];
  sentence: string;
}

export interface PlanSegment {
  label: string;
  conditions: ConditionFact[];
  steps: PlanStep[];
  otherwise: boolean;
}

export interface PlanEntry {
  event: string;
  condition?: Condition | undefined;
  /** its own steps, or null when it shares the main path ("starts checkout or adds to cart") */
  steps: PlanStep[] | null;
  phrase: string;
}

export interface Resolved {
  phrase: string;
  kind:
    | "event"
    | "trait"
    | "property"
    | "channel"
    | "handoff"
    | "offer"
    | "time"
    | "date"
    | "condition"
    | "split";
  value: string;
}

export type PlanTrigger =
  | { type: "event"; event: string; phrase: string; ties: string[] }
  | { type: "trait_changed"; trait: string; condition: Condition; phrase: string }
  | { type: "date"; event: string; property: string; phrase: string }
  | { type: "schedule"; cron: string; phrase: string };

export interface Plan {
  trigger: PlanTrigger | null;
  segments: PlanSegment[];
  also: PlanEntry[];
  exitOn: EventMatch[];
  reentry: "never" | "after_exit" | "always";
  resolved: Resolved[];
  notes: string[];
  /** words that asked for a message without naming a channel */
  channelless: string[];
  sentences: string[];
}

/** Default time to wait for an awaited answer ("if they rate us 2 or lower") when the goal gives none. */
export const DEFAULT_AWAIT_MS = 7 * 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Rewrites event.* fields to trigger.* (node scope reads the triggering event as trigger.*). */
export function rebase(condition: Condition, namespace: "trigger" | "event"): Condition {
  if ("all" in condition) return { all: condition.all.map((child) => rebase(child, namespace)) };
  if ("any" in condition) return { any: condition.any.map((child) => rebase(child, namespace)) };
  if ("not" in condition) return { not: rebase(condition.not, namespace) };
  if ("field" in condition) {
    const field = condition.field.replace(/^(?:event|trigger)\./, `${namespace}.`);
    return { ...condition, field };
  }
  return condition;
}

export function combine(conditions: readonly Condition[]): Condition | undefined {
  if (conditions.length === 0) return undefined;
  if (conditions.length === 1) return conditions[0];
  return { all: [...conditions] };
}

interface Positioned {
  start: number;
  action: PlanAction;
}

function sendAction(send: SendMention, offer: OfferMention | undefined, facts: SentenceFacts): PlanAction {
  const clause = facts.clauses[clauseIndexAt(facts.clauses, send.start)]!;
  return {
    kind: "send",
    channel: send.channel,
    offer: offer?.offer,
    offerAssumed: offer?.assumed ?? false,
    purpose: facts.text.slice(clause.start, clause.end).trim(),
  };
}

function sentenceActions(facts: SentenceFacts, notes: string[]): Positioned[] {
  const offersFor = new Map<SendMention, OfferMention>();
  for (const offer of facts.offers) {
    const nearest = [...facts.sends].sort(
      (a, b) => Math.abs(a.end - offer.start) - Math.abs(b.end - offer.start),
    )[0];
    if (nearest && !offersFor.has(nearest)) offersFor.set(nearest, offer);
  }
  if (facts.split) {
    const weights = splitWeights(facts.split);
    const channels = [...new Set(facts.sends.map((send) => send.channel))];
    const count = weights.length;
    const variantActions: PlanAction[] = [];
    for (let index = 0; index < count; index++) {
      const send =
        channels.length >= 2
          ? facts.sends.find((s) => s.channel === channels[index % channels.length])
          : facts.sends[0];
      const offer = facts.offers.length >= 2 ? facts.offers[index % facts.offers.length] : facts.offers[0];
      if (!send) continue;
      variantActions.push(sendAction(send, offer, facts));
    }
    if (variantActions.length === count) {
      return [
        {
          start: facts.split.start,
          action: {
            kind: "split",
            holdout: facts.split.holdout,
            variants: variantActions.map((action, index) => ({
              name: String.fromCharCode(65 + index),
              weight: weights[index]!,
              action,
            })),
          },
        },
      ];
    }
    notes.push("The goal asks for a test but names no channel for its variants; no split was drafted.");
  }
  const actions: Positioned[] = [];
  for (const send of facts.sends)
    actions.push({ start: send.start, action: sendAction(send, offersFor.get(send), facts) });
  for (const update of facts.updates) {
    actions.push({
      start: update.start,
      action: { kind: "update", set: { [update.trait]: update.value }, phrase: update.text },
    });
  }
  for (const handoff of facts.handoffs) {
    const clause = facts.clauses[clauseIndexAt(facts.clauses, handoff.start)]!;
    actions.push({
      start: handoff.start,
      action: {
        kind: "handoff",
        queue: handoff.queue,
        priority: handoff.priority,
        task: handoff.task,
        role: handoff.role,
        purpose: facts.text.slice(clause.start, clause.end).trim(),
      },
    });
  }
  return actions.sort((a, b) => a.start - b.start);
}

function mentionAt(facts: SentenceFacts, offset: number): EventFact | undefined {
  return facts.events.find((fact) => fact.mention.start >= offset && fact.mention.start - offset < 45);
}

interface TimingContext {
  catalog: WorkspaceCatalog;
  entryEvent: string | null;
  dateEvent: { event: string; property: string } | null;
  notes: string[];
}

function toTiming(
  time: TimeExpression,
  facts: SentenceFacts,
  deadline: boolean,
  context: TimingContext,
): StepTiming {
  const phrase = time.text.trim();
  switch (time.kind) {
    case "immediate":
      return { base: { kind: "now" }, phrase };
    case "time_of_day":
      return { base: { kind: "now" }, atTime: { time: time.time, dayOffset: time.dayOffset }, phrase };
    case "before": {
      const datetime = facts.datetimes.find((entry) => entry.time === time);
      if (!datetime) {
        context.notes.push(`"${phrase}" names no date I could find; the step runs without waiting.`);
        return { base: { kind: "now" }, phrase };
      }
      return {
        base: {
          kind: "until",
          field: `trigger.properties.${datetime.property}`,
          offsetMs: -time.ms,
          months: -time.months,
          phrase: datetime.phrase,
        },
        phrase,
      };
    }
    case "within":
      if (!deadline) return { base: { kind: "now" }, phrase };
      return toTiming({ ...time, kind: "delay" }, facts, false, context);
    case "delay": {
      const { anchor } = time;
      if (anchor.kind === "previous")
        return { base: { kind: "after", ms: time.ms, months: time.months, anchor: "previous" }, phrase };
      if (anchor.kind === "channel") {
        return {
          base: { kind: "after", ms: time.ms, months: time.months, anchor: { channel: anchor.channel } },
          phrase,
        };
      }
      const named = mentionAt(facts, anchor.offset);
      if (named && (named.mention.event === context.entryEvent || named.since)) {
        return { base: { kind: "after", ms: time.ms, months: time.months, anchor: "entry" }, phrase };
      }
      if (named)
        return { base: { kind: "after", ms: time.ms, months: time.months, anchor: "previous" }, phrase };
      const datetime = findDatetimeProperty(facts.text.slice(anchor.offset), context.catalog);
      if (datetime) {
        return {
          base: {
            kind: "until",
            field: `trigger.properties.${datetime.property}`,
            offsetMs: time.ms,
            months: time.months,
            phrase: facts.text.slice(anchor.offset).split(",")[0]!.trim(),
          },
          phrase,
        };
      }
      // "2 days after signing up" when the journey starts with that: measured from entry.
      return { base: { kind: "after", ms: time.ms, months: time.months, anchor: "entry" }, phrase };
    }
  }
}

/** Picks the time expression that governs an action at `position`. */
function timingFor(
  position: number,
  facts: SentenceFacts,
  actionPositions: readonly number[],
  guardEvents: readonly EventFact[],
  context: TimingContext,
): StepTiming {
  const clauseOf = (offset: number) => clauseIndexAt(facts.clauses, offset);
  const actionClauses = new Set(actionPositions.map(clauseOf));
  const times = facts.times;
  const own = times.filter((time) => clauseOf(time.start) === clauseOf(position));
  const loose = times.filter((time) => !actionClauses.has(clauseOf(time.start)));
  const preceding = loose.filter((time) => time.start < position).sort((a, b) => b.start - a.start);
  const following = loose.filter((time) => time.start > position).sort((a, b) => a.start - b.start);
  const nearest = [...own].sort((a, b) => Math.abs(a.start - position) - Math.abs(b.start - position));
  // The action's own clause first, then a clause that only says when ("2 days later, …"); a delay and
  // a clock time may come from different clauses ("the day after they cancel, email them at 9am").
  const ordered = [...nearest, ...preceding, ...following];
  const isClock = (time: TimeExpression) => time.kind === "time_of_day";
  const main =
    nearest.find((time) => !isClock(time)) ??
    preceding.find((time) => !isClock(time)) ??
    following.find((time) => !isClock(time)) ??
    ordered[0];
  if (!main) return { base: { kind: "now" } };
  const deadline =
    main.kind === "within" &&
    (main.anchor.kind === "mention" ||
      guardEvents.some((fact) => clauseOf(fact.mention.start) === clauseOf(main.start)));
  const timing = toTiming(main, facts, deadline, context);
  const clock = ordered.find((time) => time.kind === "time_of_day" && time !== main);
  if (clock && clock.kind === "time_of_day") {
    timing.atTime = { time: clock.time, dayOffset: clock.dayOffset };
    // "the next day at 9am", "2 days later at 18:00": the clock time on that day, not a day after it.
    if (
      timing.base.kind === "after" &&
      timing.base.months === 0 &&
      timing.base.ms >= DAY_MS &&
      timing.base.ms % DAY_MS === 0
    ) {
      timing.base = { ...timing.base, ms: timing.base.ms - DAY_MS };
      timing.atTime.dayOffset = 1;
    }
  }
  return timing;
}

function propertyGuard(fact: ConditionFact): Guard {
  return { condition: rebase(fact.condition, "trigger"), label: fact.label };
}

/** Turns one sentence into steps that share its guards. */
function buildSteps(
  facts: SentenceFacts,
  guards: {
    notPerformed: EventFact[];
    awaits: EventFact[];
    conditions: ConditionFact[];
    suppressions: ConditionFact[];
  },
  context: TimingContext,
  notes: string[],
): PlanStep[] {
  const actions = sentenceActions(facts, notes);
  const positions = actions.map((entry) => entry.start);
  const guardEvents = [...guards.notPerformed, ...guards.awaits];
  const clauseOf = (offset: number) => clauseIndexAt(facts.clauses, offset);
  // A guard introduced by if/when binds the actions after it ("email them now, and if they still
  // haven't uploaded after 2 days, text them"); "unless"/"without" bind the whole sentence.
  const binds = (guardStart: number, conditional: boolean, actionStart: number) =>
    !conditional || clauseOf(guardStart) <= clauseOf(actionStart);
  const conditionalCondition = (fact: ConditionFact) => {
    const clause = facts.clauses[clauseOf(fact.start)]!;
    return /\b(?:if|when|once|whenever)\b/.test(facts.text.slice(clause.start, fact.start));
  };
  const steps: PlanStep[] = [];
  for (const { start, action } of actions) {
    const notPerformed = guards.notPerformed.filter((fact) =>
      binds(fact.mention.start, fact.conditional, start),
    );
    const awaited = guards.awaits.filter((fact) => binds(fact.mention.start, fact.conditional, start));
    const conditions = guards.conditions.filter((fact) =>
      binds(fact.start, conditionalCondition(fact), start),
    );
    const suppressions = guards.suppressions.filter((fact) =>
      binds(fact.start, conditionalCondition(fact), start),
    );
    let timing = timingFor(start, facts, positions, guardEvents, context);
    const awaits = awaited.map((fact) => ({
      event: fact.mention.event,
      condition: combine(fact.conditions.map((c) => c.condition)),
      timeoutMs: DEFAULT_AWAIT_MS,
      label: fact.mention.text,
    }));
    // "If they reply within 2 days": the deadline is the await's timeout, the action follows the reply.
    if (
      awaits.length > 0 &&
      notPerformed.length === 0 &&
      timing.base.kind === "after" &&
      facts.times.some((t) => t.kind === "within")
    ) {
      for (const entry of awaits) entry.timeoutMs = timing.base.ms;
      timing = { base: { kind: "now" }, phrase: timing.phrase };
    }
    const step: PlanStep = {
      actions: [action],
      timing,
      notPerformed: notPerformed.map((fact) => ({
        event: fact.mention.event,
        where: combine(fact.conditions.map((c) => c.condition)),
        label: fact.mention.text,
      })),
      awaits,
      conditions: conditions.map(propertyGuard),
      suppressions: suppressions.map(propertyGuard),
      sentence: facts.text,
    };
    const previous = steps[steps.length - 1];
    const sameGuards = (a: PlanStep, b: PlanStep) =>
      JSON.stringify([a.notPerformed, a.awaits, a.conditions, a.suppressions]) ===
      JSON.stringify([b.notPerformed, b.awaits, b.conditions, b.suppressions]);
    // Actions of one sentence at the same moment are one step ("a task for support and an email, right away").
    if (
      previous &&
      sameGuards(previous, step) &&
      ((step.timing.base.kind === "now" && !step.timing.atTime) ||
        JSON.stringify(previous.timing) === JSON.stringify(step.timing))
    ) {
      previous.actions.push(action);
      continue;
    }
    steps.push(step);
  }
  return steps;
}

function chooseTrigger(facts: SentenceFacts): EventFact | undefined {
  const positive = facts.events.filter((fact) => !fact.negated && !fact.since && !fact.endsJourney);
  return positive[0];
}

const SCHEDULE =
  /\bevery (day|morning|evening|week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b(daily|weekly|monthly)\b|\bon the (?:1st|first) of (?:each|every) month\b/;
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

function scheduleTrigger(facts: SentenceFacts): PlanTrigger | null {
  const match = SCHEDULE.exec(facts.text);
  if (!match) return null;
  const clock = facts.times.find((time) => time.kind === "time_of_day");
  const [hour, minute] =
    clock && clock.kind === "time_of_day"
      ? clock.time.split(":").map(Number)
      : [match[1] === "evening" ? 18 : 9, 0];
  // The clock time is the schedule's, not a wait inside the journey.
  if (clock) facts.times = facts.times.filter((time) => time !== clock);
  const word = match[1] ?? match[2] ?? "month";
  let cron = `${minute} ${hour} * * *`;
  if (word === "week" || word === "weekly") cron = `${minute} ${hour} * * 1`;
  else if (word === "month" || word === "monthly" || /first|1st/.test(match[0]))
    cron = `${minute} ${hour} 1 * *`;
  else if (WEEKDAYS.includes(word)) cron = `${minute} ${hour} * * ${WEEKDAYS.indexOf(word)}`;
  return { type: "schedule", cron, phrase: match[0] };
}

const CHANNELLESS =
  /\b(?:send (?:them|him|her|the customer|customers)? ?(?:a |an )?(?:message|note|reminder|nudge|notification)|message them|remind them|notify them|contact them|reach out to them|nudge them|ping them)\b/;

export function buildPlan(
  goal: string,
  catalog: WorkspaceCatalog,
  index: EventIndex = buildEventIndex(catalog),
): Plan {
  const sentences = splitSentences(normaliseGoal(goal));
  const context: AnalysisContext = { catalog, index, mentioned: [], triggerEvent: null, lastDatetime: null };
  const all: SentenceFacts[] = [];
  const resolved: Resolved[] = [];
  const notes: string[] = [];
  let trigger: PlanTrigger | null = null;
  let triggerSentence = -1;
  for (const [position, sentence] of sentences.entries()) {
    const facts = analyseSentence(sentence, position, context);
    all.push(facts);
    notes.push(...facts.notes);
    if (!trigger) {
      const chosen = chooseTrigger(facts);
      if (chosen) {
        trigger = {
          type: "event",
          event: chosen.mention.event,
          phrase: chosen.mention.text,
          ties: chosen.mention.ties,
        };
        context.triggerEvent = chosen.mention.event;
        triggerSentence = position;
      } else if (facts.datetimes[0]) {
        const date = facts.datetimes[0];
        trigger = { type: "date", event: date.event, property: date.property, phrase: date.phrase };
        context.triggerEvent = date.event;
        triggerSentence = position;
      }
    }
    for (const fact of facts.events)
      if (!context.mentioned.includes(fact.mention.event)) context.mentioned.push(fact.mention.event);
  }
  if (!trigger && all[0]) {
    const change = all
      .flatMap((facts) => facts.conditions)
      .find(
        (fact) =>
          fact.kind === "trait" &&
          !fact.negated &&
          (fact.change || /^(?:when|if|once|as soon as)\b/.test(all[0]!.text)),
      );
    if (change?.trait) {
      trigger = {
        type: "trait_changed",
        trait: change.trait,
        condition: change.condition,
        phrase: change.label,
      };
      triggerSentence = all.findIndex((facts) => facts.conditions.includes(change));
      change.change = true;
    } else {
      const schedule = scheduleTrigger(all[0]);
      if (schedule) {
        trigger = schedule;
        triggerSentence = 0;
      }
    }
  }
  const entryEvent = trigger?.type === "event" || trigger?.type === "date" ? trigger.event : null;
  const timingContext: TimingContext = { catalog, entryEvent, dateEvent: null, notes };

  const base: PlanSegment = { label: "everyone", conditions: [], steps: [], otherwise: false };
  const segments: PlanSegment[] = [base];
  let current = base;
  const also: PlanEntry[] = [];
  const exitOn: EventMatch[] = [];
  const channelless: string[] = [];

  for (const facts of all) {
    const isTriggerSentence = facts.index === triggerSentence;
    const positive = facts.events.filter((fact) => !fact.negated && !fact.since && !fact.endsJourney);
    const triggerFacts = positive.filter((fact) => fact.mention.event === entryEvent);
    const others = positive.filter((fact) => fact.mention.event !== entryEvent);
    const negated = facts.events.filter((fact) => fact.negated && fact.mention.event !== entryEvent);
    const hasActions = facts.sends.length + facts.handoffs.length + facts.updates.length > 0;
    if (!hasActions && facts.offers.length === 0) {
      const plain = CHANNELLESS.exec(facts.text);
      if (plain) channelless.push(plain[0]);
    }

    for (const fact of facts.events) {
      resolved.push({ phrase: fact.mention.text, kind: "event", value: fact.mention.event });
    }

    // "… and stop as soon as they place an order": events that end the journey wherever it is.
    for (const fact of facts.events.filter((entry) => entry.endsJourney && !entry.negated)) {
      exitOn.push({
        event: fact.mention.event,
        ...(fact.conditions.length ? { condition: combine(fact.conditions.map((c) => c.condition))! } : {}),
      });
    }
    if (facts.markers.stop && !hasActions) {
      for (const fact of [...others, ...triggerFacts.filter(() => !isTriggerSentence)]) {
        exitOn.push({
          event: fact.mention.event,
          ...(fact.conditions.length ? { condition: combine(fact.conditions.map((c) => c.condition))! } : {}),
        });
      }
      continue;
    }

    // A second way into the journey, running beside the first ("if a document upload fails at any point").
    const parallel =
      !isTriggerSentence && trigger?.type === "event"
        ? others.find((fact) => fact.conditional && (facts.markers.parallel || !fact.pronounSubject))
        : undefined;
    // "When a customer starts checkout or adds a product to the cart": alternative entries, one path.
    if (isTriggerSentence && trigger?.type === "event") {
      const main = triggerFacts[0];
      for (const fact of others) {
        if (
          main &&
          /^\W*(?:or|or when|or if|or whenever)\W+(?:\w+\W+){0,3}$/.test(
            facts.text.slice(main.mention.end, fact.mention.start).replace(/_+/g, " "),
          )
        ) {
          also.push({
            event: fact.mention.event,
            condition: combine(fact.conditions.map((c) => c.condition)),
            steps: null,
            phrase: fact.mention.text,
          });
        }
      }
    }
    const alternatives = new Set(also.filter((entry) => entry.steps === null).map((entry) => entry.event));

    const conditionFacts = [...facts.conditions, ...triggerFacts.flatMap((fact) => fact.conditions)].filter(
      (fact) => !(trigger?.type === "trait_changed" && fact.change && fact.trait === trigger.trait),
    );
    const positiveConditions = conditionFacts.filter((fact) => !fact.negated);
    const suppressions = conditionFacts.filter((fact) => fact.negated);
    let stepConditions: ConditionFact[] = [];
    if (parallel) {
      stepConditions = positiveConditions;
    } else if (isTriggerSentence) {
      base.conditions.push(...positiveConditions);
    } else if (facts.markers.otherwise) {
      current = { label: "everyone else", conditions: [], steps: [], otherwise: true };
      segments.push(current);
      stepConditions = positiveConditions;
    } else if (
      positiveConditions.length > 0 &&
      (facts.markers.who || triggerFacts.length > 0) &&
      !facts.markers.also &&
      base.conditions.length > 0
    ) {
      current = {
        label: positiveConditions.map((fact) => fact.label).join(" and "),
        conditions: positiveConditions,
        steps: [],
        otherwise: false,
      };
      segments.push(current);
    } else if (positiveConditions.length > 0 && !hasActions) {
      current.conditions.push(...positiveConditions);
    } else {
      stepConditions = positiveConditions;
    }
    for (const fact of conditionFacts)
      resolved.push({
        phrase: facts.text.slice(fact.start, fact.end) || fact.label,
        kind: "condition",
        value: fact.label,
      });

    const awaits = others.filter(
      (fact) =>
        fact !== parallel &&
        !alternatives.has(fact.mention.event) &&
        !(parallel && fact.mention.event === parallel.mention.event),
    );
    const steps = buildSteps(
      facts,
      { notPerformed: negated, awaits: parallel ? [] : awaits, conditions: stepConditions, suppressions },
      timingContext,
      notes,
    );
    if (parallel) {
      also.push({
        event: parallel.mention.event,
        condition: combine(parallel.conditions.map((c) => c.condition)),
        steps,
        phrase: parallel.mention.text,
      });
      continue;
    }
    if (steps.length === 0 && facts.offers.length > 0) {
      // "Include 10% off.": the offer belongs to the last message drafted so far.
      const last = [...current.steps]
        .reverse()
        .flatMap((step) => step.actions)
        .find((action) => action.kind === "send");
      if (last && last.kind === "send" && !last.offer) last.offer = facts.offers[0]!.offer;
    }
    current.steps.push(...steps);
  }

  for (const facts of all) {
    for (const send of facts.sends)
      resolved.push({ phrase: send.text, kind: "channel", value: send.channel });
    for (const handoff of facts.handoffs)
      resolved.push({
        phrase: handoff.text,
        kind: "handoff",
        value: `${handoff.queue} (${handoff.priority})`,
      });
    for (const offer of facts.offers)
      resolved.push({ phrase: offer.text, kind: "offer", value: JSON.stringify(offer.offer) });
    for (const time of facts.times)
      resolved.push({ phrase: time.text.trim(), kind: "time", value: describeTime(time) });
    for (const date of facts.datetimes)
      resolved.push({ phrase: date.phrase, kind: "date", value: `${date.event}.${date.property}` });
    if (facts.split)
      resolved.push({
        phrase: facts.text.slice(facts.split.start, facts.split.end),
        kind: "split",
        value: `${facts.split.variants} variants, ${facts.split.holdout}% holdout`,
      });
  }

  const reentry = also.some((entry) => entry.steps !== null)
    ? "always"
    : /\b(?:only once|once per customer|first time only|never again|the first time|for the first time)\b/.test(
          sentences.join(" "),
        )
      ? "never"
      : "after_exit";
  return { trigger, segments, also, exitOn, reentry, resolved, notes, channelless, sentences };
}

function describeTime(time: TimeExpression): string {
  switch (time.kind) {
    case "immediate":
      return "immediately";
    case "time_of_day":
      return `at ${time.time} local time`;
    case "before":
      return `${humanDuration(time.ms, time.months)} before a date`;
    case "within":
      return `within ${humanDuration(time.ms, time.months)}`;
    case "delay":
      return `${humanDuration(time.ms, time.months)} after ${time.anchor.kind === "previous" ? "the previous step" : time.anchor.kind === "channel" ? `the ${time.anchor.channel} message` : "the named event"}`;
  }
}
