import type { Condition } from "../../journeys/format/condition.ts";
import type { JourneyInput, Trigger } from "../../journeys/format/schema.ts";
import { messageContent, offerText } from "./content.ts";
import type { Plan, PlanAction, PlanSegment, PlanStep } from "./plan.ts";
import { combine, rebase } from "./plan.ts";
import { humanDuration, isoDuration } from "./time-expressions.ts";

/**
 * The last stage: a plan becomes the journey graph, with one explanation line per decision, in the
 * order a customer meets them. Time is tracked along each path (offsets from entry) so that "a
 * week after the return" after a step on day one becomes a 6-day wait, and so that a guard
 * ("hasn't ordered") is checked by a wait_for_event when the event has been watched all along, or
 * by a branch on the history since entry when it has not.
 */

type NodeInput = JourneyInput["nodes"][number];
type Slot = (target: string) => void;

const CHANNEL_NAMES: Record<string, string> = {
  email: "an email",
  sms: "an SMS",
  push: "a push notification",
  in_app: "an in-app message",
  chat: "a chat message",
};

class GraphBuilder {
  readonly nodes: NodeInput[] = [];
  private readonly used = new Set<string>();
  private readonly exits = new Map<string, string>();

  id(base: string): string {
    const slug =
      base
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "_")
        .replace(/^_|_$/g, "")
        .slice(0, 48) || "node";
    let candidate = slug;
    for (let counter = 2; this.used.has(candidate); counter++) candidate = `${slug}_${counter}`;
    this.used.add(candidate);
    return candidate;
  }

  add(node: NodeInput): string {
    this.nodes.push(node);
    return node.id;
  }

  exit(reason: "done" | "converted" | "no_response" | "not_eligible" | "holdout"): string {
    const existing = this.exits.get(reason);
    if (existing) return existing;
    const labels = {
      done: "journey complete",
      converted: "the awaited event happened",
      no_response: "no answer in time",
      not_eligible: "not in any path",
      holdout: "holdout: receives nothing",
    };
    const id = this.id(reason === "done" ? "end" : `exit_${reason}`);
    this.exits.set(reason, id);
    this.add({ id, type: "exit", reason: labels[reason] });
    return id;
  }
}

interface PathState {
  /** ms since entry, when known */
  elapsed: number | null;
  /** events watched without a gap since entry ("all" before any time has passed) */
  clean: Set<string> | "all";
  /** absolute offsets of earlier messages, by channel */
  sentAt: Map<string, number | null>;
}

function performedSinceEntry(entries: PlanStep["notPerformed"]): Condition {
  const conditions: Condition[] = entries.map((entry) => ({
    performed: entry.event,
    since: "entry" as const,
    ...(entry.where ? { where: entry.where } : {}),
  }));
  return conditions.length === 1 ? conditions[0]! : { any: conditions };
}

function channelsOf(action: PlanAction): string[] {
  if (action.kind === "send") return [action.channel];
  if (action.kind === "handoff") return ["handoff"];
  if (action.kind === "update") return [];
  return action.variants.flatMap((variant) => channelsOf(variant.action));
}

export class JourneyAssembler {
  private readonly graph = new GraphBuilder();
  readonly explanation: string[] = [];

  constructor(private readonly plan: Plan) {}

  private line(depth: number, text: string) {
    this.explanation.push(`${"  ".repeat(depth)}${text}`);
  }

  /** Where each step happens relative to entry, and the wait before it. */
  private schedule(steps: readonly PlanStep[]): Array<{ step: PlanStep; wait: number | null }> {
    const absolute: Array<number | null> = [];
    const sentAt = new Map<string, number | null>();
    let elapsed: number | null = 0;
    for (const step of steps) {
      const base = step.timing.base;
      let at: number | null = null;
      if (step.awaits.length > 0 || step.timing.atTime || base.kind === "until") at = null;
      else if (base.kind === "now") at = elapsed;
      else if (base.anchor === "previous") at = elapsed === null ? null : elapsed + base.ms;
      else if (base.anchor === "entry") at = base.ms;
      else {
        const channel = base.anchor.channel;
        const from = channel === "any" ? [...sentAt.values()].pop() : sentAt.get(channel);
        at =
          from === undefined || from === null
            ? elapsed === null
              ? null
              : elapsed + base.ms
            : from + base.ms;
      }
      absolute.push(at);
      for (const channel of step.actions.flatMap(channelsOf)) sentAt.set(channel, at);
      elapsed = at;
    }
    const known = absolute.every((value) => value !== null);
    const order = steps.map((step, index) => ({ step, index, at: absolute[index] ?? null }));
    // Steps said out of order ("a week later…; the day after sign-up…") run in time order.
    if (known) order.sort((a, b) => (a.at as number) - (b.at as number) || a.index - b.index);
    let previous: number | null = 0;
    return order.map(({ step, at }) => {
      const base = step.timing.base;
      let wait: number | null;
      if (at !== null && previous !== null) wait = Math.max(0, at - previous);
      else if (base.kind === "after") wait = base.ms;
      else if (base.kind === "now") wait = 0;
      else wait = null;
      if (at !== null && previous !== null && at < previous) {
        this.plan.notes.push(
          `"${step.timing.phrase}" falls before the previous step; it runs right after it instead.`,
        );
      }
      previous = at;
      return { step, wait };
    });
  }

