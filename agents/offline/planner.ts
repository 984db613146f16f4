import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import type { ValidationIssue } from "../../journeys/format/validate.ts";
import { validateJourney } from "../../journeys/format/validate.ts";
import { JourneyAssembler } from "./assemble.ts";
import type { EventIndex } from "./events.ts";
import { buildEventIndex } from "./events.ts";
import { buildPlan } from "./plan.ts";
import type { Plan, PlanAction, PlanStep, Resolved } from "./plan-types.ts";

/**
 * The offline planner: a deterministic, model-free way from a goal in plain language to a journey
 * draft, resolved against the workspace's catalog. It is a small NL pipeline —
 *   normalise (text.ts) → sentences and clauses → recognisers (time-expressions.ts, events.ts,
 *   conditions.ts, actions.ts) → sentence facts (analyse.ts) → plan (plan.ts) → graph (assemble.ts)
 * — and understands the range of phrasings listed in docs/offline-planner.md. A real model
 * understands far more; this exists so that the product, its demo and its tests work anywhere.
 */

export const OFFLINE_MODEL = "offline-planner";

export interface PlannerWorkspace {
  catalog: WorkspaceCatalog;
}

export type PlanResult =
  | { kind: "journey"; journey: JourneyInput; explanation: string[]; resolved: Resolved[] }
  | { kind: "clarify"; question: string; missing: string[] };

/** The planner produced a journey that fails validation: a defect in the planner, never the goal. */
export class OfflinePlannerError extends Error {
  readonly code = "offline_planner_invalid_draft";
  constructor(
    message: string,
    readonly issues: readonly ValidationIssue[],
    readonly journey: JourneyInput,
  ) {
    super(message);
    this.name = "OfflinePlannerError";
  }
}

const indexCache = new WeakMap<WorkspaceCatalog, EventIndex>();

function indexFor(catalog: WorkspaceCatalog): EventIndex {
  let index = indexCache.get(catalog);
  if (!index) {
    index = buildEventIndex(catalog);
    indexCache.set(catalog, index);
  }
  return index;
}

function hasActions(plan: Plan): boolean {
  return (
    plan.segments.some((segment) => segment.steps.length > 0) ||
    plan.also.some((entry) => (entry.steps?.length ?? 0) > 0)
  );
}

function exampleEvents(catalog: WorkspaceCatalog): string {
  return Object.keys(catalog.events)
    .slice(0, 4)
    .map((name) => `"${name}"`)
    .join(", ");
}

/** The message channels a plan uses, fallbacks and split variants included. */
function sendChannels(plan: Plan): Set<string> {
  const channels = new Set<string>();
  const visit = (action: PlanAction | undefined): void => {
    if (!action) return;
    if (action.kind === "send") {
      channels.add(action.channel);
      visit(action.fallback);
    } else if (action.kind === "split") for (const variant of action.variants) visit(variant.action);
  };
  const steps = (list: readonly PlanStep[] | null): void => {
    for (const step of list ?? []) {
      for (const action of step.actions) visit(action);
      for (const awaited of step.awaits) steps(awaited.otherwise ?? null);
    }
  };
  for (const segment of plan.segments) steps(segment.steps);
  for (const entry of plan.also) steps(entry.steps);
  return channels;
}

/** What is missing from a goal before it can become a journey, as one question. */
function clarification(
  plan: Plan,
  catalog: WorkspaceCatalog,
): { question: string; missing: string[] } | null {
  const missing: string[] = [];
  const questions: string[] = [];
  if (!plan.trigger) {
    missing.push("trigger");
    questions.push(
      `What should start the journey — an event such as ${exampleEvents(catalog)}, a change in a trait such as a churn-risk score crossing a threshold, or a schedule?`,
    );
  } else if (plan.trigger.type === "event" && plan.trigger.ties.length > 0) {
    missing.push("event");
    questions.push(
      `Which event do you mean by "${plan.trigger.phrase}": ${[plan.trigger.event, ...plan.trigger.ties].map((name) => `"${name}"`).join(" or ")}?`,
    );
  }
  if (!hasActions(plan)) {
    if (plan.channelless.length > 0) {
      missing.push("channel");
      questions.push(`Which channel should "${plan.channelless[0]}" use: email, SMS, push, in-app or chat?`);
    } else {
      missing.push("action");
      questions.push(
        "What should happen then — a message on which channel (email, SMS, push, in-app, chat), or a hand-off to a person?",
      );
    }
  }
  // "unless they've updated their card" with nothing in the workspace it could mean: drafting the
  // journey without it would message the very customers the goal meant to spare.
  if (plan.unplaced.length > 0) {
    missing.push("condition");
    questions.push(
      `What should ${plan.unplaced.map((clause) => `"${clause}"`).join(" and ")} check — an event (such as ${exampleEvents(catalog)}) or a customer trait? I could not match it to anything in this workspace.`,
    );
  }
  // "… and have their account manager introduce themselves" read as nothing: drafting the rest
  // would drop the step the goal asked for without a word.
  if (plan.unplacedActions.length > 0) {
    missing.push("action");
    questions.push(
      `I could not turn ${plan.unplacedActions.map((phrase) => `"${phrase}"`).join(" and ")} into a step. Should it be a message (on which channel: email, SMS, push, in-app or chat) or a hand-off to a person, and to whom?`,
    );
  }
  // "show them an in-app message" where the workspace has no in-app channel: ask, never draft a
  // journey that cannot be activated.
  const unavailable = [...sendChannels(plan)].filter((channel) => !catalog.channels.includes(channel));
  if (unavailable.length > 0) {
    missing.push("channel");
    questions.push(
      `The goal asks for ${unavailable.map((channel) => channel.replace("_", "-")).join(" and ")} messages, which this workspace has not enabled (enabled: ${catalog.channels.join(", ")}). Which channel should they use instead?`,
    );
  }
  if (
    !plan.trigger &&
    !hasActions(plan) &&
    plan.segments.every((segment) => segment.conditions.length === 0)
  ) {
    missing.push("audience");
    questions.push(
      "And who is it for: every customer, or a group such as VIPs, a plan, or customers with an open ticket?",
    );
  }
  if (missing.length === 0) return null;
  return { question: `I need a little more to draft this journey. ${questions.join(" ")}`, missing };
}

export function planJourney(goal: string, workspace: PlannerWorkspace): PlanResult {
  const { catalog } = workspace;
  const plan = buildPlan(goal, catalog, indexFor(catalog));
  const clarify = clarification(plan, catalog);
  if (clarify) return { kind: "clarify", ...clarify };
  const { journey, explanation } = new JourneyAssembler(plan).assemble(goal);
  const validation = validateJourney(journey, catalog);
  const errors = validation.issues.filter((issue) => issue.severity === "error");
  if (errors.length > 0) {
    throw new OfflinePlannerError(
      `the offline planner drafted an invalid journey: ${errors.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`,
      errors,
      journey,
    );
  }
  const seen = new Set<string>();
  const resolved = plan.resolved.filter((entry) => {
    const key = `${entry.kind}|${entry.phrase}|${entry.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { kind: "journey", journey, explanation, resolved };
}
