import type { Condition } from "../../journeys/format/condition.ts";
import type { JourneyInput, Trigger } from "../../journeys/format/schema.ts";
import type { NodeInput } from "./action-nodes.ts";
import { GraphBuilder } from "./action-nodes.ts";
import { PathBuilder } from "./path-builder.ts";
import type { Plan, PlanSegment } from "./plan-types.ts";
import { combine, rebase } from "./plan-types.ts";

/**
 * The last stage: a plan becomes the journey — trigger, audience, re-entry, the routing between
 * paths (which event started it, which customer it is) — with the explanation the console shows
 * beside the canvas. Each path's nodes come from path-builder.ts.
 */

export class JourneyAssembler {
  private readonly graph = new GraphBuilder();
  readonly explanation: string[] = [];
  private readonly paths: PathBuilder;

  constructor(private readonly plan: Plan) {
    this.paths = new PathBuilder(this.graph, plan, this.explanation);
  }

  private buildPath(steps: Parameters<PathBuilder["buildPath"]>[0], depth: number): string {
    return this.paths.buildPath(steps, depth);
  }

  private line(depth: number, text: string) {
    this.explanation.push(`${"  ".repeat(depth)}${text}`);
  }

  private segmentCondition(segment: PlanSegment): Condition {
    return combine(segment.conditions.map((fact) => rebase(fact.condition, "trigger")))!;
  }

