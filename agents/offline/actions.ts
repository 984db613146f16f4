import type { MessageChannel, Offer } from "../../journeys/format/schema.ts";

/**
 * What the journey should *do*, as said in a goal: messages on a channel ("text them", "an SMS
 * reminder", "by email", "a push notification"), hand-offs to people ("hand the conversation to a
 * senior agent", "have their account manager call them", "create a task for the support team"),
 * typed offers ("10% off", "€5 off", "free shipping") and A/B splits with holdouts.
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
    /(?<![\d/])(\d+(?:\.\d+)?)%(?!\s*(?:\/|holdout|hold-out|hold out|control|of (?:the |our |all |them|customers|people|users|sign)|group|split|chance|probability|sample))/g,
  )) {
    const before = sentence.slice(Math.max(0, match.index - 30), match.index);
    if (/(?:holdout|hold out|hold-out|control group|keep|keeps|sample)\s+(?:of\s+|a\s+|an\s+)?$/.test(before))
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
  for (const match of sentence.matchAll(
    /([€$£])(\d+(?:\.\d+)?)(?=\s*(?:off|discount|voucher|credit|coupon|gift card|rebate|refund|bonus|reduction)\b)/g,
  )) {
    const value = Number(match[2]);
    if (!(value > 0)) continue;
    const end = match.index + match[0].length;
    const offer: Offer = { kind: "amount_off", value, currency: CURRENCIES[match[1]!]! };
    const { target, length } = appliesTo(sentence, end);
    found.push({
      offer: withCode(target ? { ...offer, applies_to: target } : offer),
      assumed: false,
      start: match.index,
      end: end + length,
      text: match[0],
    });
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
}

export function findSplit(sentence: string): SplitMention | null {
  const test =
    /\b(?:a\/b|ab|split|multivariate)[ -]?test\w*|\btest(?:s|ing)? (\d+) (?:different |alternative )?(?:versions|variants|variations|\w+ \w+s|\w+s)\b|\b(\d+)\s+(?:different )?(?:versions|variants|variations)\b|\b(?:randomly )?split (?:them|the audience|customers|people|users|sign-ups|new sign-ups)?\b/.exec(
      sentence,
    );
  const ratio = /\b(\d{1,2}(?:\.\d+)?)\/(\d{1,2}(?:\.\d+)?)(?:\/(\d{1,2}(?:\.\d+)?))?\b/.exec(sentence);
  const holdout =
    /\b(\d{1,2}(?:\.\d+)?)% (?:holdout|hold-out|hold out|control)(?: group)?\b|\b(?:holdout|hold-out|control)(?: group)? of (\d{1,2}(?:\.\d+)?)%|\bhold (?:back|out) (\d{1,2}(?:\.\d+)?)%|\b(\d{1,2}(?:\.\d+)?)% (?:of (?:them|customers|people|users|sign-ups|the audience) )?(?:get|gets|receive|receives) (?:no|nothing)\b/.exec(
      sentence,
    );
  if (!test && !ratio && !holdout) return null;
  const ratioWeights = ratio
    ? [ratio[1], ratio[2], ratio[3]].filter((v): v is string => Boolean(v)).map(Number)
    : null;
  const countText =
    test?.[1] ??
    test?.[2] ??
    /\b(\d+) (?:different |alternative |separate )?(?:[a-z-]+ )?(?:versions|variants|variations|emails|messages|texts|notifications|subject lines|designs|options|copies|offers|pushes)\b/.exec(
      sentence,
    )?.[1];
  const stated = countText ? Number(countText) : null;
  const variants = Math.max(2, stated ?? ratioWeights?.length ?? 2);
  const holdoutValue = holdout ? Number(holdout[1] ?? holdout[2] ?? holdout[3] ?? holdout[4]) : 0;
  const spans = [test, ratio, holdout].filter((m): m is RegExpExecArray => m !== null);
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

// ─── Messages ────────────────────────────────────────────────────────────────────────────────────

export interface SendMention {
  channel: MessageChannel;
  start: number;
  end: number;
  text: string;
}

const CHANNEL_PATTERNS: Array<{ channel: MessageChannel; pattern: RegExp }> = [
  { channel: "push", pattern: /\bpush(?:[- ](?:notifications?|messages?|alerts?|notes?))?\b/g },
  {
    channel: "in_app",
    pattern:
      /\bin-app(?: (?:messages?|notifications?|banners?|cards?|pop-?ups?|modals?|notes?))?\b|\b(?:show|display)\w* (?:them |him |her )?(?:a |an )?(?:message|banner|card|pop-?up|note) in the app\b/g,
  },
  {
    channel: "sms",
    pattern:
      /\b(?:sms(?:es)?|text messages?)\b|\btext(?:s|ed|ing)?\b(?= (?:[a-z]+ )?(?:them|him|her|the|customers?|people|users?|everyone|us|a|an|their|reminder|nudge|with|\d))|\b(?:a|an|another|one|the) text\b(?! (?:property|field|says|of))/g,
  },
  { channel: "email", pattern: /\bemail(?:s|ed|ing)?\b(?! address)|\bnewsletter\b/g },
  {
    channel: "chat",
    pattern:
      /\b(?:via|through|over|by) (?:live |the )?chat\b(?! messages?)|\b(?:send|write|drop) (?:them |him |her |the customer )?(?:a )?(?:proactive )?chat message\b|\bchat with them\b|\brepl(?:y|ies)(?: to them)? (?:in|via|through|over) (?:the )?chat\b/g,
  },
];

const SEND_VERBS =
  /\b(?:send|sends|sending|get|gets|getting|receive|receives|give|gives|deliver|trigger|fire|push|with|by|via|an?|another)\s+(?:\w+\s+){0,3}$/;

/** Every message the goal asks for; channel words that only refer to an earlier message are skipped. */
export function findSends(sentence: string): SendMention[] {
  const found: SendMention[] = [];
  for (const { channel, pattern } of CHANNEL_PATTERNS) {
    for (const match of sentence.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      const before = sentence.slice(Math.max(0, start - 40), start);
      // "gets no email", "never text them", "without an email": not an action.
      if (
        /\b(?:no|not|never|without|nothing|don't|do not|doesn't|neither|nor)\s+(?:\w+\s+){0,2}$/.test(before)
      )
        continue;
      // "after the sms", "since the email", "open the email": a reference, not a new message.
      if (
        /\b(?:after|since|before|than|following|of|opens?|opened|clicks?|clicked|reads?|read|ignores?|ignored)\s+(?:the|their|that|this|our|an?|any)?\s*(?:\w+\s+)?$/.test(
          before,
        )
      )
        continue;
      if (/\b(?:the|that|this|their)\s+$/.test(before) && !SEND_VERBS.test(before)) continue;
      // "if push isn't allowed", "when email fails": the channel as a condition, not a message.
      if (
        /^\s*(?:isn't|is not|aren't|are not|can't|cannot|is unavailable|is blocked|fails|is off|is disabled)\b/.test(
          sentence.slice(end),
        )
      )
        continue;
      found.push({ channel, start, end, text: match[0] });
    }
  }
  found.sort((a, b) => a.start - b.start);
  // "text them an SMS reminder": one message, said twice.
  const merged: SendMention[] = [];
  for (const mention of found) {
    const previous = merged[merged.length - 1];
    if (
      previous &&
      previous.channel === mention.channel &&
      mention.start - previous.end < 25 &&
      !/\band\b|,/.test(sentence.slice(previous.end, mention.start))
    ) {
      previous.end = mention.end;
      previous.text = sentence.slice(previous.start, previous.end);
      continue;
    }
    if (merged.some((other) => mention.start < other.end && other.start < mention.end)) continue;
    merged.push(mention);
  }
  return merged;
}

