/**
 * Time expressions in a normalised sentence: delays ("2 days later", "after 30 minutes"),
 * anchored delays ("24 hours after the sms", "1 week after the return"), deadlines ("within
 * 5 minutes", "within 14 days of placing an order"), "right away" / "the same day", offsets before a
 * date ("3 days before their trial ends") and local times of day ("at 9am").
 *
 * Recognisers return spans; what the anchor names (an event, a channel, a date property) is
 * decided later by the sentence analysis, which knows the other mentions.
 */

import { formatDuration } from "../../journeys/format/duration.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type TimeAnchor =
  /** relative to the previous step of the journey */
  | { kind: "previous" }
  /** relative to entry ("on day 3") */
  | { kind: "entry" }
  /** relative to an earlier message on this channel ("24 hours after the sms") */
  | { kind: "channel"; channel: string }
  /** relative to whatever the text at `offset` names (usually an event: "after their order ships") */
  | { kind: "mention"; offset: number };

export type TimeExpression =
  | { kind: "immediate"; start: number; end: number; text: string }
  | {
      kind: "delay";
      ms: number;
      months: number;
      anchor: TimeAnchor;
      /** "3 days after," with nothing after it: after whatever the goal last measured from */
      elliptical?: boolean;
      start: number;
      end: number;
      text: string;
    }
  /** "within D": immediately for an action, a deadline for something awaited */
  | {
      kind: "within";
      ms: number;
      months: number;
      anchor: TimeAnchor;
      start: number;
      end: number;
      text: string;
    }
  /** "D before <date>": the date is named by the text at `offset` */
  | { kind: "before"; ms: number; months: number; offset: number; start: number; end: number; text: string }
  /** "every day (up to 3 times)": the step repeats at this interval */
  | {
      kind: "repeat";
      ms: number;
      months: number;
      times: number | null;
      start: number;
      end: number;
      text: string;
    }
  /** "at 9am", "in the morning": the next time the customer's clock shows HH:MM */
  | { kind: "time_of_day"; time: string; dayOffset: number; start: number; end: number; text: string };

const NUMBER = "(\\d+(?:\\.\\d+)?)";
const UNIT = "(minutes?|hours?|days?|weeks?|months?)";

export function unitMs(amount: number, unit: string): { ms: number; months: number } {
  const base = unit.replace(/s$/, "");
  switch (base) {
    case "minute":
      return { ms: amount * MINUTE, months: 0 };
    case "hour":
      return { ms: amount * HOUR, months: 0 };
    case "day":
      return { ms: amount * DAY, months: 0 };
    case "week":
      return { ms: amount * 7 * DAY, months: 0 };
    case "month":
      return { ms: amount * 30 * DAY, months: amount };
    default:
      return { ms: 0, months: 0 };
  }
}

/** An ISO 8601 duration for a delay; months stay calendar months. */
export function isoDuration(ms: number, months = 0): string {
  if (months > 0 && ms === months * 30 * DAY) return `P${months}M`;
  // whole seconds: no phrase names less
  return formatDuration(Math.round(ms / 1000) * 1000);
}

/** "2 days", "30 minutes", "1 week" for explanations. */
export function humanDuration(ms: number, months = 0): string {
  if (months > 0) return `${months} month${months === 1 ? "" : "s"}`;
  const plural = (value: number, unit: string) => `${value} ${unit}${value === 1 ? "" : "s"}`;
  if (ms === 0) return "no time";
  if (ms % (7 * DAY) === 0 && ms >= 7 * DAY) return plural(ms / (7 * DAY), "week");
  if (ms % DAY === 0) return plural(ms / DAY, "day");
  if (ms % HOUR === 0) return plural(ms / HOUR, "hour");
  if (ms % MINUTE === 0) return plural(ms / MINUTE, "minute");
  return `${Math.round(ms / 1000)} seconds`;
}

const CHANNEL_ANCHOR =
  /^(?:the |their |his |her |that |this |our |an? |1st |first )?(?:(?:first|initial|reminder|welcome|last) )?(email|sms|text(?: message)?|push(?: notification)?|in-app(?: message)?|chat message|message|reminder|call|hand-?off|task)\b/;

