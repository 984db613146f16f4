import type { Offer } from "../../journeys/format/schema.ts";
import type { PolicyConfig } from "../config.ts";
import type { CustomerContext } from "../types.ts";
import { customerMatches } from "./suppression.ts";
import type { PolicyCheck } from "./verdict.ts";
import { allow, customerScope, deny, review } from "./verdict.ts";

export interface Ceiling {
  /** "workspace" or the rule's name */
  source: string;
  maxPercent?: number | undefined;
  maxAmount?: number | undefined;
  currency?: string | undefined;
  action: "deny" | "review";
}

/**
 * Offer ceilings: the largest percent or amount off this customer may be offered. The first ceiling
 * rule that matches the customer (by segment and/or condition) replaces the workspace ceiling, so a
 * VIP rule can raise it and a "new customers" rule can lower it. Free shipping has no value to cap.
 * An amount in another currency than the ceiling's cannot be compared and goes to review.
 */
export const offerCeilingPolicy: PolicyCheck = (action, context, config, now) => {
  const offer = action.payload.offer;
  if (!offer) return allow("offer_ceiling", "The action carries no offer.");
  if (offer.kind === "free_shipping") {
    return allow("offer_ceiling", "Free shipping has no value to cap.");
  }
  const ceiling = ceilingFor(context, config, now);
  const check = compareToCeiling(offer, ceiling);
  const details = {
    offer,
    ceiling: { source: ceiling.source, max_percent: ceiling.maxPercent, max_amount: ceiling.maxAmount },
  };
  if (check.kind === "within") return allow("offer_ceiling", check.text, details);
  if (check.kind === "incomparable") return review("offer_ceiling", check.text, details);
  return ceiling.action === "deny"
    ? deny("offer_ceiling", `Offer denied: ${check.text}.`, details)
    : review("offer_ceiling", `Offer needs a person: ${check.text}.`, details);
};

export function ceilingFor(context: CustomerContext, config: PolicyConfig, now: Date): Ceiling {
  const settings = config.offer_ceilings;
  const scope = customerScope(context, now);
  const rule = settings.rules.find((candidate) => customerMatches(candidate, context, scope));
  if (rule) {
    return {
      source: rule.name,
      maxPercent: rule.max_percent,
      maxAmount: rule.max_amount,
      currency: settings.currency,
      action: rule.action ?? settings.action,
    };
  }
  return {
    source: "workspace",
    maxPercent: settings.max_percent,
    maxAmount: settings.max_amount,
    currency: settings.currency,
    action: settings.action,
  };
}

export type CeilingCheck =
  | { kind: "within"; text: string }
  | { kind: "over"; text: string }
  | { kind: "incomparable"; text: string };

export function compareToCeiling(offer: Offer, ceiling: Ceiling): CeilingCheck {
  const whose =
    ceiling.source === "workspace" ? "the workspace ceiling" : `the ceiling of rule "${ceiling.source}"`;
  if (offer.kind === "percent_off") {
    if (ceiling.maxPercent === undefined)
      return { kind: "within", text: "No percent ceiling is configured." };
    return offer.value > ceiling.maxPercent
      ? { kind: "over", text: `${offer.value}% off is above ${whose} of ${ceiling.maxPercent}%` }
      : { kind: "within", text: `${offer.value}% off is within ${whose} of ${ceiling.maxPercent}%.` };
  }
  if (offer.kind === "amount_off") {
    if (ceiling.maxAmount === undefined) return { kind: "within", text: "No amount ceiling is configured." };
    if (
      offer.currency &&
      ceiling.currency &&
      offer.currency.toUpperCase() !== ceiling.currency.toUpperCase()
    ) {
      return {
        kind: "incomparable",
        text: `Offer needs a person: ${offer.value} ${offer.currency} off cannot be compared with ${whose} of ${ceiling.maxAmount} ${ceiling.currency}.`,
      };
    }
    const unit = ceiling.currency ? ` ${ceiling.currency}` : "";
    return offer.value > ceiling.maxAmount
      ? { kind: "over", text: `${offer.value}${unit} off is above ${whose} of ${ceiling.maxAmount}${unit}` }
      : {
          kind: "within",
          text: `${offer.value}${unit} off is within ${whose} of ${ceiling.maxAmount}${unit}.`,
        };
  }
  return { kind: "within", text: "Free shipping has no value to cap." };
}
