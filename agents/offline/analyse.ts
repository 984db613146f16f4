import { findHandoffs, findProfileUpdates, findSends } from "./actions.ts";
import {
  countConditions,
  enumComparison,
  laterObjectConditions,
  relativeDateCondition,
  sentenceMarkers,
} from "./condition-facts.ts";
import type { NumericComparison } from "./conditions.ts";
import {
  comparisonCondition,
  enumValues,
  FIELD_CHANGE,
  fieldScore,
  findComparisons,
  findEnumMentions,
  hintBefore,
  numericTraits,
} from "./conditions.ts";
import {
  COUNT,
  conditionNegated,
  inMessagePurpose,
  isNegated,
  notAnEvent,
  objectCondition,
  STOP,
  subjectFacts,
} from "./event-roles.ts";
import { findDatetimeProperty, findEventMentions, findObjectOnlyMention } from "./events.ts";
import type { AnalysisContext, ConditionFact, DatetimeFact, EventFact, SentenceFacts } from "./facts.ts";
import { enumFieldsOfEvent, enumFieldsOfTraits, resolveComparison } from "./field-resolution.ts";
import { findOffers, findSplit } from "./offers.ts";
import { findScoreLevels } from "./score-levels.ts";
import { findShares } from "./shares.ts";
import { clauseRanges, maskSpan, TIME_MASK, tokenize } from "./text.ts";
import { findKeywordMentions, findTextSignals, textConditionFacts, textProperty } from "./text-conditions.ts";
import type { TimeExpression } from "./time-expressions.ts";
import { findTimeExpressions, findWindow, isoDuration, unitMs } from "./time-expressions.ts";
import { unplacedActions } from "./unplaced-actions.ts";
import { unplacedClauses, unplacedPositiveClauses } from "./unplaced-conditions.ts";

export type { AnalysisContext, ConditionFact, DatetimeFact, EventFact, SentenceFacts } from "./facts.ts";

/**
 * The middle of the pipeline: one sentence → the facts it states (mentions of events, times,
 * messages, hand-offs, offers, conditions), each with its position, so the plan builder can decide
 * how they relate. Recognisers run from the most specific to the most general, and each masks what
 * it consumed, so that "free shipping" is never read as an Order Shipped event and "churn risk
 * score" never as a survey score.
 */

