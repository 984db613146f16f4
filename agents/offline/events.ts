import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import { FIELD_SYNONYMS } from "./conditions.ts";
import type { Token } from "./text.ts";
import { clauseIndexAt, clauseRanges, STOPWORDS, stem, TIME_MASK, tokenize } from "./text.ts";

/**
 * Event resolution against the workspace catalog. Catalog events are named "Object Action"
 * (Segment's convention: "Checkout Started", "Payment Failed"), so a mention of an event is an
 * action word near its object words: "starts checkout", "the payment still hasn't succeeded",
 * "a document upload fails". Each catalog event is indexed by
 *   - its name: the last word is the action, the others are objects,
 *   - its description: participles are further actions ("card declined"), nouns further objects
 *     ("basket"), and
 *   - a small lexicon of verb synonyms keyed by the action (buy/purchase → completed,
 *     answer/rate → submitted, book → confirmed),
 * and a window of words is scored against every event with that action. Nothing here names a
 * particular catalog event: a workspace with other events is resolved the same way.
 */

/** Verb synonyms, keyed by the stem of the action word in an event name. */
const ACTION_SYNONYMS: Record<string, readonly string[]> = {
  complet: ["buy", "purchas", "finish"],
  start: ["begin", "initiat", "kick"],
  signup: ["regist", "join", "enrol", "enroll"],
  cancel: ["terminat"],
  upgrad: ["convert", "subscrib"],
  view: ["brows", "visit", "look"],
  add: ["put"],
  ship: ["dispatch"],
  deliver: ["arriv", "receiv"],
  fail: ["declin", "bounc", "reject"],
  succeed: ["pay", "clear"],
  open: ["launch"],
  clos: ["resolv", "solv"],
  submit: ["answer", "respond", "respons", "fill", "rat", "scor", "complet", "tak"],
  receiv: ["writ", "chat"],
  confirm: ["book", "reserv"],
  // "late" stems to "lat"
  delay: ["lat"],
};

/** Past participles that do not end in -ed (read in descriptions as actions). */
const IRREGULAR_PARTICIPLES = new Set([
  "paid",
  "left",
  "sent",
  "went",
  "began",
  "begun",
  "wrote",
  "written",
  "made",
  "bought",
  "got",
  "came",
  "took",
  "gave",
]);

/** Words too generic to identify an event. */
const NOISE = new Set(
  [
    ...STOPWORDS,
    "customer",
    "customers",
    "user",
    "users",
    "someone",
    "somebody",
    "person",
    "people",
    "higher",
    "lower",
    "mobile",
    "now",
    "will",
    "were",
    "was",
    "through",
  ].map(stem),
);

/** Words in a description that deny what follows them. */
const DENIAL = /^(?:not|never|no|yet)$/;

const CHANNEL_WORDS =
  /^(?:texts?|texting|messages?|messaging|emails?|sms|push(?:es)?|notifications?|chats?|calls?|in-app|banners?)$/;

const WEIGHT = { nameAction: 3, synonym: 3, descAction: 2, nameObject: 2, descObject: 1, property: 0.5 };
const THRESHOLD = 3;
const WINDOW = 5;

interface IndexedEvent {
  name: string;
  objects: Map<string, number>;
}

export interface EventIndex {
  events: IndexedEvent[];
  /** action stem → events with that action and the weight of the match */
  byAction: Map<string, Array<{ event: IndexedEvent; weight: number }>>;
}

function addAction(index: EventIndex, stemmed: string, event: IndexedEvent, weight: number) {
  const list = index.byAction.get(stemmed) ?? [];
  const existing = list.find((entry) => entry.event === event);
  if (existing) existing.weight = Math.max(existing.weight, weight);
  else list.push({ event, weight });
  index.byAction.set(stemmed, list);
}

function addObject(event: IndexedEvent, stemmed: string, weight: number) {
  if (NOISE.has(stemmed) || /^\d/.test(stemmed)) return;
  event.objects.set(stemmed, Math.max(event.objects.get(stemmed) ?? 0, weight));
}

