import { CronExpressionParser } from "cron-parser";
import type { z } from "zod";
import type { WorkspaceCatalog } from "./catalog.ts";
import { BUILT_IN_TOOLS } from "./catalog.ts";
import type { Condition } from "./condition.ts";
import {
  Condition as ConditionSchema,
  FIELD_NAMESPACES,
  isCompare,
  isPerformed,
  walkCondition,
} from "./condition.ts";
import type { JourneyNode } from "./schema.ts";
import { Journey, nodeExits } from "./schema.ts";
import { dataToolArgIssues, isDataToolName } from "./tool-args.ts";
import { isValidTimeZone } from "./zoned-time.ts";

export interface ValidationIssue {
  /** JSONPath of the offending value, e.g. `$.nodes[2].next` */
  path: string;
  /** stable machine-readable code */
  code: string;
  /** a sentence saying what is wrong and how to fix it */
  message: string;
  severity: "error" | "warning";
}

export type ValidationResult =
  | { ok: true; journey: Journey; issues: ValidationIssue[] }
  | { ok: false; journey?: Journey; issues: ValidationIssue[] };

export function toJsonPath(segments: readonly PropertyKey[]): string {
  let path = "$";
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(String(segment))}]`;
  }
  return path;
}

type ZodIssue = z.core.$ZodIssue;

/** Union failures list every branch's complaints; keep the branch that came closest. */
function flattenIssue(
  issue: ZodIssue,
  prefix: readonly PropertyKey[],
): Array<{ path: PropertyKey[]; message: string }> {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const ranked = issue.errors
      .map((branch) => ({
        branch,
        cost:
          branch.length +
          branch.filter((inner) => inner.code === "unrecognized_keys").length * 10 +
          branch.filter((inner) => inner.code === "invalid_type" && inner.path.length === 0).length * 10,
      }))
      .sort((a, b) => a.cost - b.cost);
    const best = ranked[0]!.branch;
    const allRootMismatch = ranked.every((entry) => entry.cost >= 10);
    if (allRootMismatch) {
      return [{ path, message: conditionShapeHint(issue.message) }];
    }
    return best.flatMap((inner) => flattenIssue(inner, path));
  }
  if (issue.code === "unrecognized_keys") {
    return [
      {
        path,
        message: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`,
      },
    ];
  }
  return [{ path, message: issue.message }];
}

function conditionShapeHint(message: string): string {
  const base = message && message !== "Invalid input" ? `${message}; ` : "";
  return `${base}a condition is {"all": [...]}, {"any": [...]}, {"not": {...}}, {"field", "op", "value"} or {"performed": "Event", "within": "P7D"}`;
}

export function schemaIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.flatMap((issue) =>
    flattenIssue(issue, []).map(({ path, message }) => ({
      path: toJsonPath(path),
      code: "schema",
      message,
      severity: "error" as const,
    })),
  );
}

// Which namespaces each place in a journey may read.
const NAMESPACES_BY_SCOPE: Record<string, readonly string[]> = {
  trigger: ["traits", "consent", "event", "trigger", "local"],
  audience: ["traits", "consent", "trigger", "local"],
  event: ["traits", "consent", "event", "trigger", "vars", "local", "journey"],
  node: ["traits", "consent", "trigger", "vars", "local", "journey"],
};

class IssueList {
  readonly items: ValidationIssue[] = [];
  error(path: string, code: string, message: string) {
    this.items.push({ path, code, message, severity: "error" });
  }
  warn(path: string, code: string, message: string) {
    this.items.push({ path, code, message, severity: "warning" });
  }
}

function knownEvents(catalog: WorkspaceCatalog | undefined): Set<string> | null {
  return catalog ? new Set(Object.keys(catalog.events)) : null;
}