  private buildAction(action: PlanAction, depth: number, label?: string): { id: string; slots: Slot[] } {
    switch (action.kind) {
      case "send": {
        const { content, category } = messageContent(action.channel, action.purpose, action.offer, label);
        const id = this.graph.id(`send_${action.channel}${label ? `_${label}` : ""}`);
        const node: Extract<NodeInput, { type: "send" }> = {
          id,
          type: "send",
          label: `${action.channel === "sms" ? "SMS" : action.channel === "in_app" ? "In-app" : action.channel[0]!.toUpperCase() + action.channel.slice(1)}: ${content.subject ?? content.title ?? content.body.slice(0, 40)}`,
          channel: action.channel,
          content,
          ...(category ? { category } : {}),
          ai_generated: true,
          next: "",
          ...(action.offer ? { offer: action.offer } : {}),
        };
        this.graph.add(node);
        const offer = action.offer
          ? ` with ${offerText(action.offer)}${action.offerAssumed ? " (no amount was given; 10% assumed — edit before approval)" : ""}`
          : "";
        this.line(
          depth,
          `Sends ${CHANNEL_NAMES[action.channel]}${offer} (${category ?? "category left to the workspace default"}; copy drafted from "${action.purpose}").`,
        );
        return { id, slots: [(target) => (node.next = target)] };
      }
      case "handoff": {
        const id = this.graph.id(`handoff_${action.queue}`);
        const task = action.task
          ? action.task.replace(/\bthem\b/, "the customer")
          : "follow up with the customer";
        const node: Extract<NodeInput, { type: "handoff" }> = {
          id,
          type: "handoff",
          label: `Hand-off: ${action.queue.replace(/_/g, " ")}`,
          queue: action.queue,
          priority: action.priority,
          instructions: `${task[0]!.toUpperCase()}${task.slice(1)}. From the goal: "${action.purpose}".`,
          next: "",
        };
        this.graph.add(node);
        this.line(
          depth,
          `Creates a hand-off task for the ${action.queue.replace(/_/g, " ")} queue (${action.priority} priority): ${task}. Quiet hours do not hold work for people.`,
        );
        return { id, slots: [(target) => (node.next = target)] };
      }
      case "update": {
        const id = this.graph.id(`update_${Object.keys(action.set).join("_")}`);
        const node: Extract<NodeInput, { type: "update_profile" }> = {
          id,
          type: "update_profile",
          label: `Set ${Object.entries(action.set)
            .map(([key, value]) => `${key} = ${value}`)
            .join(", ")}`,
          set: { ...action.set },
          next: "",
        };
        this.graph.add(node);
        this.line(
          depth,
          `Updates the profile: ${Object.entries(action.set)
            .map(([key, value]) => `${key} becomes "${value}"`)
            .join(", ")} ("${action.phrase}").`,
        );
        return { id, slots: [(target) => (node.next = target)] };
      }
      case "split": {
        const id = this.graph.id("ab_split");
        const node: Extract<NodeInput, { type: "split" }> = {
          id,
          type: "split",
          label: "A/B test",
          variants: [],
        };
        this.graph.add(node);
        const slots: Slot[] = [];
        const shares = action.variants.map((variant) => `${variant.name} ${variant.weight}%`).join(", ");
        this.line(
          depth,
          `Splits customers at random: ${shares}${action.holdout ? `, holdout ${action.holdout}% (receives nothing, for comparison)` : ""}.`,
        );
        for (const variant of action.variants) {
          const built = this.buildAction(variant.action, depth + 1, variant.name);
          node.variants.push({ name: variant.name, weight: variant.weight, next: built.id });
          slots.push(...built.slots);
        }
        if (action.holdout > 0) {
          node.variants.push({
            name: "holdout",
            weight: action.holdout,
            next: this.graph.exit("holdout"),
            holdout: true,
          });
        }
        return { id, slots };
      }
    }
  }

