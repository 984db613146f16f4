import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { SendMention } from "./actions.ts";
import { findDatetimeProperty } from "./events.ts";
import type { ConditionFact, EventFact, SentenceFacts } from "./facts.ts";
import type { OfferMention } from "./offers.ts";
import { splitWeights } from "./offers.ts";
import type { Guard, PlanAction, PlanStep, StepTiming } from "./plan-types.ts";
import { combine, DEFAULT_AWAIT_MS, DEFAULT_REPEATS, rebase } from "./plan-types.ts";
import { clauseIndexAt } from "./text.ts";
import { actionWords, attachTime, conditionBinds } from "./time-attachment.ts";
import type { TimeExpression } from "./time-expressions.ts";

/**
 * One sentence → its steps: the actions it asks for (messages, hand-offs, profile updates, a split),
 * when each happens (the time expression of its clause, or of a clause that only says when), and
 * the guards that bind it (negated events, awaited events, conditions, exclusions).
 */

const DAY_MS = 24 * 60 * 60 * 1000;

interface Positioned {
  start: number;
  action: PlanAction;
}

function sendAction(send: SendMention, offer: OfferMention | undefined, facts: SentenceFacts): PlanAction {
  const index = clauseIndexAt(facts.clauses, send.start);
  const clauseActions = [...facts.sends, ...facts.handoffs, ...facts.updates]
    .map((mention) => mention.start)
    .filter((start) => clauseIndexAt(facts.clauses, start) === index);
  // The message's own words, not its neighbour's: they choose its copy (content.ts).
  const clause = actionWords(send.start, facts.text, facts.clauses[index]!, clauseActions);
  return {
    kind: "send",
    channel: send.channel,
    offer: offer?.offer,
    offerAssumed: offer?.assumed ?? false,
    purpose: facts.text
      .slice(clause.start, clause.end)
      .trim()
      .replace(/^(?:and then|and|then|plus|followed by|as well as)\s+/, ""),
  };
}