export function buildEventIndex(catalog: WorkspaceCatalog): EventIndex {
  const index: EventIndex = { events: [], byAction: new Map() };
  for (const [name, definition] of Object.entries(catalog.events)) {
    const event: IndexedEvent = { name, objects: new Map() };
    index.events.push(event);
    const words = tokenize(name.toLowerCase());
    const action = words[words.length - 1]!.stem;
    addAction(index, action, event, WEIGHT.nameAction);
    for (const synonym of ACTION_SYNONYMS[action] ?? []) addAction(index, synonym, event, WEIGHT.synonym);
    for (const word of words.slice(0, -1)) addObject(event, word.stem, WEIGHT.nameObject);
    const description = tokenize((definition.description ?? "").toLowerCase());
    for (const [position, word] of description.entries()) {
      // "an invoice was not paid on time": a denied participle is what did not happen, so it is
      // neither the event's action nor, with its "not", an object ("did not pay" is the payment).
      if (DENIAL.test(word.text)) continue;
      if (DENIAL.test(description[position - 1]?.text ?? "")) continue;
      const isParticiple =
        (/ed$/.test(word.text) && word.text.length > 3) ||
        IRREGULAR_PARTICIPLES.has(word.text) ||
        description[position - 1]?.text === "will";
      if (isParticiple && !NOISE.has(word.stem)) addAction(index, word.stem, event, WEIGHT.descAction);
      else addObject(event, word.stem, WEIGHT.descObject);
    }
    for (const property of Object.keys(definition.properties ?? {})) {
      for (const part of property.split("_")) {
        if (part === "id" || part === "at") continue;
        addObject(event, stem(part), WEIGHT.property);
        // "rate us 3 or lower" is about the event with a score, not any event that is submitted.
        for (const synonym of FIELD_SYNONYMS[part] ?? []) addObject(event, synonym, WEIGHT.property);
      }
    }
  }
  return index;
}

export interface EventMention {
  event: string;
  start: number;
  end: number;
  /** offset of the action word */
  actionStart: number;
  score: number;
  /** other events that scored the same (resolved by preference or reported as ambiguous) */
  ties: string[];
  text: string;
}

function scoreWindow(event: IndexedEvent, window: readonly Token[]): { score: number; matched: Token[] } {
  let score = 0;
  const matched: Token[] = [];
  const seen = new Set<string>();
  for (const token of window) {
    const weight = event.objects.get(token.stem);
    if (weight !== undefined && !seen.has(token.stem)) {
      seen.add(token.stem);
      score += weight;
      matched.push(token);
    }
  }
  return { score, matched };
}

/** Name words two events share ("Loan Application Started" and "Loan Application Submitted"). */
function sharedNameWords(a: string, b: string): number {
  const words = new Set(
    tokenize(a.toLowerCase())
      .slice(0, -1)
      .map((token) => token.stem),
  );
  return tokenize(b.toLowerCase())
    .slice(0, -1)
    .filter((token) => words.has(token.stem)).length;
}

/**
 * Every event mention in a (masked) sentence. `preferred` breaks ties in favour of events the goal
 * already mentioned ("everyone else who cancels" after "cancels their subscription"), then of
 * events about the same thing ("if it's not submitted" after "a loan application is started").
 * `original` is the unmasked sentence, for the mention's text.
 */
