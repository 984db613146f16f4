import type { WorkspaceCatalog } from "../journeys/format/catalog.ts";
import type { Condition } from "../journeys/format/condition.ts";
import { isCompare, walkCondition } from "../journeys/format/condition.ts";
import type { Journey, JourneyNode } from "../journeys/format/schema.ts";
import { nodeExits } from "../journeys/format/schema.ts";
import type { PolicyConfig } from "./config.ts";
import { HANDOFF_PRIORITIES } from "./config.ts";
import { enumeratePaths } from "./lint-paths.ts";
import type { LintWarning, Step, StepsOf } from "./lint-steps.ts";
import { capitalize, customerSteps, LINT_NOW, Warnings } from "./lint-steps.ts";
import { checkFrequency, checkQuietHours } from "./lint-timing.ts";
import { contentSafetyPolicy } from "./rules/content-safety.ts";
import { ceilingFor, compareToCeiling } from "./rules/offer-ceiling.ts";
import { customerMatches } from "./rules/suppression.ts";
import { channelLabel, customerScope } from "./rules/verdict.ts";
import type { CustomerContext } from "./types.ts";

export type { LintCode, LintWarning } from "./lint-steps.ts";

/**
 * Journey lint: the runtime policies, checked statically on a draft, so the designer agent and the
 * console see before activation what the guardrails would do to it. Every finding is a warning
 * (activation is not blocked) with the JSONPath of the place to change. See docs/policies.md.
 *
 * `lintJourney(journey, config, catalog?)` takes a journey that passed `validateJourney`; the
 * catalog, when given, tells whether customers have a timezone trait at all.
 */
export function lintJourney(
  journey: Journey,
  config: PolicyConfig,
  catalog?: WorkspaceCatalog,
): LintWarning[] {
  const warnings = new Warnings();
  const steps = customerSteps(journey);
  const audience = representativeCustomer(journey);
  const paths = enumeratePaths(journey);
  const byNode = new Map<string, Step[]>();
  for (const step of steps) byNode.set(step.node.id, [...(byNode.get(step.node.id) ?? []), step]);
  const stepsOf: StepsOf = (visit) => byNode.get(visit.node.id) ?? [];
  checkConsentFallbacks(journey, steps, config, warnings);
  checkOffers(steps, audience, config, warnings);
  checkQuietHours(paths, stepsOf, config, catalog, warnings);
  checkFrequency(paths, stepsOf, config, warnings);
  checkSuppression(journey, steps, audience, config, warnings);
  checkHandoffs(steps, warnings);
  checkContent(steps, config, warnings);
  checkApprovals(journey, steps, config, warnings);
  return warnings.items;
}

/** Whether a step's action can be skipped to somewhere (send, hand-off and agent nodes have on_skip). */
function hasSkipPath(node: JourneyNode): boolean {
  return (
    (node.type === "send" || node.type === "handoff" || node.type === "agent") && node.on_skip !== undefined
  );
}

// ─── consent ─────────────────────────────────────────────────────────────────────────────────────
function mentionsConsent(condition: Condition | undefined, channel: string): boolean {
  if (!condition) return false;
  for (const { leaf, path } of walkCondition(condition)) {
    if (isCompare(leaf) && leaf.field === `consent.${channel}` && !path.includes(".not")) return true;
  }
  return false;
}

/** Steps on a consent-gated channel that customers without consent can reach with nowhere else to go. */
function checkConsentFallbacks(
  journey: Journey,
  steps: readonly Step[],
  config: PolicyConfig,
  warnings: Warnings,
) {
  const byId = new Map(journey.nodes.map((node) => [node.id, node]));
  for (const step of steps) {
    const gated = config.consent_required.includes(step.channel as (typeof config.consent_required)[number]);
    if (!gated || hasSkipPath(step.node) || mentionsConsent(journey.audience, step.channel)) continue;
    // Walk from start without crossing a branch that tests consent.<channel>.
    const seen = new Set<string>();
    const stack = [journey.start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const node = byId.get(id);
      if (!node) continue;
      if (node.type === "branch") {
        for (const branch of node.branches)
          if (!mentionsConsent(branch.condition, step.channel)) stack.push(branch.next);
        stack.push(node.otherwise);
      } else {
        for (const exit of nodeExits(node)) stack.push(exit.target);
      }
    }
    if (!seen.has(step.node.id)) continue;
    const label = channelLabel(step.channel);
    warnings.add(
      step.path,
      "consent_fallback",
      `${label} ${step.name} has no fallback for customers without ${step.channel} consent (${step.channel} needs an explicit opt-in, so the policy will skip it): add on_skip to another channel, or branch on consent.${step.channel} before it.`,
    );
  }
}

