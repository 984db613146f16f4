import type { AgentActionOption, Offer } from "../../journeys/format/schema.ts";
import type { NbaChoice, NbaRequest, NextBestAction } from "../../journeys/runtime/nba.ts";
import type { TextSignals } from "../../predict/text-signals.ts";
import type { CustomerSignals } from "./signals.ts";
import { customerSignals } from "./signals.ts";

/**
 * The deterministic next-best-action scorer: every eligible option gets a score that is a sum of
 * named contributions, the highest wins, ties go to the journey's order (authors list options by
 * preference). No model, no randomness: the same customer and options always get the same choice,
 * and the reason names what decided it. docs/nba.md lists the weights and why.
 */

/** Customers without scores are treated like a typical customer (the demo population's medians). */
export const DEFAULT_CHURN_RISK = 0.2;
export const DEFAULT_PURCHASE_PROPENSITY = 0.3;
/** At this frustration (0…1) or with an open ticket, promotions hurt and a person helps. */
export const FRUSTRATED = 0.5;
/** Channels that need an explicit opt-in before anything is sent (the consent policy's default). */
const OPT_IN_CHANNELS = new Set(["email", "sms", "push"]);

export interface Contribution {
  label: string;
  value: number;
  /** the option kind's starting score: never named as a reason */
  base?: boolean;
}

export interface ScoredOption {
  option: AgentActionOption;
  /** position in the journey's list (ties go to the earlier) */
  index: number;
  score: number;
  contributions: Contribution[];
}

/** An offer's cost as a share of a typical order: 10 % off → 0.1, €15 off → 0.15, free shipping → 0.08. */
export function offerCost(offer: Offer | undefined): number {
  if (!offer) return 0;
  switch (offer.kind) {
    case "percent_off":
      return offer.value / 100;
    case "amount_off":
      return Math.min(1, offer.value / 100);
    case "free_shipping":
      return 0.08;
  }
}

/** How much an incentive is needed: high churn risk and low purchase propensity both raise it. */
export function incentiveNeed(signals: CustomerSignals): number {
  const churn = signals.churnRisk ?? DEFAULT_CHURN_RISK;
  const propensity = signals.purchasePropensity ?? DEFAULT_PURCHASE_PROPENSITY;
  return Math.min(1, Math.max(0, 0.6 * churn + 0.4 * (1 - propensity)));
}

function contributionsFor(
  option: AgentActionOption,
  signals: CustomerSignals,
  consent: Record<string, boolean>,
): Contribution[] {
  const out: Contribution[] = [];
  const add = (label: string, value: number, base = false) => {
    if (value !== 0) out.push({ label, value: Math.round(value * 1000) / 1000, ...(base ? { base } : {}) });
  };
  const troubled = signals.frustration >= FRUSTRATED || signals.openTickets > 0;
  const objective = signals.objective;
  const churn = signals.churnRisk ?? DEFAULT_CHURN_RISK;
  const propensity = signals.purchasePropensity ?? DEFAULT_PURCHASE_PROPENSITY;
  switch (option.kind) {
    case "none":
      if (troubled) add("a troubled customer is better left alone than marketed to", 0.1);
      return out;
    case "handoff": {
      add("hand-off", 0.1, true);
      add(`frustration ${signals.frustration.toFixed(2)} in their own words`, signals.frustration * 0.8);
      if (signals.openTickets > 0) add(`${signals.openTickets} open support ticket(s)`, 0.25);
      if (signals.intent === "contact_human_agent") add("they asked for a person", 0.4);
      if (signals.vip) add("a VIP customer", 0.15);
      if (signals.vip && churn >= 0.5) add("a VIP at risk of leaving", 0.15);
      if (objective.support) add("the objective is about service", 0.25);
      if (objective.retain && churn >= 0.7 && (signals.vip || (signals.lifetimeValue ?? 0) >= 1000))
        add(`churn risk ${churn.toFixed(2)} on a valuable customer`, 0.2);
      return out;
    }
    case "send": {
      add("message", 0.3, true);
      const channel = option.channel ?? "email";
      const cost = offerCost(option.offer);
      if (cost > 0) {
        const need = incentiveNeed(signals);
        add(
          need >= 0.45
            ? `an incentive pays off (churn ${churn.toFixed(2)}, propensity ${propensity.toFixed(2)})`
            : `an incentive is not needed (churn ${churn.toFixed(2)}, propensity ${propensity.toFixed(2)})`,
          cost * (need - 0.45) * 2,
        );
        if (objective.thrift) add("the objective asks to keep offers small", -cost);
        if (objective.retain && churn >= 0.5) add("retention objective and a customer at risk", cost * 0.5);
        if (troubled) add("no promotions while a customer is upset or has an open ticket", -0.4);
      } else {
        if (troubled) add("a message does not resolve an upset customer", -0.15);
        if (objective.convert && propensity >= 0.6)
          add(`propensity ${propensity.toFixed(2)}: a nudge without a discount suffices`, 0.1);
      }
      if (consent[channel] === true) add(`opted in to ${channel}`, 0.05);
      else if (OPT_IN_CHANNELS.has(channel)) add(`no opt-in for ${channel}`, -0.3);
      if (signals.engagedChannels.includes(channel)) add(`recently active on ${channel}`, 0.1);
      if (objective.channels.includes(channel)) add(`the objective names ${channel}`, 0.15);
      if (channel === "sms") add("SMS costs and intrudes more", -0.03);
      return out;
    }
  }
}