export function findEventMentions(
  sentence: string,
  index: EventIndex,
  preferred: readonly string[] = [],
  original: string = sentence,
): EventMention[] {
  const tokens = tokenize(sentence);
  const clauses = clauseRanges(sentence);
  const barriers = [...sentence.matchAll(new RegExp(`${TIME_MASK}+`, "g"))].map((match) => match.index);
  const apart = (a: Token, b: Token) =>
    barriers.some((barrier) => barrier > Math.min(a.start, b.start) && barrier < Math.max(a.start, b.start));
  const candidates: EventMention[] = [];
  for (const [position, token] of tokens.entries()) {
    const actions = index.byAction.get(token.stem);
    if (!actions) continue;
    const clause = clauseIndexAt(clauses, token.start);
    const window = tokens
      .slice(Math.max(0, position - WINDOW), position + WINDOW + 1)
      .filter(
        (other) => other !== token && clauseIndexAt(clauses, other.start) === clause && !apart(token, other),
      );
    const scored = actions
      .map(({ event, weight }) => {
        const { score, matched } = scoreWindow(event, window);
        // The action word itself may say which event ("rate" fits the one with a score).
        const own = event.objects.get(token.stem) === WEIGHT.property ? WEIGHT.property : 0;
        return { event, score: weight + score + own, matched };
      })
      .filter((entry) => entry.score >= THRESHOLD)
      .sort((a, b) => b.score - a.score);
    if (scored.length === 0) continue;
    const best = scored[0]!;
    let tied = scored.filter((entry) => Math.abs(entry.score - best.score) < 0.01);
    const kin = (entry: (typeof tied)[number]) =>
      Math.max(0, ...preferred.map((name) => sharedNameWords(name, entry.event.name)));
    const related = tied.length > 1 ? [...tied].sort((a, b) => kin(b) - kin(a)) : tied;
    const preferredTie =
      tied.find((entry) => preferred.includes(entry.event.name)) ??
      (related.length > 1 && kin(related[0]!) > kin(related[1]!) ? related[0] : undefined);
    const chosen = preferredTie ?? best;
    if (preferredTie) tied = [preferredTie];
    const spanTokens = [token, ...chosen.matched];
    const start = Math.min(...spanTokens.map((t) => t.start));
    const end = Math.max(...spanTokens.map((t) => t.end));
    candidates.push({
      event: chosen.event.name,
      start,
      end,
      actionStart: token.start,
      score: chosen.score,
      ties: tied.filter((entry) => entry !== chosen).map((entry) => entry.event.name),
      text: original.slice(start, end),
      words: spanTokens.map((t) => t.start),
    } as EventMention & { words: number[] });
  }
  // Two candidates are one mention when one's action word is among the other's words ("delivery is
  // delayed": "delivery" is the object of Delivery Delayed, not a second event). Shared objects do
  // not merge mentions ("views a product without adding it": two events).
  candidates.sort((a, b) => b.score - a.score || a.start - b.start);
  const kept: Array<EventMention & { words: number[] }> = [];
  for (const candidate of candidates as Array<EventMention & { words: number[] }>) {
    const conflict = kept.find(
      (other) => other.words.includes(candidate.actionStart) || candidate.words.includes(other.actionStart),
    );
    if (conflict) {
      if (conflict.event === candidate.event) {
        conflict.start = Math.min(conflict.start, candidate.start);
        conflict.end = Math.max(conflict.end, candidate.end);
        conflict.text = original.slice(conflict.start, conflict.end);
      }
      continue;
    }
    kept.push(candidate);
  }
  // A tie left over may be settled by the sentence itself: "a support ticket is still not closed 48
  // hours after it was opened" — "opened" is the ticket's, like the event named beside it.
  for (const mention of kept) {
    if (mention.ties.length === 0) continue;
    const beside = kept.filter((other) => other !== mention && other.ties.length === 0).map((o) => o.event);
    if (beside.length === 0) continue;
    const kin = (name: string) => Math.max(0, ...beside.map((other) => sharedNameWords(other, name)));
    const ranked = [mention.event, ...mention.ties].sort((a, b) => kin(b) - kin(a));
    if (kin(ranked[0]!) > kin(ranked[1]!)) {
      mention.event = ranked[0]!;
      mention.ties = [];
    }
  }
  return kept.map(({ words: _words, ...mention }) => mention).sort((a, b) => a.start - b.start);
}

/**
 * When a sentence names no event by its action but names a thing only one event is about ("every
 * new trial", "a customer's survey comment"), that event — a weak reading, used only to find a
 * trigger that would otherwise be missing.
 */
export function findObjectOnlyMention(
  sentence: string,
  index: EventIndex,
  original: string = sentence,
  catalog?: WorkspaceCatalog,
  /** events the sentence already names otherwise ("still not resolved": not the closing, so the opening) */
  exclude: readonly string[] = [],
): EventMention | null {
  // "send new users a push": new customers are the ones who just signed up.
  const newcomers = /\bnew (?:users|customers|members|accounts|subscribers)\b|\bnewcomers\b/.exec(sentence);
  const signup = index.byAction.get("signup")?.find((entry) => entry.weight === WEIGHT.nameAction);
  if (newcomers && signup) {
    return {
      event: signup.event.name,
      start: newcomers.index,
      end: newcomers.index + newcomers[0].length,
      actionStart: newcomers.index,
      score: 2,
      ties: [],
      text: original.slice(newcomers.index, newcomers.index + newcomers[0].length),
    };
  }
  const mentionAt = (event: string, token: Token): EventMention => ({
    event,
    start: token.start,
    end: token.end,
    actionStart: token.start,
    score: 2,
    ties: [],
    text: original.slice(token.start, token.end),
  });
  const tokens = tokenize(sentence);
  for (const token of tokens) {
    const owners = index.events.filter((event) => {
      if (exclude.includes(event.name)) return false;
      const words = tokenize(event.name.toLowerCase());
      return words.slice(0, -1).some((word) => word.stem === token.stem);
    });
    if (owners.length === 1) return mentionAt(owners[0]!.name, token);
  }
  if (!catalog) return null;
  // "an NPS comment": a property or a value only one event has ("comment", "nps").
  const ownWords = (name: string): Set<string> => {
    const definition = catalog.events[name]!;
    const words = Object.entries(definition.properties ?? {}).flatMap(([property, type]) => [
      ...property.split("_").filter((part) => part !== "id" && part !== "at"),
      ...(type.includes("|") ? type.split("|") : []),
    ]);
    return new Set(words.map((word) => stem(word.trim().toLowerCase())));
  };
  const byEvent = Object.keys(catalog.events).map((name) => ({ name, words: ownWords(name) }));
  for (const token of tokens) {
    // Channel words ("opted out of texts") name how we reach people, not what happened.
    if (NOISE.has(token.stem) || token.stem.length < 3 || CHANNEL_WORDS.test(token.text)) continue;
    const owners = byEvent.filter((entry) => entry.words.has(token.stem));
    if (owners.length === 1) return mentionAt(owners[0]!.name, token);
  }
  return null;
}

