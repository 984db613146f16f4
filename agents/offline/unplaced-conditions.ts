import type { UnplacedClause } from "./facts.ts";
import { clauseIndexAt, STOPWORDS, tokenize } from "./text.ts";

/**
 * Negated conditions the recognisers found nothing in. "Failed payments get an email now and an
 * SMS 24h later unless they've updated their card": no event, trait or property is named by
 * "updated their card", and drafting both messages without the clause would text the customers
 * the goal meant to spare. The plan reads such a clause as the event that settles the trigger
 * (events.ts, settlingEvents) or asks about it; it never drops it.
 */
const SUBJECT = "(?:they|he|she|the customer|the user)";
/** Third person or past: with no subject of its own ("… and doesn't order within 2 hours") it is
 * said of the customer who started the journey; a bare "don't"/"do not" is an instruction to us. */
const DENIED_BY_SUBJECT =
  "(?:haven't|hasn't|have not|has not|didn't|did not|don't|doesn't|do not|does not|never)";
const DENIED_ALONE = "(?:hasn't|has not|didn't|did not|doesn't|does not)";
/**
 * A negated condition on the customer: "unless …", "if they haven't …", "only if they still …",
 * and a denial joined to the trigger's clause, "… and doesn't book within 2 days", "… but they
 * never top up". "never" alone takes a verb of the customer's ("never orders"), not one of ours
 * ("… but never to VIPs", "and never text them at night").
 */
