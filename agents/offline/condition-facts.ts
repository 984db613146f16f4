import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { Condition } from "../../journeys/format/condition.ts";
import type { EnumMention, NumericComparison } from "./conditions.ts";
import { comparisonCondition, convertUnit, findCountMentions } from "./conditions.ts";
import { conditionNegated, STOP } from "./event-roles.ts";
import { findDatetimeProperty } from "./events.ts";
import type { AnalysisContext, ConditionFact, EventFact, SentenceFacts } from "./facts.ts";
import { singular, stem, tokenize } from "./text.ts";

/**
 * Condition facts that need more than one recogniser's span: counts with a quantity ("more than 2
 * open tickets"), dates compared with now ("departure more than a week away"), what the triggering
 * thing was when said later ("if it was an electronics item"), and the markers that relate a
 * sentence to the ones before it ("everyone else", "also", "at any point").
 */

/** "is vip" / "is not vip" / "is one of pro, enterprise" */
export function enumComparison(mention: EnumMention): {
  op: "eq" | "neq" | "in" | "not_in";
  value: string | string[];
} {
  if (mention.values && mention.values.length > 1)
    return { op: mention.negated ? "not_in" : "in", value: mention.values };
  return { op: mention.negated ? "neq" : "eq", value: mention.value };
}

/**
 * "departure is more than a week away", "signed up over 30 days ago": a comparison of the time
 * between now and a date the event carries (the days_until / days_since transforms).
 */
export function relativeDateCondition(
  comparison: NumericComparison,
  masked: string,
  context: AnalysisContext,
): ConditionFact | null {
  if (!comparison.unit || comparison.op === "between" || comparison.op === "in") return null;
  const after = masked.slice(comparison.end, comparison.end + 25);
  const transform = /^\s*(?:away|from now|ahead|out|left|to go|in the future)\b/.test(after)
    ? "days_until"
    : /^\s*(?:ago|old|in the past)\b/.test(after)
      ? "days_since"
      : null;
  if (!transform) return null;
  const words = tokenize(masked.slice(0, comparison.start)).slice(-6);
  const from = words[0]?.start ?? comparison.start;
  const date = findDatetimeProperty(masked.slice(from, comparison.start), context.catalog);
  if (!date || (context.triggerEvent !== null && date.event !== context.triggerEvent)) return null;
  const days = convertUnit(comparison.values[0]!, comparison.unit, "days");
  // The fact starts where the date is named ("if departure is …"), so its clause's "if" precedes it.
  const own = date.property.split("_").map((part) => stem(part));
  const named = words.find((word) => own.includes(word.stem))?.start ?? from;
  return {
    condition: {
      field: `event.properties.${date.property}`,
      op: comparison.op,
      value: days,
      transform,
    },
    kind: "property",
    event: date.event,
    negated: conditionNegated(masked, named),
    change: false,
    label: `${transform === "days_until" ? "days until" : "days since"} ${date.property} ${comparison.text.trim()}`,
    start: named,
    end: comparison.end,
  };
}

/**
 * "an open support ticket" → open_support_tickets > 0; "more than 2 open tickets" → > 2: a number
 * right before the counted things is their quantity (that comparison is consumed).
 */
export function countConditions(
  masked: string,
  catalog: WorkspaceCatalog,
  comparisons: readonly NumericComparison[],
): {
  conditions: ConditionFact[];
  consumed: Set<NumericComparison>;
  spans: Array<{ start: number; end: number }>;
} {
  const conditions: ConditionFact[] = [];
  const consumed = new Set<NumericComparison>();
  const spans: Array<{ start: number; end: number }> = [];
  for (const count of findCountMentions(masked, catalog)) {
    const quantity = comparisons.find(
      (comparison) =>
        comparison.end <= count.start &&
        comparison.op !== "between" &&
        comparison.op !== "in" &&
        /^\s*(?:already\s+)?$/.test(masked.slice(comparison.end, count.start)),
    );
    if (quantity) consumed.add(quantity);
    const condition: Condition = quantity
      ? comparisonCondition(quantity, `traits.${count.trait}`, count.trait)
      : { field: `traits.${count.trait}`, op: count.op, value: count.value };
    const start = quantity ? quantity.start : count.start;
    conditions.push({
      condition,
      kind: "trait",
      trait: count.trait,
      negated: conditionNegated(masked, start),
      change: false,
      label: quantity
        ? `${count.trait} ${quantity.text.replace(/#/g, "").trim()}`
        : `${count.trait} ${count.op === "gt" ? ">" : "="} ${count.value}`,
      start,
      end: count.end,
    });
    spans.push({ start: count.start, end: count.end });
  }
  return { conditions, consumed, spans };
}

/**
 * "… and if it was an electronics item, also ask support to check it": what the triggering thing
 * was, said later as a condition on it (the event's category-like property).
 */
export function laterObjectConditions(
  masked: string,
  events: readonly EventFact[],
  context: AnalysisContext,
): ConditionFact[] {
  const found: ConditionFact[] = [];
  for (const match of masked.matchAll(
    /\b(?:if|when|where) (?:it|the (?:item|product|order|return|purchase|thing))(?:'s| (?:was|is|were|are))? (?:an? |the |for |in )?([a-z][a-z-]+)(?: (?:item|product|order|one|purchase|category))?\b/g,
  )) {
    const owner =
      events
        .filter((fact) => fact.mention.end <= match.index && !fact.negated)
        .map((fact) => fact.mention.event)
        .pop() ?? context.triggerEvent;
    const properties = owner ? (context.catalog.events[owner]?.properties ?? {}) : {};
    const property = ["category", "name", "product", "title"].find((name) => properties[name] === "string");
    const word = match[1]!;
    if (
      !owner ||
      !property ||
      word.length < 3 ||
      /^(?:not|still|already|never|late|sent|delayed)$/.test(word)
    )
      continue;
    if (context.index.events.some((event) => event.objects.has(tokenize(word)[0]?.stem ?? word))) continue;
    const start = match.index + match[0].lastIndexOf(word);
    found.push({
      condition: { field: `event.properties.${property}`, op: "contains", value: singular(word) },
      kind: "property",
      event: owner,
      negated: false,
      change: false,
      label: `${property} contains "${singular(word)}"`,
      start,
      end: start + word.length,
    });
  }
  return found;
}

/** How a sentence relates to the ones before it. */
export function sentenceMarkers(
  text: string,
  masked: string,
  hasComparison: boolean,
): SentenceFacts["markers"] {
  return {
    otherwise:
      /\b(?:everyone|everybody|anyone|all) else\b|\b(?:all )?other (?:customers|people|users|members|subscribers)\b|\bthe rest\b|\botherwise\b|\bif not\b|\b(?:any|all|every|each) other (?!(?:day|week|hour|month|minute|time|morning|evening)s?\b)[a-z-]+|\b(?:anything|everything) else\b/.test(
        text,
      ) ||
      // "Others get a thank-you email": the rest, said as the sentence's subject
      /^(?:and |but |while |whereas )?(?:the |all (?:the )?)?others\b/.test(text.trim()) ||
      // "for smaller carts" after "a checkout worth over 1000": the other side of that comparison.
      (!hasComparison &&
        /\b(?:smaller|lower|cheaper|shorter|lesser|less expensive|larger|bigger|higher|longer|more expensive)\s+(?:\w+\s+)?(?:carts?|baskets?|orders?|amounts?|payments?|delays?|values?|scores?|ones|purchases?|totals?|tickets?|bookings?|loans?|sums?|invoices?|refunds?|returns?)\b/.test(
          text,
        )),
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
}
