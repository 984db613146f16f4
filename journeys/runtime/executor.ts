import { createHash } from "node:crypto";
import type { ActionOutcome } from "../../policies/types.ts";
import { addDuration } from "../format/duration.ts";
import type { EventRecord } from "../format/evaluate.ts";
import { evaluateCondition } from "../format/evaluate.ts";
import type { JourneyNode, NodeOfType } from "../format/schema.ts";
import { nextLocalTimeOfDay } from "../format/zoned-time.ts";
import { buildAction, type PlannedAction } from "./actions.ts";
import type { CompiledJourney } from "./compiled.ts";
import type { StepEnvironment } from "./environment.ts";
import { customerTimezone, instanceScope, resolveArgument, resolveArguments, toInstant } from "./scope.ts";
import type { CounterMetric, InstanceState, StepSink } from "./types.ts";
import { JOURNEY_COUNTER_NODE } from "./types.ts";

/**
 * The step engine: the semantics of every node type, written once against StepEnvironment so the
 * Postgres runtime and the simulator run the same code. `advance` runs an instance from its current
 * node until it waits, parks, finishes, or hits the per-activation step cap.
 */

export interface AdvanceOptions {
  /** node transitions allowed in one activation (the validator forbids loops without waits; this is the backstop) */
  maxSteps?: number;
  /** leave the instance due now, for a worker, instead of running this node here (slow I/O inline) */
  yieldBefore?: (node: JourneyNode) => boolean;
}

export const DEFAULT_MAX_STEPS = 100;

type StepResult = { kind: "goto"; target: string } | { kind: "stop" };
const STOP: StepResult = { kind: "stop" };
const goto = (target: string): StepResult => ({ kind: "goto", target });

function bump(sink: StepSink, instance: InstanceState, nodeId: string, metric: CounterMetric) {
  sink.count(instance.versionId, nodeId, metric);
}

/** Moves an instance into a node: a new visit, nothing pending. */
export function enterNode(instance: InstanceState, nodeId: string, sink: StepSink) {
  instance.nodeId = nodeId;
  instance.book.visits[nodeId] = (instance.book.visits[nodeId] ?? 0) + 1;
  instance.book.pending = undefined;
  instance.book.choice = undefined;
  instance.book.choiceContent = undefined;
  instance.book.pendingActionId = undefined;
  instance.dueAt = null;
  instance.waitEvent = null;
  instance.resumeEvent = null;
  bump(sink, instance, nodeId, "entered");
}

/** Ends a visit: `completed` at an exit node, `exited` for every other reason. */
export function finishInstance(
  instance: InstanceState,
  status: "completed" | "exited",
  reason: string,
  sink: StepSink,
  now: Date,
) {
  instance.status = status;
  instance.finishedAt = now;
  instance.exitReason = reason;
  instance.dueAt = null;
  instance.waitEvent = null;
  instance.resumeEvent = null;
  instance.book.pending = undefined;
  sink.record({ instance, nodeId: instance.nodeId, kind: status, detail: { reason }, at: now });
  bump(sink, instance, instance.nodeId, status);
  bump(sink, instance, JOURNEY_COUNTER_NODE, status);
}

/** A deterministic number in [0, 100) for (instance, node): the same customer always gets the same variant. */
export function splitPoint(instanceId: number | string, nodeId: string): number {
  const digest = createHash("sha256").update(`${instanceId}:${nodeId}`).digest();
  return (digest.readUInt32BE(0) / 0x1_0000_0000) * 100;
}

