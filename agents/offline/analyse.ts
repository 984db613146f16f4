import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { Condition } from "../../journeys/format/condition.ts";
import type {
  HandoffMention,
  OfferMention,
  ProfileUpdateMention,
  SendMention,
  SplitMention,
} from "./actions.ts";
import { findHandoffs, findOffers, findProfileUpdates, findSends, findSplit } from "./actions.ts";
import type { FieldCandidate, NumericComparison } from "./conditions.ts";
import {
  comparisonCondition,
  enumValues,
  fieldScore,
  findComparisons,
  findCountMentions,
  findEnumMentions,
  findTextSignals,
  hintBefore,
  numericProperties,
  numericTraits,
  textProperty,
} from "./conditions.ts";
import type { EventIndex, EventMention } from "./events.ts";
import { findDatetimeProperty, findEventMentions } from "./events.ts";
import { clauseIndexAt, clauseRanges, maskSpan, singular, tokenize } from "./text.ts";
import type { TimeExpression } from "./time-expressions.ts";
import { findTimeExpressions } from "./time-expressions.ts";

/**
 * The middle of the pipeline: one sentence → the facts it states (mentions of events, times,
 * messages, hand-offs, offers, conditions), each with its position, so the plan builder can decide
 * how they relate. Recognisers run from the most specific to the most general, and each masks what
 * it consumed, so that "free shipping" is never read as an Order Shipped event and "churn risk
 * score" never as a survey score.
 */

export interface ConditionFact {
  /** fields are written for the trigger/event scope: traits.*, event.properties.* */
  condition: Condition;
  kind: "trait" | "property";
  /** the event whose property this is */
  event?: string | undefined;
  negated: boolean;
  /** "rises above" — a change of a trait, which can start a journey */
  change: boolean;
  trait?: string | undefined;
  label: string;
  start: number;
  end: number;
}

export interface EventFact {
  mention: EventMention;
  negated: boolean;
  /** "since signing up": names the start of a period, not something to wait for */
  since: boolean;
  /** the subject is a pronoun ("if they rate us") — the same customer, later in this journey */
  pronounSubject: boolean;
  /** introduced by if/when/once/whenever */
  conditional: boolean;
  /** named after "stop …" / "exit …": ends the journey rather than being waited for */
  endsJourney: boolean;
  conditions: ConditionFact[];
}

export interface DatetimeFact {
  time: Extract<TimeExpression, { kind: "before" }>;
  event: string;
  property: string;
  phrase: string;
}

export interface SentenceFacts {
  index: number;
  text: string;
  clauses: Array<{ start: number; end: number }>;
  offers: OfferMention[];
  split: SplitMention | null;
  handoffs: HandoffMention[];
  updates: ProfileUpdateMention[];
  sends: SendMention[];
  times: TimeExpression[];
  events: EventFact[];
  /** trait conditions, and property conditions no event of this sentence owns */
  conditions: ConditionFact[];
  datetimes: DatetimeFact[];
  markers: {
    otherwise: boolean;
    who: boolean;
    also: boolean;
    parallel: boolean;
    stop: boolean;
    prohibition: boolean;
  };
  notes: string[];
}

export interface AnalysisContext {
  catalog: WorkspaceCatalog;
  index: EventIndex;
  /** events mentioned so far, the trigger first */
  mentioned: string[];
  triggerEvent: string | null;
  lastDatetime: { event: string; property: string } | null;
}