// ─── offers ──────────────────────────────────────────────────────────────────────────────────────
function checkOffers(
  steps: readonly Step[],
  audience: CustomerContext,
  config: PolicyConfig,
  warnings: Warnings,
) {
  const ceiling = ceilingFor(audience, config, LINT_NOW);
  for (const step of steps) {
    const offer = step.offer;
    if (!offer || offer.kind === "free_shipping") continue;
    const path = `${step.path}.offer.value`;
    const check = compareToCeiling(offer, ceiling);
    if (check.kind === "over") {
      const outcome = ceiling.action === "deny" ? "deny it" : "send every such message to review";
      warnings.add(
        path,
        "offer_above_ceiling",
        `The offer in ${step.name}: ${check.text}; the policy will ${outcome}.`,
      );
    } else if (check.kind === "incomparable") {
      warnings.add(
        path,
        "offer_currency",
        `${check.text.replace(/^Offer needs a person: /, "The offer in ")} (${step.name}); every such message will go to review.`,
      );
    }
    const above = config.approvals.offer_above;
    const needsApproval =
      above !== undefined &&
      ((offer.kind === "percent_off" && above.percent !== undefined && offer.value > above.percent) ||
        (offer.kind === "amount_off" && above.amount !== undefined && offer.value > above.amount));
    if (needsApproval) {
      warnings.add(
        path,
        "offer_needs_approval",
        `The offer in ${step.name} is above the approval threshold; every message with it will wait for a person.`,
      );
    }
  }
}

// ─── suppression ─────────────────────────────────────────────────────────────────────────────────
/**
 * A made-up customer who satisfies the journey's audience (its `all` conjunction; `any` and `not`
 * are not inverted) and is in the trigger's segment. If a suppression rule matches them, it
 * matches (at least) the customers the audience was written for.
 */
function representativeCustomer(journey: Journey): CustomerContext {
  const traits: Record<string, unknown> = {};
  const consent: Record<string, boolean> = {};
  const visit = (condition: Condition | undefined) => {
    if (!condition) return;
    if ("all" in condition) condition.all.forEach(visit);
    if (!isCompare(condition)) return;
    const [namespace, key, ...rest] = condition.field.split(".");
    if (!key || rest.length > 0 || condition.transform) return;
    const value = satisfyingValue(condition.op, condition.value);
    if (value === undefined) return;
    if (namespace === "traits") traits[key] = value;
    if (namespace === "consent" && typeof value === "boolean") consent[key] = value;
  };
  visit(journey.audience);
  if (journey.trigger.type === "trait_changed") visit(journey.trigger.condition);
  const segments = journey.trigger.type === "segment_entered" ? [journey.trigger.segment] : [];
  return { profileId: 0, userId: null, traits, consent, timezone: undefined, recentSends: [], segments };
}

function satisfyingValue(op: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return undefined; // a reference
  switch (op) {
    case "eq":
    case "gte":
    case "lte":
    case "starts_with":
      return value;
    case "gt":
      return typeof value === "number" ? value + 1 : undefined;
    case "lt":
      return typeof value === "number" ? value - 1 : undefined;
    case "in":
      return Array.isArray(value) ? value[0] : undefined;
    case "contains":
      return [value];
    case "exists":
      return true;
    default:
      return undefined;
  }
}

