import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { EventMatch } from "../../journeys/format/schema.ts";
import { analyseSentence } from "./analyse.ts";
import type { EventIndex } from "./events.ts";
import { buildEventIndex, settlingEvents } from "./events.ts";
import { splitExceptions } from "./exceptions.ts";
import type { AnalysisContext, ConditionFact, EventFact, SentenceFacts, UnplacedClause } from "./facts.ts";
import type { SplitMention } from "./offers.ts";
import {
  CHANNELLESS,
  checkedLater,
  chooseTrigger,
  DENIAL,
  DO_NOTHING,
  ELSE,
  EXCLUSION,
  historyCondition,
  holdBack,
  REST_OF_SPLIT,
  resolvedMentions,
  scheduleTrigger,
  UNIVERSAL,
  WINDOW_KEPT,
  WINDOW_MISSED,
  withOffer,
} from "./plan-rules.ts";
import type {
  Plan,
  PlanEntry,
  PlanSegment,
  PlanStep,
  PlanTrigger,
  Resolved,
  StepTiming,
} from "./plan-types.ts";
import { combine, rebase } from "./plan-types.ts";
import type { TimingContext } from "./steps.ts";
import { buildSteps, deadlineOf, FALLBACK } from "./steps.ts";
import { normaliseGoal, splitSentences } from "./text.ts";

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

/** Who a sentence names as the rest: "others get an email", "everyone else gets …". */
const OTHERS =
  /^(?:and |but |while |whereas )?(?:the |all (?:the )?)?(?:others|other (?:customers|people|users)|everyone else|everybody else|anyone else|rest)\b/;

/** A message restricted to customers who consented to its channel ("only to those who opted in to SMS"). */
const CONSENT_ONLY =
  /\b(?:only|as long as|provided)\b[^;]*?\b(?:opted? in|opt-in|consent(?:ed|s)?|allow(?:ed|s)?|agreed to|accept(?:ed|s)?|subscribed to)\b/;

