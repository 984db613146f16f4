import type { TimeExpression } from "./time-expressions.ts";

/**
 * Which time expression of a clause belongs to which of its actions. A clause joins verb phrases
 * with "and" / "then" ("email them now and text them 2 days later"); a time modifies the verb
 * phrase it is said in, so it must not leak onto the other one, as a comma between them already
 * ensures. A time in a piece with no action of its own ("wait a day and then text them") leads into
 * the action after it, or else closes the one before it.
 */

const COORDINATOR = /\b(?:and then|and|then|plus|followed by|as well as)\b/g;

/** Where the clause's verb phrases begin: its start and each coordinator in it. */
function pieceCuts(text: string, clause: { start: number; end: number }): number[] {
  const cuts = [clause.start];
  for (const match of text.slice(clause.start, clause.end).matchAll(COORDINATOR))
    cuts.push(clause.start + match.index);
  return cuts;
}

// "send an email and an SMS 2 days later": a second object of the same verb, not a verb of its own.
const SHARED_VERB =
  /^\s*(?:and then|and|then|plus|followed by|as well as)\s+(?:a|an|another|one|the|their)\s+(?:[\w-]+\s+){0,2}$/;

export type Attachment =
  /** the times said for this action, nearest first */
  | { kind: "own"; times: TimeExpression[] }
  /** an action said before a timed verb phrase of its own clause, with no time of its own: no wait */
  | { kind: "now" }
  /** nothing in the clause decides: the caller looks at clauses that only say when */
  | { kind: "none" };

/**
 * `actions` are the start offsets of every action in the clause, `times` the clause's time
 * expressions; offsets are into `text`, the sentence.
 */
export function attachTime(
  position: number,
  text: string,
  clause: { start: number; end: number },
  actions: readonly number[],
  times: readonly TimeExpression[],
): Attachment {
  if (times.length === 0) return { kind: "none" };
  const sorted = [...new Set(actions)].sort((a, b) => a - b);
  const cuts = pieceCuts(text, clause);
  const pieceOf = (offset: number) => cuts.filter((cut) => cut <= offset).length - 1;
  const ownerOf = (time: TimeExpression): number => {
    const inPiece = sorted.filter((action) => pieceOf(action) === pieceOf(time.start));
    if (inPiece.length > 0)
      return [...inPiece].sort((a, b) => Math.abs(a - time.start) - Math.abs(b - time.start))[0]!;
    return (
      sorted.find((action) => action > time.start) ?? sorted.filter((action) => action < time.start).at(-1)!
    );
  };
  const owned = new Map<number, TimeExpression[]>();
  for (const time of times) {
    const owner = ownerOf(time);
    owned.set(owner, [...(owned.get(owner) ?? []), time]);
  }
  const own = owned.get(position);
  if (own) return { kind: "own", times: nearestFirst(own, position) };
  const index = sorted.indexOf(position);
  // "send an email and an SMS 2 days later": objects of one verb share its time.
  const sharesVerb = (action: number) => SHARED_VERB.test(text.slice(cuts[pieceOf(action)]!, action));
  for (let other = index + 1; other < sorted.length && sharesVerb(sorted[other]!); other++) {
    const times = owned.get(sorted[other]!);
    if (times) return { kind: "own", times: nearestFirst(times, position) };
  }
  for (let other = index - 1; other >= 0 && sharesVerb(sorted[other + 1]!); other--) {
    const times = owned.get(sorted[other]!);
    if (times) return { kind: "own", times: nearestFirst(times, position) };
  }
  // "email them and text them 2 days later": the later step is "later" than this one, so this one
  // is now. An untimed action after a timed one happens with it ("email them in 2 days and text them").
  if (sorted.slice(index + 1).some((other) => owned.has(other))) return { kind: "now" };
  const before = sorted
    .slice(0, index)
    .reverse()
    .find((other) => owned.has(other));
  return before === undefined
    ? { kind: "none" }
    : { kind: "own", times: nearestFirst(owned.get(before)!, position) };
}

/**
 * Whether a condition said inside a clause of several verb phrases binds the action at `position`
 * (both offsets into `text`; `actions` are the clause's actions). A condition is part of the verb
 * phrase it is said in, as a time is: in "push them straight away and email them a voucher if the
 * delay is over 3 hours" the delay decides the email only, so a branch before both would hold back
 * the push everyone was meant to get. Said before every action of its piece ("if the delay is long
 * push them and email them"), it binds that piece and those after it; objects of one verb share it
 * ("send an email and an SMS if …").
 */
export function conditionBinds(
  condition: number,
  position: number,
  text: string,
  clause: { start: number; end: number },
  actions: readonly number[],
): boolean {
  const sorted = [...new Set(actions)].sort((a, b) => a - b);
  if (sorted.length < 2) return true;
  const cuts = pieceCuts(text, clause);
  const pieceOf = (offset: number) => cuts.filter((cut) => cut <= offset).length - 1;
  const piece = pieceOf(condition);
  const own = sorted.filter((action) => pieceOf(action) === piece);
  if (own.length === 0 || own.every((action) => action > condition)) return pieceOf(position) >= piece;
  // "send an email and an SMS if …": back over each piece whose action is another object of the verb before it.
  const leading = (index: number) => sorted.find((action) => pieceOf(action) === index);
  let first = piece;
  for (;;) {
    const action = leading(first);
    if (first === 0 || action === undefined || !SHARED_VERB.test(text.slice(cuts[first]!, action))) break;
    first--;
  }
  return pieceOf(position) >= first && pieceOf(position) <= piece;
}

/** Times after the action first (its own words), then the rest by distance. */
function nearestFirst(times: readonly TimeExpression[], position: number): TimeExpression[] {
  const after = times.filter((time) => time.start > position).sort((a, b) => a.start - b.start);
  const rest = times
    .filter((time) => !after.includes(time))
    .sort((a, b) => Math.abs(a.start - position) - Math.abs(b.start - position));
  return [...after, ...rest];
}

/**
 * The words of one action in a clause that holds several: from the "and" before it to the "and"
 * before the next one, so that "email the itinerary now and send an SMS reminder a day later"
 * drafts an itinerary and a reminder rather than two of either.
 */
export function actionWords(
  position: number,
  text: string,
  clause: { start: number; end: number },
  actions: readonly number[],
): { start: number; end: number } {
  const sorted = [...new Set(actions)].sort((a, b) => a - b);
  const index = sorted.indexOf(position);
  if (sorted.length < 2 || index < 0) return clause;
  const cuts = [...text.slice(clause.start, clause.end).matchAll(COORDINATOR)].map(
    (match) => clause.start + match.index,
  );
  const cutBetween = (from: number, to: number) => cuts.filter((cut) => cut > from && cut < to).at(-1) ?? to;
  const previous = sorted[index - 1];
  const next = sorted[index + 1];
  return {
    start: previous === undefined ? clause.start : cutBetween(previous, position),
    end: next === undefined ? clause.end : cutBetween(position, next),
  };
}
