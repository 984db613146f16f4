import type { Journey, JourneyNode } from "./format/schema.ts";
import { toJsonPath } from "./format/validate.ts";

/**
 * A structural diff of two journey definitions, for the console's version history and for reviewers:
 * which nodes were added, removed or changed (with every changed value by JSONPath inside the node),
 * and which envelope fields (trigger, audience, re-entry, exit_on, goal, priority, start, name…)
 * changed. Nodes are matched by id, so reordering the node list is not a change.
 */
export interface ValueChange {
  /** JSONPath relative to the node or the journey, e.g. `$.offer.value` or `$.trigger.event` */
  path: string;
  before: unknown;
  after: unknown;
}

export interface JourneyDiff {
  envelope: ValueChange[];
  nodes: {
    added: JourneyNode[];
    removed: JourneyNode[];
    changed: Array<{ id: string; type: string; changes: ValueChange[] }>;
  };
  /** true when nothing differs */
  identical: boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!sameValue(a[key], b[key])) return false;
    return true;
  }
  return false;
}

/** Every leaf-most difference; arrays of different length are reported whole. */
export function diffValues(before: unknown, after: unknown, path: PropertyKey[] = []): ValueChange[] {
  if (sameValue(before, after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => diffValues(before[key], after[key], [...path, key]));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, index) => diffValues(item, after[index], [...path, index]));
  }
  return [{ path: toJsonPath(path), before, after }];
}

export function diffJourneys(before: Journey, after: Journey): JourneyDiff {
  const { nodes: beforeNodes, ...beforeEnvelope } = before;
  const { nodes: afterNodes, ...afterEnvelope } = after;
  const envelope = diffValues(beforeEnvelope, afterEnvelope);
  const beforeById = new Map(beforeNodes.map((node) => [node.id, node]));
  const afterById = new Map(afterNodes.map((node) => [node.id, node]));
  const added = afterNodes.filter((node) => !beforeById.has(node.id));
  const removed = beforeNodes.filter((node) => !afterById.has(node.id));
  const changed = afterNodes.flatMap((node) => {
    const previous = beforeById.get(node.id);
    if (!previous) return [];
    const changes = diffValues(previous, node);
    return changes.length > 0 ? [{ id: node.id, type: node.type, changes }] : [];
  });
  return {
    envelope,
    nodes: { added, removed, changed },
    identical: envelope.length === 0 && added.length === 0 && removed.length === 0 && changed.length === 0,
  };
}
