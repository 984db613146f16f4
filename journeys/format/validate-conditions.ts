import type { WorkspaceCatalog } from "./catalog.ts";
import type { Condition } from "./condition.ts";
import { FIELD_NAMESPACES, isCompare, isPerformed, walkCondition } from "./condition.ts";
import type { Journey } from "./schema.ts";
import type { IssueList } from "./validation-issues.ts";
import { suggestion } from "./validation-issues.ts";

/** Event names and condition fields checked against the workspace catalog and the place they are read. */

/** The places a condition can stand; each may read different namespaces. */
export type ConditionPlace = "trigger" | "audience" | "event" | "node";

const NAMESPACES_BY_PLACE: Record<ConditionPlace, readonly string[]> = {
  trigger: ["traits", "consent", "event", "trigger", "local"],
  audience: ["traits", "consent", "trigger", "local"],
  event: ["traits", "consent", "event", "trigger", "vars", "local", "journey"],
  node: ["traits", "consent", "trigger", "vars", "local", "journey"],
};

/** What every check of one journey shares. */
export interface CheckContext {
  issues: IssueList;
  catalog: WorkspaceCatalog | undefined;
  /** Events that can start the journey: what `trigger.properties.*` may name (empty for non-event triggers). */
  triggerEvents: readonly string[];
}

export function triggerEventNames(journey: Journey): string[] {
  const trigger = journey.trigger;
  return trigger.type === "event" ? [trigger.event, ...(trigger.also ?? []).map((m) => m.event)] : [];
}

export function checkEventName(context: CheckContext, name: string, path: string) {
  const { catalog, issues } = context;
  const events = catalog ? new Set(Object.keys(catalog.events)) : null;
  if (events && !events.has(name)) {
    issues.error(
      path,
      "unknown_event",
      `event "${name}" is not in the workspace's event catalog.${suggestion(name, events)}`,
    );
  }
}

/**
 * @param eventName the event `event.*` fields describe here (wait_for_event, exit_on, goal, trigger);
 *   undefined where there is none or it is not catalogued
 */
export function checkCondition(
  context: CheckContext,
  condition: Condition,
  path: string,
  place: ConditionPlace,
  eventName?: string,
) {
  const { issues, catalog, triggerEvents } = context;
  const allowed = NAMESPACES_BY_PLACE[place];
  for (const { leaf, path: suffix } of walkCondition(condition)) {
    const leafPath = `${path}${suffix}`;
    if (isPerformed(leaf)) {
      checkEventName(context, leaf.performed, `${leafPath}.performed`);
      continue;
    }
    if (!isCompare(leaf)) continue;
    const [namespace, ...keys] = leaf.field.split(".");
    // Inside performed.where the fields describe the counted event.
    const inWhere = suffix.includes(".where");
    if (!FIELD_NAMESPACES.includes(namespace as (typeof FIELD_NAMESPACES)[number])) {
      issues.error(
        `${leafPath}.field`,
        "unknown_field",
        `"${leaf.field}" does not start with one of ${FIELD_NAMESPACES.join(", ")}.`,
      );
      continue;
    }
    if (!allowed.includes(namespace!) && !(inWhere && namespace === "event")) {
      const hint =
        namespace === "event" && place === "node"
          ? " Inside the journey, use trigger.* for the event that started it."
          : "";
      issues.error(
        `${leafPath}.field`,
        "field_scope",
        `"${leaf.field}" cannot be read here; this place may read ${allowed.map((n) => `${n}.*`).join(", ")}.${hint}`,
      );
      continue;
    }
    if (!catalog) continue;
    if (namespace === "traits" && keys[0] && !(keys[0] in catalog.traits)) {
      issues.error(
        `${leafPath}.field`,
        "unknown_trait",
        `trait "${keys[0]}" is not in the workspace's trait catalog.${suggestion(keys[0], Object.keys(catalog.traits))}`,
      );
    }
    if (namespace === "consent" && keys[0] && !catalog.channels.includes(keys[0])) {
      issues.error(
        `${leafPath}.field`,
        "unknown_channel",
        `consent.${keys[0]} names no channel of this workspace.`,
      );
    }
    const propertyOf =
      namespace === "event"
        ? inWhere
          ? undefined
          : eventName
        : namespace === "trigger" && triggerEvents.length > 0
          ? triggerEvents
          : undefined; // api / schedule / trait triggers carry properties the catalog cannot know
    if (keys[0] === "properties" && keys[1] && propertyOf) {
      const names = Array.isArray(propertyOf) ? propertyOf : [propertyOf];
      const known = names.some((name) => {
        const entry = catalog.events[name];
        return !entry || keys[1]! in entry.properties;
      });
      if (!known) {
        issues.warn(
          `${leafPath}.field`,
          "unknown_property",
          `property "${keys[1]}" is not listed for ${names.map((n) => `"${n}"`).join(" or ")}; known: ${
            names.flatMap((name) => Object.keys(catalog.events[name]?.properties ?? {})).join(", ") || "none"
          }.`,
        );
      }
    }
  }
}
