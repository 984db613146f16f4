import { evaluateCondition } from "../../journeys/format/evaluate.ts";
import type { SuppressionRule } from "../config.ts";
import type { ActionProposal, CustomerContext } from "../types.ts";
import type { PolicyCheck } from "./verdict.ts";
import {
  allow,
  channelLabel,
  customerScope,
  deny,
  effectiveCategory,
  isMessageChannel,
  review,
} from "./verdict.ts";

/**
 * Suppression: workspace rules written as journey conditions (or segment lists) that hold back
 * messages of some categories, e.g. nothing promotional while `traits.open_support_tickets > 0`,
 * plus the built-in rule that never promotes a product the customer is returning.
 *
 * Rules see the customer as the condition language does (traits.*, consent.*, local.*); there is
 * no triggering event here, so event.* and trigger.* fields never match. Uncategorised messages
 * count as promotional (see `effectiveCategory`). Deny beats review when several rules match.
 */
export const suppressionPolicy: PolicyCheck = (action, context, config, now) => {
  const category = effectiveCategory(action);
  if (!isMessageChannel(action.channel) || category === undefined) {
    return allow(
      "suppression",
      `${channelLabel(action.channel)} is not a message, so suppression does not apply.`,
    );
  }
  const matched: Array<{ rule: string; action: "deny" | "review"; reason: string }> = [];
  if (config.suppression.returning_products && category === "promotional") {
    const returning = returningProducts(action, context);
    if (returning.length > 0) {
      matched.push({
        rule: "returning-products",
        action: "deny",
        reason: `it promotes ${returning.length === 1 ? "a product" : "products"} the customer is returning (${returning.join(", ")})`,
      });
    }
  }
  const scope = customerScope(context, now);
  for (const rule of config.suppression.rules) {
    if (!ruleCovers(rule, action.channel, category)) continue;
    if (!customerMatches(rule, context, scope)) continue;
    matched.push({
      rule: rule.name,
      action: rule.action,
      reason: rule.reason ?? `suppression rule "${rule.name}" matches`,
    });
  }
  const label = channelLabel(action.channel);
  if (matched.length === 0) {
    return allow("suppression", `No suppression rule holds back this ${category} ${action.channel} message.`);
  }
  const details = { category, rules: matched.map((match) => match.rule) };
  const denying = matched.filter((match) => match.action === "deny");
  const reasons = (denying.length > 0 ? denying : matched).map((match) => match.reason).join("; ");
  if (denying.length > 0) {
    return deny("suppression", `${label} is suppressed: ${reasons}.`, details);
  }
  return review("suppression", `${label} needs a person: ${reasons}.`, details);
};

function returningProducts(action: ActionProposal, context: CustomerContext): string[] {
  const promoted = action.payload.productIds ?? [];
  const returning = new Set(context.returningProductIds ?? []);
  return promoted.filter((id) => returning.has(id));
}

function ruleCovers(
  rule: SuppressionRule,
  channel: string,
  category: "promotional" | "transactional",
): boolean {
  if (!rule.categories.includes(category)) return false;
  return rule.channels === undefined || rule.channels.includes(channel as (typeof rule.channels)[number]);
}

/** A rule with both a condition and segments needs both to hold. */
export function customerMatches(
  rule: { when?: SuppressionRule["when"]; segments?: readonly string[] | undefined },
  context: CustomerContext,
  scope: ReturnType<typeof customerScope>,
): boolean {
  if (rule.segments && rule.segments.length > 0) {
    const inSegment = rule.segments.some((segment) => context.segments?.includes(segment) ?? false);
    if (!inSegment) return false;
  }
  return rule.when === undefined || evaluateCondition(rule.when, scope);
}
