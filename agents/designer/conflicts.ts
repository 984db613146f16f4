import type { Condition } from "../../journeys/format/condition.ts";
import { isCompare } from "../../journeys/format/condition.ts";
import type { Journey, Offer, Trigger } from "../../journeys/format/schema.ts";

/**
 * Conflicts between a journey and the journeys already live in the workspace: the same customers
 * entering on the same trigger (they would get both journeys' messages), and contradictory offers
 * for that same moment (10 % off from one journey, 20 % from the other). A static check on the
 * definitions, deliberately conservative: audiences count as overlapping unless their conditions
 * provably exclude each other. Used by the designer before review, by the console and by
 * monitoring (which adds the observed overlap from real entries).
 */

export interface LiveJourney {
  journeyId: string;
  name: string;
  version: number;
  status: string;
  definition: Journey;
}

export type ConflictKind = "same_trigger" | "contradictory_offers";

export interface JourneyConflict {
  kind: ConflictKind;
  journeyId: string;
  journeyName: string;
  version: number;
  /** the shared trigger, e.g. `event "Checkout Started"` */
  trigger: string;
  /** "same": identical entry conditions; "possible": the audiences may share customers */
  audienceOverlap: "same" | "possible";
  message: string;
  draftOffers: Offer[];
  liveOffers: Offer[];
}

/** The moments a trigger fires on, as comparable keys (`api` entries are explicit, never shared). */
export function triggerKeys(trigger: Trigger): string[] {
  switch (trigger.type) {
    case "event":
      return [trigger.event, ...(trigger.also ?? []).map((match) => match.event)].map(
        (name) => `event:${name}`,
      );
    case "trait_changed":
      return [`trait:${trigger.trait}`];
    case "segment_entered":
      return [`segment:${trigger.segment}`];
    case "schedule":
      return [`schedule:${trigger.cron.trim().replace(/\s+/g, " ")}`];
    case "api":
      return [];
  }
}

export function describeTriggerKey(key: string): string {
  const [kind, ...rest] = key.split(":");
  const name = rest.join(":");
  if (kind === "event") return `event "${name}"`;
  if (kind === "trait") return `a change of trait "${name}"`;
  if (kind === "segment") return `entering segment "${name}"`;
  return `schedule "${name}"`;
}

/** Every offer a journey can make (send nodes and agent options). */
export function journeyOffers(journey: Journey): Offer[] {
  const offers: Offer[] = [];
  for (const node of journey.nodes) {
    if (node.type === "send" && node.offer) offers.push(node.offer);
    if (node.type === "agent") for (const option of node.actions) if (option.offer) offers.push(option.offer);
  }
  return offers;
}

function offerKey(offer: Offer): string {
  if (offer.kind === "free_shipping") return "free_shipping";
  if (offer.kind === "amount_off") return `amount_off:${offer.value}:${offer.currency ?? ""}`;
  return `percent_off:${offer.value}`;
}

export function describeOffer(offer: Offer): string {
  if (offer.kind === "free_shipping") return "free shipping";
  if (offer.kind === "percent_off") return `${offer.value} % off`;
  return `${offer.value}${offer.currency ? ` ${offer.currency}` : ""} off`;
}

// ─── Audience overlap ────────────────────────────────────────────────────────────────────────────

type Literal = string | number | boolean | null;

/** What a conjunction of leaves says about one field; `null` members mean "no constraint". */
interface FieldConstraint {
  equals: Literal[] | null;
  excluded: Literal[];
  min: { value: number; inclusive: boolean } | null;
  max: { value: number; inclusive: boolean } | null;
  exists: boolean | null;
}

function literalList(value: unknown): Literal[] | null {
  if (Array.isArray(value)) {
    return value.every((item) => item === null || ["string", "number", "boolean"].includes(typeof item))
      ? (value as Literal[])
      : null;
  }
  return value === null || ["string", "number", "boolean"].includes(typeof value) ? [value as Literal] : null;
}

function sameLiteral(a: Literal, b: Literal): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/** The top-level conjunction's compare leaves; anything else (any, not, performed, refs) is unknown. */
function conjunctionLeaves(condition: Condition | undefined): Condition[] {
  if (!condition) return [];
  if ("all" in condition) return condition.all.flatMap(conjunctionLeaves);
  return [condition];
}

function constraintsOf(conditions: ReadonlyArray<Condition | undefined>): Map<string, FieldConstraint> {
  const fields = new Map<string, FieldConstraint>();
  for (const leaf of conditions.flatMap(conjunctionLeaves)) {
    if (!isCompare(leaf) || leaf.transform) continue;
    const value = leaf.value;
    if (value !== undefined && value !== null && typeof value === "object" && !Array.isArray(value)) continue; // a ref
    const field = leaf.field.replace(/^event\./, "trigger.");
    const constraint = fields.get(field) ?? {
      equals: null,
      excluded: [],
      min: null,
      max: null,
      exists: null,
    };
    const list = literalList(value);
    switch (leaf.op) {
      case "eq":
      case "in":
        if (list) {
          constraint.equals = constraint.equals
            ? constraint.equals.filter((item) => list.some((other) => sameLiteral(item, other)))
            : list;
        }
        break;
      case "neq":
      case "not_in":
        if (list) constraint.excluded.push(...list);
        break;
      case "gt":
      case "gte":
        if (typeof value === "number" && (!constraint.min || value >= constraint.min.value)) {
          constraint.min = { value, inclusive: leaf.op === "gte" };
        }
        break;
      case "lt":
      case "lte":
        if (typeof value === "number" && (!constraint.max || value <= constraint.max.value)) {
          constraint.max = { value, inclusive: leaf.op === "lte" };
        }
        break;
      case "exists":
        constraint.exists = constraint.exists !== false;
        break;
      case "not_exists":
        constraint.exists = false;
        break;
      default:
        break;
    }
    fields.set(field, constraint);
  }
  return fields;
}