export function scoreOptions(
  request: Pick<NbaRequest, "options" | "customer">,
  signals: CustomerSignals,
): ScoredOption[] {
  return request.options
    .map((option, index) => {
      const contributions = contributionsFor(option, signals, request.customer.consent);
      const score = Math.round(contributions.reduce((sum, item) => sum + item.value, 0) * 1000) / 1000;
      return { option, index, score, contributions };
    })
    .sort((a, b) => b.score - a.score || a.index - b.index);
}

function describe(option: AgentActionOption): string {
  if (option.kind === "none") return "do nothing";
  if (option.kind === "handoff") return `hand-off to ${option.queue ?? "support"}`;
  const offer = option.offer
    ? option.offer.kind === "free_shipping"
      ? " with free shipping"
      : ` with ${option.offer.value}${option.offer.kind === "percent_off" ? "%" : ""} off`
    : "";
  return `${option.channel ?? "email"}${offer}`;
}

/** One sentence: what was chosen, the two contributions that weighed most, and the runner-up. */
export function explain(ranked: readonly ScoredOption[]): string {
  const [best, second] = ranked;
  if (!best) return "no option is eligible for this customer";
  const reasons = [...best.contributions]
    .filter((item) => item.value > 0 && !item.base)
    .sort((a, b) => b.value - a.value)
    .slice(0, 2)
    .map((item) => item.label);
  const why = reasons.length > 0 ? `: ${reasons.join("; ")}` : "";
  const against = second
    ? second.score === best.score
      ? `; tied with "${second.option.id}", earlier in the journey's order wins`
      : `; next best "${second.option.id}" scored ${second.score}`
    : "";
  return `scored "${best.option.id}" (${describe(best.option)}) highest at ${best.score}${why}${against}`;
}

/** The scorer's choice; `options` may be narrower than the request's (after screening). */
export function scorerChoice(
  request: NbaRequest,
  signals: CustomerSignals,
  options: readonly AgentActionOption[] = request.options,
): NbaChoice & { ranked: ScoredOption[] } {
  const ranked = scoreOptions({ options, customer: request.customer }, signals);
  const best = ranked[0];
  return {
    optionId: best ? best.option.id : null,
    reason: explain(ranked),
    chosenBy: "scorer",
    ranked,
  };
}

/** The deterministic NextBestAction (the default, and every model failure's fallback). */
export function createScorerNba(textSignals?: TextSignals): NextBestAction {
  return {
    name: "scorer",
    async choose(request) {
      const { ranked: _ranked, ...choice } = scorerChoice(request, customerSignals(request, textSignals));
      return choice;
    },
  };
}