// ─── Hand-offs to people ─────────────────────────────────────────────────────────────────────────

export interface HandoffMention {
  queue: string;
  priority: "low" | "normal" | "high" | "urgent";
  role: string;
  /** what the person should do, when the goal says ("call them", "reach out") */
  task: string | null;
  start: number;
  end: number;
  text: string;
}

const ROLE =
  "(?:[a-z-]+ ){0,3}(?:agents?|managers?|supervisors?|team|humans?|person|reps?|representatives?|specialists?|staff|support|colleagues?|advisors?|advisers?|experts?|desk|queue|sales|success|billing|finance|retention|onboarding|officers?|someone|somebody|lead)\\b";
const TASK =
  "(?:call|reach out|contact|phone|ring|follow up|get in touch|email|message|check in|talk|speak|visit|review|help|handle|resolve|sort)\\w*(?: (?:to|with) them| them| the customer| him| her| back| up)?";

const HANDOFF_PATTERNS: RegExp[] = [
  new RegExp(
    `\\b(?:hand|pass|transfer|route|escalate|assign|forward|refer|send|connect|put)(?:s|ed|ing)?\\b(?: (?:it|them|him|her|this|that|the (?:customer|conversation|chat|case|ticket|user|application|applicant|thread)|over|through))*? ?(?:over )?to (?:a |an |the |their |our |his |her )?(?<role>${ROLE})\\b(?: to (?<task>${TASK}))?`,
    "g",
  ),
  new RegExp(
    `\\bescalat(?:e|es|ed|ing|ion)\\b(?: (?:it|them|this|the (?:case|customer|conversation|ticket)))?(?: (?:to|with) (?:a |an |the |their |our )?(?<role>${ROLE}))?`,
    "g",
  ),
  new RegExp(
    `\\b(?:create|open|raise|file|log|add|make) (?:a |an |the )(?:(?:follow-up|follow up|callback|call-back|urgent|support|manual|review|high-priority|priority|human)[ -])*(?:task|ticket|case|callback|call-back|to-do|todo)\\b(?: (?:for|to) (?:a |an |the |their |our )?(?<role>${ROLE}))?(?: to (?<task>${TASK}))?`,
    "g",
  ),
  new RegExp(
    `\\b(?:have|get|ask|tell|let|make)s? (?:a |an |the |their |our |his |her )?(?<role>${ROLE}) (?:to )?(?<task>${TASK})`,
    "g",
  ),
  new RegExp(`\\b(?:notify|alert|ping|inform|page)s? (?:a |an |the |their |our )?(?<role>${ROLE})\\b`, "g"),
  new RegExp(
    `\\b(?:gets?|receives?|getting) (?:a |an )?(?:phone |personal |follow-up )?(call|visit|callback) from (?:a |an |the |their |our )?(?<role>${ROLE})`,
    "g",
  ),
  new RegExp(
    `\\b(?:a|an|the|their) (?<role>${ROLE}) (?:should|must|will|needs to|has to) (?<task>${TASK})`,
    "g",
  ),
  /\b(?:call|phone|ring) (?:them|the customer|him|her)(?: back)?\b/g,
  /\bhand-?offs?\b|\bhandovers?\b|\bhuman (?:follow-up|takeover|review)\b/g,
];

