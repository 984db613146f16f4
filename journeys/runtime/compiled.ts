import type { Condition } from "../format/condition.ts";
import { historyNeeds } from "../format/evaluate.ts";
import type { Journey, JourneyNode } from "../format/schema.ts";
import { Journey as JourneySchema, journeyConditions } from "../format/schema.ts";

/**
 * A journey version prepared once for execution: nodes by id and what its conditions need from the
 * customer's history. Versions are immutable once live, so a compiled version is cached forever.
 */
export interface CompiledJourney {
  versionId: string;
  journeyId: string;
  workspaceId: string;
  journey: Journey;
  byId: ReadonlyMap<string, JourneyNode>;
  /** event name → longest look-back (null = all) needed by `performed` conditions */
  historyNeeds: ReadonlyMap<string, string | null>;
  /** event names an `event` trigger (or its `also`) reacts to */
  triggerEvents: ReadonlySet<string>;
  /** event names that matter to open instances: wait_for_event, exit_on, goal */
  instanceEvents: ReadonlySet<string>;
}

export function compileJourney(
  definition: Journey,
  ids: { versionId: string; journeyId: string; workspaceId: string },
): CompiledJourney {
  const byId = new Map<string, JourneyNode>();
  for (const node of definition.nodes) byId.set(node.id, node);
  const conditions: Condition[] = journeyConditions(definition).map((entry) => entry.condition);
  const triggerEvents = new Set<string>();
  if (definition.trigger.type === "event") {
    triggerEvents.add(definition.trigger.event);
    for (const match of definition.trigger.also ?? []) triggerEvents.add(match.event);
  }
  const instanceEvents = new Set<string>();
  for (const node of definition.nodes) if (node.type === "wait_for_event") instanceEvents.add(node.event);
  for (const match of definition.exit_on) instanceEvents.add(match.event);
  if (definition.goal) instanceEvents.add(definition.goal.event);
  return {
    ...ids,
    journey: definition,
    byId,
    historyNeeds: historyNeeds(conditions),
    triggerEvents,
    instanceEvents,
  };
}

/** Parses a stored definition (jsonb is untrusted input too) and compiles it. */
export function compileStoredJourney(
  definition: unknown,
  ids: { versionId: string; journeyId: string; workspaceId: string },
): CompiledJourney {
  return compileJourney(JourneySchema.parse(definition), ids);
}