export const FALLBACK =
  /\b(?:fall(?:s|ing)? back to|instead|(?:if|when) (?:they|the customer|he|she)(?:'ve|'s| have| has)? (?:opted out|unsubscribed|turned off|disabled|blocked|declined)|(?:if (?:they|the customer|he|she)|(?:anyone|anybody|everyone|customers|people|users|those) who) (?:can't|cannot|haven't|have not|hasn't|has not|don't|do not|doesn't|does not|didn't|did not) (?:receive|get|consent|opt(?:ed)? in|agree|allow|accept|enabl|turn(?:ed)? on)\w*|(?:without|no) (?:sms |push |email |text )?consent|if (?:sms|push|email|texts?|that) (?:is|are)n't (?:allowed|possible))\b/;

/**
 * "Text them, or email them if they have no SMS consent" / "… fall back to email": the second
 * message is sent only when the first is denied (the send node's on_skip).
 */
function fallbackPair(facts: SentenceFacts): { primary: SendMention; secondary: SendMention } | null {
  if (facts.sends.length !== 2 || facts.split) return null;
  const cue = FALLBACK.exec(facts.text);
  if (!cue) return null;
  const [first, second] = facts.sends as [SendMention, SendMention];
  if (first.channel === second.channel) return null;
  // "email them instead": the message before "instead" is the fallback.
  if (cue[0] === "instead" && cue.index > first.end && cue.index < second.start)
    return { primary: second, secondary: first };
  return { primary: first, secondary: second };
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
    const shares = facts.split.shares ?? [];
    const within = <T extends { start: number }>(
      list: readonly T[],
      share: { start: number; spanEnd: number },
    ) => list.filter((entry) => entry.start >= share.start && entry.start < share.spanEnd);
    // "40% get 10% off by email, another 40% get 15% off": each share gets what its own words say;
    // a share naming no channel keeps the one said before it.
    for (const share of shares) {
      const send =
        within(facts.sends, share)[0] ??
        facts.sends.filter((entry) => entry.start < share.start).at(-1) ??
        facts.sends[0];
      const sharedOffer = facts.offers.every((offer) =>
        shares.every((other) => within([offer], other).length === 0),
      );
      const offer = within(facts.offers, share)[0] ?? (sharedOffer ? facts.offers[0] : undefined);
      if (send) variantActions.push(sendAction(send, offer, facts));
    }
    for (let index = 0; shares.length === 0 && index < count; index++) {
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
    // A hold-back said on its own ("keep 5% as a holdout") is placed by the plan around a message
    // of another sentence; only a test with variants and no channel goes undrafted.
    if (facts.sends.length > 0 || facts.split.variants > 1)
      notes.push("The goal asks for a test but names no channel for its variants; no split was drafted.");
  }
  const actions: Positioned[] = [];
  const fallback = fallbackPair(facts);
  for (const send of facts.sends) {
    if (fallback && send === fallback.secondary) continue;
    const action = sendAction(send, offersFor.get(send), facts);
    if (fallback && send === fallback.primary && action.kind === "send") {
      action.fallback = sendAction(fallback.secondary, offersFor.get(fallback.secondary), facts);
    }
    actions.push({ start: send.start, action });
  }
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

export interface TimingContext {
  catalog: WorkspaceCatalog;
  entryEvent: string | null;
  dateEvent: { event: string; property: string } | null;
  notes: string[];
  /** what the last anchored delay was measured from, for a later bare "3 days after" */
  lastAnchor?: "entry" | { channel: string } | undefined;
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
      // "on the day they sign up" names no date property: it is simply that day.
      if (!datetime && time.ms === 0) return { base: { kind: "now" }, phrase };
      if (!datetime) {
        context.notes.push(`"${phrase}" names no date I could find; the step runs without waiting.`);
        return { base: { kind: "now" }, phrase };
      }
      if (context.entryEvent !== null && datetime.event !== context.entryEvent) {
        context.notes.push(
          `"${datetime.phrase}" is a date of ${datetime.event}, which does not start this journey; the step runs without waiting for it.`,
        );
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
    case "repeat":
      return {
        base: { kind: "after", ms: time.ms, months: time.months, anchor: "previous" },
        phrase,
        repeat: time.times ?? DEFAULT_REPEATS,
      };
    case "delay": {
      const { anchor } = time;
      if (anchor.kind === "entry")
        return { base: { kind: "after", ms: time.ms, months: time.months, anchor: "entry" }, phrase };
      if (anchor.kind === "previous") {
        const carried = time.elliptical ? context.lastAnchor : undefined;
        return {
          base: { kind: "after", ms: time.ms, months: time.months, anchor: carried ?? "previous" },
          phrase,
        };
      }
      if (anchor.kind === "channel") {
        context.lastAnchor = { channel: anchor.channel };
        return {
          base: { kind: "after", ms: time.ms, months: time.months, anchor: { channel: anchor.channel } },
          phrase,
        };
      }
      const named = mentionAt(facts, anchor.offset);
      if (named && (named.mention.event === context.entryEvent || named.since)) {
        context.lastAnchor = "entry";
        return { base: { kind: "after", ms: time.ms, months: time.months, anchor: "entry" }, phrase };
      }
      if (named)
        return { base: { kind: "after", ms: time.ms, months: time.months, anchor: "previous" }, phrase };
      const datetime = findDatetimeProperty(facts.text.slice(anchor.offset), context.catalog);
      if (datetime && (context.entryEvent === null || datetime.event === context.entryEvent)) {
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

/** The deadline a sentence without actions states ("if they order within 7 days, do nothing"). */
export function deadlineOf(facts: SentenceFacts, context: TimingContext): StepTiming | null {
  const time = facts.times.find((entry) => entry.kind === "within" || entry.kind === "delay");
  return time ? toTiming(time, facts, true, context) : null;
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
  const clause = clauseOf(position);
  const attachment = attachTime(
    position,
    facts.text,
    facts.clauses[clause]!,
    actionPositions.filter((other) => clauseOf(other) === clause),
    times.filter((time) => clauseOf(time.start) === clause),
  );
  const loose = times.filter((time) => !actionClauses.has(clauseOf(time.start)));
  const preceding = loose.filter((time) => time.start < position).sort((a, b) => b.start - a.start);
  // An action that is "now" beside a later one of its clause takes no time said after it.
  // "thank them by email and, a week later, ask for feedback": a time set off by commas right after
  // "and"/"then" opens the next verb phrase, so it leads into the action after it, not this one.
  const opensNextPhrase = (time: TimeExpression) =>
    actionPositions.some((other) => other > time.start) &&
    !actionPositions.some((other) => other > position && other < time.start) &&
    /\b(?:and|then|plus)$/.test(facts.text.slice(position, time.start).replace(/[\s,]+$/, ""));
  const following =
    attachment.kind === "now"
      ? []
      : loose
          .filter((time) => time.start > position && !opensNextPhrase(time))
          .sort((a, b) => a.start - b.start);
  // The times said for this action's own verb phrase, those right after it first ("an email on
  // day 1 and a push on day 3"); see time-attachment.ts.
  const next = Math.min(...actionPositions.filter((other) => other > position), Number.POSITIVE_INFINITY);
  const nearest = attachment.kind === "own" ? attachment.times : [];
  const after = nearest.filter((time) => time.start > position && time.start < next);
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
  // A clock time of the action's own words, or — when it has none — one said for the whole clause.
  const clock = (after.length > 0 ? after : ordered).find(
    (time) => time.kind === "time_of_day" && time !== main,
  );
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
export function buildSteps(
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
    !conditional ||
    clauseOf(guardStart) <= clauseOf(actionStart) ||
    !positions.some((position) => clauseOf(position) >= clauseOf(guardStart));
  const conditionalCondition = (fact: ConditionFact) => {
    const clause = facts.clauses[clauseOf(fact.start)]!;
    return /\b(?:if|when|once|whenever)\b/.test(facts.text.slice(clause.start, fact.start));
  };
  // An if-condition inside a clause of several verb phrases is about its own one (time-attachment.ts).
  const ownVerbPhrase = (fact: ConditionFact, actionStart: number) => {
    const clause = clauseOf(fact.start);
    if (!conditionalCondition(fact) || clauseOf(actionStart) !== clause) return true;
    const clauseActions = positions.filter((position) => clauseOf(position) === clause);
    return conditionBinds(fact.start, actionStart, facts.text, facts.clauses[clause]!, clauseActions);
  };
  const steps: PlanStep[] = [];
  for (const { start, action } of actions) {
    const notPerformed = guards.notPerformed.filter((fact) =>
      binds(fact.mention.start, fact.conditional, start),
    );
    const awaited = guards.awaits.filter((fact) => binds(fact.mention.start, fact.conditional, start));
    // "… except customers with more than 2 open tickets, who go straight to a supervisor": the
    // excepted customers are the ones the relative clause's action is for.
    const excepted = guards.suppressions.filter(
      (fact) =>
        start > fact.end &&
        /^[^.;]*?(?:,|\s-)\s*(?:who|they|those|these)\b/.test(facts.text.slice(fact.end, start)),
    );
    const conditions = [
      ...guards.conditions.filter(
        (fact) => binds(fact.start, conditionalCondition(fact), start) && ownVerbPhrase(fact, start),
      ),
      ...excepted,
    ];
    const suppressions = guards.suppressions.filter(
      (fact) => !excepted.includes(fact) && binds(fact.start, conditionalCondition(fact), start),
    );
    let timing = timingFor(start, facts, positions, guardEvents, context);
    // "if it's still not submitted after a fortnight": a total since the start, when the guard says
    // "still" and the time is a bare "after …" (not "… later", not "after the SMS").
    if (
      notPerformed.length > 0 &&
      /\bstill\b/.test(facts.text) &&
      timing.base.kind === "after" &&
      timing.base.anchor === "previous" &&
      /^after\b/.test(timing.phrase ?? "")
    ) {
      timing = { ...timing, base: { ...timing.base, anchor: "total" } };
    }
    const awaits: PlanStep["awaits"] = awaited.map((fact) => ({
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
      for (const entry of awaits) {
        entry.timeoutMs = timing.base.ms;
        entry.windowed = true;
      }
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
    // "every day until they pay": the same step again after each interval, with the same guards.
    // "one group gets a daily tips email for 3 days, the other gets nothing": the split is made once;
    // the holdout has left at the first round, so the later rounds are the variant's own action.
    for (let round = 1; round < (step.timing.repeat ?? 1); round++) {
      steps.push({
        ...step,
        actions: step.actions.map((entry) =>
          entry.kind === "split" && entry.variants.length === 1 && entry.variants[0]
            ? entry.variants[0].action
            : entry,
        ),
        timing: { ...step.timing, phrase: `${step.timing.phrase} (${round + 1} of ${step.timing.repeat})` },
      });
    }
  }
  return steps;
}
