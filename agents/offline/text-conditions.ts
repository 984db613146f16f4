import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { ComparisonOp, Condition, Transform } from "../../journeys/format/condition.ts";
import { conditionNegated } from "./event-roles.ts";
import type { EventMention } from "./events.ts";
import type { AnalysisContext, ConditionFact, EventFact } from "./facts.ts";

/**
 * Conditions on what a customer wrote (a chat message, a survey comment): how it sounds ("sounds
 * angry or frustrated", "unhappy"), what it asks for ("asks for a refund") — both read at run time by
 * the text transforms of predict/text-signals.ts — and words it must contain ("mentions opening
 * hours", "says we're too expensive").
 */

export interface TextSignalMention {
  transform: Transform;
  op: ComparisonOp;
  value: number | string;
  start: number;
  end: number;
  description: string;
  /** a threshold the goal implied but never gave ("very frustrated"), said in the explanation */
  note?: string;
}

/**
 * How a mood is said of the customer: "seems happy", "comes across as pleased". "happy", "sad" and
 * "glad" are read only after one of these, so "happy to help" or "a happy birthday email" in the copy
 * asked for is never a condition on the customer's text.
 */
const COPULA =
  "(?:sounds?|sounded|sounding|seems?|seemed|appears?|appeared|is|are|was|were|looks?|looked|feels?|felt|comes? across as|came across as|being) ";
const DEGREE = "(?:really |very |clearly |quite |extremely |genuinely )?";

const TEXT_SIGNALS: Array<{
  pattern: RegExp;
  build: (said: string) => Omit<TextSignalMention, "start" | "end">;
}> = [
  {
    pattern:
      /\b(?:(?:sounds?|seems?|is|are|gets?|looks?|appears?|feels?|sounding|being|comes? across as)\s+)?(?:really |very |clearly |quite |extremely )?(?:angry|furious|frustrated|upset|annoyed|irritated|mad|livid|agitated|enraged|irate)(?:\s+(?:or|and|and\/or)\s+(?:angry|furious|frustrated|upset|annoyed|irritated|mad|livid|agitated))*\b/g,
    // "very frustrated" asks for more than "frustrated": the upper band of the 0–1 score, so the
    // reviewer sees (in a note) which cut-off stands for "very".
    build: (said) =>
      /\b(?:really|very|extremely)\b/.test(said)
        ? {
            transform: "frustration",
            op: "gte",
            value: 0.8,
            description: "sounds very angry or frustrated",
            note: `"${said.trim()}" is read as frustration ≥ 0.8 (plain "frustrated" is ≥ 0.5); change the threshold if you mean another.`,
          }
        : {
            transform: "frustration",
            op: "gte",
            value: 0.5,
            description: "sounds angry or frustrated",
          },
  },
  {
    pattern:
      /\b(?:asks?|asking|requests?|requesting|wants?|demands?|demanding)\s+(?:for |to (?:speak|talk|chat) (?:to|with) )?(?:a |an |the )?(?:human|real person|person|agent|representative|someone real|manager)\b/g,
    build: () => ({
      transform: "intent",
      op: "eq",
      value: "contact_human_agent",
      description: "asks for a human",
    }),
  },
  {
    pattern:
      /\b(?:wants?|asks?|asking|tries|trying|threatens?|threatening|mentions?|mentioning|talks? about|says? they want)\s+(?:to )?(?:cancel\w*|leave|leaving|close (?:their|the|my) account|unsubscrib\w*|quit\w*)\b/g,
    build: () => ({ transform: "intent", op: "eq", value: "cancel", description: "wants to cancel" }),
  },
  {
    pattern:
      /\b(?:asks?|asking|wants?|requests?|requesting|demands?|mentions?)\s+(?:for |about )?(?:a |their |the )?(?:refund|money back)\b/g,
    build: () => ({ transform: "intent", op: "eq", value: "refund", description: "asks for a refund" }),
  },
  {
    pattern:
      /\b(?:asks?|asking)\s+(?:where|about)\s+(?:their|the|his|her|my)\s+(?:order|delivery|package|parcel)(?: is)?\b/g,
    build: () => ({
      transform: "intent",
      op: "eq",
      value: "order_status",
      description: "asks where the order is",
    }),
  },
  {
    pattern: new RegExp(
      `\\b(?:complains?|complaining|complained|negative|unhappy|dissatisfied|disappointed|${COPULA}${DEGREE}(?:sad|negative|displeased))\\b`,
      "g",
    ),
    build: () => ({ transform: "sentiment", op: "lte", value: -0.3, description: "sounds negative" }),
  },
  {
    pattern: new RegExp(
      `\\b(?:${COPULA}${DEGREE}(?:happy|positive|pleased|content|glad|grateful)|positive|delighted|pleased|thrilled|satisfied|praises?|praising)\\b`,
      "g",
    ),
    build: () => ({ transform: "sentiment", op: "gte", value: 0.3, description: "sounds positive" }),
  },
];