export async function advance(
  instance: InstanceState,
  compiled: CompiledJourney,
  env: StepEnvironment,
  options: AdvanceOptions = {},
): Promise<void> {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  let history: readonly EventRecord[] | undefined;
  const loadHistory = async () => {
    if (compiled.historyNeeds.size === 0) return undefined;
    history ??= await env.history(instance, compiled.historyNeeds);
    return history;
  };
  let transitions = 0;
  while (instance.status === "running") {
    const now = env.now();
    const node = compiled.byId.get(instance.nodeId);
    if (!node) {
      finishInstance(
        instance,
        "exited",
        `node "${instance.nodeId}" does not exist in this version`,
        env,
        now,
      );
      return;
    }
    if (instance.book.pending === undefined && options.yieldBefore?.(node)) {
      instance.dueAt = now;
      return;
    }
    const result = await runNode(node, instance, compiled, env, now, loadHistory);
    if (result.kind === "stop") return;
    if (++transitions > maxSteps) {
      finishInstance(
        instance,
        "exited",
        `stopped after ${maxSteps} steps in one activation (a loop without a wait?)`,
        env,
        now,
      );
      return;
    }
    enterNode(instance, result.target, env);
  }
}

async function runNode(
  node: JourneyNode,
  instance: InstanceState,
  compiled: CompiledJourney,
  env: StepEnvironment,
  now: Date,
  loadHistory: () => Promise<readonly EventRecord[] | undefined>,
): Promise<StepResult> {
  switch (node.type) {
    case "wait":
      return runWait(node, instance, env, now);
    case "wait_for_event":
      return runWaitForEvent(node, instance, env, now);
    case "branch": {
      const customer = env.customer(instance.profileId);
      const scope = instanceScope(instance, customer, now, { history: await loadHistory() });
      const index = node.branches.findIndex((branch) => evaluateCondition(branch.condition, scope));
      const branch = index >= 0 ? node.branches[index] : undefined;
      env.record({
        instance,
        nodeId: node.id,
        kind: "node",
        detail: branch ? { branch: branch.name ?? index } : { branch: "otherwise" },
        at: now,
      });
      return goto(branch ? branch.next : node.otherwise);
    }
    case "split": {
      const point = splitPoint(instance.id, node.id);
      let cumulative = 0;
      let chosen = node.variants[node.variants.length - 1]!;
      for (const variant of node.variants) {
        cumulative += variant.weight;
        if (point < cumulative) {
          chosen = variant;
          break;
        }
      }
      instance.variant = chosen.name;
      env.record({
        instance,
        nodeId: node.id,
        kind: "node",
        detail: { variant: chosen.name, holdout: chosen.holdout === true },
        at: now,
      });
      return goto(chosen.next);
    }
    case "send":
    case "handoff":
    case "agent":
      return runAction(node, instance, compiled, env, now, loadHistory);
    case "tool":
      if (node.tool === "webhook") return runAction(node, instance, compiled, env, now, loadHistory);
      return runDataTool(node, instance, env, now, loadHistory);
    case "update_profile":
      return runUpdateProfile(node, instance, env, now, loadHistory);
    case "exit":
      finishInstance(instance, "completed", node.reason ?? `reached exit "${node.id}"`, env, now);
      return STOP;
  }
}

function suspend(
  instance: InstanceState,
  node: JourneyNode,
  env: StepEnvironment,
  now: Date,
  until: Date,
  detail: Record<string, unknown>,
): StepResult {
  instance.dueAt = until;
  env.record({
    instance,
    nodeId: node.id,
    kind: "waiting",
    detail: { until: until.toISOString(), ...detail },
    at: now,
  });
  bump(env, instance, node.id, "waiting");
  return STOP;
}