const NEGATION =
  /\b(?:not|never|no|without|unless|until|hasn't|haven't|hadn't|doesn't|don't|didn't|isn't|aren't|wasn't|weren't|won't|cannot|fails? to|failed to|yet to|neither|nor)\b|n't\b/g;
const CONDITIONAL = /\b(?:if|when|whenever|once|as soon as|after|in case)\b/g;
const PRONOUN_SUBJECT =
  /\b(?:they|them|he|she|it|their|the customer|this customer|that customer|the user|the same customer)\b/;
const GENERIC_NOUNS = new Set([
  "product",
  "item",
  "thing",
  "something",
  "anything",
  "stuff",
  "order",
  "purchase",
  "one",
  "more",
  "again",
  "it",
  "them",
  "first",
  "new",
  "another",
  "some",
  "their",
  "our",
  "us",
  "online",
  "something",
]);
const FUNCTION_WORDS =
  /^(?:to|in|on|for|with|and|or|but|from|within|after|before|at|by|if|when|that|who|which|again|online|today|yesterday|once|twice|then|they|is|are|was|were)$/;
const STRING_PROPERTY_PREFERENCE = ["category", "name", "product", "title", "topic", "destination", "reason"];

const COUNT =
  /\b(?:(more than|over|at least) )?(?:(\d+) times|(twice|thrice))( or more)?(?: (?:in|within) (?:(?:a|an|one|1|the same) |(\d+) )?(day|week|month)s?)?\b/g;

const STOP =
  /\b(?:stop|exit|end the journey|leave the journey|remove them|take them out|cancel the journey|no more (?:messages|emails|reminders))\b/;

/**
 * "send a push asking for a rating", "email them a reminder to complete their order": words after a
 * message that say what it is about are its content, not an event the journey reacts to.
 */
function inMessagePurpose(
  text: string,
  clauses: ReadonlyArray<{ start: number; end: number }>,
  actions: ReadonlyArray<{ start: number; end: number }>,
  offset: number,
): boolean {
  const clause = clauseIndexAt(clauses, offset);
  return actions.some((action) => {
    if (action.end > offset || clauseIndexAt(clauses, action.start) !== clause) return false;
    const between = text.slice(action.end, offset);
    return (
      /\b(?:asking|ask|about|for|with|to|regarding|inviting|requesting|reminding|offering|on|that|saying|telling)\b/.test(
        between,
      ) &&
      !/\b(?:after|when|if|once|since|before|until|unless|without|as soon as|whenever|but|and then|then|who|whose|customers|people|users|someone|anyone)\b/.test(
        between,
      )
    );
  });
}

/**
 * Words that look like an event but are not one here: an imperative ("upgrade them to VIP"), an
 * infinitive of purpose ("… to complete their order") or a reason ("because it arrived damaged").
 */
function notAnEvent(
  text: string,
  clauses: ReadonlyArray<{ start: number; end: number }>,
  mention: EventMention,
): boolean {
  const clause = clauses[clauseIndexAt(clauses, mention.actionStart)]!;
  const lead = text.slice(clause.start, mention.actionStart);
  const word = /^[a-z-]+/.exec(text.slice(mention.actionStart))?.[0] ?? "";
  if (/\bbecause\b/.test(lead)) return true;
  const baseForm = !/(?:s|ed|ing)$/.test(word) || /(?:ss|us)$/.test(word);
  if (baseForm && /^\s*(?:(?:and|then|also|please|now|just)\s+)*$/.test(lead)) return true;
  if (
    baseForm &&
    /\bto\s+$/.test(lead) &&
    !/\b(?:fail|fails|failed|forget|forgets|forgot|yet|never|manage|manages|managed|going|about|want|wants|tries|try|trying|begin|begins|began|start|starts|started|continue|continues|need|needs|have|has)\s+to\s+$/.test(
      lead,
    )
  ) {
    return true;
  }
  return false;
}

function lastMatchBefore(pattern: RegExp, text: string, end: number): RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  for (const match of text.slice(0, end).matchAll(pattern)) last = match as RegExpExecArray;
  return last;
}

function isNegated(masked: string, mention: EventMention, others: readonly EventMention[]): boolean {
  // The verb carries the negation: "the payment still hasn't succeeded", "documents haven't been uploaded".
  const cue = lastMatchBefore(NEGATION, masked, mention.actionStart);
  if (!cue) return false;
  if (mention.actionStart - cue.index > 70) return false;
  // The negation belongs to the first event after it: "doesn't open the app within 14 days of placing an order".
  if (
    others.some(
      (other) =>
        other !== mention && other.actionStart >= cue.index && other.actionStart < mention.actionStart,
    )
  )
    return false;
  const between = masked.slice(cue.index, mention.actionStart);
  if (/[,;]/.test(between) && !/^(?:unless|until|without)/.test(cue[0])) return false;
  return true;
}