/** What "after …" refers to, and how many characters of the sentence that reference takes. */
function anchorAfter(sentence: string, offset: number): { anchor: TimeAnchor; length: number } {
  const rest = sentence.slice(offset);
  const pronoun = /^(?:that|this|it|then)\b/.exec(rest);
  if (pronoun) return { anchor: { kind: "previous" }, length: pronoun[0].length };
  const channel = CHANNEL_ANCHOR.exec(rest);
  if (channel) {
    const word = channel[1]!;
    const name = /^(sms|text)/.test(word)
      ? "sms"
      : word.startsWith("push")
        ? "push"
        : word.startsWith("in-app")
          ? "in_app"
          : word.startsWith("chat")
            ? "chat"
            : /^(call|hand|task)/.test(word)
              ? "handoff"
              : /^(message|reminder)$/.test(word)
                ? "any"
                : "email";
    return { anchor: { kind: "channel", channel: name }, length: channel[0].length };
  }
  return { anchor: { kind: "mention", offset }, length: 0 };
}

function timeOfDay(hour: number, minute: number, meridiem: string | undefined): string | null {
  let h = hour;
  if (meridiem === "pm" && h < 12) h += 12;
  if (meridiem === "am" && h === 12) h = 0;
  if (h > 23 || minute > 59) return null;
  return `${String(h).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

/** Finds every time expression, longest-first, without overlaps. */
export function findTimeExpressions(sentence: string): TimeExpression[] {
  const found: TimeExpression[] = [];
  const taken: Array<[number, number]> = [];
  const free = (start: number, end: number) => taken.every(([s, e]) => end <= s || start >= e);
  const add = (expression: TimeExpression) => {
    if (!free(expression.start, expression.end)) return;
    taken.push([expression.start, expression.end]);
    found.push(expression);
  };
  const each = (pattern: RegExp, build: (match: RegExpExecArray) => TimeExpression | null) => {
    for (const match of sentence.matchAll(pattern)) {
      const expression = build(match as RegExpExecArray);
      if (expression) add(expression);
    }
  };
  const span = (match: RegExpExecArray) => ({
    start: match.index,
    end: match.index + match[0].length,
    text: match[0],
  });
  const spanWith = (match: RegExpExecArray, extra: number) => ({
    start: match.index,
    end: match.index + match[0].length + extra,
    text: sentence.slice(match.index, match.index + match[0].length + extra),
  });

  // "within 14 days of placing an order", "within 24 hours after signing up"
  each(new RegExp(`\\bwithin ${NUMBER} ${UNIT} (?:of|after|from) `, "g"), (match) => {
    const { ms, months } = unitMs(Number(match[1]), match[2]!);
    const { anchor, length } = anchorAfter(sentence, match.index + match[0].length);
    return { kind: "within", ms, months, anchor, ...spanWith(match, length) };
  });
  each(new RegExp(`\\bwithin (?:${NUMBER} )?${UNIT}\\b`, "g"), (match) => {
    const { ms, months } = unitMs(Number(match[1] ?? 1), match[2]!);
    return { kind: "within", ms, months, anchor: { kind: "previous" }, ...span(match) };
  });
  each(/\bwithin (?:the|1|one) (hour|day|week)\b/g, (match) => {
    const { ms, months } = unitMs(1, match[1]!);
    return { kind: "within", ms, months, anchor: { kind: "previous" }, ...span(match) };
  });
  // "3 days before their trial ends", "the day before departure"
  each(new RegExp(`\\b${NUMBER} ${UNIT} (?:before|prior to)\\b ?`, "g"), (match) => {
    const { ms, months } = unitMs(Number(match[1]), match[2]!);
    return { kind: "before", ms, months, offset: match.index + match[0].length, ...span(match) };
  });
  each(/\b(?:on )?the (day|week|morning|evening) before\b ?/g, (match) => {
    const { ms, months } = unitMs(1, match[1] === "week" ? "week" : "day");
    return { kind: "before", ms, months, offset: match.index + match[0].length, ...span(match) };
  });
  each(/\b(?:on|at) the (?:day|moment|time) (?:that |when |of )?(?=\w)/g, (match) => ({
    kind: "before",
    ms: 0,
    months: 0,
    offset: match.index + match[0].length,
    ...span(match),
  }));
  // "24 hours after the sms", "1 week after the return", "30 minutes after an order ships"
  each(new RegExp(`\\b${NUMBER} ${UNIT} (?:after|following|since) `, "g"), (match) => {
    const { ms, months } = unitMs(Number(match[1]), match[2]!);
    const { anchor, length } = anchorAfter(sentence, match.index + match[0].length);
    return { kind: "delay", ms, months, anchor, ...spanWith(match, length) };
  });
  each(/\bthe (day|week) after (?=\w)/g, (match) => {
    const { ms, months } = unitMs(1, match[1]!);
    const { anchor, length } = anchorAfter(sentence, match.index + match[0].length);
    return { kind: "delay", ms, months, anchor, ...spanWith(match, length) };
  });
  each(
    new RegExp(
      `\\b${NUMBER} ${UNIT} (?:later|afterwards?|on|thereafter|from now|from then|after that|after this|after)\\b`,
      "g",
    ),
    (match) => {
      const { ms, months } = unitMs(Number(match[1]), match[2]!);
      return { kind: "delay", ms, months, anchor: { kind: "previous" }, ...span(match) };
    },
  );
  each(
    new RegExp(
      `\\b(?:after|wait(?:ing)?(?: for)?|in|then|for)(?: another| a further| an additional)? ${NUMBER} (?:more |further |additional |another |an additional )?${UNIT}\\b(?! (?:of|before|after))`,
      "g",
    ),
    (match) => {
      const { ms, months } = unitMs(Number(match[1]), match[2]!);
      return { kind: "delay", ms, months, anchor: { kind: "previous" }, ...span(match) };
    },
  );
  // "3 days into a trial", "a week into their subscription": counted from the start of that thing.
  each(new RegExp(`\\b${NUMBER} ${UNIT} into (?=\\w)`, "g"), (match) => {
    const { ms, months } = unitMs(Number(match[1]), match[2]!);
    return { kind: "delay", ms, months, anchor: { kind: "entry" }, ...span(match) };
  });
  // "push 3 days in if they haven't opened the app": as far into the journey as that.
  each(
    new RegExp(`\\b${NUMBER} ${UNIT} in\\b(?= *(?:$|[,;]|if\\b|unless\\b|when\\b|but\\b|and\\b))`, "g"),
    (match) => {
      const { ms, months } = unitMs(Number(match[1]), match[2]!);
      return { kind: "delay", ms, months, anchor: { kind: "entry" }, ...span(match) };
    },
  );
  each(/\bon day (\d+)\b/g, (match) => {
    const { ms, months } = unitMs(Number(match[1]), "day");
    return { kind: "delay", ms, months, anchor: { kind: "entry" }, ...span(match) };
  });
  // "every day until they pay (up to 3 times)", "daily": a repeated step.
  const limit =
    /\b(?:up to|at most|no more than|a maximum of|max(?:imum)?(?: of)?) (\d+) (?:times|reminders|messages|emails|texts|pushes|notifications)\b|\b(\d+) (?:times|reminders) (?:at most|max(?:imum)?)\b/.exec(
      sentence,
    );
  each(
    new RegExp(`\\bevery (?:${NUMBER} )?${UNIT.replace("(", "(?:")}\\b|\\b(daily|weekly)\\b`, "g"),
    (match) => {
      const unit = match[2] ? "day" : match[0].replace(/^every (?:[\d.]+ )?/, "");
      const amount = match[1] ? Number(match[1]) : 1;
      const { ms, months } = match[2] === "weekly" ? unitMs(1, "week") : unitMs(amount, unit);
      return {
        kind: "repeat",
        ms,
        months,
        times: limit ? Number(limit[1] ?? limit[2]) : null,
        ...span(match),
      };
    },
  );
  each(/\b(?:the )?next (day|week|month)\b|\bthe day after\b(?! \w)/g, (match) => {
    const unit = match[1] ?? "day";
    const { ms, months } = unitMs(1, unit);
    return { kind: "delay", ms, months, anchor: { kind: "previous" }, ...span(match) };
  });
  each(
    /\b(?:right away|straight away|immediately|instantly|at once|right now|asap|as soon as possible|without delay|on the spot|in real time|real-time|(?:on )?(?:that |the )?same[- ]day|then and there|promptly)\b/g,
    (match) => ({ kind: "immediate", ...span(match) }),
  );
  // "email them now and text them 2 days later": a bare "now" after what we do is its moment;
  // "from now", "by now", "is now", "now that" and "every now and then" are not.
  each(
    /(?<!\b(?:from|by|until|till|up to|for|just|right|is|are|was|were|has|have|had|it's|they're|every|\d+ \w+) )\bnow\b(?! (?:that|on|and then|and again|or never)\b)/g,
    (match) => ({ kind: "immediate", ...span(match) }),
  );
  // Local times of day: only when the goal names one ("at 9am", "at 18:30", "in the morning").
  each(/\bat (\d{1,2})(?::(\d{2}))?\s*(am|pm|o'clock|h\b)/g, (match) => {
    const time = timeOfDay(Number(match[1]), Number(match[2] ?? 0), match[3]);
    return time ? { kind: "time_of_day", time, dayOffset: 0, ...span(match) } : null;
  });
  each(/\bat (\d{1,2}):(\d{2})\b/g, (match) => {
    const time = timeOfDay(Number(match[1]), Number(match[2]), undefined);
    return time ? { kind: "time_of_day", time, dayOffset: 0, ...span(match) } : null;
  });
  each(/\b(?:at noon|at midday|at lunchtime)\b/g, (match) => ({
    kind: "time_of_day",
    time: "12:00",
    dayOffset: 0,
    ...span(match),
  }));
  each(/\b(?:(the )?next|in the|the following) (morning|evening|afternoon)\b/g, (match) => ({
    kind: "time_of_day",
    time: match[2] === "morning" ? "09:00" : match[2] === "afternoon" ? "14:00" : "18:00",
    dayOffset: match[0].startsWith("in the") ? 0 : 1,
    ...span(match),
  }));
  found.sort((a, b) => a.start - b.start);
  // "a day after the view, an email; 3 days after, an email with 5% off": a bare "after" keeps
  // the anchor the sentence last named, as a list of offsets from one moment does.
  for (const [position, expression] of found.entries()) {
    if (expression.kind !== "delay" || !/\bafter$/.test(expression.text)) continue;
    if (!/^\s*(?:$|[,;:-])/.test(sentence.slice(expression.end))) continue;
    expression.elliptical = true;
    const named = found
      .slice(0, position)
      .reverse()
      .find((other) => other.kind === "delay" && other.anchor.kind !== "previous");
    if (named?.kind === "delay") expression.anchor = named.anchor;
  }
  return found;
}

/** "give them 3 days to upload …", "they have 48 hours to pay": time given to the customer for what follows "to". */
export interface TimeWindow {
  ms: number;
  months: number;
  start: number;
  /** where "to " ends: the awaited verb starts here */
  end: number;
  text: string;
}

// The window's verb and its length come before "to"; nothing between may end the clause, and an
// anchor may sit between them ("3 days after starting their application to upload …").
const WINDOW = new RegExp(
  `\\b(?:give|gives|giving|given|allow|allows|allowing|allowed|leave|leaves|have|has|get|gets|grant|grants)\\s+(?:[a-z'-]+\\s+){0,3}?(?:up to\\s+|at most\\s+)?${NUMBER} ${UNIT}\\b(?:[^,;:]*?\\s)?to\\s+(?=[a-z])`,
  "g",
);

export function findWindow(sentence: string): TimeWindow | null {
  for (const match of sentence.matchAll(WINDOW)) {
    // "have 2 days to go before the trial ends" gives nothing to do; the caller checks that an
    // event follows, this only refuses what is plainly no customer action.
    if (/^(?:go|spare|wait)\b/.test(sentence.slice(match.index + match[0].length))) continue;
    return {
      ...unitMs(Number(match[1]), match[2]!),
      start: match.index,
      end: match.index + match[0].length,
      text: match[0],
    };
  }
  return null;
}