  assemble(goal: string): { journey: JourneyInput; explanation: string[] } {
    const plan = this.plan;
    const trigger = plan.trigger!;
    const triggerConditions: Condition[] = [];
    const audience: Condition[] = [];
    let segments = plan.segments.filter((segment) => segment.steps.length > 0 || segment.otherwise);
    const base = plan.segments[0]!;
    const ownPaths = plan.also.filter((entry) => entry.steps !== null);
    const branching = segments.length > 1 || segments.some((segment) => segment.otherwise);
    const triggerEvent = trigger.type === "event" || trigger.type === "date" ? trigger.event : null;

    // Conditions of a single path become the trigger's condition and the audience; with several
    // paths, conditions that only qualify the event itself ("NPS survey") still go to the trigger.
    const keep: typeof base.conditions = [];
    const qualifies = (fact: (typeof base.conditions)[number]) =>
      fact.kind === "property" &&
      fact.event === triggerEvent &&
      "field" in fact.condition &&
      (fact.condition.op === "eq" || fact.condition.op === "contains" || !branching) &&
      !plan.segments
        .slice(1)
        .some((other) =>
          other.conditions.some(
            (c) =>
              "field" in c.condition &&
              "field" in fact.condition &&
              c.condition.field.split(".").pop() === fact.condition.field.split(".").pop(),
          ),
        );
    // "… because of price; for any other reason …": when the qualifiers are all that tells the first
    // path from "everyone else", they must stay on the path, or everyone else would never enter.
    const keepQualifiers =
      segments.some((segment) => segment.otherwise && segment !== base) && base.conditions.every(qualifies);
    for (const fact of base.conditions) {
      const eventQualifier = qualifies(fact) && !keepQualifiers;
      if (eventQualifier) triggerConditions.push(fact.condition);
      else if (fact.kind === "trait" && !branching && ownPaths.length === 0) audience.push(fact.condition);
      else if (fact.kind === "property" && fact.event !== triggerEvent)
        this.plan.notes.push(
          `"${fact.label}" names a property of ${fact.event}, not of the trigger; ignored.`,
        );
      else keep.push(fact);
    }
    base.conditions = keep;
    if (!segments.includes(base) && base.conditions.length > 0) segments = [base, ...segments];

    let journeyTrigger: Trigger;
    switch (trigger.type) {
      case "event":
      case "date": {
        const alternatives = plan.also.map((entry) => ({
          event: entry.event,
          ...(entry.condition ? { condition: entry.condition } : {}),
        }));
        const condition = combine(triggerConditions);
        journeyTrigger = {
          type: "event",
          event: trigger.event,
          ...(condition ? { condition } : {}),
          ...(alternatives.length > 0 ? { also: alternatives } : {}),
        };
        if (trigger.type === "event")
          this.line(
            0,
            `Starts when ${trigger.event} happens ("${trigger.phrase}")${condition ? `, only if ${describeCondition(condition)}` : ""}.`,
          );
        else
          this.line(
            0,
            `Starts when ${trigger.event} happens, because it carries the date "${trigger.phrase}" (${trigger.property}) the goal's timing is measured from.`,
          );
        for (const entry of plan.also) {
          this.line(
            0,
            `Also starts when ${entry.event} happens ("${entry.phrase}")${entry.steps ? ", on its own path, even while the customer is already in this journey" : ", on the same path"}.`,
          );
        }
        break;
      }
      case "trait_changed":
        journeyTrigger = { type: "trait_changed", trait: trigger.trait, condition: trigger.condition };
        this.line(
          0,
          `Starts when the trait ${trigger.trait} changes so that ${trigger.phrase.replace(/_/g, " ")}.`,
        );
        break;
      case "schedule":
        journeyTrigger = { type: "schedule", cron: trigger.cron };
        this.line(
          0,
          `Runs on a schedule (${trigger.phrase}: cron "${trigger.cron}" in the workspace time zone).`,
        );
        break;
    }
    const audienceCondition = combine(audience);
    if (audienceCondition)
      this.line(
        0,
        `Only for customers where ${base.conditions.length === 0 ? describeList(audience) : describeList(audience)}.`,
      );

    let start: string;
    const mainPath = (depth: number): string => {
      if (segments.length === 1 && !segments[0]!.otherwise && segments[0]!.conditions.length === 0) {
        return this.buildPath(segments[0]!.steps, depth);
      }
      // "Everyone else …" with no other path that does anything: that path is everyone's.
      const routed = segments.filter((segment) => !segment.otherwise && segment.steps.length > 0);
      if (routed.length === 0) {
        return this.buildPath(segments.find((segment) => segment.otherwise)?.steps ?? [], depth);
      }
      const id = this.graph.id("route_by_customer");
      const node: Extract<NodeInput, { type: "branch" }> = {
        id,
        type: "branch",
        label: "Which path?",
        branches: [],
        otherwise: "",
      };
      this.graph.add(node);
      for (const segment of routed) {
        const label = segment.conditions.map((fact) => fact.label).join(" and ") || "everyone";
        this.line(depth, `Path for customers where ${label}:`);
        const condition =
          segment.conditions.length > 0
            ? this.segmentCondition(segment)
            : { field: "trigger.name", op: "exists" as const };
        node.branches.push({
          name: label.slice(0, 60),
          condition,
          next: this.buildPath(segment.steps, depth + 1),
        });
      }
      const otherwise = segments.find((s) => s.otherwise);
      if (otherwise) {
        this.line(depth, "Path for everyone else:");
        node.otherwise = this.buildPath(otherwise.steps, depth + 1);
      } else {
        node.otherwise = this.graph.exit("not_eligible");
        this.line(depth, "Everyone else leaves the journey without a message.");
      }
      return id;
    };
    if (ownPaths.length > 0) {
      const id = this.graph.id("route_by_event");
      const node: Extract<NodeInput, { type: "branch" }> = {
        id,
        type: "branch",
        label: "Which event started it?",
        branches: [],
        otherwise: "",
      };
      this.graph.add(node);
      for (const entry of ownPaths) {
        this.line(1, `When it started with ${entry.event}:`);
        node.branches.push({
          name: entry.event,
          condition: { field: "trigger.name", op: "eq", value: entry.event },
          next: this.buildPath(entry.steps!, 2),
        });
      }
      this.line(1, `When it started with ${triggerEvent ?? "the trigger"}:`);
      node.otherwise = mainPath(2);
      start = id;
    } else {
      start = mainPath(1);
    }
    if (plan.exitOn.length > 0)
      this.line(0, `Ends at any point when ${plan.exitOn.map((match) => match.event).join(" or ")} happens.`);
    if (plan.reentry === "never") this.line(0, "Each customer goes through this journey at most once.");
    if (plan.reentry === "always")
      this.line(
        0,
        "A customer may be in this journey more than once at a time (each entry event starts its own visit).",
      );
    const channels = new Set(
      this.graph.nodes.flatMap((node) => (node.type === "send" ? [node.channel] : [])),
    );
    if (channels.size > 0) {
      this.line(
        0,
        "Consent, quiet hours and frequency caps are left to the workspace policies: a message due at night is held by policy, not rescheduled by this journey.",
      );
    }
    for (const note of plan.notes) this.line(0, `Note: ${note}`);

    const ordered = orderNodes(this.graph.nodes, start);
    const journey: JourneyInput = {
      name: journeyName(plan, channels),
      description: goal.trim().slice(0, 4000),
      trigger: journeyTrigger,
      reentry: { mode: plan.reentry },
      ...(audienceCondition ? { audience: audienceCondition } : {}),
      ...(plan.exitOn.length > 0 ? { exit_on: plan.exitOn } : {}),
      start,
      nodes: ordered,
    };
    return { journey, explanation: this.explanation };
  }
}