function subjectFacts(masked: string, mention: EventMention): { conditional: boolean; pronoun: boolean } {
  const cue = lastMatchBefore(CONDITIONAL, masked, mention.start);
  if (!cue || mention.start - cue.index > 60) {
    const words = masked.slice(Math.max(0, mention.start - 14), mention.start);
    return { conditional: false, pronoun: /\b(?:they|them|he|she)\s+(?:\w+\s+)?$/.test(words) };
  }
  const between = masked.slice(cue.index + cue[0].length, mention.start);
  return { conditional: true, pronoun: PRONOUN_SUBJECT.test(between) };
}

/** "buys a laptop" → category contains "laptop"; "a ticket about billing" → topic contains "billing". */
function objectCondition(
  catalog: WorkspaceCatalog,
  masked: string,
  mention: EventMention,
  index: EventIndex,
): ConditionFact | null {
  const properties = catalog.events[mention.event]?.properties ?? {};
  const stringProperties = STRING_PROPERTY_PREFERENCE.filter((name) => properties[name] === "string");
  if (stringProperties.length === 0) return null;
  const after = masked.slice(mention.actionStart);
  const direct =
    /^\S+\s+(?:a|an|some|their|the|his|her|new|any)\s+(?:(?:new|brand-new|used|cheap|expensive|premium)\s+)?([a-z][a-z-]+)(?:\s+([a-z][a-z-]+))?/.exec(
      after,
    );
  const about =
    /^\S+(?:\s+\S+){0,4}?\s+(?:about|regarding|concerning|for)\s+(?:a |an |the |their )?([a-z][a-z-]+)/.exec(
      after,
    );
  const to = /^\S+(?:\s+\S+){0,4}?\s+to\s+([a-z][a-z-]+)/.exec(after);
  const indexed = index.events.find((event) => event.name === mention.event);
  const isObject = (word: string) => Boolean(indexed?.objects.has(tokenize(word)[0]?.stem ?? word));
  const candidates: Array<{ word: string; property: string }> = [];
  if (direct) {
    // The head of a short noun phrase: "a gaming laptop" → laptop, "a laptop bag" → bag.
    const second = direct[2];
    const usable = second && !FUNCTION_WORDS.test(second) && !second.endsWith("ing") ? second : undefined;
    const head = usable ?? direct[1]!;
    if (!GENERIC_NOUNS.has(head) && !isObject(head) && !isObject(direct[1]!) && !/\d/.test(head)) {
      const property = stringProperties.find((p) => p !== "topic" && p !== "destination" && p !== "reason");
      if (property) candidates.push({ word: singular(head), property });
    }
  }
  if (about && properties.topic === "string" && !GENERIC_NOUNS.has(about[1]!) && !isObject(about[1]!)) {
    candidates.push({ word: singular(about[1]!), property: "topic" });
  }
  if (to && properties.destination === "string" && !GENERIC_NOUNS.has(to[1]!) && !isObject(to[1]!)) {
    candidates.push({ word: to[1]!, property: "destination" });
  }
  const chosen = candidates[0];
  if (!chosen || chosen.word.length < 3) return null;
  return {
    condition: { field: `event.properties.${chosen.property}`, op: "contains", value: chosen.word },
    kind: "property",
    event: mention.event,
    negated: false,
    change: false,
    label: `${chosen.property} contains "${chosen.word}"`,
    start: mention.actionStart,
    end: mention.actionStart,
  };
}

/** "never to customers who have an open ticket", "except VIPs": the condition excludes. */
function conditionNegated(masked: string, start: number): boolean {
  const clause =
    masked
      .slice(Math.max(0, start - 45), start)
      .split(/[,;]/)
      .pop() ?? "";
  return /\b(?:never|not|no|except|excluding|unless|other than|exclude|aren't|isn't|don't|doesn't|without)\b/.test(
    clause,
  );
}

