import type { Journey } from "../../../journeys/format/schema.ts";
import { TRIGGER_ID } from "./graph.ts";

/**
 * Lint warnings and validation issues carry a JSONPath (`$.nodes[3].offer.value`); on the canvas
 * they are pinned to the node the path is inside. Paths into the journey's envelope (trigger,
 * audience, goal, exit_on, re-entry) are pinned to the trigger box; anything else stays in the
 * general list.
 */

export interface PathIssue {
  path: string;
  message: string;
  severity?: string;
  code?: string;
}

const ENVELOPE = ["trigger", "audience", "goal", "exit_on", "reentry", "start", "priority"];

/** The canvas node a JSONPath points into, or null. */
export function nodeIdForPath(journey: Pick<Journey, "nodes">, path: string): string | null {
  const node = /^\$\.nodes\[(\d+)\]/.exec(path);
  if (node) return journey.nodes[Number(node[1])]?.id ?? null;
  const top = /^\$\.([a-z_]+)/.exec(path);
  if (top?.[1] && ENVELOPE.includes(top[1])) return TRIGGER_ID;
  return null;
}

export function pinIssues<T extends PathIssue>(
  journey: Pick<Journey, "nodes">,
  issues: readonly T[],
): { byNode: Map<string, T[]>; general: T[] } {
  const byNode = new Map<string, T[]>();
  const general: T[] = [];
  for (const issue of issues) {
    const id = nodeIdForPath(journey, issue.path);
    if (id === null) {
      general.push(issue);
      continue;
    }
    const list = byNode.get(id) ?? [];
    list.push(issue);
    byNode.set(id, list);
  }
  return { byNode, general };
}