function closest(name: string, options: Iterable<string>): string | null {
  const target = name.toLowerCase();
  let best: { option: string; distance: number } | null = null;
  for (const option of options) {
    const distance = levenshtein(target, option.toLowerCase());
    if (!best || distance < best.distance) best = { option, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(target.length / 3)) ? best.option : null;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function suggestion(name: string, options: Iterable<string>): string {
  const match = closest(name, options);
  return match ? ` Did you mean "${match}"?` : "";
}

function checkEventName(
  issues: IssueList,
  catalog: WorkspaceCatalog | undefined,
  name: string,
  path: string,
) {
  const events = knownEvents(catalog);
  if (events && !events.has(name)) {
    issues.error(
      path,
      "unknown_event",
      `event "${name}" is not in the workspace's event catalog.${suggestion(name, events)}`,
    );
  }
}

function checkCondition(
  issues: IssueList,
  catalog: WorkspaceCatalog | undefined,
  condition: Condition,
  path: string,
  scope: string,
  eventName: string | undefined,
  triggerEvents: readonly string[],
) {
  const allowed = NAMESPACES_BY_SCOPE[scope] ?? FIELD_NAMESPACES;
  for (const { leaf, path: suffix } of walkCondition(condition)) {
    const leafPath = `${path}${suffix}`;
    if (isPerformed(leaf)) {
      checkEventName(issues, catalog, leaf.performed, `${leafPath}.performed`);
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
        namespace === "event" && scope === "node"
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

function reachable(start: string, byId: Map<string, JourneyNode>): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id) || !byId.has(id)) continue;
    seen.add(id);
    for (const exit of nodeExits(byId.get(id)!)) stack.push(exit.target);
  }
  return seen;
}

/** Tarjan's strongly connected components over node ids. */
function stronglyConnected(byId: Map<string, JourneyNode>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (id: string) => {
    indices.set(id, index);
    low.set(id, index);
    index++;
    stack.push(id);
    onStack.add(id);
    for (const { target } of nodeExits(byId.get(id)!)) {
      if (!byId.has(target)) continue;
      if (!indices.has(target)) {
        visit(target);
        low.set(id, Math.min(low.get(id)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(id, Math.min(low.get(id)!, indices.get(target)!));
      }
    }
    if (low.get(id) === indices.get(id)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      components.push(component);
    }
  };
  for (const id of byId.keys()) if (!indices.has(id)) visit(id);
  return components;
}

function checkGraph(issues: IssueList, journey: Journey) {
  const byId = new Map<string, JourneyNode>();
  const indexOf = new Map<string, number>();
  for (const [index, node] of journey.nodes.entries()) {
    if (byId.has(node.id)) {
      issues.error(
        `$.nodes[${index}].id`,
        "duplicate_node",
        `node id "${node.id}" is used twice; ids must be unique.`,
      );
      continue;
    }
    byId.set(node.id, node);
    indexOf.set(node.id, index);
  }
  if (!byId.has(journey.start)) {
    issues.error(
      "$.start",
      "dangling_next",
      `start names node "${journey.start}", which does not exist.${suggestion(journey.start, byId.keys())}`,
    );
    return;
  }
  for (const [index, node] of journey.nodes.entries()) {
    for (const exit of nodeExits(node)) {
      if (!byId.has(exit.target)) {
        issues.error(
          `$.nodes[${index}].${exit.key}`,
          "dangling_next",
          `node "${node.id}" continues to "${exit.target}", which does not exist.${suggestion(exit.target, byId.keys())}`,
        );
      }
    }
  }
  const fromStart = reachable(journey.start, byId);
  for (const [index, node] of journey.nodes.entries()) {
    if (!fromStart.has(node.id)) {
      issues.error(
        `$.nodes[${index}]`,
        "unreachable_node",
        `node "${node.id}" cannot be reached from start "${journey.start}"; connect it or remove it.`,
      );
    }
  }
  // Nodes from which no exit node can be reached (paths that never end).
  const canExit = new Set<string>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const node of byId.values()) {
      if (canExit.has(node.id)) continue;
      if (node.type === "exit" || nodeExits(node).some((exit) => canExit.has(exit.target))) {
        canExit.add(node.id);
        changed = true;
      }
    }
  }
  for (const id of fromStart) {
    if (!canExit.has(id)) {
      issues.error(
        `$.nodes[${indexOf.get(id)}]`,
        "no_exit",
        `no path from node "${id}" ever reaches an exit node; every path must end in {"type": "exit"}.`,
      );
    }
  }
  for (const component of stronglyConnected(byId)) {
    const first = component[0]!;
    const isCycle = component.length > 1 || nodeExits(byId.get(first)!).some((exit) => exit.target === first);
    if (!isCycle) continue;
    const waits = component.some((id) => {
      const type = byId.get(id)!.type;
      return type === "wait" || type === "wait_for_event";
    });
    if (!waits) {
      const ids = component.map((id) => `"${id}"`).join(" → ");
      issues.error(
        `$.nodes[${Math.min(...component.map((id) => indexOf.get(id)!))}]`,
        "loop_without_wait",
        `the loop ${ids} has no wait or wait_for_event node, so it would repeat instantly; add a wait inside it.`,
      );
    }
  }
}

function checkNodes(issues: IssueList, journey: Journey, catalog: WorkspaceCatalog | undefined) {
  const triggerEvents =
    journey.trigger.type === "event"
      ? [journey.trigger.event, ...(journey.trigger.also ?? []).map((m) => m.event)]
      : [];
  const tools = new Set<string>([...BUILT_IN_TOOLS, ...(catalog?.tools ?? [])]);
  for (const [index, node] of journey.nodes.entries()) {
    const base = `$.nodes[${index}]`;
    switch (node.type) {
      case "wait": {
        const ways = [node.duration, node.until_time, node.until].filter(
          (value) => value !== undefined,
        ).length;
        if (ways !== 1) {
          issues.error(
            base,
            "wait_shape",
            `wait node "${node.id}" needs exactly one of duration, until_time or until (it has ${ways}).`,
          );
        }
        if (node.until) {
          const [namespace, ...rest] = node.until.field.split(".");
          if (!["trigger", "traits", "vars"].includes(namespace!) || rest.length === 0) {
            issues.error(
              `${base}.until.field`,
              "field_scope",
              `until.field must name a datetime in trigger.properties.*, traits.* or vars.*, not "${node.until.field}".`,
            );
          } else if (
            catalog &&
            namespace === "trigger" &&
            rest[0] === "properties" &&
            // only event triggers have catalogued properties (api entries bring their own)
            triggerEvents.length > 0
          ) {
            const types = triggerEvents.map((name) => catalog.events[name]?.properties[rest[1] ?? ""]);
            if (types.every((type) => type === undefined)) {
              issues.error(
                `${base}.until.field`,
                "unknown_property",
                `the trigger event has no property "${rest[1]}" to wait for.`,
              );
            }
          } else if (catalog && namespace === "traits" && !(rest[0]! in catalog.traits)) {
            issues.error(
              `${base}.until.field`,
              "unknown_trait",
              `trait "${rest[0]}" is not in the workspace's trait catalog.`,
            );
          }
        }
        break;
      }
      case "wait_for_event":
        checkEventName(issues, catalog, node.event, `${base}.event`);
        if (node.condition)
          checkCondition(
            issues,
            catalog,
            node.condition,
            `${base}.condition`,
            "event",
            node.event,
            triggerEvents,
          );
        break;
      case "branch":
        for (const [branchIndex, branch] of node.branches.entries()) {
          checkCondition(
            issues,
            catalog,
            branch.condition,
            `${base}.branches[${branchIndex}].condition`,
            "node",
            undefined,
            triggerEvents,
          );
        }
        break;
      case "split": {
        const total = node.variants.reduce((sum, variant) => sum + variant.weight, 0);
        if (Math.abs(total - 100) > 0.01) {
          issues.error(
            `${base}.variants`,
            "split_weights",
            `split "${node.id}" weights add up to ${total}; they must add up to 100.`,
          );
        }
        const names = node.variants.map((variant) => variant.name);
        if (new Set(names).size !== names.length) {
          issues.error(`${base}.variants`, "split_names", `split "${node.id}" uses a variant name twice.`);
        }
        break;
      }
      case "send":
        if (!node.template && !node.content) {
          issues.error(base, "send_content", `send node "${node.id}" needs a template id or inline content.`);
        }
        if (catalog && !catalog.channels.includes(node.channel)) {
          issues.error(
            `${base}.channel`,
            "unknown_channel",
            `channel "${node.channel}" is not enabled in this workspace (enabled: ${catalog.channels.join(", ")}).`,
          );
        }
        if (catalog?.templates && node.template && !catalog.templates.includes(node.template)) {
          issues.error(
            `${base}.template`,
            "unknown_template",
            `template "${node.template}" does not exist.${suggestion(node.template, catalog.templates)}`,
          );
        }
        break;
      case "handoff":
        if (catalog && !catalog.channels.includes("handoff")) {
          issues.error(`${base}`, "unknown_channel", "this workspace has no human hand-off channel enabled.");
        }
        break;
      case "tool":
        if (!tools.has(node.tool)) {
          issues.error(
            `${base}.tool`,
            "unknown_tool",
            `tool "${node.tool}" does not exist (known: ${[...tools].join(", ")}).`,
          );
        }
        if (isDataToolName(node.tool)) {
          for (const problem of dataToolArgIssues(node.tool, node.args)) {
            issues.error(
              problem.arg ? `${base}.args.${problem.arg}` : `${base}.args`,
              "tool_args",
              problem.message,
            );
          }
        }
        if (node.tool === "webhook" && typeof node.args.url !== "string") {
          issues.error(
            `${base}.args.url`,
            "webhook_url",
            "a webhook tool node needs args.url (an https URL).",
          );
        }
        break;
      case "update_profile":
        if (!node.set && !node.increment && !node.unset) {
          issues.error(
            base,
            "update_shape",
            `update_profile node "${node.id}" changes nothing; give set, increment or unset.`,
          );
        }
        if (catalog) {
          const keys = [
            ...Object.keys(node.set ?? {}),
            ...Object.keys(node.increment ?? {}),
            ...(node.unset ?? []),
          ];
          for (const key of keys) {
            if (!(key in catalog.traits)) {
              issues.warn(
                `${base}`,
                "new_trait",
                `update_profile writes trait "${key}", which is not in the trait catalog yet.`,
              );
            }
          }
        }
        break;
      case "agent":
        for (const [optionIndex, option] of node.actions.entries()) {
          const optionPath = `${base}.actions[${optionIndex}]`;
          if (option.kind === "send" && !option.channel) {
            issues.error(optionPath, "agent_option", `option "${option.id}" sends but names no channel.`);
          }
          if (option.kind === "send" && !option.template && !option.content) {
            issues.error(
              optionPath,
              "agent_option",
              `option "${option.id}" sends but has no template or content.`,
            );
          }
          if (
            option.kind === "send" &&
            option.channel &&
            catalog &&
            !catalog.channels.includes(option.channel)
          ) {
            issues.error(
              `${optionPath}.channel`,
              "unknown_channel",
              `channel "${option.channel}" is not enabled in this workspace.`,
            );
          }
          if (catalog?.templates && option.template && !catalog.templates.includes(option.template)) {
            issues.error(
              `${optionPath}.template`,
              "unknown_template",
              `template "${option.template}" does not exist.${suggestion(option.template, catalog.templates)}`,
            );
          }
          if (option.condition) {
            checkCondition(
              issues,
              catalog,
              option.condition,
              `${optionPath}.condition`,
              "node",
              undefined,
              triggerEvents,
            );
          }
        }
        break;
      case "exit":
        break;
    }
  }
}

function checkTriggerAndEnvelope(issues: IssueList, journey: Journey, catalog: WorkspaceCatalog | undefined) {
  const trigger = journey.trigger;
  const triggerEvents =
    trigger.type === "event" ? [trigger.event, ...(trigger.also ?? []).map((m) => m.event)] : [];
  switch (trigger.type) {
    case "event":
      checkEventName(issues, catalog, trigger.event, "$.trigger.event");
      if (trigger.condition)
        checkCondition(
          issues,
          catalog,
          trigger.condition,
          "$.trigger.condition",
          "trigger",
          trigger.event,
          triggerEvents,
        );
      for (const [index, match] of (trigger.also ?? []).entries()) {
        checkEventName(issues, catalog, match.event, `$.trigger.also[${index}].event`);
        if (match.condition) {
          checkCondition(
            issues,
            catalog,
            match.condition,
            `$.trigger.also[${index}].condition`,
            "trigger",
            match.event,
            triggerEvents,
          );
        }
      }
      break;
    case "trait_changed":
      if (catalog && !(trigger.trait in catalog.traits)) {
        issues.error(
          "$.trigger.trait",
          "unknown_trait",
          `trait "${trigger.trait}" is not in the workspace's trait catalog.${suggestion(trigger.trait, Object.keys(catalog.traits))}`,
        );
      }
      if (trigger.condition)
        checkCondition(issues, catalog, trigger.condition, "$.trigger.condition", "audience", undefined, []);
      break;
    case "segment_entered":
      if (catalog && !catalog.segments.includes(trigger.segment)) {
        issues.error(
          "$.trigger.segment",
          "unknown_segment",
          `segment "${trigger.segment}" does not exist.${suggestion(trigger.segment, catalog.segments)}`,
        );
      }
      break;
    case "schedule":
      try {
        // cron-parser also takes a leading seconds field; the format promises five fields, and a
        // six-field expression would silently mean something else ("0 0 9 * * *" = 09:00:00 daily).
        const fields = trigger.cron.trim().split(/\s+/).length;
        if (fields !== 5)
          throw new Error(`it has ${fields} fields: minute hour day-of-month month day-of-week`);
        CronExpressionParser.parse(trigger.cron, { tz: trigger.timezone ?? "UTC" });
      } catch (error) {
        issues.error(
          "$.trigger.cron",
          "bad_cron",
          `cron "${trigger.cron}" is not a valid five-field cron expression (${(error as Error).message}).`,
        );
      }
      if (trigger.timezone && !isValidTimeZone(trigger.timezone)) {
        issues.error(
          "$.trigger.timezone",
          "bad_timezone",
          `"${trigger.timezone}" is not an IANA time zone such as Europe/Berlin.`,
        );
      }
      break;
    case "api":
      break;
  }
  if (journey.audience)
    checkCondition(issues, catalog, journey.audience, "$.audience", "audience", undefined, triggerEvents);
  for (const [index, match] of journey.exit_on.entries()) {
    checkEventName(issues, catalog, match.event, `$.exit_on[${index}].event`);
    if (match.condition)
      checkCondition(
        issues,
        catalog,
        match.condition,
        `$.exit_on[${index}].condition`,
        "event",
        match.event,
        triggerEvents,
      );
  }
  if (journey.goal) {
    checkEventName(issues, catalog, journey.goal.event, "$.goal.event");
    if (journey.goal.condition) {
      checkCondition(
        issues,
        catalog,
        journey.goal.condition,
        "$.goal.condition",
        "event",
        journey.goal.event,
        triggerEvents,
      );
    }
  }
}

/**
 * Parses and checks a journey. Returns every problem found, each with its JSONPath and a sentence;
 * `ok` is false when any problem is an error (warnings alone do not block activation).
 */
export function validateJourney(input: unknown, catalog?: WorkspaceCatalog): ValidationResult {
  const parsed = Journey.safeParse(input);
  if (!parsed.success) return { ok: false, issues: schemaIssues(parsed.error) };
  const journey = parsed.data;
  const issues = new IssueList();
  checkGraph(issues, journey);
  checkTriggerAndEnvelope(issues, journey, catalog);
  checkNodes(issues, journey, catalog);
  const ok = !issues.items.some((issue) => issue.severity === "error");
  return ok ? { ok, journey, issues: issues.items } : { ok, journey, issues: issues.items };
}

/**
 * Checks a standalone condition (a segment definition, a policy suppression rule) as the audience of
 * a journey would be checked: schema, readable namespaces (traits, consent, local; no event or vars)
 * and catalog names. Paths are reported from `$`, the condition itself.
 */
export function validateCondition(
  input: unknown,
  catalog?: WorkspaceCatalog,
): { ok: true; condition: Condition; issues: ValidationIssue[] } | { ok: false; issues: ValidationIssue[] } {
  const parsed = ConditionSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: schemaIssues(parsed.error) };
  const issues = new IssueList();
  checkCondition(issues, catalog, parsed.data, "$", "audience", undefined, []);
  const ok = !issues.items.some((issue) => issue.severity === "error");
  return ok ? { ok, condition: parsed.data, issues: issues.items } : { ok, issues: issues.items };
}
