import type { Condition } from "../../journeys/format/condition.ts";
import type { Offer } from "../../journeys/format/schema.ts";
import type { ConditionFact, EventFact, SentenceFacts } from "./facts.ts";
import type { SplitMention } from "./offers.ts";
import { splitWeights } from "./offers.ts";
import type { PlanAction, PlanStep, PlanTrigger, Resolved } from "./plan-types.ts";
import { combine } from "./plan-types.ts";
import { clauseIndexAt } from "./text.ts";
import type { TimeExpression } from "./time-expressions.ts";
import { humanDuration } from "./time-expressions.ts";

/**
 * The rules plan.ts applies between sentences, each a small reading of English: which event starts
 * the journey, what a schedule says, which sentences only narrow earlier steps ("skip anyone who
 * …", "VIPs don't get …"), which conditions hold at the step rather than at entry, how history is
 * said ("whose payment failed in the last 7 days", "if they've opened the app since"), and the
 * sentence-level cues ("otherwise", "do nothing", "remind them" without a channel).
 */

export function chooseTrigger(facts: SentenceFacts): EventFact | undefined {
  // What has happened ("whose payment failed in the last week", "if they've opened the app") is
  // history, not what starts the journey.
  // What the customer is given time for ("3 days to upload their documents") is awaited, never the start.
  const positive = facts.events.filter(
    (fact) =>
      !fact.negated && !fact.since && !fact.endsJourney && !fact.history && fact !== facts.window?.fact,
  );
  return positive.find((fact) => !fact.perfect) ?? positive[0];
}

