import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { FieldCandidate, NumericComparison } from "./conditions.ts";
import { enumValues, fieldScore, hintBefore, numericProperties } from "./conditions.ts";
import type { EventMention } from "./events.ts";
import type { AnalysisContext } from "./facts.ts";
import { tokenize } from "./text.ts";

/** Which event property a comparison or a value names, resolved against the catalog. */

/** Picks the trait or event property a numeric comparison talks about. */
export function resolveComparison(
  context: AnalysisContext,
  masked: string,
  comparison: NumericComparison,
  mentions: readonly EventMention[],
): { field: FieldCandidate; hintStart: number } | null {
  // The words before the number, and the noun right after it ("3 or more items").
  const hint = [
    ...hintBefore(masked, comparison.start),
    ...tokenize(masked.slice(comparison.end))
      .slice(0, 1)
      .map((token) => token.stem),
  ];
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
      // Prefer the property of the event mentioned nearest to the number, and one named before it:
      // "a checkout worth over 1000 isn't completed" compares the checkout, not the order.
      const distance = (entry: { field: FieldCandidate }) => {
        const mention = mentions.find((m) => m.event === entry.field.event);
        if (!mention) return 10_000;
        const at = mention.actionStart;
        return Math.abs(at - comparison.start) + (at > comparison.start ? 1_000 : 0);
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

export function enumFieldsOfTraits(catalog: WorkspaceCatalog): FieldCandidate[] {
  return Object.entries(catalog.traits)
    .filter(([, type]) => enumValues(type).length > 0)
    .map(([name, type]) => ({ path: `traits.${name}`, name, kind: "trait" as const, type }));
}

export function enumFieldsOfEvent(catalog: WorkspaceCatalog, event: string): FieldCandidate[] {
  return Object.entries(catalog.events[event]?.properties ?? {})
    .filter(([, type]) => enumValues(type).length > 0)
    .map(([name, type]) => ({ path: `properties.${name}`, name, kind: "property" as const, event, type }));
}