/** The queue a role names; the runtime routes hand-off tasks by it. */
export function queueFor(role: string): string {
  const text = role.toLowerCase();
  if (/account manager|account exec|\bam\b/.test(text)) return "account_manager";
  if (/senior|tier[- ]?2|second[- ]line|expert/.test(text)) return "senior_support";
  if (/supervisor|team lead|\blead\b|\bmanager\b/.test(text)) return "supervisor";
  if (/sales/.test(text)) return "sales";
  if (/billing|finance|collections?/.test(text)) return "billing";
  if (/success/.test(text)) return "customer_success";
  if (/retention/.test(text)) return "retention";
  const specific = text
    .replace(
      /\b(?:a|an|the|their|our|human|real|live|customer|follow-up|agents?|persons?|people|humans?|reps?|representatives?|staff|someone|somebody|team|support|desk|queue|colleagues?)\b/g,
      " ",
    )
    .trim()
    .replace(/\s+/g, "_");
  return specific && /^[a-z_]{3,40}$/.test(specific) ? specific : "support";
}

export function priorityFor(text: string, queue: string): HandoffMention["priority"] {
  if (/\burgent(?:ly)?\b|\basap\b|\bemergency\b/.test(text)) return "urgent";
  if (/\blow[- ]priority\b|\bwhen (?:they|someone) (?:has|have) time\b/.test(text)) return "low";
  if (/\bnormal[- ]priority\b/.test(text)) return "normal";
  if (
    /\bhigh[- ]priority\b|\bimmediately\b|\bstraight away\b|\bright away\b|\bright now\b|\bat once\b|\bwithin (?:the|1) hour\b|\bwithin \d+ minutes\b|\bescalat|\bvip\b/.test(
      text,
    ) ||
    queue === "senior_support" ||
    queue === "supervisor"
  ) {
    return "high";
  }
  return "normal";
}

export function findHandoffs(sentence: string): HandoffMention[] {
  const found: HandoffMention[] = [];
  for (const pattern of HANDOFF_PATTERNS) {
    for (const match of sentence.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (found.some((other) => start < other.end && other.start < end)) continue;
      const before = sentence.slice(Math.max(0, start - 30), start);
      if (/\b(?:no|not|never|without|don't|do not)\s+(?:\w+\s+)?$/.test(before)) continue;
      const role = match.groups?.role ?? (/escalat/.test(match[0]) ? "supervisor" : "support agent");
      const queue = queueFor(role);
      found.push({
        queue,
        priority: priorityFor(sentence, queue),
        role: role.trim(),
        task: match.groups?.task ?? (/\b(?:call|phone|ring)\b/.test(match[0]) ? "call them" : null),
        start,
        end,
        text: match[0],
      });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

// ─── Profile updates ─────────────────────────────────────────────────────────────────────────────

export interface ProfileUpdateMention {
  trait: string;
  value: string;
  start: number;
  end: number;
  text: string;
}

/** "upgrade them to VIP", "mark the customer as vip", "set their plan to pro" (enumerated traits only). */
export function findProfileUpdates(
  sentence: string,
  traits: ReadonlyArray<{ name: string; values: readonly string[] }>,
): ProfileUpdateMention[] {
  const found: ProfileUpdateMention[] = [];
  const pattern =
    /\b(?:upgrade|move|promote|set|mark|tag|make|change|switch|flag|label|downgrade)s? (?:them|the customer|him|her|the user|the account|their ([a-z_]+)) (?:to|as) (?:an? |the )?([a-z0-9_-]+)\b/g;
  for (const match of sentence.matchAll(pattern)) {
    const named = match[1]?.replace(/ /g, "_");
    const value = match[2]!;
    const trait = traits.find(
      (entry) =>
        (named === undefined || entry.name === named) &&
        entry.values.some((candidate) => candidate.toLowerCase() === value.replace(/s$/, "")),
    );
    if (!trait) continue;
    found.push({
      trait: trait.name,
      value: trait.values.find((candidate) => candidate.toLowerCase() === value.replace(/s$/, ""))!,
      start: match.index,
      end: match.index + match[0].length,
      text: match[0],
    });
  }
  return found;
}