/** "skip anyone who …", "exclude customers with …": a sentence that only narrows the steps before it. */
export const EXCLUSION =
  /^(?:but |and |also )?(?:skip|exclude|leave out|ignore|don't (?:send (?:it |this |anything |them )?to|message|contact|include)|do not (?:send (?:it |this |anything |them )?to|message|contact|include)|never (?:send (?:it |this |anything |them )?to|message|contact))\b/;

/** "VIPs don't get the survey": those customers are taken out of the steps so far. */
export const DENIAL =
  /\b(?:don't|do not|doesn't|does not|won't|will not|shouldn't|should not|never|aren't|are not|isn't|is not) (?:get|receive|see|need|be sent|be messaged)\b/;

/** "Anyone who …", "Every customer …": a sentence that speaks to everyone who entered. */
export const UNIVERSAL =
  /^(?:and |but |also )?(?:anyone|anybody|everyone|everybody|all (?:of them|customers|users|applicants|buyers|members|people)|any (?:customer|user|applicant|buyer|member)|every (?:customer|user|applicant|buyer|member))\b(?! else)/;

/** "if they do, …", "if so, …": what happens when the awaited event of a time window comes. */
export const WINDOW_KEPT =
  /^(?:and |but )?(?:if|once|when|as soon as) (?:(?:they|he|she|it|the customer|the applicant|the user) (?:do|does|did|have|has|manage|manages|are|is|succeed|succeeds)\b|so\b)/;

/** "otherwise …", "if they don't, …": what happens when a time window runs out. */
export const WINDOW_MISSED =
  /^(?:and |but )?(?:otherwise|if not|else|or else|failing that|if (?:they|he|she|it|the customer|the applicant|the user)(?: still)? (?:don't|do not|doesn't|does not|didn't|did not|haven't|have not|hasn't|has not|can't|cannot|won't|will not|fail|fails|miss|misses)\b)/;

/** "otherwise …", "if not, …" as a sentence of its own: the other side of the last step's condition. */
export const ELSE = /^(?:otherwise|if not|else|or else|failing that)\b/;

/** A condition said for the moment of the step, not of entry ("if they're still on Pro by then"). */
export function checkedLater(
  facts: SentenceFacts,
  fact: ConditionFact,
  actionStarts: readonly number[],
): boolean {
  const clause = facts.clauses[clauseIndexAt(facts.clauses, fact.start)]!;
  const words = facts.text.slice(clause.start, clause.end);
  if (
    /\b(?:still|by then|at that (?:point|time|moment|stage)|by that (?:point|time)|at the time|then)\b/.test(
      words,
    )
  )
    return true;
  // "Thank them by email, and if they moved up to enterprise, let their manager know as well",
  // "a week later, email a checklist if departure is more than 10 days away": a condition said
  // after an action is about the moment of the actions it binds, not about entry.
  const lead = facts.text.slice(clause.start, fact.start);
  return (
    /\b(?:if|when|whenever|in case|as long as|provided)\b/.test(lead) &&
    actionStarts.some((start) => start < fact.start)
  );
}

/** History said in a sentence, as a condition: "whose payment failed in the last 7 days". */
export function historyCondition(fact: EventFact): ConditionFact {
  const where = combine(fact.conditions.map((c) => c.condition));
  const performed: Condition = {
    performed: fact.mention.event,
    ...(fact.history ? { within: fact.history } : { since: "entry" as const }),
    ...(where ? { where } : {}),
  };
  return {
    condition: performed,
    kind: "trait",
    negated: fact.negated,
    change: false,
    label: `${fact.negated ? "no " : ""}${fact.mention.event} ${fact.history ? `within ${fact.history}` : "since entry"}`,
    start: fact.mention.start,
    end: fact.mention.end,
  };
}

const SCHEDULE =
  /\bevery (day|morning|evening|week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b(daily|weekly|monthly)\b|\bon the (?:1st|first) of (?:each|every) month\b/;
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

export function scheduleTrigger(facts: SentenceFacts): PlanTrigger | null {
  const match = SCHEDULE.exec(facts.text);
  if (!match) return null;
  const clock = facts.times.find((time) => time.kind === "time_of_day");
  const [hour, minute] =
    clock && clock.kind === "time_of_day"
      ? clock.time.split(":").map(Number)
      : [match[1] === "evening" ? 18 : 9, 0];
  // The clock time is the schedule's, not a wait inside the journey.
  facts.times = facts.times.filter((time) => time !== clock && time.kind !== "repeat");
  const word = match[1] ?? match[2] ?? "month";
  let cron = `${minute} ${hour} * * *`;
  if (word === "week" || word === "weekly") cron = `${minute} ${hour} * * 1`;
  else if (word === "month" || word === "monthly" || /first|1st/.test(match[0]))
    cron = `${minute} ${hour} 1 * *`;
  else if (WEEKDAYS.includes(word)) cron = `${minute} ${hour} * * ${WEEKDAYS.indexOf(word)}`;
  return { type: "schedule", cron, phrase: match[0] };
}

export const DO_NOTHING =
  /\b(?:do nothing|nothing happens|no action|take no action|leave them alone|don't do anything|do not do anything|don't send anything|do not send anything|send nothing|no message|stop there)\b/;

export const CHANNELLESS =
  /\b(?:send (?:them|him|her|the customer|customers)? ?(?:a |an )?(?:message|note|reminder|nudge|notification)|message them|remind them|notify them|contact them|reach out to them|nudge them|ping them)\b/;

/** Copies of steps whose offer is replaced ("VIPs get €25 instead"): the offered sends, else the last send. */
export function withOffer(steps: readonly PlanStep[], offer: Offer): PlanStep[] {
  const copies = structuredClone(steps) as PlanStep[];
  const sends = copies.flatMap((step) => step.actions).filter((action) => action.kind === "send");
  const offered = sends.filter((action) => action.offer);
  for (const action of offered.length > 0 ? offered : sends.slice(-1)) action.offer = offer;
  return copies;
}

function describeTime(time: TimeExpression): string {
  switch (time.kind) {
    case "immediate":
      return "immediately";
    case "time_of_day":
      return `at ${time.time} local time`;
    case "before":
      return `${humanDuration(time.ms, time.months)} before a date`;
    case "within":
      return `within ${humanDuration(time.ms, time.months)}`;
    case "repeat":
      return `every ${humanDuration(time.ms, time.months)}${time.times ? `, ${time.times} times at most` : ""}`;
    case "delay": {
      const anchor = time.anchor;
      const from =
        anchor.kind === "previous"
          ? "the previous step"
          : anchor.kind === "entry"
            ? "entry"
            : anchor.kind === "channel"
              ? `the ${anchor.channel} message`
              : "the named event";
      return `${humanDuration(time.ms, time.months)} after ${from}`;
    }
  }
}

/** What each recognised phrase was resolved to, for the explanation panel. */
export function resolvedMentions(all: readonly SentenceFacts[]): Resolved[] {
  const resolved: Resolved[] = [];
  for (const facts of all) {
    for (const send of facts.sends)
      resolved.push({ phrase: send.text, kind: "channel", value: send.channel });
    for (const handoff of facts.handoffs)
      resolved.push({
        phrase: handoff.text,
        kind: "handoff",
        value: `${handoff.queue} (${handoff.priority})`,
      });
    for (const offer of facts.offers)
      resolved.push({ phrase: offer.text, kind: "offer", value: JSON.stringify(offer.offer) });
    for (const time of facts.times)
      resolved.push({ phrase: time.text.trim(), kind: "time", value: describeTime(time) });
    for (const date of facts.datetimes)
      resolved.push({ phrase: date.phrase, kind: "date", value: `${date.event}.${date.property}` });
    if (facts.split)
      resolved.push({
        phrase: facts.text.slice(facts.split.start, facts.split.end),
        kind: "split",
        value: `${facts.split.variants} variants, ${facts.split.holdout}% holdout`,
      });
  }
  return resolved;
}

/** "everyone else gets …" after "hold back 10% as a control group": the split's other side. */
export const REST_OF_SPLIT =
  /^(?:and |but )?(?:everyone else|everybody else|the rest|all the others|the others|all other|the remaining|the other)\b/;

/**
 * "Email buyers a cross-sell offer 3 days later. Keep 10% as a holdout.": the split wraps the last
 * message drafted, one variant per share, with the holdout receiving nothing.
 */
export function holdBack(steps: readonly PlanStep[], split: SplitMention, notes: string[]): void {
  const step = [...steps].reverse().find((entry) => entry.actions.some((action) => action.kind === "send"));
  const sends = step?.actions.filter(
    (action): action is Extract<PlanAction, { kind: "send" }> => action.kind === "send",
  );
  if (!step || !sends || sends.length !== 1 || split.variants !== 1) {
    notes.push(
      "The goal holds people back, but I found no single message to hold them back from; no split was drafted.",
    );
    return;
  }
  const [weight] = splitWeights(split);
  step.actions = step.actions.map((action) =>
    action === sends[0]
      ? { kind: "split", holdout: split.holdout, variants: [{ name: "A", weight: weight!, action }] }
      : action,
  );
}