/** Picks the trait or event property a numeric comparison talks about. */
function resolveComparison(
  context: AnalysisContext,
  masked: string,
  comparison: NumericComparison,
  mentions: readonly EventMention[],
): { field: FieldCandidate; hintStart: number } | null {
  const hint = hintBefore(masked, comparison.start);
  const eventNames = [
    ...new Set([...mentions.map((m) => m.event), ...(context.triggerEvent ? [context.triggerEvent] : [])]),
  ];
  const propertyCandidates = eventNames.flatMap((name) => numericProperties(context.catalog, name));
  // Traits were resolved before events (they need strong evidence); here only event properties.
  const scored = [...propertyCandidates]
    .map((field) => ({ field, score: fieldScore(field, hint) }))
    .filter((entry) => entry.score > 0)
    .sort((a, b) => {
      if (b.score !== a.score) return b.score - a.score;
      // Prefer the property of the event mentioned nearest to the number.
      const distance = (entry: { field: FieldCandidate }) => {
        const mention = mentions.find((m) => m.event === entry.field.event);
        return mention ? Math.abs(mention.start - comparison.start) : 10_000;
      };
      return distance(a) - distance(b);
    });
  const tokens = tokenize(masked.slice(0, comparison.start)).slice(-7);
  const hintStartFor = (field: FieldCandidate) => {
    const own = field.name.split("_").filter((part) => part && part !== "id");
    const first = tokens.find((token) => own.some((part) => token.stem === tokenize(part)[0]?.stem));
    return first ? first.start : comparison.start;
  };
  if (scored[0]) return { field: scored[0].field, hintStart: hintStartFor(scored[0].field) };
  // No word names the field: a unit or a currency may ("more than 3 hours" → delay_minutes).
  const byUnit = propertyCandidates.filter((field) =>
    comparison.unit
      ? /(?:minutes?|hours?|days?|weeks?)$/.test(field.name)
      : comparison.money
        ? /total|amount|value|price|revenue|spend/.test(field.name)
        : false,
  );
  if (byUnit.length === 1) return { field: byUnit[0]!, hintStart: comparison.start };
  const nearest = mentions.filter((m) => numericProperties(context.catalog, m.event).length === 1);
  if (nearest.length === 1)
    return { field: numericProperties(context.catalog, nearest[0]!.event)[0]!, hintStart: comparison.start };
  if (
    mentions.length === 0 &&
    context.triggerEvent &&
    numericProperties(context.catalog, context.triggerEvent).length === 1
  ) {
    return {
      field: numericProperties(context.catalog, context.triggerEvent)[0]!,
      hintStart: comparison.start,
    };
  }
  return null;
}

function enumFieldsOfTraits(catalog: WorkspaceCatalog): FieldCandidate[] {
  return Object.entries(catalog.traits)
    .filter(([, type]) => enumValues(type).length > 0)
    .map(([name, type]) => ({ path: `traits.${name}`, name, kind: "trait" as const, type }));
}

function enumFieldsOfEvent(catalog: WorkspaceCatalog, event: string): FieldCandidate[] {
  return Object.entries(catalog.events[event]?.properties ?? {})
    .filter(([, type]) => enumValues(type).length > 0)
    .map(([name, type]) => ({ path: `properties.${name}`, name, kind: "property" as const, event, type }));
}