function inRange(value: number, constraint: FieldConstraint): boolean {
  if (
    constraint.min &&
    (constraint.min.inclusive ? value < constraint.min.value : value <= constraint.min.value)
  )
    return false;
  if (
    constraint.max &&
    (constraint.max.inclusive ? value > constraint.max.value : value >= constraint.max.value)
  )
    return false;
  return true;
}

function allowed(value: Literal, constraint: FieldConstraint): boolean {
  if (constraint.excluded.some((item) => sameLiteral(item, value))) return false;
  if (typeof value === "number" && !inRange(value, constraint)) return false;
  return true;
}

/** True when no value can satisfy both constraints on one field. */
function fieldsExclude(a: FieldConstraint, b: FieldConstraint): boolean {
  if (
    (a.exists === false && (b.exists === true || b.equals)) ||
    (b.exists === false && (a.exists === true || a.equals))
  ) {
    return true;
  }
  if (a.equals && b.equals) {
    return !a.equals.some(
      (value) =>
        b.equals!.some((other) => sameLiteral(value, other)) && allowed(value, a) && allowed(value, b),
    );
  }
  if (a.equals) return !a.equals.some((value) => allowed(value, b) && allowed(value, a));
  if (b.equals) return !b.equals.some((value) => allowed(value, a) && allowed(value, b));
  const min = [a.min, b.min].filter((bound) => bound !== null).sort((x, y) => y.value - x.value)[0];
  const max = [a.max, b.max].filter((bound) => bound !== null).sort((x, y) => x.value - y.value)[0];
  if (min && max) {
    if (min.value > max.value) return true;
    if (min.value === max.value && !(min.inclusive && max.inclusive)) return true;
  }
  return false;
}

/** "same", "possible" or "none" (the entry conditions provably exclude each other). */
export function audienceOverlap(
  first: ReadonlyArray<Condition | undefined>,
  second: ReadonlyArray<Condition | undefined>,
): "same" | "possible" | "none" {
  const canonical = (conditions: ReadonlyArray<Condition | undefined>) =>
    JSON.stringify(conditions.filter((condition) => condition !== undefined));
  if (canonical(first) === canonical(second)) return "same";
  const a = constraintsOf(first);
  const b = constraintsOf(second);
  for (const [field, constraint] of a) {
    const other = b.get(field);
    if (other && fieldsExclude(constraint, other)) return "none";
  }
  return "possible";
}

function entryConditions(journey: Journey, key: string): Array<Condition | undefined> {
  const trigger = journey.trigger;
  const conditions: Array<Condition | undefined> = [journey.audience];
  if (trigger.type === "event") {
    if (key === `event:${trigger.event}`) conditions.push(trigger.condition);
    const also = (trigger.also ?? []).find((match) => key === `event:${match.event}`);
    if (also && key !== `event:${trigger.event}`) conditions.push(also.condition);
  } else if (trigger.type === "trait_changed") {
    conditions.push(trigger.condition);
  }
  return conditions;
}

export function findConflicts(draft: Journey, live: readonly LiveJourney[]): JourneyConflict[] {
  const conflicts: JourneyConflict[] = [];
  const draftKeys = triggerKeys(draft.trigger);
  const draftOffers = journeyOffers(draft);
  for (const other of live) {
    const shared = triggerKeys(other.definition.trigger).filter((key) => draftKeys.includes(key));
    for (const key of shared) {
      const overlap = audienceOverlap(entryConditions(draft, key), entryConditions(other.definition, key));
      if (overlap === "none") continue;
      const trigger = describeTriggerKey(key);
      const who = overlap === "same" ? "the same customers" : "customers who may be in both audiences";
      const liveOffers = journeyOffers(other.definition);
      const base = {
        journeyId: other.journeyId,
        journeyName: other.name,
        version: other.version,
        trigger,
        audienceOverlap: overlap,
        draftOffers,
        liveOffers,
      };
      const priorities =
        draft.priority === other.definition.priority
          ? `both have priority ${draft.priority}, so arbitration cannot choose; give one a higher priority or exclude one audience`
          : `priority ${draft.priority} vs ${other.definition.priority} decides which one messages first`;
      conflicts.push({
        ...base,
        kind: "same_trigger",
        message: `"${other.name}" (version ${other.version}, ${other.status}) also starts on ${trigger} for ${who}; they would receive both journeys' messages (${priorities}).`,
      });
      const draftKeysOfOffers = new Set(draftOffers.map(offerKey));
      const liveKeysOfOffers = new Set(liveOffers.map(offerKey));
      const differ =
        draftOffers.length > 0 &&
        liveOffers.length > 0 &&
        ([...draftKeysOfOffers].some((offer) => !liveKeysOfOffers.has(offer)) ||
          [...liveKeysOfOffers].some((offer) => !draftKeysOfOffers.has(offer)));
      if (differ) {
        conflicts.push({
          ...base,
          kind: "contradictory_offers",
          message: `The draft offers ${draftOffers.map(describeOffer).join(", ")} while "${other.name}" offers ${liveOffers.map(describeOffer).join(", ")} on ${trigger} to ${who}.`,
        });
      }
    }
  }
  return conflicts;
}