function runWait(
  node: NodeOfType<"wait">,
  instance: InstanceState,
  env: StepEnvironment,
  now: Date,
): StepResult {
  if (instance.book.pending === "wait") {
    if (instance.dueAt && instance.dueAt.getTime() > now.getTime()) return STOP;
    return goto(node.next);
  }
  let until: Date;
  const detail: Record<string, unknown> = {};
  if (node.duration) {
    until = addDuration(now, node.duration);
  } else if (node.until_time) {
    const customer = env.customer(instance.profileId);
    let zone = customerTimezone(customer);
    if (!zone) {
      zone = env.workspaceTimezone(instance.workspaceId);
      detail.timezone_fallback = `customer time zone unknown; used the workspace zone ${zone}`;
    }
    until = nextLocalTimeOfDay(now, node.until_time, zone);
    detail.timezone = zone;
  } else if (node.until) {
    const customer = env.customer(instance.profileId);
    const raw = resolveArgument({ ref: node.until.field }, instanceScope(instance, customer, now));
    const base = toInstant(raw);
    if (!base) {
      // Never guess a send time: a missing or unreadable date ends the visit, with the reason logged.
      finishInstance(
        instance,
        "exited",
        `wait "${node.id}": ${node.until.field} is ${raw === undefined ? "missing" : "not a date"}`,
        env,
        now,
      );
      return STOP;
    }
    until = node.until.offset ? addDuration(base, node.until.offset) : base;
  } else {
    finishInstance(instance, "exited", `wait "${node.id}" has no duration, until_time or until`, env, now);
    return STOP;
  }
  if (until.getTime() <= now.getTime()) {
    env.record({
      instance,
      nodeId: node.id,
      kind: "node",
      detail: { wait: "already past", until: until.toISOString() },
      at: now,
    });
    return goto(node.next);
  }
  instance.book.pending = "wait";
  return suspend(instance, node, env, now, until, detail);
}

function runWaitForEvent(
  node: NodeOfType<"wait_for_event">,
  instance: InstanceState,
  env: StepEnvironment,
  now: Date,
): StepResult {
  if (instance.book.pending === "event") {
    if (instance.resumeEvent) {
      env.record({
        instance,
        nodeId: node.id,
        kind: "resumed",
        detail: { event: instance.resumeEvent.name },
        at: now,
      });
      return goto(node.on_event);
    }
    if (instance.dueAt && instance.dueAt.getTime() > now.getTime()) return STOP;
    env.record({ instance, nodeId: node.id, kind: "timeout", detail: { event: node.event }, at: now });
    return goto(node.on_timeout);
  }
  instance.book.pending = "event";
  instance.waitEvent = node.event;
  instance.resumeEvent = null;
  return suspend(instance, node, env, now, addDuration(now, node.timeout), { event: node.event });
}

type ActionNode = NodeOfType<"send"> | NodeOfType<"handoff"> | NodeOfType<"agent"> | NodeOfType<"tool">;

async function runAction(
  node: ActionNode,
  instance: InstanceState,
  compiled: CompiledJourney,
  env: StepEnvironment,
  now: Date,
  loadHistory: () => Promise<readonly EventRecord[] | undefined>,
): Promise<StepResult> {
  if (instance.book.pending === "defer" && instance.dueAt && instance.dueAt.getTime() > now.getTime()) {
    return STOP;
  }
  const skipTarget = node.on_skip ?? node.next;
  const planned: PlannedAction = await buildAction(node, instance, compiled, env, now, loadHistory);
  if (planned.kind === "none") {
    env.record({ instance, nodeId: node.id, kind: "node", detail: planned.detail, at: now });
    return goto(node.next);
  }
  if (planned.kind === "skip") {
    env.record({ instance, nodeId: node.id, kind: "skipped", detail: { reason: planned.reason }, at: now });
    bump(env, instance, node.id, "skipped");
    return goto(skipTarget);
  }
  const outcome = await env.propose(planned.proposal);
  return applyOutcome(outcome, node, instance, env, now, skipTarget, planned.detail);
}

function verdictDetail(outcome: ActionOutcome): Record<string, unknown> {
  const deciding = outcome.decision.deciding;
  return {
    actionId: outcome.actionId,
    ...(deciding ? { policy: deciding.policy, reason: deciding.reason } : {}),
  };
}