  /** Builds the nodes of one path and returns its first node id. */
  private buildPath(steps: readonly PlanStep[], depth: number): string {
    const state: PathState = { elapsed: 0, clean: "all", sentAt: new Map() };
    let open: Slot[] = [];
    let first: string | null = null;
    const attach = (id: string) => {
      if (first === null) first = id;
      for (const slot of open) slot(id);
      open = [];
    };
    const passTime = (watched?: string) => {
      const wasClean = watched !== undefined && (state.clean === "all" || state.clean.has(watched));
      state.clean = wasClean && watched ? new Set([watched]) : new Set();
    };
    for (const { step, wait } of this.schedule(steps)) {
      const base = step.timing.base;
      for (const awaited of step.awaits) {
        const id = this.graph.id(`await_${awaited.event}`);
        const node: Extract<NodeInput, { type: "wait_for_event" }> = {
          id,
          type: "wait_for_event",
          label: `Wait for ${awaited.event}`,
          event: awaited.event,
          timeout: isoDuration(awaited.timeoutMs),
          on_event: "",
          on_timeout: this.graph.exit("no_response"),
          ...(awaited.condition ? { condition: awaited.condition } : {}),
        };
        attach(this.graph.add(node));
        open = [(target) => (node.on_event = target)];
        passTime();
        state.elapsed = null;
        this.line(
          depth,
          `Waits up to ${humanDuration(awaited.timeoutMs)} for ${awaited.event}${awaited.condition ? " (matching the goal's condition)" : ""} ("${awaited.label}"); without it, the journey ends.`,
        );
      }
      let pendingGuards = [...step.notPerformed];
      const simpleWait = wait !== null && wait > 0 && base.kind !== "until" && !step.timing.atTime;
      if (simpleWait && pendingGuards.length > 0) {
        const watched = pendingGuards[0]!;
        const wasClean = state.clean === "all" || state.clean.has(watched.event);
        const id = this.graph.id(`wait_for_${watched.event}`);
        const node: Extract<NodeInput, { type: "wait_for_event" }> = {
          id,
          type: "wait_for_event",
          label: `${humanDuration(wait)} for ${watched.event}`,
          event: watched.event,
          timeout: isoDuration(wait),
          on_event: this.graph.exit("converted"),
          on_timeout: "",
          ...(watched.where ? { condition: watched.where } : {}),
        };
        attach(this.graph.add(node));
        open = [(target) => (node.on_timeout = target)];
        this.line(
          depth,
          `Waits ${humanDuration(wait)} (${step.timing.phrase ?? "as the goal says"}); if ${watched.event} happens meanwhile, the journey ends for that customer.`,
        );
        passTime(watched.event);
        pendingGuards = wasClean ? pendingGuards.slice(1) : pendingGuards;
      } else {
        if (wait !== null && wait > 0) {
          const id = this.graph.id(`wait_${humanDuration(wait)}`);
          const node: Extract<NodeInput, { type: "wait" }> = {
            id,
            type: "wait",
            label: `Wait ${humanDuration(wait)}`,
            duration: isoDuration(wait),
            next: "",
          };
          attach(this.graph.add(node));
          open = [(target) => (node.next = target)];
          this.line(depth, `Waits ${humanDuration(wait)} (${step.timing.phrase ?? "as the goal says"}).`);
          passTime();
        }
        if (base.kind === "until") {
          const offset =
            base.offsetMs === 0 && base.months === 0
              ? undefined
              : `${base.offsetMs < 0 ? "-" : ""}${isoDuration(Math.abs(base.offsetMs), Math.abs(base.months))}`;
          const id = this.graph.id(`wait_until_${base.field.split(".").pop()}`);
          const node: Extract<NodeInput, { type: "wait" }> = {
            id,
            type: "wait",
            label: `Until ${base.phrase}${offset ? ` ${offset}` : ""}`,
            until: { field: base.field, ...(offset ? { offset } : {}) },
            next: "",
          };
          attach(this.graph.add(node));
          open = [(target) => (node.next = target)];
          const amount = humanDuration(Math.abs(base.offsetMs), Math.abs(base.months));
          this.line(
            depth,
            `Waits until ${base.offsetMs === 0 ? "" : `${amount} ${base.offsetMs < 0 ? "before" : "after"} `}${base.field.replace("trigger.properties.", "the trigger's ")} ("${base.phrase}").`,
          );
          passTime();
        }
        if (step.timing.atTime) {
          const { time, dayOffset } = step.timing.atTime;
          if (dayOffset > 0) {
            const id = this.graph.id("wait_end_of_day");
            const node: Extract<NodeInput, { type: "wait" }> = {
              id,
              type: "wait",
              label: "Until the end of the day",
              until_time: "23:59",
              next: "",
            };
            attach(this.graph.add(node));
            open = [(target) => (node.next = target)];
          }
          const id = this.graph.id(`wait_until_${time}`);
          const node: Extract<NodeInput, { type: "wait" }> = {
            id,
            type: "wait",
            label: `Until ${time} local`,
            until_time: time,
            next: "",
          };
          attach(this.graph.add(node));
          open = [(target) => (node.next = target)];
          this.line(
            depth,
            `Waits until ${dayOffset > 0 ? "the next day at " : ""}${time} in the customer's time zone (the goal asked for this time).`,
          );
          passTime();
        }
      }
      const needed = pendingGuards.filter(
        (guard) => !(state.clean === "all" || state.clean.has(guard.event)),
      );
      if (needed.length > 0) {
        const id = this.graph.id(`check_${needed.map((guard) => guard.event).join("_")}`);
        const node: Extract<NodeInput, { type: "branch" }> = {
          id,
          type: "branch",
          label: `${needed.map((guard) => guard.event).join(" or ")} since entry?`,
          branches: [
            {
              name: "already happened",
              condition: performedSinceEntry(needed),
              next: this.graph.exit("converted"),
            },
          ],
          otherwise: "",
        };
        attach(this.graph.add(node));
        open = [(target) => (node.otherwise = target)];
        this.line(
          depth,
          `Checks whether ${needed.map((guard) => `${guard.event} ("${guard.label}")`).join(" or ")} happened since entry; if so, the journey ends.`,
        );
      }
      const skips: Slot[] = [];
      if (step.suppressions.length > 0) {
        const condition =
          step.suppressions.length === 1
            ? step.suppressions[0]!.condition
            : { any: step.suppressions.map((guard) => guard.condition) };
        const id = this.graph.id("suppress");
        const node: Extract<NodeInput, { type: "branch" }> = {
          id,
          type: "branch",
          label: `Skip if ${step.suppressions.map((guard) => guard.label).join(" or ")}`,
          branches: [{ name: "excluded", condition, next: "" }],
          otherwise: "",
        };
        attach(this.graph.add(node));
        skips.push((target) => (node.branches[0]!.next = target));
        open = [(target) => (node.otherwise = target)];
        this.line(
          depth,
          `Skips the next step for customers where ${step.suppressions.map((guard) => guard.label).join(" or ")} (checked at that moment).`,
        );
      }
      if (step.conditions.length > 0) {
        const id = this.graph.id("only_if");
        const node: Extract<NodeInput, { type: "branch" }> = {
          id,
          type: "branch",
          label: `Only if ${step.conditions.map((guard) => guard.label).join(" and ")}`,
          branches: [
            {
              name: "eligible",
              condition: combine(step.conditions.map((guard) => guard.condition))!,
              next: "",
            },
          ],
          otherwise: "",
        };
        attach(this.graph.add(node));
        skips.push((target) => (node.otherwise = target));
        open = [(target) => (node.branches[0]!.next = target)];
        this.line(
          depth,
          `Continues with the next step only where ${step.conditions.map((guard) => guard.label).join(" and ")}.`,
        );
      }
      for (const action of step.actions) {
        const built = this.buildAction(action, depth);
        attach(built.id);
        open = built.slots;
      }
      open.push(...skips);
      if (state.elapsed !== null && wait !== null) state.elapsed += wait;
    }
    attach(this.graph.exit("done"));
    return first!;
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
    for (const fact of base.conditions) {
      const eventQualifier =
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
            `Starts when ${trigger.event} happens ("${trigger.phrase}")${condition ? `, only if ${describeConditions(base, triggerConditions)}` : ""}.`,
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
      const id = this.graph.id("route_by_customer");
      const node: Extract<NodeInput, { type: "branch" }> = {
        id,
        type: "branch",
        label: "Which path?",
        branches: [],
        otherwise: "",
      };
      this.graph.add(node);
      for (const segment of segments.filter((s) => !s.otherwise)) {
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

function describeConditions(segment: PlanSegment, conditions: readonly Condition[]): string {
  void segment;
  return describeList(conditions);
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
