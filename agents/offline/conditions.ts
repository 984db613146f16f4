import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { ComparisonOp, Condition } from "../../journeys/format/condition.ts";
import { STOPWORDS, stem, tokenize } from "./text.ts";

/**
 * Conditions in goal text: numeric comparisons ("a score of 6 or lower", "9 or 10", "delayed by more
 * than 2 days", "churn risk rises above 0.7"), values of enumerated traits and properties ("VIP",
 * "on the pro plan", "NPS survey", "high-priority ticket") and counts ("an open support ticket",
 * "more than 2 open tickets"). What customer-written text says is in text-conditions.ts.
 *
 * Recognisers return spans and a *field hint*; which trait or event property the hint names is
 * resolved against the catalog, because "score" means a property of one event and "churn risk" a
 * trait.
 */

export interface NumericComparison {
  op: ComparisonOp | "between";
  values: number[];
  /** minutes / hours / days / weeks when the number carried a time unit */
  unit?: string | undefined;
  money?: boolean;
  /** "rises above", "drops below": a change, which can start a journey */
  change: boolean;
  start: number;
  end: number;
  text: string;
}

const VALUE = "([€$£]?\\d+(?:\\.\\d+)?%?)";
const UNIT = "(?: (minutes?|hours?|days?|weeks?))?";

function parseNumber(text: string): { value: number; money: boolean; percent: boolean } {
  const money = /^[€$£]/.test(text);
  const percent = text.endsWith("%");
  const value = Number(text.replace(/[€$£%]/g, ""));
  return { value: percent ? value / 100 : value, money, percent };
}

const GT =
  "more than|over|above|(?<!\\bthe )past|greater than|higher than|exceeds?|exceeding|larger than|bigger than|longer than|beyond|in excess of|tops|surpasses";
const GTE = "at least|no less than|a minimum of|minimum of|not less than";
const LT = "less than|fewer than|under|below|lower than|shorter than|beneath";
const LTE = "at most|no more than|a maximum of|maximum of|not more than";
const CHANGE =
  "(?:rises?|rising|goes|going|climbs?|climbing|jumps?|jumping|increases?|increasing|grows?|growing|drops?|dropping|falls?|falling|decreases?|decreasing|dips?|dipping|sinks?|gets|moves?|crosses|crossing|reaches|reaching|hits|hitting|passes|passing|tops|topping|surpasses|surpassing) ";