const NEGATED_CONDITION = new RegExp(
  [
    "\\bunless\\b",
    `\\bonly if ${SUBJECT}(?:'re|'ve| are| have| is| has)? still\\b`,
    `\\bif ${SUBJECT}(?: still)? ${DENIED_BY_SUBJECT}\\b`,
    `\\b(?:and|but)(?: ${SUBJECT}(?: still)? ${DENIED_BY_SUBJECT}| (?:still )?${DENIED_ALONE})\\b`,
    "\\b(?:and|but) (?:still )?never(?= (?!(?:email|text|sms|push|message|call|contact|send|notif)\\w*\\b)[a-z]+s\\b)",
  ].join("|"),
  "g",
);
const CUSTOMER_SUBJECT =
  /^\s*(?:they|they've|they're|they'd|he|he's|she|she's|the (?:customer|user|shopper|buyer|applicant|traveller|traveler)s?|customers|users)\b/;
/** Words that carry no condition of their own: auxiliaries, pronouns, "still", "already". */
const EMPTY_WORDS = new Set([
  ...STOPWORDS,
  "they",
  "them",
  "their",
  "they've",
  "they're",
  "he",
  "she",
  "it",
  "it's",
  "its",
  "have",
  "has",
  "had",
  "do",
  "does",
  "did",
  "still",
  "already",
  "yet",
  "even",
  "then",
  "since",
  "by",
  "now",
  "so",
  "customer",
  "user",
]);
/** Consent to a channel is read by the fallbacks ("if they haven't allowed push"), not here. */
const CONSENT =
  /\b(?:allow|accept|enabl|consent|opt(?:ed)? (?:in|out)|turn(?:ed)? (?:on|off)|unsubscrib|disabl|block)/;

/**
 * Negated conditions in which nothing was recognised. A clause with no words of its own after the
 * negation ("and if they still haven't after 5 days") is an ellipsis the plan resolves, not one.
 */
export function unplacedClauses(
  text: string,
  masked: string,
  clauses: ReadonlyArray<{ start: number; end: number }>,
  placed: ReadonlyArray<{ start: number; end: number }>,
): UnplacedClause[] {
  const found: UnplacedClause[] = [];
  for (const cue of text.matchAll(NEGATED_CONDITION)) {
    const start = cue.index + cue[0].length;
    const end = clauses[clauseIndexAt(clauses, cue.index)]?.end ?? text.length;
    if (placed.some((span) => span.start < end && span.end > cue.index)) continue;
    const words = text.slice(start, end);
    if (CONSENT.test(words)) continue;
    if (!hasOwnWords(masked.slice(start, end))) continue;
    found.push({
      // the joining "and"/"but" is not part of what the question quotes
      text: text
        .slice(cue.index, end)
        .trim()
        .replace(/^(?:and|but) /, ""),
      start,
      end,
      conditional: cue[0].startsWith("if") || cue[0].startsWith("only"),
      customerSubject: cue[0] !== "unless" || CUSTOMER_SUBJECT.test(words),
      positive: false,
    });
  }
  return found;
}

/**
 * A positive condition: "if they …", "when a customer …", "where the customer …", and a relative
 * clause that states something of the customer ("who is a football fan", "who has a dog"); "who
 * gives us 1 or 2" goes on into what the recognisers read and is left to them.
 */
const POSITIVE_CUE =
  /\b(?:if|when|whenever|where|whose|who(?= (?:is|are|was|were|seems?|looks?|has|have|had|lives?|works?|owns?|likes?|loves?|prefers?)\b))\b/g;
/** Negations are the business of `unplacedClauses`; a clause with one is left to it. */
const NEGATION = /\b(?:not|never|no|without|unless)\b|n't\b/;
/**
 * What a cue may introduce that is no condition on the customer: timing ("when the time comes"),
 * an instruction to us ("if possible", "where needed", "when it makes sense"), an outcome or an
 * ellipsis ("if so", "if they do") and a channel or a message of ours ("who got the email").
 */
const NOT_A_CONDITION =
  /^\s*(?:(?:it(?:'s| is) )?(?:possible|needed|necessary|appropriate|applicable|relevant|available|required|convenient|useful|helpful)|(?:you|we) (?:can|could|want|like|prefer|have|need)|in doubt|it makes sense|so\b|(?:they|he|she|it) (?:do|does|did)\b|that happens|(?:the )?time comes)/;
const ASKED =
  /\b(?:ask\w*|check\w*|find(?:ing)? out|wonder\w*|see|know|let (?:them|him|her) know)\s+(?:(?:them|him|her|the customer|customers|us)\s+)?$/;
const CHANNEL_WORDS =
  /\b(?:e-?mails?|sms(?:es)?|texts?|texted|push(?:es)?|notifications?|messages?|messaged|in-app|banners?|chat|calls?|called|newsletters?|reminders?|vouchers?|coupons?|offers?|discounts?|codes?)\b/;

/**
 * Positive conditions in which nothing was recognised ("if they seem grumpy", "when a customer
 * is a football fan"): drafting without them would message everyone the goal meant to single out,
 * so they are asked about, quoting them. The clause runs from its cue to the end of its comma
 * clause or to the first action of ours after the cue, whichever comes first; anything the
 * recognisers placed inside it (an event, a trait, a comparison, a time, a message, a text signal)
 * means it was understood, at least in part, and it is left alone.
 */
export function unplacedPositiveClauses(
  text: string,
  masked: string,
  clauses: ReadonlyArray<{ start: number; end: number }>,
  placed: ReadonlyArray<{ start: number; end: number }>,
  actions: ReadonlyArray<{ start: number; end: number }>,
): UnplacedClause[] {
  const found: UnplacedClause[] = [];
  for (const cue of text.matchAll(POSITIVE_CUE)) {
    const start = cue.index + cue[0].length;
    const clauseEnd = clauses[clauseIndexAt(clauses, cue.index)]?.end ?? text.length;
    // A relative clause ("a customer who is a football fan opens the app") ends where the sentence
    // goes on with something understood; an if/when clause is understood if anything in it is.
    const relative = cue[0] === "who" || cue[0] === "whose" || cue[0] === "where";
    const stops = (relative ? [...actions, ...placed] : actions).filter((span) => span.start >= start);
    const end = Math.min(clauseEnd, ...stops.map((span) => span.start));
    if (end <= start) continue;
    if (placed.some((span) => span.start < end && span.end > cue.index)) continue;
    if (found.some((clause) => clause.end >= end)) continue;
    // "email them asking if they were happy": what we ask is the message's content
    if (ASKED.test(text.slice(0, cue.index))) continue;
    const words = text.slice(start, end);
    if (
      NEGATION.test(words) ||
      NOT_A_CONDITION.test(words) ||
      CHANNEL_WORDS.test(words) ||
      CONSENT.test(words)
    )
      continue;
    if (!hasOwnWords(masked.slice(start, end))) continue;
    found.push({
      text: text
        .slice(cue.index, end)
        .trim()
        .replace(/[\s,;:]+$/, ""),
      start,
      end,
      conditional: cue[0] === "if",
      customerSubject: true,
      positive: true,
    });
  }
  return found;
}

/** Whether a clause says anything of its own: a lower-case word that is not filler or a contraction. */
function hasOwnWords(maskedClause: string): boolean {
  return tokenize(maskedClause).some(
    (token) =>
      /^[a-z]/.test(token.text) && !EMPTY_WORDS.has(token.text) && !/'(?:ve|re|s|d)$/.test(token.text),
  );
}
