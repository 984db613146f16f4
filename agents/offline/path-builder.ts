import type { Condition } from "../../journeys/format/condition.ts";
import type { GraphBuilder, NodeInput, Slot } from "./action-nodes.ts";
import { buildActionNodes } from "./action-nodes.ts";
import type { MessageTopic } from "./content.ts";
import type { Plan, PlanAction, PlanStep } from "./plan-types.ts";
import { combine } from "./plan-types.ts";
import { humanDuration, isoDuration } from "./time-expressions.ts";

/**
 * The last stage: a plan becomes the journey graph, with one explanation line per decision, in the
 * order a customer meets them. Time is tracked along each path (offsets from entry) so that "a
 * week after the return" after a step on day one becomes a 6-day wait, and so that a guard
 * ("hasn't ordered") is checked by a wait_for_event when the event has been watched all along, or
 * by a branch on the history since entry when it has not.
 */

interface PathState {
  /** ms since entry, when known */
  elapsed: number | null;
  /** events watched without a gap since entry ("all" before any time has passed) */
  clean: Set<string> | "all";
  /** absolute offsets of earlier messages, by channel */
  sentAt: Map<string, number | null>;
  /** an SMS or push earlier on the path may be held by quiet hours, shifting everything after it */
  deferrable: boolean;
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

/** Builds the nodes of one path (a list of steps) and the explanation lines for them. */
export class PathBuilder {
  constructor(
    private readonly graph: GraphBuilder,
    private readonly plan: Plan,
    private readonly explanation: string[],
  ) {}

  private line(depth: number, text: string) {
    this.explanation.push(`${"  ".repeat(depth)}${text}`);
  }

  private readonly lineFn = (depth: number, text: string) => this.line(depth, text);

  // Copy follows what started the journey as well as the message's own words (content.ts).
  private get messageTopic(): MessageTopic {
    const trigger = this.plan.trigger;
    return {
      goal: this.plan.sentences.join(". "),
      triggerEvent: trigger && (trigger.type === "event" || trigger.type === "date") ? trigger.event : null,
    };
  }

  /** Where each step happens relative to entry, and the wait before it. */
  private schedule(
    steps: readonly PlanStep[],
  ): Array<{ step: PlanStep; wait: number | null; at: number | null }> {
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
      else if (base.anchor === "total")
        at = elapsed === null ? null : base.ms > elapsed ? base.ms : elapsed + base.ms;
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
      return { step, wait, at };
    });
  }

  /** Builds the nodes of one path and returns its first node id. */
  buildPath(steps: readonly PlanStep[], depth: number): string {
    const state: PathState = { elapsed: 0, clean: "all", sentAt: new Map(), deferrable: false };
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
    for (const { step, wait, at } of this.schedule(steps)) {
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
          on_timeout: "",
          ...(awaited.condition ? { condition: awaited.condition } : {}),
        };
        attach(this.graph.add(node));
        open = [(target) => (node.on_event = target)];
        passTime();
        state.elapsed = null;
        this.line(
          depth,
          `Waits up to ${humanDuration(awaited.timeoutMs)} for ${awaited.event}${awaited.condition ? " (matching the goal's condition)" : ""} ("${awaited.label}"); ${awaited.otherwise ? "without it:" : "without it, the journey ends."}`,
        );
        if (awaited.otherwise) {
          node.on_timeout = this.buildPath(awaited.otherwise, depth + 1);
          this.line(depth, `When ${awaited.event} happens:`);
        } else node.on_timeout = this.graph.exit("no_response");
      }
      let pendingGuards = [...step.notPerformed];
      const simpleWait = wait !== null && wait > 0 && base.kind !== "until" && !step.timing.atTime;
      // "6 hours after the failure" after an SMS that quiet hours may hold: wait for the moment
      // itself (entry + 6 hours), not for 6 hours after whenever the SMS went out.
      const fromEntry = simpleWait && state.deferrable && base.kind === "after" && base.anchor === "entry";
      if (fromEntry && at !== null) {
        const id = this.graph.id(`wait_until_${humanDuration(at)}_after_entry`);
        const node: Extract<NodeInput, { type: "wait" }> = {
          id,
          type: "wait",
          label: `Until ${humanDuration(at)} after entry`,
          until: { field: "trigger.timestamp", offset: isoDuration(at) },
          next: "",
        };
        attach(this.graph.add(node));
        open = [(target) => (node.next = target)];
        this.line(
          depth,
          `Waits until ${humanDuration(at)} after the journey started (${step.timing.phrase ?? "as the goal says"}), however long an earlier message was held.`,
        );
        passTime();
      } else if (simpleWait && pendingGuards.length > 0) {
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
      // Work for people and profile updates first: a message held by quiet hours would hold
      // everything after it on the path, and policies never hold a hand-off.
      const ordered = [
        ...step.actions.filter((action) => action.kind === "handoff" || action.kind === "update"),
        ...step.actions.filter((action) => action.kind !== "handoff" && action.kind !== "update"),
      ];
      for (const action of ordered) {
        if (channelsOf(action).some((channel) => channel === "sms" || channel === "push"))
          state.deferrable = true;
        const built = buildActionNodes(this.graph, this.lineFn, action, this.messageTopic, depth);
        attach(built.id);
        open = built.slots;
      }
      open.push(...skips);
      if (state.elapsed !== null && wait !== null) state.elapsed += wait;
    }
    attach(this.graph.exit("done"));
    return first!;
  }
}
