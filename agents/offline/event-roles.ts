import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { EventIndex, EventMention } from "./events.ts";
import type { ConditionFact } from "./facts.ts";
import { clauseIndexAt, singular, tokenize } from "./text.ts";
import { findWindow } from "./time-expressions.ts";

/**
 * What an event mention means in its sentence: negated ("hasn't ordered"), introduced by if/when,
 * said of "they" or of someone new, the content of a message rather than an event ("asking for a
 * rating"), an imperative ("upgrade them"), and what its object says ("buys a laptop").
 */

const NEGATION =
  /\b(?:not|never|no|without|unless|until|(?:skip|skipping|exclude|excluding|except) (?:anyone|everyone|anybody|people|customers|users|those|travellers|travelers|shoppers)? ?(?:who|whose|that|with)|hasn't|haven't|hadn't|doesn't|don't|didn't|isn't|aren't|wasn't|weren't|won't|cannot|fails? to|failed to|yet to|neither|nor)\b|n't\b/g;
const CONDITIONAL = /\b(?:if|when|whenever|once|as soon as|after|in case)\b/g;
/** A subject that refers back to this customer or to something already named ("the rating"). */
const PRONOUN_SUBJECT = /\b(?:they|them|he|she|it|its|their|his|her|the|this|that)\b/;
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
/** Words in front of an event's noun that say which one, not what it is about ("a new order"). */
const MODIFIER_ADJECTIVES =
  /^(?:new|first|second|third|last|latest|recent|next|big|small|large|huge|major|minor|single|whole|full|online|customer|customer's|user|user's|paid|free|open|urgent|important|same|other|another|previous|current|single|real|daily|weekly|monthly)$/;
const FUNCTION_WORDS =
  /^(?:to|in|on|for|with|and|or|but|from|within|after|before|at|by|if|when|that|who|which|again|online|today|yesterday|once|twice|then|they|is|are|was|were)$/;
const STRING_PROPERTY_PREFERENCE = ["category", "name", "product", "title", "topic", "destination", "reason"];

/** "3 times in a week", "twice"; not a limit on repeats ("up to 3 times"). */
export const COUNT =
  /(?<!\b(?:up to|at most|no more than|maximum of|max|max of) )\b(?:(more than|over|at least) )?(?:(\d+) times|(twice|thrice))( or more)?(?: (?:in|within) (?:(?:a|an|one|1|the same) |(\d+) )?(day|week|month)s?)?\b/g;

export const STOP =
  /\b(?:stop|exit|end the journey|leave the journey|remove them|take them out|cancel the journey|no more (?:messages|emails|reminders))\b/;

/**
 * "send a push asking for a rating", "email them a reminder to complete their order": words after a
 * message that say what it is about are its content, not an event the journey reacts to.
 */
export function inMessagePurpose(
  text: string,
  clauses: ReadonlyArray<{ start: number; end: number }>,
  actions: ReadonlyArray<{ start: number; end: number }>,
  offset: number,
): boolean {
  const clause = clauseIndexAt(clauses, offset);
  // "welcome emails on new sign-ups", "a push for every new trial": who gets it, not what it says.
  if (
    /\b(?:on|for|to) (?:all |every |each |our )?(?:new|recent|first-time|fresh)\s+$/.test(
      text.slice(0, offset),
    )
  )
    return false;
  // "ask for a CSAT rating with an in-app message", "invite them to review the product": what we ask
  // for is the message's content, whichever comes first, the request or the channel.
  const lead = text.slice(clauses[clause]?.start ?? 0, offset);
  if (
    /\b(?:ask|asking|request|requesting|invite|inviting|encourage|encouraging|prompt|prompting)\s+(?:(?:them|the customer|customers|him|her|people|the user|users)\s+)?(?:for|to)\s+(?:(?:a|an|the|their|our|your)\s+)?(?:[a-z-]+\s+)?$/.test(
      lead,
    ) &&
    actions.some((action) => clauseIndexAt(clauses, action.start) === clause)
  )
    return true;
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
export function notAnEvent(
  text: string,
  clauses: ReadonlyArray<{ start: number; end: number }>,
  mention: EventMention,
): boolean {
  const clause = clauses[clauseIndexAt(clauses, mention.actionStart)]!;
  const lead = text.slice(clause.start, mention.actionStart);
  const word = /^[a-z-]+/.exec(text.slice(mention.actionStart))?.[0] ?? "";
  if (/\bbecause\b/.test(lead)) return true;
  // "We're launching a new onboarding flow": what the team is doing about the journey, not
  // something a customer did ("once we close the ticket" still is: no progressive, no future).
  if (
    /\b(?:we're|we are|we'll|we will|we'd like to|we want to|we plan to|i'm|i am|i want to|let's)\s+$/.test(
      lead,
    )
  )
    return true;
  // "should receive a 25% win-back offer by email", "gets an email": receiving our message.
  if (/^(?:receiv|get|gets|got|getting)/.test(word)) {
    const rest = text.slice(mention.actionStart, clause.end);
    if (
      /\b(?:email|sms|text|push|in-app|message|notification|offer|discount|coupon|voucher|call|reminder)\b|%|[€$£]\d/.test(
        rest,
      )
    )
      return true;
  }
  const baseForm = !/(?:s|ed|ing)$/.test(word) || /(?:ss|us)$/.test(word);
  // "Overdue invoices: SMS right away": a headline's bare noun phrase before a colon or dash names
  // what starts the journey; an imperative has an object with a determiner ("close the ticket: …").
  const headline =
    clause.start === 0 &&
    /^(?::|\s-\s)/.test(text.slice(clause.end, clause.end + 3)) &&
    /^[a-z-]+(?:\s+(?!(?:the|a|an|their|them|it|his|her|our|this|that|those|these)\b)[a-z-]+){1,3}\s*$/.test(
      text.slice(mention.actionStart, clause.end),
    );
  if (headline) return false;
  if (baseForm && /^\s*(?:(?:and|then|also|please|now|just)\s+)*$/.test(lead)) return true;
  // "give them 3 days to upload their documents": what they are given time for is their doing.
  const window = findWindow(text.slice(clause.start, clause.end));
  if (window && clause.start + window.end === mention.actionStart) return false;
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

export function isNegated(masked: string, mention: EventMention, others: readonly EventMention[]): boolean {
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

export function subjectFacts(
  masked: string,
  mention: EventMention,
): { conditional: boolean; pronoun: boolean; temporal: boolean } {
  const cue = lastMatchBefore(CONDITIONAL, masked, mention.start);
  if (!cue || mention.start - cue.index > 60) {
    const words = masked.slice(Math.max(0, mention.start - 14), mention.start);
    return {
      conditional: false,
      pronoun: /\b(?:they|them|he|she)\s+(?:\w+\s+)?$/.test(words),
      temporal: false,
    };
  }
  const between = masked.slice(cue.index + cue[0].length, mention.start);
  // "once it has been delivered" speaks of a moment still to come; "if it has been delivered" asks
  // about what happened so far.
  return {
    conditional: true,
    pronoun: PRONOUN_SUBJECT.test(between),
    temporal: /^(?:once|as soon as|after)$/.test(cue[0]),
  };
}

/** "buys a laptop" → category contains "laptop"; "a ticket about billing" → topic contains "billing". */
export function objectCondition(
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
  // "browses shoes", "buys laptops": a bare plural is the object too.
  // Only after a verb: in "a return comes in" or "every other return gets …" the action word is a noun.
  const verbAction =
    /^[a-z]+(?:s|ed)\b/.test(after) &&
    !/\b(?:a|an|the|their|his|her|every|each|any|other|this|that)\s+$/.test(
      masked.slice(0, mention.actionStart),
    );
  const bare =
    direct || !verbAction
      ? null
      : /^\S+\s+(?!(?:\w*ss|this|its|his|hers|ours|yours|theirs|us|is|was|has|as|does|always|sometimes|perhaps|whereas|unless|plus|thus)\b)([a-z][a-z-]+s)\b/.exec(
          after,
        );
  const about =
    /^\S+(?:\s+\S+){0,4}?\s+(?:about|regarding|concerning|for)\s+(?:a |an |the |their )?([a-z][a-z-]+)/.exec(
      after,
    );
  const to = /^\S+(?:\s+\S+){0,4}?\s+to\s+([a-z][a-z-]+)/.exec(after);
  const category =
    /^\S+(?:\s+\S+){0,4}?\s+(?:in|from) (?:the |our )?([a-z][a-z-]+) (?:category|section|department|range|collection)\b/.exec(
      after,
    );
  const indexed = index.events.find((event) => event.name === mention.event);
  const isObject = (word: string) => Boolean(indexed?.objects.has(tokenize(word)[0]?.stem ?? word));
  const candidates: Array<{ word: string; property: string }> = [];
  // "returns a product because it arrived damaged", "cancels because of the price"
  const because =
    /^\S+(?:\s+\S+){0,6}?\s+because\s+(?:of\s+)?(?:it\s+(?:was|is|arrived|came)\s+|it's\s+|they\s+(?:were|are)\s+|the\s+|a\s+|an\s+|too\s+)*([a-z][a-z-]+)/.exec(
      after,
    );
  if (because && properties.reason === "string" && !GENERIC_NOUNS.has(because[1]!)) {
    candidates.push({ word: because[1]!, property: "reason" });
  }
  if (category && properties.category === "string")
    candidates.push({ word: singular(category[1]!), property: "category" });
  // A word in front of the event's own noun: "a billing ticket is opened", "a laptop order".
  const modifier = /\b(?:a|an|the|their|his|her|any|every|each|some)\s+([a-z][a-z-]+)\s+$/.exec(
    masked.slice(0, mention.start),
  );
  const anyObject = (word: string) =>
    index.events.some((event) => (event.objects.get(tokenize(word)[0]?.stem ?? word) ?? 0) >= 1);
  const enumWords = Object.values(properties).flatMap((type) => (type.includes("|") ? type.split("|") : []));
  const head = tokenize(masked.slice(mention.start))[0]?.stem ?? "";
  if (
    modifier &&
    !GENERIC_NOUNS.has(modifier[1]!) &&
    !MODIFIER_ADJECTIVES.test(modifier[1]!) &&
    !anyObject(modifier[1]!) &&
    !FUNCTION_WORDS.test(modifier[1]!) &&
    !enumWords.some((value) => modifier[1]!.split("-").includes(value.trim())) &&
    (indexed?.objects.get(head) ?? 0) >= 2
  ) {
    const property = ["topic", "category", "name", "product", "title"].find(
      (p) => properties[p] === "string",
    );
    if (property) candidates.push({ word: singular(modifier[1]!), property });
  }
  // The subject of a passive: "when a pair of shoes is returned", "once a laptop gets delivered".
  const passive =
    /(?:^|\b(?:a|an|the|their|some|any|his|her|when|if|once|whenever)\s+)(?:(?:pair|set|piece|couple|box|bottle) of\s+)?([a-z][a-z-]+)\s+(?:is|are|was|were|gets?|got|has been|have been)\s+(?:\w+\s+)?$/.exec(
      masked.slice(0, mention.actionStart),
    );
  if (
    passive &&
    !GENERIC_NOUNS.has(passive[1]!) &&
    !isObject(passive[1]!) &&
    !FUNCTION_WORDS.test(passive[1]!)
  ) {
    const property = stringProperties.find((p) => p !== "topic" && p !== "destination" && p !== "reason");
    if (property) candidates.push({ word: singular(passive[1]!), property });
  }
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
  if (
    bare &&
    !GENERIC_NOUNS.has(singular(bare[1]!)) &&
    !isObject(bare[1]!) &&
    !anyObject(bare[1]!) &&
    !FUNCTION_WORDS.test(bare[1]!)
  ) {
    const property = stringProperties.find((p) => p !== "topic" && p !== "destination" && p !== "reason");
    if (property) candidates.push({ word: singular(bare[1]!), property });
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
export function conditionNegated(masked: string, start: number): boolean {
  const clause =
    masked
      .slice(Math.max(0, start - 45), start)
      .split(/[,;]/)
      .pop() ?? "";
  return /\b(?:never|not|no|except|excluding|unless|other than|exclude|aren't|isn't|don't|doesn't|without)\b/.test(
    clause,
  );
}