export function analyseSentence(text: string, index: number, context: AnalysisContext): SentenceFacts {
  const { catalog } = context;
  let masked = text;
  const mask = (start: number, end: number) => {
    masked = maskSpan(masked, start, end);
  };
  const notes: string[] = [];

  const offers = findOffers(masked);
  for (const offer of offers) if (!offer.assumed) mask(offer.start, offer.end);
  const split = findSplit(masked);
  if (split) {
    for (const match of masked.matchAll(
      /\b\d{1,2}(?:\.\d+)?\/\d{1,2}(?:\.\d+)?(?:\/\d{1,2}(?:\.\d+)?)?\b|\b\d{1,2}(?:\.\d+)?% (?:holdout|hold-out|hold out|control)(?: group)?\b/g,
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

  const comparisons = findComparisons(masked);
  for (const comparison of comparisons) mask(comparison.start, comparison.end);
  const times = findTimeExpressions(masked);
  for (const time of times)
    if (!(time.kind === "delay" || time.kind === "within") || time.anchor.kind !== "mention")
      mask(time.start, time.end);
  for (const time of times)
    if ((time.kind === "delay" || time.kind === "within") && time.anchor.kind === "mention")
      mask(time.start, time.anchor.offset);
  const sends = findSends(masked);
  for (const send of sends) mask(send.start, send.end);

  const conditions: ConditionFact[] = [];
  for (const count of findCountMentions(masked, catalog)) {
    conditions.push({
      condition: { field: `traits.${count.trait}`, op: count.op, value: count.value },
      kind: "trait",
      trait: count.trait,
      negated: conditionNegated(masked, count.start),
      change: false,
      label: `${count.trait} ${count.op === "gt" ? ">" : "="} ${count.value}`,
      start: count.start,
      end: count.end,
    });
    mask(count.start, count.end);
  }
  // Trait comparisons first: their words ("churn risk score") must not be read as events.
  const pendingComparisons: NumericComparison[] = [];
  for (const comparison of comparisons) {
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
  for (const mention of findEnumMentions(masked, enumFieldsOfTraits(catalog))) {
    conditions.push({
      condition: {
        field: `traits.${mention.field.name}`,
        op: mention.negated ? "neq" : "eq",
        value: mention.value,
      },
      kind: "trait",
      trait: mention.field.name,
      negated: false,
      change: /\b(?:becomes?|turns?|is upgraded to|moves? to|gets? promoted to)\s+(?:an? |the )?$/.test(
        masked.slice(Math.max(0, mention.start - 30), mention.start),
      ),
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
        : findDatetimeProperty(rest, catalog);
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

  let mentions = findEventMentions(masked, context.index, context.mentioned, text);
  const textEvents = [
    ...mentions.map((m) => m.event),
    ...(context.triggerEvent ? [context.triggerEvent] : []),
  ].filter((event) => textProperty(catalog, event));
  const textSignals = textEvents.length > 0 ? findTextSignals(masked) : [];
  for (const signal of textSignals) mask(signal.start, signal.end);
  if (textSignals.length > 0) mentions = findEventMentions(masked, context.index, context.mentioned, text);
  const clauses = clauseRanges(text);
  mentions = mentions.filter(
    (mention) =>
      !inMessagePurpose(text, clauses, [...sends, ...handoffs, ...updates], mention.start) &&
      !notAnEvent(text, clauses, mention),
  );
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
      conditions: [],
    };
  });
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
    const resolved = resolveComparison(context, masked, comparison, mentions);
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
  for (const signal of textSignals) {
    const owner = nearestEvent(
      signal.start,
      (e) => !e.since && textProperty(catalog, e.mention.event) !== null,
    );
    const event = owner?.mention.event ?? context.triggerEvent;
    const property = event ? textProperty(catalog, event) : null;
    if (!event || !property) continue;
    const fact: ConditionFact = {
      condition: {
        field: `event.properties.${property}`,
        op: signal.op,
        value: signal.value,
        transform: signal.transform,
      },
      kind: "property",
      event,
      negated: conditionNegated(masked, signal.start),
      change: false,
      label: `the ${property} ${signal.description}`,
      start: signal.start,
      end: signal.end,
    };
    if (owner) owner.conditions.push(fact);
    else conditions.push(fact);
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
          op: mention.negated ? "neq" : "eq",
          value: mention.value,
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
    if (!owner) continue;
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

  const markers = {
    otherwise:
      /\b(?:everyone|everybody|anyone|all) else\b|\b(?:all )?other (?:customers|people|users|members|subscribers)\b|\bthe rest\b|\botherwise\b|\bif not\b/.test(
        text,
      ),
    who: /\b(?:people|customers|users|those|anyone|members|subscribers|buyers|ones|everyone|someone|somebody|shoppers|clients)\b[^,]{0,12}\b(?:who|that|whose|with|on)\b|^(?:for )?(?:\w+ ){0,2}(?:customers|users|members|people|shoppers|subscribers|clients)\b/.test(
      text,
    ),
    also: /\b(?:also|additionally|too|as well|in addition)\b/.test(text),
    parallel:
      /\b(?:at any (?:point|time|stage|moment)|any ?time|whenever|if ever|in parallel|meanwhile|at the same time|separately|independently)\b/.test(
        text,
      ),
    stop: STOP.test(masked),
    prohibition: /^(?:never|don't|do not|no)\b/.test(masked.trim()),
  };
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
    times,
    events,
    conditions: distinct,
    datetimes,
    markers,
    notes,
  };
}