/** Every numeric comparison, longest patterns first. */
export function findComparisons(sentence: string): NumericComparison[] {
  const found: NumericComparison[] = [];
  const free = (start: number, end: number) =>
    found.every((other) => end <= other.start || start >= other.end);
  const add = (
    match: RegExpMatchArray,
    op: NumericComparison["op"],
    valueTexts: string[],
    unit: string | undefined,
    change = false,
  ) => {
    const start = match.index!;
    const end = start + match[0].length;
    if (!free(start, end)) return;
    const parsed = valueTexts.map(parseNumber);
    found.push({
      op,
      values: parsed.map((entry) => entry.value),
      unit,
      money: parsed.some((entry) => entry.money),
      change,
      start,
      end,
      text: match[0],
    });
  };
  for (const match of sentence.matchAll(new RegExp(`\\bbetween ${VALUE}${UNIT} and ${VALUE}${UNIT}`, "g"))) {
    add(match, "between", [match[1]!, match[3]!], match[4] ?? match[2]);
  }
  for (const match of sentence.matchAll(
    new RegExp(`\\b${VALUE}${UNIT} or (more|higher|above|greater|over|up|plus|better|longer)\\b`, "g"),
  )) {
    add(match, "gte", [match[1]!], match[2]);
  }
  for (const match of sentence.matchAll(
    new RegExp(`\\b${VALUE}${UNIT} or (less|lower|below|fewer|under|down|worse|shorter)\\b`, "g"),
  )) {
    add(match, "lte", [match[1]!], match[2]);
  }
  for (const match of sentence.matchAll(new RegExp(`\\b${VALUE} or ${VALUE}\\b(?!%)`, "g"))) {
    add(match, "in", [match[1]!, match[2]!], undefined);
  }
  for (const match of sentence.matchAll(
    new RegExp(`\\b${VALUE}\\s*(?:to|-)\\s*${VALUE}${UNIT}(?= (?:out of|stars?|points?)|$|[ ,])`, "g"),
  )) {
    if (/\//.test(match[0])) continue;
    // "7 to 8" is a range only when the goal talks about a score or a value, not "1 to 2 days later".
    if (
      match[3] &&
      /later|after|before/.test(
        sentence.slice(match.index! + match[0].length, match.index! + match[0].length + 8),
      )
    )
      continue;
    add(match, "between", [match[1]!, match[2]!], match[3]);
  }
  const comparators: Array<[string, NumericComparison["op"]]> = [
    [GTE, "gte"],
    [LTE, "lte"],
    [GT, "gt"],
    [LT, "lt"],
  ];
  for (const [words, op] of comparators) {
    const pattern = new RegExp(`\\b(${CHANGE}(?:to )?)?(?:${words}) ${VALUE}${UNIT}`, "g");
    for (const match of sentence.matchAll(pattern)) {
      add(match, op, [match[2]!], match[3], Boolean(match[1]));
    }
  }
  for (const match of sentence.matchAll(new RegExp(`\\b(${CHANGE})(?:to )?${VALUE}\\b`, "g"))) {
    // "reaches 0.9", "hits 100": at least that value
    add(match, "gte", [match[2]!], undefined, true);
  }
  for (const match of sentence.matchAll(
    new RegExp(
      // Only the number is the comparison's span: the words before it ("the rating is") still name
      // the field and the event.
      `(?<=\\b(?:(?:a )?(?:score|rating|grade|value|total) (?:of|is|was|=)|scores?|rates? (?:us|it)?|rated (?:us|it)?|gives? (?:us )?(?:a )?|with an? |exactly|equal to|equals) ?)${VALUE}\\b(?!%| or)`,
      "g",
    ),
  )) {
    add(match, "eq", [match[1]!], undefined);
  }
  // "top marks (5 out of 5)", "a 9 out of 10": the score given, whatever the scale.
  for (const match of sentence.matchAll(new RegExp(`\\b${VALUE}(?= out of \\d+\\b)`, "g"))) {
    add(match, "eq", [match[1]!], undefined);
  }
  // "a perfect 5 gets a thank-you push", "a 10 should get a review request": a score as the subject.
  for (const match of sentence.matchAll(
    new RegExp(
      `(?<=\\b(?:a|an) (?:perfect |top |full |maximum |max |flat |straight )?)${VALUE}(?= (?:gets?|receives?|should|will|means|deserves?|earns?)\\b)`,
      "g",
    ),
  )) {
    add(match, "eq", [match[1]!], undefined);
  }
  return found.sort((a, b) => a.start - b.start);
}

// ─── Field resolution ────────────────────────────────────────────────────────────────────────────

/** Everyday words for common trait and property names. */
export const FIELD_SYNONYMS: Record<string, readonly string[]> = {
  score: ["scor", "rat", "grade", "answer", "nps", "csat"],
  total: ["spend", "spent", "worth", "cost", "total", "valu", "amount", "over"],
  amount: ["spend", "spent", "worth", "cost", "charg", "amount", "valu", "bill"],
  value: ["worth", "valu", "cart", "basket", "total"],
  price: ["pric", "cost", "expensiv", "cheap"],
  quantity: ["item", "unit", "quantiti", "piec"],
  delay: ["delay", "late"],
  lifetime: ["ltv", "lifetim", "spent", "spend"],
  churn: ["churn"],
  propensity: ["propens", "likely"],
  ticket: ["ticket"],
  // "cancels because of price": the event that records a reason
  reason: ["becaus", "reason"],
};

export interface FieldCandidate {
  /** "traits.churn_risk" or "event.properties.score" (the namespace is fixed up by the caller) */
  path: string;
  name: string;
  kind: "trait" | "property";
  event?: string;
  type: string;
}

function fieldWords(name: string): string[] {
  const words = name
    .split("_")
    .filter((part) => part && part !== "id" && part !== "at")
    .map((part) => stem(part));
  const extra = name.split("_").flatMap((part) => FIELD_SYNONYMS[part] ?? []);
  return [...new Set([...words, ...extra])];
}

export function isNumericType(type: string): boolean {
  return /number|integer|float|\d\s*\.\.\s*\d|score|count|amount/i.test(type) && !/\|/.test(type);
}

/** How strongly the words before a comparison name a field (0 = not at all). */
export function fieldScore(candidate: FieldCandidate, hint: readonly string[]): number {
  const words = fieldWords(candidate.name);
  const ownWords = candidate.name
    .split("_")
    .filter((part) => part && part !== "id" && part !== "at")
    .map((part) => stem(part));
  let score = 0;
  for (const word of hint) {
    if (ownWords.includes(word)) score += 2;
    else if (words.includes(word)) score += 1;
  }
  return score;
}

/** The content words of the `count` tokens before `offset` (the field a comparison talks about). */
export function hintBefore(sentence: string, offset: number, count = 7): string[] {
  return tokenize(sentence.slice(0, offset))
    .slice(-count)
    .map((token) => token.stem)
    .filter((word) => !STOPWORDS.has(word));
}

export function numericTraits(catalog: WorkspaceCatalog): FieldCandidate[] {
  return Object.entries(catalog.traits)
    .filter(([, type]) => isNumericType(type))
    .map(([name, type]) => ({ path: `traits.${name}`, name, kind: "trait" as const, type }));
}

export function numericProperties(catalog: WorkspaceCatalog, event: string): FieldCandidate[] {
  return Object.entries(catalog.events[event]?.properties ?? {})
    .filter(([, type]) => isNumericType(type))
    .map(([name, type]) => ({ path: `properties.${name}`, name, kind: "property" as const, event, type }));
}

/** Converts a compared number to the unit of the property ("more than 3 hours" vs delay_minutes). */
export function convertUnit(value: number, unit: string | undefined, property: string): number {
  if (!unit) return value;
  const toMinutes: Record<string, number> = { minute: 1, hour: 60, day: 1440, week: 10080 };
  const from = toMinutes[unit.replace(/s$/, "")];
  const target = /minutes?$/.test(property)
    ? 1
    : /hours?$/.test(property)
      ? 60
      : /days?$/.test(property)
        ? 1440
        : /weeks?$/.test(property)
          ? 10080
          : undefined;
  if (!from || !target) return value;
  return (value * from) / target;
}

export function comparisonCondition(
  comparison: NumericComparison,
  field: string,
  property: string,
): Condition {
  const values = comparison.values.map((value) => convertUnit(value, comparison.unit, property));
  if (comparison.op === "between") {
    return {
      all: [
        { field, op: "gte", value: Math.min(values[0]!, values[1]!) },
        { field, op: "lte", value: Math.max(values[0]!, values[1]!) },
      ],
    };
  }
  if (comparison.op === "in") return { field, op: "in", value: values };
  return { field, op: comparison.op, value: values[0]! };
}

// ─── Enumerated values ───────────────────────────────────────────────────────────────────────────

/** Values that are everyday words need a neighbour that says they are a value ("free plan"). */
const COMMON_WORDS = new Set([
  "free",
  "pro",
  "regular",
  "low",
  "normal",
  "high",
  "basic",
  "standard",
  "premium",
  "other",
  "new",
  "open",
  "closed",
  "active",
  "gold",
  "silver",
]);
const PERSON_NOUNS =
  "customers?|users?|members?|clients?|accounts?|subscribers?|shoppers?|buyers?|people|ones|plan|plans|tier|tiers|level|status|segment";

/** "their plan drops to free", "tier changes to vip": a field said with its new value. */
export const FIELD_CHANGE =
  "(?:changes?|changed|drops?|dropped|falls?|fell|moves?|moved|switches|switched|goes|went|is (?:changed|moved|downgraded|upgraded|switched|set)) (?:back |down |up )?to (?:the )?";

export interface EnumMention {
  field: FieldCandidate;
  value: string;
  /** "pro and enterprise customers": several values of the field at once */
  values?: string[] | undefined;
  negated: boolean;
  start: number;
  end: number;
}

export function enumValues(type: string): string[] {
  return type.includes("|")
    ? type
        .split("|")
        .map((value) => value.trim())
        .filter(Boolean)
    : [];
}

/** Mentions of the values of enumerated fields (trait tier "vip|regular", property survey "nps|csat"). */
export function findEnumMentions(sentence: string, fields: readonly FieldCandidate[]): EnumMention[] {
  const found: EnumMention[] = [];
  // "Pro and Enterprise customers", "free or pro plans": values joined before the noun they qualify.
  for (const field of fields) {
    const values = enumValues(field.type);
    if (values.length < 2) continue;
    const value = `(?:${values.map((v) => v.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`;
    const fieldName = field.name.replace(/_/g, "[ _-]");
    const pattern = new RegExp(
      `\\b${value}(?:(?:\\s*,\\s*|\\s+(?:and|or|&)\\s+|\\s*\\/\\s*)${value})+[ -](?:${PERSON_NOUNS}|${fieldName})\\b`,
      "g",
    );
    for (const match of sentence.matchAll(pattern)) {
      const named = values.filter((v) => new RegExp(`\\b${v.toLowerCase()}\\b`).test(match[0]));
      const before = sentence.slice(Math.max(0, match.index - 24), match.index);
      const negated =
        /\b(?:non|not|no|never|except|excluding|other than|aren't|isn't|who are not|but not)[ -](?:\w+ )?$/.test(
          before,
        );
      found.push({
        field,
        value: named.join(", "),
        values: named,
        negated,
        start: match.index,
        end: match.index + match[0].length,
      });
    }
  }
  const coordinated = [...found];
  for (const field of fields) {
    for (const value of enumValues(field.type)) {
      const escaped = value.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const fieldName = field.name.replace(/_/g, "[ _-]");
      const common = COMMON_WORDS.has(value.toLowerCase());
      const pattern = common
        ? new RegExp(
            `\\b(?:${escaped}[ -](?:${PERSON_NOUNS}|${fieldName})\\b|(?:on|in) (?:the |a )?${escaped}\\b(?! shipping| delivery| trial)|(?:${fieldName}) (?:is |of |= |${FIELD_CHANGE})?${escaped}\\b|(?<=\\b(?:upgrad|downgrad|mov|switch)\\w* to (?:the )?)${escaped}\\b(?! shipping| delivery| trial)|${escaped}-(?:priority|tier|plan|level)\\b|${escaped} priority\\b)`,
            "g",
          )
        : new RegExp(`\\b${escaped}s?\\b`, "g");
      for (const match of sentence.matchAll(pattern)) {
        const start = match.index;
        if (coordinated.some((other) => start < other.end && other.start < start + match[0].length)) continue;
        const before = sentence.slice(Math.max(0, start - 24), start);
        const negated =
          /\b(?:non|not|no|never|except|excluding|other than|aren't|isn't|who are not|but not)[ -](?:\w+ )?$/.test(
            before,
          ) || /non-$/.test(before);
        found.push({ field, value, negated, start, end: start + match[0].length });
      }
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

// ─── Counts ("an open support ticket") ───────────────────────────────────────────────────────────

export interface CountMention {
  trait: string;
  op: "gt" | "eq";
  value: number;
  start: number;
  end: number;
}

/** "has an open support ticket" → open_support_tickets > 0; "no open tickets" → = 0. */
export function findCountMentions(sentence: string, catalog: WorkspaceCatalog): CountMention[] {
  const found: CountMention[] = [];
  for (const [name, type] of Object.entries(catalog.traits)) {
    if (!/number of|count/i.test(type) || !/_/.test(name)) continue;
    const words = name.split("_");
    const noun = words[words.length - 1]!.replace(/s$/, "");
    const [first, ...others] = words.slice(0, -1);
    // "open support ticket(s)", "open ticket(s)": the first word is what tells the count apart from
    // the thing itself ("a support ticket is closed" is an event, not this trait).
    const rest = others.length > 0 ? `(?:(?:${others.join("|")})\\s+)*` : "";
    const pattern = new RegExp(
      `\\b(?:(no|zero|0|any|an?|1|one or more|some|without|with|has|have|had)\\s+)?(${first}\\s+${rest}${noun}s?)\\b`,
      "g",
    );
    for (const match of sentence.matchAll(pattern)) {
      const quantifier = match[1];
      const negative = quantifier !== undefined && /^(no|zero|0|without)$/.test(quantifier);
      found.push({
        trait: name,
        op: negative ? "eq" : "gt",
        value: 0,
        start: match.index,
        end: match.index + match[0].length,
      });
    }
  }
  return found;
}