/** Everyday verbs for the moment a date property names ("before they fly" → departure). */
const DATE_SYNONYMS: Record<string, readonly string[]> = {
  depart: ["fly", "flight", "travel"],
  end: ["expir", "finish", "run", "laps"],
  start: ["begin"],
};

/** Finds a datetime property ("trial_ends_at") named by the words at the start of `text`. */
export function findDatetimeProperty(
  text: string,
  catalog: WorkspaceCatalog,
  options: { every?: boolean } = {},
): { event: string; property: string; score: number } | null {
  const words = tokenize(text)
    .slice(0, 6)
    .map((token) => token.stem)
    .filter((word) => !NOISE.has(word));
  let best: { event: string; property: string; score: number } | null = null;
  for (const [name, definition] of Object.entries(catalog.events)) {
    const eventWords = new Set(
      tokenize(`${name} ${definition.description ?? ""}`.toLowerCase()).map((t) => t.stem),
    );
    for (const [property, type] of Object.entries(definition.properties ?? {})) {
      if (!/date|time/i.test(type)) continue;
      const parts = property
        .split("_")
        .filter((part) => part !== "at" && part !== "on" && part !== "date")
        .map((part) => stem(part));
      const said = (part: string) =>
        words.includes(part) || (DATE_SYNONYMS[part] ?? []).some((synonym) => words.includes(synonym));
      const direct = parts.filter(said).length;
      const context = words.filter((word) => eventWords.has(word) && !parts.includes(word)).length;
      const score = direct * 2 + context * 0.5;
      // `every`: all the property's words must be said ("their trial ends", not "their trial starts").
      const enough = options.every ? direct === parts.length : direct > 0;
      if (enough && (!best || score > best.score)) best = { event: name, property, score };
    }
  }
  return best;
}

/**
 * Actions that leave something open for the customer to settle (a payment failed, an invoice is
 * overdue, an application was started), and actions that settle it (succeeded, paid, submitted).
 * Keyed by the stem of the action word, like ACTION_SYNONYMS, so they apply to any catalog.
 */
const OPENING_ACTIONS = new Set(["fail", "start", "open", "overdu", "delay", "declin", "reach", "expir"]);
const SETTLING_ACTIONS = new Set([
  "succeed",
  "complet",
  "clos",
  "submit",
  "upload",
  "pay",
  "deliver",
  "resolv",
]);

/**
 * The events that settle `trigger`: about the same thing (a name word in common, or the thing
 * the trigger failed to do — "Document Upload Failed" is settled by "Documents Uploaded") with a
 * settling action, when the trigger's action leaves something open. "Unless they've updated their
 * card" after a failed payment names no event, but the event that settles a failed payment is
 * what it can only mean.
 */
export function settlingEvents(trigger: string, index: EventIndex): string[] {
  const words = (name: string) => tokenize(name.toLowerCase()).map((token) => token.stem);
  const own = words(trigger);
  const action = own.at(-1);
  if (!action || !OPENING_ACTIONS.has(action)) return [];
  const objects = new Set(own.slice(0, -1));
  return index.events
    .map((event) => event.name)
    .filter((name) => {
      if (name === trigger) return false;
      const other = words(name);
      const otherAction = other.at(-1)!;
      if (!SETTLING_ACTIONS.has(otherAction)) return false;
      return objects.has(otherAction) || other.slice(0, -1).some((word) => objects.has(word));
    });
}