function checkSuppression(
  journey: Journey,
  steps: readonly Step[],
  audience: CustomerContext,
  config: PolicyConfig,
  warnings: Warnings,
) {
  const scope = customerScope(audience, LINT_NOW);
  const hasAudience =
    journey.audience !== undefined ||
    (audience.segments?.length ?? 0) > 0 ||
    journey.trigger.type === "trait_changed";
  if (!hasAudience) return;
  for (const rule of config.suppression.rules) {
    if (!customerMatches(rule, audience, scope)) continue;
    for (const step of steps) {
      if (step.kind !== "send") continue;
      const category = step.category ?? "promotional";
      if (!rule.categories.includes(category)) continue;
      if (rule.channels && !rule.channels.includes(step.channel as (typeof rule.channels)[number])) continue;
      const outcome = rule.action === "deny" ? "deny" : "send to review";
      warnings.add(
        step.path,
        "suppressed_for_audience",
        `Suppression rule "${rule.name}" matches the customers this journey is for, so it will ${outcome} ${category} ${channelLabel(step.channel).toLowerCase()} ${step.name}${rule.reason ? ` (${rule.reason})` : ""}. Mark it transactional if it is a service message, or change the audience.`,
      );
    }
  }
}

// ─── hand-offs, content, approvals ───────────────────────────────────────────────────────────────
function checkHandoffs(steps: readonly Step[], warnings: Warnings) {
  for (const step of steps) {
    if (step.kind !== "handoff") continue;
    const text = (step.instructions ?? "").trim();
    const words = text.split(/\s+/).filter(Boolean).length;
    if (text.length >= 20 && words >= 4) continue;
    warnings.add(
      `${step.path}.instructions`,
      "handoff_instructions",
      text.length === 0
        ? `${capitalize(step.name)} has no instructions: say in a sentence what the agent should do and why.`
        : `${capitalize(step.name)} has thin instructions ("${text}"): say in a sentence what the agent should do and why.`,
    );
  }
}

function checkContent(steps: readonly Step[], config: PolicyConfig, warnings: Warnings) {
  for (const step of steps) {
    if (step.kind !== "send" || !step.content) continue;
    const verdict = contentSafetyPolicy(
      {
        workspaceId: "lint",
        profileId: 0,
        kind: "message",
        channel: step.channel,
        idempotencyKey: "lint",
        payload: { content: step.content, category: step.category, offer: step.offer },
      },
      { profileId: 0, userId: null, traits: {}, consent: {}, timezone: undefined, recentSends: [] },
      config,
      LINT_NOW,
    );
    if (verdict.verdict === "allow") continue;
    const outcome = verdict.verdict === "deny" ? "deny" : "send to review";
    warnings.add(
      `${step.path}.content`,
      "content_safety",
      `The content of ${step.name}: ${verdict.reason} The policy will ${outcome} every such message.`,
    );
  }
}

function checkApprovals(journey: Journey, steps: readonly Step[], config: PolicyConfig, warnings: Warnings) {
  const rules = config.approvals;
  if (
    journey.trigger.type === "segment_entered" &&
    rules.sensitive_segments.includes(journey.trigger.segment)
  ) {
    warnings.add(
      "$.trigger.segment",
      "needs_approval",
      `Segment "${journey.trigger.segment}" is sensitive: every message of this journey will wait for a person.`,
    );
  }
  for (const step of steps) {
    if (rules.ai_generated && step.aiGenerated) {
      warnings.add(
        `${step.path}.ai_generated`,
        "needs_approval",
        `${capitalize(step.name)} has AI-written content: every message will wait for a person.`,
      );
    }
    const threshold = rules.handoff_priority_at_least;
    if (
      threshold &&
      step.priority &&
      HANDOFF_PRIORITIES.indexOf(step.priority) >= HANDOFF_PRIORITIES.indexOf(threshold)
    ) {
      warnings.add(
        `${step.path}.priority`,
        "needs_approval",
        `${capitalize(step.name)} has priority "${step.priority}": every hand-off will wait for a person.`,
      );
    }
  }
}