function describeList(conditions: readonly Condition[]): string {
  return conditions.map((condition) => describeCondition(condition)).join(" and ");
}

export function describeCondition(condition: Condition): string {
  if ("all" in condition) return condition.all.map(describeCondition).join(" and ");
  if ("any" in condition) return condition.any.map(describeCondition).join(" or ");
  if ("not" in condition) return `not (${describeCondition(condition.not)})`;
  if ("performed" in condition)
    return `${condition.performed} happened${condition.since ? " since entry" : ""}`;
  const ops: Record<string, string> = {
    eq: "is",
    neq: "is not",
    gt: ">",
    gte: "≥",
    lt: "<",
    lte: "≤",
    in: "is one of",
    not_in: "is none of",
    contains: "contains",
    not_contains: "does not contain",
    starts_with: "starts with",
    exists: "is set",
    not_exists: "is not set",
  };
  const field = condition.field.replace(/^(?:event|trigger)\.properties\./, "").replace(/^traits\./, "");
  const transform = condition.transform ? `${condition.transform} of ` : "";
  return `${transform}${field} ${ops[condition.op] ?? condition.op}${condition.value === undefined ? "" : ` ${JSON.stringify(condition.value)}`}`;
}

function journeyName(plan: Plan, channels: ReadonlySet<string>): string {
  const trigger = plan.trigger!;
  const start =
    trigger.type === "event" || trigger.type === "date"
      ? trigger.event
      : trigger.type === "trait_changed"
        ? `${trigger.trait} change`
        : "Scheduled";
  const handoff =
    plan.segments.some((segment) =>
      segment.steps.some((step) => step.actions.some((action) => action.kind === "handoff")),
    ) ||
    plan.also.some((entry) =>
      entry.steps?.some((step) => step.actions.some((action) => action.kind === "handoff")),
    );
  const parts = [...channels].map((channel) =>
    channel === "sms" ? "SMS" : channel === "in_app" ? "in-app" : channel,
  );
  if (handoff) parts.push("hand-off");
  return `${start}: ${parts.join(", ") || "journey"}`.slice(0, 200);
}

/** Nodes in the order a reader follows them (breadth-first from the start). */
function orderNodes(nodes: readonly NodeInput[], start: string): NodeInput[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const seen = new Set<string>();
  const ordered: NodeInput[] = [];
  const queue = [start];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    const node = byId.get(id);
    if (!node) continue;
    seen.add(id);
    ordered.push(node);
    queue.push(...targetsOf(node));
  }
  for (const node of nodes) if (!seen.has(node.id)) ordered.push(node);
  // Exit nodes last: they are where paths end.
  return [
    ...ordered.filter((node) => node.type !== "exit"),
    ...ordered.filter((node) => node.type === "exit"),
  ];
}

function targetsOf(node: NodeInput): string[] {
  switch (node.type) {
    case "wait":
    case "update_profile":
      return [node.next];
    case "wait_for_event":
      return [node.on_event, node.on_timeout];
    case "branch":
      return [...node.branches.map((branch) => branch.next), node.otherwise];
    case "split":
      return node.variants.map((variant) => variant.next);
    case "send":
    case "handoff":
    case "agent":
    case "tool":
      return [node.next];
    case "exit":
      return [];
  }
}
