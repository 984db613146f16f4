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
    const own = tokenize(masked.slice(start, end)).filter(
      (token) =>
        /^[a-z]/.test(token.text) && !EMPTY_WORDS.has(token.text) && !/'(?:ve|re|s|d)$/.test(token.text),
    );
    if (own.length === 0) continue;
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
    });
  }
  return found;
}