export function buildPlan(
  goal: string,
  catalog: WorkspaceCatalog,
  index: EventIndex = buildEventIndex(catalog),
): Plan {
  const { sentences, exceptions } = splitExceptions(splitSentences(normaliseGoal(goal)));
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
  const unplaced: string[] = [];
  const unplacedActions = all.flatMap((facts) => facts.unplacedActions.map((phrase) => phrase.text));
  // "If they place a new order within 7 days, do nothing; otherwise …": the event, negated, guards
  // the next sentence, and "otherwise" continues the path instead of starting another.
  let pending: { negated: EventFact[]; deadline: StepTiming | null } | null = null;
  // "VIPs don't get the survey; they go straight to their account manager instead": who "they" are.
  let pendingAudience: ConditionFact[] = [];
  // The trigger sentence's guards ("… isn't completed within 30 minutes"), for an "instead" on another path.
  let triggerGuards: EventFact[] = [];
  // The last sentence's negated events, for "… and if they still haven't after 5 days, …".
  let lastNegated: EventFact[] = [];
  // "Give applicants 3 days to upload their documents": the window its "if they do" / "otherwise"
  // sentences speak of, until one of them has placed its wait.
  let openWindow: SentenceFacts["window"] = null;
  // the event that window's wait already watches, so "if they upload them, …" does not wait again
  let windowAwaited: string | null = null;
  // "Hold back 10% of buyers as a control group; everyone else gets …": a split said apart from
  // the message it holds back, for the next sentence that sends one (or else the last step).
  let pendingSplit: SplitMention | null = null;

  for (const facts of all) {
    const isTriggerSentence = facts.index === triggerSentence;
    // "unless they've updated their card": a negated condition naming nothing the workspace knows is
    // read as the one event that settles the trigger, or asked about; never dropped in silence.
    for (const clause of facts.unplaced) {
      const settling = entryEvent ? settlingEvents(entryEvent, index) : [];
      if (settling.length === 1 && clause.customerSubject && !clause.positive) {
        facts.events.push(settlingFact(settling[0]!, clause));
        facts.events.sort((a, b) => a.mention.start - b.mention.start);
        notes.push(
          `"${clause.text}" names no event, trait or property of this workspace; read as ${settling[0]} not happening, the event that settles ${entryEvent}. Edit the guard if something else was meant.`,
        );
      } else unplaced.push(clause.text);
    }
    const isHistory = (fact: EventFact) =>
      Boolean(fact.history) ||
      (Boolean(fact.perfect) &&
        !fact.negated &&
        !fact.since &&
        fact.mention.event !== entryEvent &&
        (fact.pronounSubject || fact.conditional));
    const acting = facts.sends.length + facts.handoffs.length + facts.updates.length > 0;
    if (facts.split && !acting) pendingSplit = facts.split;
    else if (pendingSplit && facts.sends.length > 0 && !facts.split) {
      if (REST_OF_SPLIT.test(facts.text.trim()) || current.steps.length === 0) {
        // "everyone else" here is the split's other side, not another path
        const first = Math.min(...facts.sends.map((send) => send.start));
        facts.split = { ...pendingSplit, start: first, end: first };
        facts.markers.otherwise = false;
      } else holdBack(current.steps, pendingSplit, notes);
      pendingSplit = null;
    }
    if (facts.window && !acting) {
      openWindow = facts.window;
      windowAwaited = null;
    }
    const windowKept =
      (openWindow !== null || windowAwaited !== null) && acting && WINDOW_KEPT.test(facts.text.trim());
    const windowMissed =
      acting &&
      !windowKept &&
      WINDOW_MISSED.test(facts.text.trim()) &&
      (openWindow !== null ||
        // "if they haven't opened it after 3 days, email them" names its event: the reading of a
        // guard on the awaited event below places it
        ((current.steps.at(-1)?.awaits.some((entry) => entry.windowed && !entry.otherwise) ?? false) &&
          !facts.events.some((fact) => fact.negated)));
    if (!windowKept && !windowMissed && !(facts.window && !acting)) windowAwaited = null;
    const windowed = (fact: EventFact) => fact === facts.window?.fact || fact.mention.event === windowAwaited;
    const history = facts.events.filter((fact) => isHistory(fact) && !windowed(fact));
    const present = facts.events.filter((fact) => !isHistory(fact) && !windowed(fact));
    const positive = present.filter((fact) => !fact.negated && !fact.since && !fact.endsJourney);
    const triggerFacts = positive.filter((fact) => fact.mention.event === entryEvent);
    const others = positive.filter((fact) => fact.mention.event !== entryEvent);
    let negated = present.filter((fact) => fact.negated && fact.mention.event !== entryEvent);
    const hasActions = facts.sends.length + facts.handoffs.length + facts.updates.length > 0;
    const audienceFromBefore = pendingAudience;
    pendingAudience = [];
    // "if they still haven't after 5 days": the verb left out is the one negated just before.
    if (
      negated.length === 0 &&
      hasActions &&
      lastNegated.length > 0 &&
      (/\b(?:haven't|hasn't|have not|has not|didn't|did not|don't|doesn't|do not|does not|isn't|aren't|not yet)\b(?!\s+(?:been\s+|yet\s+|already\s+)?[a-z]+(?:ed|en|t)\b)/.test(
        facts.text,
      ) ||
        // "if there's still nothing after another 2 days": the same absence, said without its verb
        /\b(?:still nothing|nothing yet|still no sign|still no news)\b/.test(facts.text))
    )
      negated = lastNegated.map((fact) => ({ ...fact, conditional: true }));
    if (negated.length > 0) lastNegated = negated;
    if (!hasActions && DO_NOTHING.test(facts.text) && others.length > 0) {
      pending = {
        negated: others.map((fact) => ({ ...fact, negated: true, conditional: false })),
        deadline: deadlineOf(facts, timingContext),
      };
      continue;
    }
    // "…; if push isn't allowed, fall back to email": a fallback for the message just planned.
    const lastSend = current.steps.at(-1)?.actions.at(-1);
    // "…, but only to customers who have opted in to SMS; others get an email": the others are
    // those the consent policy skips, so theirs is the message sent when the first is denied.
    const othersOfConsent =
      OTHERS.test(facts.text.trim()) && CONSENT_ONLY.test(all[facts.index - 1]?.text ?? "");
    if (
      facts.sends.length === 1 &&
      facts.handoffs.length === 0 &&
      facts.conditions.length === 0 &&
      (othersOfConsent ||
        ((FALLBACK.exec(facts.text)?.[0] ?? "instead") !== "instead" &&
          // "anyone who hasn't allowed push gets an SMS": the "who" is about consent, not another audience
          (!facts.markers.who ||
            /\b(?:allow|accept|enable|consent|opt|turn)/.test(FALLBACK.exec(facts.text)![0])))) &&
      lastSend?.kind === "send" &&
      !lastSend.fallback &&
      lastSend.channel !== facts.sends[0]!.channel
    ) {
      const send = facts.sends[0]!;
      lastSend.fallback = {
        kind: "send",
        channel: send.channel,
        offer: facts.offers[0]?.offer ?? lastSend.offer,
        offerAssumed: facts.offers[0]?.assumed ?? lastSend.offerAssumed,
        purpose: lastSend.purpose,
      };
      continue;
    }
    const carried = pending;
    pending = null;
    if (carried) negated = [...negated, ...carried.negated];
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

    const conditionFacts = [
      ...facts.conditions,
      ...triggerFacts.flatMap((fact) => fact.conditions),
      ...history.map(historyCondition),
    ].filter((fact) => !(trigger?.type === "trait_changed" && fact.change && fact.trait === trigger.trait));

    // "Skip anyone who has already upgraded.": the steps so far on this path are guarded by it.
    if (!hasActions && !isTriggerSentence && EXCLUSION.test(facts.text.trim()) && current.steps.length > 0) {
      const excludedEvents = [...others, ...negated, ...history.filter((fact) => !fact.history)];
      for (const step of current.steps) {
        for (const fact of excludedEvents) {
          if (step.notPerformed.some((guard) => guard.event === fact.mention.event)) continue;
          step.notPerformed.push({
            event: fact.mention.event,
            where: combine(fact.conditions.map((c) => c.condition)),
            label: fact.mention.text,
          });
        }
        for (const fact of conditionFacts.filter((c) => !history.some((h) => h.mention.start === c.start))) {
          step.suppressions.push({ condition: rebase(fact.condition, "trigger"), label: fact.label });
        }
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

    let positiveConditions = conditionFacts.filter((fact) => !fact.negated);
    const suppressions = conditionFacts.filter((fact) => fact.negated);
    if (
      positiveConditions.length === 0 &&
      audienceFromBefore.length > 0 &&
      /^(?:they|those|these|them|their)\b/.test(facts.text.trim())
    )
      positiveConditions = audienceFromBefore;
    const instead = /\binstead\b/.test(facts.text);
    // "a perfect 5 gets a push" after "4 or less …": another value of a field the first path tests.
    const contrast = positiveConditions.some((fact) =>
      base.conditions.some(
        (other) =>
          "field" in fact.condition &&
          "field" in other.condition &&
          fact.condition.field.split(".").pop() === other.condition.field.split(".").pop() &&
          JSON.stringify(fact.condition) !== JSON.stringify(other.condition),
      ),
    );
    // "Anyone who hasn't submitted within 3 days gets a reminder" after "When someone starts a loan
    // application for more than 50,000, …": the trigger sentence's conditions were for its own
    // steps, not for who enters, since a later sentence speaks to everyone.
    if (
      !isTriggerSentence &&
      current === base &&
      segments.length === 1 &&
      base.conditions.length > 0 &&
      hasActions &&
      positiveConditions.length === 0 &&
      !facts.markers.otherwise &&
      UNIVERSAL.test(facts.text.trim())
    ) {
      for (const step of base.steps)
        step.conditions.push(
          ...base.conditions.map((fact) => ({
            condition: rebase(fact.condition, "trigger"),
            label: fact.label,
          })),
        );
      base.conditions = [];
    }
    const lastStep = current.steps.at(-1);
    const actionStarts = [...facts.sends, ...facts.handoffs, ...facts.updates].map((action) => action.start);
    let stepConditions: ConditionFact[] = [];
    let elseOf: PlanStep | null = null;
    if (parallel) {
      stepConditions = positiveConditions;
    } else if (isTriggerSentence) {
      const later = positiveConditions.filter(
        (fact) =>
          checkedLater(facts, fact, actionStarts) || history.some((h) => h.mention.start === fact.start),
      );
      base.conditions.push(...positiveConditions.filter((fact) => !later.includes(fact)));
      stepConditions = later;
    } else if (windowKept || windowMissed) {
      // the outcomes of a time window continue this path: neither a new path nor the other side of a condition
      stepConditions = positiveConditions;
    } else if (
      ELSE.test(facts.text.trim()) &&
      positiveConditions.length === 0 &&
      lastStep &&
      lastStep.conditions.length > 0 &&
      !carried
    ) {
      // "…, in the app if they've opened it since; otherwise email the request": the other side.
      elseOf = lastStep;
    } else if (
      facts.markers.otherwise &&
      positiveConditions.length === 0 &&
      base.conditions.length === 0 &&
      segments.length === 1 &&
      lastStep &&
      lastStep.conditions.length > 0 &&
      !carried
    ) {
      // "Thank them by email when they upgrade to enterprise; for any other upgrade show an in-app
      // message": the condition was checked at the step, so "any other" is that step's other side.
      elseOf = lastStep;
    } else if (facts.markers.otherwise && (base.conditions.length > 0 || segments.length > 1) && !carried) {
      current = { label: "everyone else", conditions: [], steps: [], otherwise: true };
      segments.push(current);
      stepConditions = positiveConditions;
      // "For smaller carts, send an email after 2 hours instead": instead of the first path's action,
      // under the first path's premise (the checkout still not completed).
      if (instead && negated.length === 0) negated = [...triggerGuards];
    } else if (
      positiveConditions.length > 0 &&
      !facts.markers.also &&
      ((base.conditions.length > 0 && (facts.markers.who || triggerFacts.length > 0 || contrast)) ||
        (instead && hasActions) ||
        (instead && facts.offers.length > 0))
    ) {
      current = {
        label: positiveConditions.map((fact) => fact.label).join(" and "),
        conditions: positiveConditions,
        steps: [],
        otherwise: false,
      };
      segments.push(current);
      // "VIPs get €25 instead": everyone the new path does not take keeps the first one.
      if (instead && base.conditions.length === 0 && !base.otherwise) base.otherwise = true;
      if (instead && negated.length === 0) negated = [...triggerGuards];
    } else if (positiveConditions.length > 0 && !hasActions && DENIAL.test(facts.text)) {
      // "VIPs don't get the survey": out of the steps so far; "they …" in the next sentence may say what they get.
      for (const step of current.steps)
        for (const fact of positiveConditions)
          step.suppressions.push({ condition: rebase(fact.condition, "trigger"), label: fact.label });
      pendingAudience = positiveConditions;
      continue;
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
    const window = openWindow;
    const steps = buildSteps(
      facts,
      {
        notPerformed: negated,
        awaits: parallel
          ? []
          : windowKept && window && !awaits.some((fact) => fact.mention.event === window.fact.mention.event)
            ? [...awaits, { ...window.fact, conditional: false }]
            : awaits,
        conditions: stepConditions,
        suppressions,
      },
      timingContext,
      notes,
    );
    if (windowKept && window) {
      // the wait is as long as the window, however "if they do" was said
      for (const entry of steps.flatMap((step) => step.awaits))
        if (entry.event === window.fact.mention.event) {
          entry.timeoutMs = window.ms;
          entry.windowed = true;
        }
      windowAwaited = window.fact.mention.event;
      openWindow = null;
    }
    // "…; otherwise text them a reminder": what happens when the window runs out.
    if (windowMissed) {
      const waiting = current.steps.at(-1)?.awaits.find((entry) => entry.windowed && !entry.otherwise);
      if (waiting) waiting.otherwise = steps;
      else if (window) {
        // "If they haven't uploaded them, text them": the wait's timeout already says so
        for (const step of steps)
          step.notPerformed = step.notPerformed.filter((guard) => guard.event !== window.fact.mention.event);
        // "If they don't, text them; if they do, email a confirmation": the wait comes first, its
        // timeout leads here, and what follows the event continues the path after it.
        current.steps.push({
          actions: [],
          timing: { base: { kind: "now" } },
          notPerformed: [],
          awaits: [
            {
              event: window.fact.mention.event,
              condition: combine(window.fact.conditions.map((c) => c.condition)),
              timeoutMs: window.ms,
              label: window.fact.mention.text,
              otherwise: steps,
              windowed: true,
            },
          ],
          conditions: [],
          suppressions: [],
          sentence: facts.text,
        });
        windowAwaited = window.fact.mention.event;
        openWindow = null;
      }
      continue;
    }
    // The deadline of "… within 7 days, do nothing; otherwise send …" times the step when it says no time.
    if (carried?.deadline && steps[0] && steps[0].timing.base.kind === "now" && !steps[0].timing.atTime) {
      steps[0].timing = carried.deadline;
    }
    if (parallel) {
      also.push({
        event: parallel.mention.event,
        condition: combine(parallel.conditions.map((c) => c.condition)),
        steps,
        phrase: parallel.mention.text,
      });
      continue;
    }
    if (isTriggerSentence) triggerGuards = negated;
    // "… get a text instead" with no time of its own: when the step it replaces would have happened.
    const replaced = base.steps.at(-1);
    if (
      instead &&
      current !== base &&
      replaced &&
      facts.times.length === 0 &&
      // "…, in which case have their account manager call them": the main clause's time is its own
      !exceptions.has(facts.index) &&
      // "they go straight to their account manager instead": now, not when the other step would be
      !/\b(?:straight|directly|immediately|right away)\b/.test(facts.text)
    ) {
      for (const step of steps)
        if (step.timing.base.kind === "now" && !step.timing.atTime)
          step.timing = structuredClone(replaced.timing);
    }
    if (elseOf) for (const step of steps) step.suppressions.push(...elseOf.conditions);
    if (steps.length === 0 && instead && facts.offers.length > 0 && current !== base) {
      // "VIPs get €25 instead": the first path's steps, with this offer.
      current.steps.push(...withOffer(base.steps, facts.offers[0]!.offer));
      continue;
    }
    // "show a banner the next time they open the app within 3 days; if they haven't opened it after
    // 3 days, email them": the other outcome of that wait.
    const awaited = lastStep?.awaits.find(
      (entry) => !entry.otherwise && steps[0]?.notPerformed.some((guard) => guard.event === entry.event),
    );
    if (awaited && lastStep && !elseOf) {
      const moved = steps.filter((step) => step.notPerformed.some((guard) => guard.event === awaited.event));
      for (const step of moved) {
        step.notPerformed = step.notPerformed.filter((guard) => guard.event !== awaited.event);
        const base = step.timing.base;
        if (base.kind === "after" && base.anchor === "previous" && base.months === 0)
          step.timing = {
            ...step.timing,
            base:
              base.ms > awaited.timeoutMs ? { ...base, ms: base.ms - awaited.timeoutMs } : { kind: "now" },
          };
      }
      awaited.otherwise = moved;
      current.steps.push(...steps.filter((step) => !moved.includes(step)));
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

  if (pendingSplit) holdBack(current.steps, pendingSplit, notes);
  resolved.push(...resolvedMentions(all));

  const reentry =
    also.some((entry) => entry.steps !== null) || /\b(?:every time|each time)\b/.test(sentences.join(" "))
      ? "always"
      : /\b(?:only once|once per customer|first time only|never again|the first time|for the first time)\b/.test(
            sentences.join(" "),
          )
        ? "never"
        : "after_exit";
  return {
    trigger,
    segments,
    also,
    exitOn,
    reentry,
    resolved,
    notes,
    channelless,
    unplaced,
    unplacedActions,
    sentences,
  };
}

/** The settling event, negated, where the clause that implied it stands. */
function settlingFact(event: string, clause: UnplacedClause): EventFact {
  return {
    mention: {
      event,
      start: clause.start,
      end: clause.end,
      actionStart: clause.start,
      score: 0,
      ties: [],
      text: clause.text,
    },
    negated: true,
    since: false,
    pronounSubject: true,
    conditional: clause.conditional,
    endsJourney: false,
    conditions: [],
  };
}