function applyOutcome(
  outcome: ActionOutcome,
  node: ActionNode,
  instance: InstanceState,
  env: StepEnvironment,
  now: Date,
  skipTarget: string,
  detail: Record<string, unknown>,
): StepResult {
  switch (outcome.status) {
    case "queued":
      env.record({
        instance,
        nodeId: node.id,
        kind: "action",
        detail: { ...detail, actionId: outcome.actionId, outboxId: outcome.outboxId },
        at: now,
      });
      bump(env, instance, node.id, "sent");
      return goto(node.next);
    case "denied":
      env.record({
        instance,
        nodeId: node.id,
        kind: "skipped",
        detail: { ...detail, ...verdictDetail(outcome) },
        at: now,
      });
      bump(env, instance, node.id, "skipped");
      return goto(skipTarget);
    case "deferred":
      instance.book.pending = "defer";
      instance.book.pendingActionId = outcome.actionId;
      instance.dueAt = outcome.until;
      env.record({
        instance,
        nodeId: node.id,
        kind: "held",
        detail: { ...detail, ...verdictDetail(outcome), until: outcome.until.toISOString() },
        at: now,
      });
      bump(env, instance, node.id, "held");
      return STOP;
    case "review":
      instance.status = "parked";
      instance.book.pending = "review";
      instance.book.pendingActionId = outcome.actionId;
      instance.dueAt = null;
      env.record({
        instance,
        nodeId: node.id,
        kind: "parked",
        detail: { ...detail, ...verdictDetail(outcome), approvalId: outcome.approvalId },
        at: now,
      });
      bump(env, instance, node.id, "review");
      return STOP;
  }
}

async function runDataTool(
  node: NodeOfType<"tool">,
  instance: InstanceState,
  env: StepEnvironment,
  now: Date,
  loadHistory: () => Promise<readonly EventRecord[] | undefined>,
): Promise<StepResult> {
  const customer = env.customer(instance.profileId);
  const scope = instanceScope(instance, customer, now, { history: await loadHistory() });
  const args = resolveArguments(node.args, scope);
  const result = await env.callTool({
    workspaceId: instance.workspaceId,
    profileId: instance.profileId,
    userId: customer.userId,
    tool: node.tool,
    args,
  });
  if (result.ok) {
    if (node.save_as) instance.vars = { ...instance.vars, [node.save_as]: result.value };
    env.record({ instance, nodeId: node.id, kind: "node", detail: { tool: node.tool, ok: true }, at: now });
    return goto(node.next);
  }
  env.record({
    instance,
    nodeId: node.id,
    kind: "node",
    detail: { tool: node.tool, ok: false, error: result.error },
    at: now,
  });
  return goto(node.on_error ?? node.next);
}

async function runUpdateProfile(
  node: NodeOfType<"update_profile">,
  instance: InstanceState,
  env: StepEnvironment,
  now: Date,
  loadHistory: () => Promise<readonly EventRecord[] | undefined>,
): Promise<StepResult> {
  const customer = env.customer(instance.profileId);
  const scope = instanceScope(instance, customer, now, { history: await loadHistory() });
  const set = resolveArguments(node.set ?? {}, scope);
  const change = { set, increment: node.increment ?? {}, unset: node.unset ?? [] };
  await env.updateProfile(instance, change);
  env.record({
    instance,
    nodeId: node.id,
    kind: "node",
    detail: {
      set: Object.keys(change.set),
      increment: Object.keys(change.increment),
      unset: change.unset,
    },
    at: now,
  });
  return goto(node.next);
}

/** Applies set / increment / unset to a traits object (a non-numeric trait counts as 0 when incremented). */
export function applyProfileChange(
  traits: Record<string, unknown>,
  change: { set: Record<string, unknown>; increment: Record<string, number>; unset: readonly string[] },
): Record<string, unknown> {
  const next: Record<string, unknown> = { ...traits, ...change.set };
  for (const [key, by] of Object.entries(change.increment)) {
    const current = next[key];
    next[key] = (typeof current === "number" && Number.isFinite(current) ? current : 0) + by;
  }
  for (const key of change.unset) delete next[key];
  return next;
}
