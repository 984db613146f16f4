import type { Offer } from "../../journeys/format/schema.ts";
import type { ShareMention } from "./shares.ts";
import { findShares, isShareAt } from "./shares.ts";

/**
 * Offers and A/B splits as said in a goal: typed offers ("10% off", "€5 off", "free shipping",
 * "15% off a laptop bag") and tests with their weights and holdout ("50/50 with a 10% holdout").
 */

// ─── Offers ──────────────────────────────────────────────────────────────────────────────────────

export interface OfferMention {
  offer: Offer;
  /** the goal named no amount; a default was used and the explanation says so */
  assumed: boolean;
  start: number;
  end: number;
  text: string;
}

const CURRENCIES: Record<string, string> = { "€": "EUR", $: "USD", "£": "GBP" };
const GENERIC_TARGETS =
  /^(?:(?:their|your|the|a|an|any|next|first|whole|entire|next)\s+)*(?:order|orders|purchase|purchases|everything|it|them|checkout|basket|cart|subscription|plan)$/;

/** "15% off a laptop bag" → "laptop bag", and how much of the sentence the phrase takes. */
function appliesTo(sentence: string, end: number): { target: string | undefined; length: number } {
  const rest = sentence.slice(end);
  const match =
    /^\s*(?:off\s+)?(?:on\s+|for\s+)?(?:a |an |the |their |any |your |one )([a-z][a-z -]{1,40}?)(?=$|,| with | and | if | to | when | that | in | after | before | within | unless | but | so |\s*\()/.exec(
      rest,
    );
  if (!match) return { target: undefined, length: /^\s*off\b/.exec(rest)?.[0].length ?? 0 };
  // "15% off their next order straight away": the time is not part of what the offer is for.
  const target = match[1]!
    .replace(
      /\s+(?:straight away|right away|immediately|now|today|tomorrow|asap|at once|the same day|same day)\b.*$/,
      "",
    )
    .trim();
  const generic =
    GENERIC_TARGETS.test(target) ||
    /^(?:code|coupon|discount|voucher|offer)/.test(target) ||
    /\b(?:day|days|week|weeks|hour|hours|time|moment|morning|evening|night|way)\b/.test(target);
  if (/\b(?:day|days|week|weeks|hour|hours|time|moment|morning|evening|night|way)\b/.test(target)) {
    return { target: undefined, length: /^\s*off\b/.exec(rest)?.[0].length ?? 0 };
  }
  return { target: generic ? undefined : target, length: match[0].length };
}

function codeFor(offer: Offer): string {
  switch (offer.kind) {
    case "percent_off":
      return `SAVE${offer.value}`;
    case "amount_off":
      return `${offer.currency ?? ""}${offer.value}OFF`;
    case "free_shipping":
      return "FREESHIP";
  }
}

export function findOffers(sentence: string): OfferMention[] {
  const found: OfferMention[] = [];
  const mentionsCode = /\b(?:code|coupon|voucher|promo)\b/.test(sentence);
  const withCode = (offer: Offer): Offer => (mentionsCode ? { ...offer, code: codeFor(offer) } : offer);
  for (const match of sentence.matchAll(
    /(?<![\d/])(\d+(?:\.\d+)?)%(?!\s*(?:\/|(?:as (?:a |the |our )?)?(?:holdout|hold-out|hold out|control)|of (?:the |our |all |them|customers|people|users|sign)|group|split|chance|probability|sample))/g,
  )) {
    const before = sentence.slice(Math.max(0, match.index - 30), match.index);
    // "40% get 10% off": the first is a share of people, the second the offer.
    if (isShareAt(sentence, match.index, match.index + match[0].length)) continue;
    if (
      /(?:holdout|hold out|hold-out|control group|keep|keeps|sample|hold back|holds back)\s+(?:of\s+|a\s+|an\s+|the other\s+|another\s+|the remaining\s+|the rest\s+)?$/.test(
        before,
      )
    )
      continue;
    // "above 70%", "a churn risk of 80%" compare; "a discount of 25%" offers.
    if (
      /\b(?:above|below|over|under|more than|less than|at least|at most|risk|score|propensity|of)\s+$/.test(
        before,
      ) &&
      !/\b(?:discount|offer|saving|savings|reduction|coupon|voucher|code|rebate|deal)\s+of\s+$/.test(
        before,
      ) &&
      !/\boff\b/.test(sentence.slice(match.index, match.index + 12))
    )
      continue;
    const value = Number(match[1]);
    if (!(value > 0 && value <= 100)) continue;
    const end = match.index + match[0].length;
    const offer: Offer = { kind: "percent_off", value };
    const { target, length } = appliesTo(sentence, end);
    found.push({
      offer: withCode(target ? { ...offer, applies_to: target } : offer),
      assumed: false,
      start: match.index,
      end: end + length,
      text: match[0],
    });
  }
  const free = (start: number, end: number) =>
    found.every((other) => end <= other.start || start >= other.end);
  const amountOff = (symbol: string, amount: string, start: number, end: number, text: string) => {
    const value = Number(amount);
    if (!(value > 0) || !free(start, end)) return;
    const offer: Offer = { kind: "amount_off", value, currency: CURRENCIES[symbol]! };
    const { target, length } = appliesTo(sentence, end);
    found.push({
      offer: withCode(target ? { ...offer, applies_to: target } : offer),
      assumed: false,
      start,
      end: end + length,
      text,
    });
  };
  // "€5 off", "a $20 voucher", "a €20 meal voucher" (one describing word between amount and noun).
  for (const match of sentence.matchAll(
    /([€$£])(\d+(?:\.\d+)?)(?=\s*(?:(?!(?:a|an|the|and|or|to|for|with|then|get|gets|got|receive|receives|will|should|must)\b)[a-z-]+\s+)?(?:off|discount|voucher|credit|coupon|gift card|rebate|refund|bonus|reduction)\b)/g,
  )) {
    amountOff(match[1]!, match[2]!, match.index, match.index + match[0].length, match[0]);
  }
  // "a coupon worth €10", "a voucher of $15", "a credit for £5"
  for (const match of sentence.matchAll(
    /\b(?:coupon|voucher|credit|gift card|discount|code)(?: code)? (?:worth|of|for|valued at) ([€$£])(\d+(?:\.\d+)?)\b/g,
  )) {
    amountOff(match[1]!, match[2]!, match.index, match.index + match[0].length, match[0]);
  }
  // "VIPs get €25 instead", "give them $10": an amount given to the customer is money off.
  for (const match of sentence.matchAll(
    /\b(?:get|gets|receive|receives|give (?:them|him|her)|offer (?:them|him|her)?)\s+(?:a |an )?([€$£])(\d+(?:\.\d+)?)\b(?!\s*(?:or (?:more|less)|\+|and (?:up|above)))/g,
  )) {
    const start = match.index + match[0].indexOf(match[1]!);
    amountOff(
      match[1]!,
      match[2]!,
      start,
      match.index + match[0].length,
      match[0].slice(start - match.index),
    );
  }
  for (const match of sentence.matchAll(
    /\bfree (?:shipping|delivery|postage)\b|\b(?:ship|shipping|deliver|delivery) (?:it |them )?(?:for )?free\b/g,
  )) {
    found.push({
      offer: withCode({ kind: "free_shipping" }),
      assumed: false,
      start: match.index,
      end: match.index + match[0].length,
      text: match[0],
    });
  }
  if (found.length === 0) {
    // "a discount code", "a coupon": an offer with no amount. Draft 10 % and say so.
    const match = /\b(?:discount(?: code)?|coupon(?: code)?|promo code|voucher)\b/.exec(sentence);
    if (match) {
      found.push({
        offer: withCode({ kind: "percent_off", value: 10 }),
        assumed: true,
        start: match.index,
        end: match.index + match[0].length,
        text: match[0],
      });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

// ─── A/B splits ──────────────────────────────────────────────────────────────────────────────────

export interface SplitMention {
  variants: number;
  weights: number[] | null;
  holdout: number;
  start: number;
  end: number;
  /** the variants said as shares of people, in order, each with the words said for it */
  shares?: ShareMention[] | undefined;
}

/**
 * "40% get 10% off, another 40% get 15% off, and the remaining 20% are a control group": one
 * variant per share that gets something; the holdout is what the shares set aside plus what they
 * leave unsaid (people no share names get nothing).
 */
function shareSplit(sentence: string): SplitMention | null {
  const shares = findShares(sentence);
  const variants = shares.filter((share) => !share.holdout);
  const total = shares.reduce((sum, share) => sum + share.weight, 0);
  // A single share of everyone ("100% get it") is no split; one share beside a holdout that makes
  // up the rest ("half get an email, the other half nothing") is a test against that holdout.
  if (variants.length === 0 || total > 100 || (variants.length === 1 && total === 100 && shares.length === 1))
    return null;
  return {
    variants: variants.length,
    weights: variants.map((share) => share.weight),
    holdout: Math.round((100 - variants.reduce((sum, share) => sum + share.weight, 0)) * 100) / 100,
    start: Math.min(...shares.map((share) => share.start)),
    end: Math.max(...shares.map((share) => share.end)),
    shares: variants,
  };
}

export function findSplit(sentence: string): SplitMention | null {
  const byShares = shareSplit(sentence);
  if (byShares) return byShares;
  const test =
    /\b(?:a\/b|ab|split|multivariate)[ -]?test\w*|\btest(?:s|ing)? (\d+) (?:different |alternative )?(?:versions|variants|variations|\w+ \w+s|\w+s)\b|\b(\d+)\s+(?:different )?(?:versions|variants|variations)\b|\b(?:randomly )?split (?:them|the audience|customers|people|users|sign-ups|new sign-ups)?\b/.exec(
      sentence,
    );
  const ratio = /\b(\d{1,2}(?:\.\d+)?)\/(\d{1,2}(?:\.\d+)?)(?:\/(\d{1,2}(?:\.\d+)?))?\b/.exec(sentence);
  const holdout =
    /\b(\d{1,2}(?:\.\d+)?)% (?:as (?:a |the |our )?)?(?:holdout|hold-out|hold out|control)(?: group)?\b|\b(?:holdout|hold-out|control)(?: group)? of (\d{1,2}(?:\.\d+)?)%|\b(?:hold|keep|set) (?:back|out|aside) (\d{1,2}(?:\.\d+)?)%|\b(\d{1,2}(?:\.\d+)?)% (?:of (?:them|customers|people|users|sign-ups|the audience) )?(?:get|gets|receive|receives) (?:no|nothing)\b/.exec(
      sentence,
    );
  if (!test && !ratio && !holdout) return null;
  // "show 80% of them the promo and keep 20% as a control": one variant beside the holdout.
  const share =
    /\b(\d{1,2}(?:\.\d+)?)% of (?:them|customers|people|users|the audience|sign-ups|visitors)\b/.exec(
      sentence,
    );
  let ratioWeights = ratio
    ? [ratio[1], ratio[2], ratio[3]].filter((v): v is string => Boolean(v)).map(Number)
    : null;
  const countText =
    test?.[1] ??
    test?.[2] ??
    /\b(\d+) (?:different |alternative |separate )?(?:[a-z-]+ )?(?:versions|variants|variations|emails|messages|texts|notifications|subject lines|designs|options|copies|offers|pushes)\b/.exec(
      sentence,
    )?.[1];
  const stated = countText ? Number(countText) : null;
  // "a 90/10 test with a holdout": the holdout has no number of its own, so it is what the ratio
  // leaves, or its last part when the ratio is whole and names more parts than variants.
  let ratioHoldout = 0;
  if (ratioWeights && !holdout && /\b(?:holdout|hold-out|hold out|control(?: group)?)\b/.test(sentence)) {
    const sum = ratioWeights.reduce((total, weight) => total + weight, 0);
    if (sum < 100) ratioHoldout = 100 - sum;
    else if (ratioWeights.length >= 2 && stated !== ratioWeights.length) {
      ratioHoldout = ratioWeights.at(-1)!;
      ratioWeights = ratioWeights.slice(0, -1);
    }
  }
  const holdoutValue = holdout ? Number(holdout[1] ?? holdout[2] ?? holdout[3] ?? holdout[4]) : ratioHoldout;
  const single =
    (!test && !ratio && holdout !== null && stated === null) ||
    (ratioHoldout > 0 && ratioWeights?.length === 1);
  const variants = single ? 1 : Math.max(2, stated ?? ratioWeights?.length ?? 2);
  const spans = [test, ratio, holdout, single ? share : null].filter((m): m is RegExpExecArray => m !== null);
  return {
    variants,
    weights: ratioWeights && ratioWeights.length === variants ? ratioWeights : null,
    holdout: holdoutValue,
    start: Math.min(...spans.map((m) => m.index)),
    end: Math.max(...spans.map((m) => m.index + m[0].length)),
  };
}

/** Variant weights summing to 100 with the holdout ("50/50 with a 10% holdout" → 45/45/10). */
export function splitWeights(split: SplitMention): number[] {
  const base = split.weights ?? Array.from({ length: split.variants }, () => 1);
  const total = base.reduce((sum, weight) => sum + weight, 0);
  const available = 100 - split.holdout;
  // Whole percentages where possible (27/27/26 rather than 26.67/26.67/26.66).
  const weights = base.map((weight) => Math.floor((weight / total) * available));
  let remainder = available - weights.reduce((sum, weight) => sum + weight, 0);
  for (let index = 0; remainder >= 1 && index < weights.length; index++, remainder--) weights[index]! += 1;
  weights[weights.length - 1] = Math.round((weights[weights.length - 1]! + remainder) * 100) / 100;
  return weights;
}