export function findTextSignals(sentence: string): TextSignalMention[] {
  const found: TextSignalMention[] = [];
  for (const { pattern, build } of TEXT_SIGNALS) {
    for (const match of sentence.matchAll(pattern)) {
      const start = match.index;
      // "complaining about a late delivery": what the text is about belongs to the signal.
      const about =
        /^ (?:about|of|regarding|over|that) (?:a |an |the |their |his |her |my |our )?(?:[a-z-]+ ){0,2}[a-z-]+/.exec(
          sentence.slice(start + match[0].length),
        );
      const end = start + match[0].length + (about?.[0].length ?? 0);
      if (found.some((other) => start < other.end && other.start < end)) continue;
      found.push({ ...build(match[0]), start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

export interface KeywordMention {
  /** the words the text must contain; any one of them is enough */
  words: string[];
  /** written in quotes: literally these words, never an event ("mentions 'delivery'") */
  quoted: boolean;
  start: number;
  end: number;
}

const SAYS = "(?:mentions?|mentioning|mentioned|contains?|containing|includes?|including|says?|saying|uses?)";

/**
 * "a chat message mentions opening hours", "the comment mentions price or says we're too
 * expensive": words the customer's text must contain. What "says …" reports is reduced to its
 * content word ("we're too expensive" → "expensive").
 */
export function findKeywordMentions(sentence: string): KeywordMention[] {
  const found: KeywordMention[] = [];
  for (const match of sentence.matchAll(new RegExp(`\\b${SAYS}\\s+`, "g"))) {
    if (found.some((other) => match.index < other.end)) continue;
    const tailStart = match.index + match[0].length;
    const boundary =
      /[,;:]|\s-\s|\s+(?:then|send|email|text|push|reply|respond|hand|escalate|notify|alert|create|show|give|offer|tag|route|pass|forward|within|after|before)\b|$/.exec(
        sentence.slice(tailStart),
      )!;
    const tail = sentence.slice(tailStart, tailStart + boundary.index);
    const words = tail
      .split(new RegExp(`\\s+(?:or|and)\\s+(?:${SAYS}\\s+)?`))
      .map((piece) =>
        piece
          .replace(/^(?:the (?:words?|phrases?|terms?)\s+)/, "")
          .replace(/^(?:(?:we|it|they|you|he|she|i)(?:'re|'s|'m| are| is| am| were| was)\s+)/, "")
          .replace(/^(?:(?:too|very|so|really|way|quite|a bit|a little)\s+)+/, "")
          .replace(/^(?:(?:a|an|the|our|their|your|its|any)\s+)/, "")
          .replace(/["'#]/g, "")
          .trim(),
      )
      .filter((piece) => piece.length >= 3 && piece.split(/\s+/).length <= 4 && !/\d/.test(piece));
    if (words.length === 0) continue;
    const quoted = /^\s*(?:the (?:words?|phrases?|terms?)\s+)?["'\u201C\u2018]/.test(tail);
    found.push({ words, quoted, start: match.index, end: tailStart + boundary.index });
  }
  return found;
}

/** The property that holds customer-written text for an event (text, comment, message, body). */
export function textProperty(catalog: WorkspaceCatalog, event: string): string | null {
  const properties = catalog.events[event]?.properties ?? {};
  const preferred = ["text", "message", "comment", "body", "content", "review", "note", "feedback", "reason"];
  for (const name of preferred) if (properties[name] && /string|text/.test(properties[name])) return name;
  return null;
}

/**
 * Keyword and text-signal mentions as condition facts on the event that carries the text: the
 * nearest such event of the sentence (its `owner`), else the trigger.
 */
export function textConditionFacts(
  keywords: readonly KeywordMention[],
  signals: readonly TextSignalMention[],
  masked: string,
  events: readonly EventFact[],
  context: AnalysisContext,
): Array<{ fact: ConditionFact; owner: EventMention | null }> {
  const { catalog } = context;
  const ownerAt = (offset: number) =>
    events
      .filter((e) => !e.since && textProperty(catalog, e.mention.event) !== null)
      .sort((a, b) => Math.abs(a.mention.start - offset) - Math.abs(b.mention.start - offset))[0];
  const found: Array<{ fact: ConditionFact; owner: EventMention | null }> = [];
  const add = (start: number, end: number, build: (field: string) => Condition, label: string) => {
    const owner = ownerAt(start);
    const event = owner?.mention.event ?? context.triggerEvent;
    const property = event ? textProperty(catalog, event) : null;
    if (!event || !property) return;
    found.push({
      fact: {
        condition: build(`event.properties.${property}`),
        kind: "property",
        event,
        negated: conditionNegated(masked, start),
        change: false,
        label: `the ${property} ${label}`,
        start,
        end,
      },
      owner: owner?.mention ?? null,
    });
  };
  for (const keyword of keywords) {
    add(
      keyword.start,
      keyword.end,
      (field) => {
        const each: Condition[] = keyword.words.map((word) => ({ field, op: "contains", value: word }));
        return each.length === 1 ? each[0]! : { any: each };
      },
      `mentions ${keyword.words.map((word) => `"${word}"`).join(" or ")}`,
    );
  }
  for (const signal of signals) {
    add(
      signal.start,
      signal.end,
      (field) => ({ field, op: signal.op, value: signal.value, transform: signal.transform }),
      signal.description,
    );
  }
  return found;
}