export function analyseSentence(text: string, index: number, context: AnalysisContext): SentenceFacts {
  const { catalog } = context;
  let masked = text;
  const mask = (start: number, end: number, char?: string) => {
    masked = maskSpan(masked, start, end, char);
  };
  const notes: string[] = [];

  const offers = findOffers(masked);
  for (const offer of offers) if (!offer.assumed) mask(offer.start, offer.end);
  const split = findSplit(masked);
  // "40% get …": a share of people is no number for a comparison to read
  if (split) for (const share of findShares(masked)) mask(share.start, share.end);
  if (split) {
    for (const match of masked.matchAll(
      /\b\d{1,2}(?:\.\d+)?\/\d{1,2}(?:\.\d+)?(?:\/\d{1,2}(?:\.\d+)?)?\b|\b\d{1,2}(?:\.\d+)?% (?:as (?:a |the |our )?)?(?:holdout|hold-out|hold out|control)(?: group)?\b|\b\d{1,2}(?:\.\d+)?% of (?:them|customers|people|users|the audience|sign-ups|visitors)\b/g,
    )) {
      mask(match.index, match.index + match[0].length);
    }
  }
  const handoffs = findHandoffs(masked);
  for (const handoff of handoffs) mask(handoff.start, handoff.end);
  const updates = findProfileUpdates(
    masked,
    enumFieldsOfTraits(catalog).map((field) => ({ name: field.name, values: enumValues(field.type) })),
  );
  for (const update of updates) mask(update.start, update.end);
  // "views a product 3 times (in a week)", "fails twice": how often the event happened.
  const counts: Array<{ min: number; within?: string; start: number; end: number }> = [];
  for (const match of masked.matchAll(COUNT)) {
    const n = match[3] ? (match[3] === "twice" ? 2 : 3) : Number(match[2]);
    const min = match[1] || match[4] ? n + (match[1] && match[1] !== "at least" ? 1 : 0) : n;
    const unit = match[6];
    const within = unit
      ? `P${Number(match[5] ?? 1) * (unit === "week" ? 7 : unit === "month" ? 30 : 1)}D`
      : undefined;
    counts.push({
      min,
      ...(within ? { within } : {}),
      start: match.index,
      end: match.index + match[0].length,
    });
    mask(match.index, match.index + match[0].length);
  }

  // "in the last 7 days", "within the past month": a look back at the customer's history.
  const lookbacks: Array<{ within: string; start: number; end: number }> = [];
  for (const match of masked.matchAll(
    /\b(?:in|within|during|over) the (?:last|past|previous|preceding) (?:(\d+(?:\.\d+)?) )?(minutes?|hours?|days?|weeks?|months?)\b/g,
  )) {
    const { ms, months } = unitMs(Number(match[1] ?? 1), match[2]!);
    lookbacks.push({
      within: isoDuration(ms, months),
      start: match.index,
      end: match.index + match[0].length,
    });
    mask(match.index, match.index + match[0].length, TIME_MASK);
  }

  const comparisons = findComparisons(masked);
  for (const comparison of comparisons) mask(comparison.start, comparison.end);
  const times = findTimeExpressions(masked);
  for (const time of times)
    if (!(time.kind === "delay" || time.kind === "within") || time.anchor.kind !== "mention")
      mask(time.start, time.end, TIME_MASK);
  for (const time of times)
    if ((time.kind === "delay" || time.kind === "within") && time.anchor.kind === "mention")
      mask(time.start, time.anchor.offset, TIME_MASK);
  const sends = findSends(masked);
  for (const send of sends) mask(send.start, send.end);

  const counted = countConditions(masked, catalog, comparisons);
  const conditions: ConditionFact[] = counted.conditions;
  const consumed = counted.consumed;
  for (const span of counted.spans) mask(span.start, span.end);
  // Trait comparisons first: their words ("churn risk score") must not be read as events.
  const pendingComparisons: NumericComparison[] = [];
  for (const comparison of comparisons) {
    if (consumed.has(comparison)) continue;
    const hint = hintBefore(masked, comparison.start);
    // A trait is named by a word no event uses ("churn", "lifetime", "propensity") or by two of its
    // words; "a purchase over $200" names an order total, not the purchase propensity.
    const distinctive = (word: string) =>
      !context.index.byAction.has(word) && !context.index.events.some((event) => event.objects.has(word));
    const trait = numericTraits(catalog)
      .map((field) => {
        const own = field.name.split("_").map((part) => tokenize(part)[0]?.stem ?? part);
        const hits = hint.filter((word) => own.includes(word));
        return {
          field,
          score: fieldScore(field, hint),
          strong: hits.some(distinctive) || new Set(hits).size >= 2,
        };
      })
      .filter((entry) => entry.score >= 2 && entry.strong)
      .sort((a, b) => b.score - a.score)[0];
    if (!trait) {
      pendingComparisons.push(comparison);
      continue;
    }
    const tokens = tokenize(masked.slice(0, comparison.start)).slice(-7);
    const own = trait.field.name.split("_").map((part) => tokenize(part)[0]?.stem ?? part);
    const first = tokens.find((token) => own.includes(token.stem));
    const hintStart = first ? first.start : comparison.start;
    // "churn risk score" — the trailing "score"/"level" belongs to the trait too.
    mask(hintStart, comparison.start);
    conditions.push({
      condition: comparisonCondition(comparison, `traits.${trait.field.name}`, trait.field.name),
      kind: "trait",
      trait: trait.field.name,
      negated: conditionNegated(masked, hintStart),
      change: comparison.change || /\b(?:becomes?|turns?|gets?)\s*$/.test(masked.slice(0, hintStart)),
      label: `${trait.field.name} ${comparison.text.replace(/#/g, "").trim()}`,
      start: hintStart,
      end: comparison.end,
    });
  }
  // "a high churn risk", "likely to churn": before enum values, which would read "high" as a
  // priority, and before events, which would read "churning" as a cancellation.
  for (const level of findScoreLevels(masked, catalog)) {
    mask(level.start, level.end);
    conditions.push({
      condition: level.condition,
      kind: "trait",
      trait: level.trait,
      negated: conditionNegated(masked, level.start),
      change: /\b(?:becomes?|turns?|gets?)\s*$/.test(masked.slice(0, level.start)),
      label: level.text,
      start: level.start,
      end: level.end,
    });
    notes.push(level.note);
  }
  for (const mention of findEnumMentions(masked, enumFieldsOfTraits(catalog))) {
    conditions.push({
      condition: {
        field: `traits.${mention.field.name}`,
        ...enumComparison(mention),
      },
      kind: "trait",
      trait: mention.field.name,
      negated: false,
      change:
        /\b(?:becomes?|turns?|is upgraded to|moves? to|gets? promoted to)\s+(?:an? |the )?$/.test(
          masked.slice(Math.max(0, mention.start - 30), mention.start),
        ) || new RegExp(`\\b${FIELD_CHANGE}`).test(masked.slice(mention.start, mention.end)),
      label: `${mention.field.name} ${mention.negated ? "is not" : "is"} ${mention.value}`,
      start: mention.start,
      end: mention.end,
    });
    mask(mention.start, mention.end);
  }

  const datetimes: DatetimeFact[] = [];
  for (const time of times) {
    if (time.kind !== "before") continue;
    const rest = masked.slice(time.offset);
    const pronoun = /^(?:it|that|then|this)\b/.test(rest);
    const found =
      pronoun && context.lastDatetime
        ? { ...context.lastDatetime, score: 1 }
        : findDatetimeProperty(rest, catalog, { every: time.ms === 0 });
    if (found) {
      datetimes.push({
        time,
        event: found.event,
        property: found.property,
        phrase: rest.split(/[,.]/)[0]!.trim(),
      });
      context.lastDatetime = { event: found.event, property: found.property };
      const phraseEnd = time.offset + (rest.split(/[,]/)[0]?.length ?? 0);
      mask(time.offset, Math.min(phraseEnd, time.offset + 40));
    }
  }

  // "when their trial ends", "on the day their contract ends": the date itself, with no offset.
  // "Expired trials: …", "for lapsed contracts": the same date, said as the headline's adjective.
  const dateMoments = [
    ...masked.matchAll(
      /\b(?:when|once|as soon as|on the day)\s+((?:their|the|a|an|his|her|a customer's|the customer's|someone's)\s+[a-z' ]{1,30}?\s+(?:ends?|ended|expires?|expired|lapse[sd]?|runs? out|ran out|is due|departs?|leaves?|begins?|starts?|(?:has|have|had) (?:ended|expired|lapsed|run out|finished)))\b/g,
    ),
    ...masked.matchAll(
      /(?:^|(?<=[:;,]\s*|\b(?:for|with|to|all|on|of|any)\s))((?:expired|ended|lapsed) [a-z]+)\b/g,
    ),
  ];
  for (const match of dateMoments) {
    const found = findDatetimeProperty(match[1]!, catalog, { every: true });
    if (!found) continue;
    const offset = match.index + match[0].length - match[1]!.length;
    const time: Extract<TimeExpression, { kind: "before" }> = {
      kind: "before",
      ms: 0,
      months: 0,
      offset,
      start: match.index,
      end: match.index + match[0].length,
      text: match[0],
    };
    times.push(time);
    datetimes.push({ time, event: found.event, property: found.property, phrase: match[1]!.trim() });
    context.lastDatetime = { event: found.event, property: found.property };
    mask(match.index, match.index + match[0].length);
  }
  times.sort((a, b) => a.start - b.start);

  const mentionsOf = () => {
    const found = findEventMentions(masked, context.index, context.mentioned, text);
    if (found.length > 0 || context.triggerEvent !== null || datetimes.length > 0) return found;
    const weak = findObjectOnlyMention(masked, context.index, text, catalog);
    return weak ? [weak] : [];
  };
  // Quoted words ("mentions 'delivery'") are text to look for, never an event.
  const quotedKeywords = findKeywordMentions(masked).filter((keyword) => keyword.quoted);
  for (const keyword of quotedKeywords) mask(keyword.start, keyword.end);
  let mentions = mentionsOf();
  const textEvents = [
    ...mentions.map((m) => m.event),
    ...(context.triggerEvent ? [context.triggerEvent] : []),
  ].filter((event) => textProperty(catalog, event));
  // "email them asking if they were happy": a mood we ask about is the message's content, not a
  // condition on what the customer wrote.
  const askedAbout = (offset: number) => {
    const clauseRange = clauseRanges(text).find((range) => range.start <= offset && offset < range.end);
    return /\b(?:ask\w*|check\w*|find(?:ing)? out|wonder\w*)\s+(?:(?:them|him|her|the customer|customers)\s+)?(?:if|whether|how)\b[^,;]*$/.test(
      text.slice(clauseRange?.start ?? 0, offset),
    );
  };
  const textSignals =
    textEvents.length > 0 ? findTextSignals(masked).filter((signal) => !askedAbout(signal.start)) : [];
  for (const signal of textSignals) {
    mask(signal.start, signal.end);
    if (signal.note) notes.push(signal.note);
  }
  const plainKeywords = textEvents.length > 0 ? findKeywordMentions(masked) : [];
  for (const keyword of plainKeywords) mask(keyword.start, keyword.end);
  if (textSignals.length > 0 || plainKeywords.length > 0) mentions = mentionsOf();
  const keywords = [...quotedKeywords, ...plainKeywords];
  const clauses = clauseRanges(text);
  mentions = mentions.filter(
    (mention) =>
      !inMessagePurpose(text, clauses, [...sends, ...handoffs, ...updates], mention.start) &&
      !notAnEvent(text, clauses, mention),
  );
  // "hasn't finished paying", "starts filling in the survey": the verb of aspect is not an event of
  // its own; the gerund after it is the one meant.
  mentions = mentions.filter((mention) => {
    const verb =
      /^(finish|finishes|finished|complete|completes|completed|start|starts|started|begin|begins|began|stop|stops|stopped)\s+(?=[a-z]+ing\b)/.exec(
        masked.slice(mention.actionStart),
      );
    return !verb || !mentions.some((other) => other.actionStart === mention.actionStart + verb[0].length);
  });
  const stopCue = STOP.exec(masked);

  const events: EventFact[] = mentions.map((mention) => {
    const subject = subjectFacts(masked, mention);
    return {
      mention,
      negated: isNegated(masked, mention, mentions),
      since: /\bsince\s+(?:\w+\s+){0,2}$/.test(masked.slice(Math.max(0, mention.start - 25), mention.start)),
      pronounSubject: subject.pronoun,
      conditional: subject.conditional,
      endsJourney: stopCue !== null && mention.start > stopCue.index,
      // "Once it has been delivered, wait two days …": a perfect after once/as soon as/after is the
      // moment it happens (to be waited for), not something to look up in the history.
      perfect:
        !subject.temporal &&
        /\b(?:have|has|'ve|had)\s+(?:already\s+|ever\s+|just\s+|recently\s+)?(?:been\s+)?$/.test(
          masked.slice(Math.max(0, mention.actionStart - 30), mention.actionStart),
        ),
      conditions: [],
    };
  });
  // "If an enterprise customer cancels": of the events that fit "cancels", the one that carries a
  // property named like the trait the sentence mentions (Subscription Cancelled has a plan).
  const namedTraits = conditions.flatMap((fact) => (fact.kind === "trait" && fact.trait ? [fact.trait] : []));
  for (const fact of events) {
    if (fact.mention.ties.length === 0 || namedTraits.length === 0) continue;
    const fitting = [fact.mention.event, ...fact.mention.ties].filter((name) =>
      namedTraits.some((trait) => catalog.events[name]?.properties[trait] !== undefined),
    );
    if (fitting.length === 1) {
      fact.mention.event = fitting[0]!;
      fact.mention.ties = [];
    }
  }
  for (const lookback of lookbacks) {
    const owner = events
      .filter((fact) => fact.mention.end <= lookback.start && lookback.start - fact.mention.end < 50)
      .sort((a, b) => b.mention.end - a.mention.end)[0];
    if (owner) owner.history = lookback.within;
  }
  // Nothing starts the journey yet and every event here is negated ("after a week without opening
  // the app, send new users a push"): the thing the sentence is about may name the trigger.
  if (
    context.triggerEvent === null &&
    datetimes.length === 0 &&
    events.length > 0 &&
    // "New trial users: …, and stop everything as soon as they upgrade": an exit starts nothing either.
    events.every((fact) => fact.negated || fact.since || fact.endsJourney)
  ) {
    const weak = findObjectOnlyMention(
      masked,
      context.index,
      text,
      catalog,
      events.map((fact) => fact.mention.event),
    );
    if (weak && !events.some((fact) => fact.mention.event === weak.event)) {
      events.push({
        mention: weak,
        negated: false,
        since: false,
        pronounSubject: false,
        conditional: false,
        endsJourney: false,
        conditions: [],
      });
    }
  }
  const nearestEvent = (offset: number, accept: (fact: EventFact) => boolean) =>
    events
      .filter(accept)
      .sort((a, b) => Math.abs(a.mention.start - offset) - Math.abs(b.mention.start - offset))[0];

  for (const count of counts) {
    const owner = events
      .filter(
        (fact) =>
          !fact.negated &&
          !fact.since &&
          fact.mention.end <= count.start &&
          count.start - fact.mention.end < 40,
      )
      .sort((a, b) => b.mention.end - a.mention.end)[0];
    if (!owner) continue;
    owner.conditions.push({
      condition: {
        performed: owner.mention.event,
        min_count: count.min,
        ...(count.within ? { within: count.within } : {}),
      },
      kind: "property",
      event: owner.mention.event,
      negated: false,
      change: false,
      label: `${owner.mention.event} at least ${count.min} times${count.within ? ` within ${count.within}` : ""}`,
      start: count.start,
      end: count.end,
    });
  }
  for (const comparison of pendingComparisons) {
    const relative = relativeDateCondition(comparison, masked, context);
    if (relative) {
      const owner = nearestEvent(comparison.start, (e) => e.mention.event === relative.event && !e.since);
      if (owner) owner.conditions.push(relative);
      else conditions.push(relative);
      continue;
    }
    const resolved = resolveComparison(
      context,
      masked,
      comparison,
      events.map((fact) => fact.mention),
    );
    if (!resolved) {
      notes.push(`"${comparison.text.trim()}" names no property or trait I could find; ignored.`);
      continue;
    }
    const { field } = resolved;
    const condition = comparisonCondition(comparison, `event.properties.${field.name}`, field.name);
    const fact: ConditionFact = {
      condition,
      kind: "property",
      event: field.event,
      negated: conditionNegated(masked, resolved.hintStart),
      change: false,
      label: `${field.name} ${comparison.text.trim()}`,
      start: resolved.hintStart,
      end: comparison.end,
    };
    const owner = nearestEvent(comparison.start, (e) => e.mention.event === field.event && !e.since);
    if (owner) owner.conditions.push(fact);
    else conditions.push(fact);
  }
  // What the customer's text says or sounds like, on the event that carries the text.
  for (const fact of textConditionFacts(keywords, textSignals, masked, events, context)) {
    const owner = events.find((event) => event.mention === fact.owner);
    if (owner) owner.conditions.push(fact.fact);
    else conditions.push(fact.fact);
  }
  for (const fact of events) {
    if (fact.since) continue;
    const window = {
      start: Math.max(0, fact.mention.start - 40),
      end: Math.min(masked.length, fact.mention.end + 40),
    };
    for (const mention of findEnumMentions(
      masked.slice(window.start, window.end),
      enumFieldsOfEvent(catalog, fact.mention.event),
    )) {
      fact.conditions.push({
        condition: {
          field: `event.properties.${mention.field.name}`,
          ...enumComparison(mention),
        },
        kind: "property",
        event: fact.mention.event,
        negated: false,
        change: false,
        label: `${mention.field.name} ${mention.negated ? "is not" : "is"} ${mention.value}`,
        start: window.start + mention.start,
        end: window.start + mention.end,
      });
    }
    const object = objectCondition(catalog, masked, fact.mention, context.index);
    if (
      object &&
      !fact.conditions.some(
        (c) => "field" in c.condition && c.condition.field === (object.condition as { field: string }).field,
      )
    ) {
      fact.conditions.push(object);
    }
  }
  conditions.push(...laterObjectConditions(masked, events, context));
  // "For normal or low priority tickets, send an email" after "When a high-priority ticket is
  // opened …": values of the trigger's own fields, said where the trigger is not named again.
  const trigger = context.triggerEvent;
  if (trigger && !events.some((fact) => fact.mention.event === trigger)) {
    for (const mention of findEnumMentions(masked, enumFieldsOfEvent(catalog, trigger))) {
      conditions.push({
        condition: { field: `event.properties.${mention.field.name}`, ...enumComparison(mention) },
        kind: "property",
        event: trigger,
        negated: false,
        change: false,
        label: `${mention.field.name} ${mention.negated ? "is not" : "is"} ${mention.value}`,
        start: mention.start,
        end: mention.end,
      });
    }
  }

  // "signs up for the enterprise plan": a trait value next to an event that carries a property of
  // the same name describes the event ("plan" of Signed Up), not the profile.
  for (const fact of [...conditions]) {
    if (fact.kind !== "trait" || !fact.trait || !("field" in fact.condition) || fact.condition.op !== "eq")
      continue;
    const owner = events.find(
      (event) =>
        !event.since &&
        !event.negated &&
        Math.abs(event.mention.end - fact.start) < 40 &&
        catalog.events[event.mention.event]?.properties[fact.trait!] !== undefined,
    );
    if (!owner) {
      // A later sentence ("Free plan users get …") speaks of the same property of the trigger.
      const trigger = context.triggerEvent;
      if (trigger && catalog.events[trigger]?.properties[fact.trait] !== undefined && !fact.change) {
        conditions.splice(conditions.indexOf(fact), 1, {
          ...fact,
          condition: { ...fact.condition, field: `event.properties.${fact.trait}` },
          kind: "property",
          event: trigger,
          trait: undefined,
        });
      }
      continue;
    }
    conditions.splice(conditions.indexOf(fact), 1);
    owner.conditions.push({
      ...fact,
      condition: { ...fact.condition, field: `event.properties.${fact.trait}` },
      kind: "property",
      event: owner.mention.event,
      trait: undefined,
      change: false,
    });
  }

  // "Give applicants 3 days to upload their documents": the event after the window is awaited that
  // long; the window's length is its timeout, not a delay before any step of this sentence.
  const found = findWindow(text);
  const windowFact = found
    ? events.find((fact) => fact.mention.actionStart === found.end && !fact.negated)
    : undefined;
  const window =
    found && windowFact ? { fact: windowFact, ms: found.ms, months: found.months, text: found.text } : null;
  const ownTimes = window
    ? times.filter((time) => time.end <= found!.start || time.start >= found!.end)
    : times;

  const markers = sentenceMarkers(text, masked, comparisons.length > 0);
  const placed = [
    ...events.flatMap((fact) => [fact.mention, ...fact.conditions]),
    ...conditions,
    ...keywords,
    ...textSignals,
    ...comparisons,
    ...datetimes.map((fact) => fact.time),
    ...sends,
    ...handoffs,
    ...updates,
  ];
  const negatedUnplaced = unplacedClauses(text, masked, clauses, placed);
  const unplaced = [
    ...negatedUnplaced,
    // "only if they still owe us money" is the negated check's, not a second question
    ...unplacedPositiveClauses(
      text,
      masked,
      clauses,
      [...placed, ...times, ...offers, ...lookbacks, ...(window ? [found!] : [])],
      [...sends, ...handoffs, ...updates],
    ).filter((clause) =>
      negatedUnplaced.every((other) => clause.end <= other.start || clause.start >= other.end),
    ),
  ];
  // The same condition said twice ("when a customer becomes a VIP, send a welcome-to-VIP email") is one.
  const seen = new Set<string>();
  const distinct = conditions.filter((fact) => {
    const key = JSON.stringify([fact.condition, fact.negated]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    index,
    text,
    clauses,
    offers,
    split,
    handoffs,
    updates,
    sends,
    times: ownTimes,
    events,
    window,
    conditions: distinct,
    datetimes,
    unplaced,
    unplacedActions: unplacedActions(text, [...sends, ...handoffs, ...updates]),
    markers,
    notes,
  };
}
