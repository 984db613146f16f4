/**
 * Shares of the audience as said in a goal: "40% get 10% off, another 40% get 15% off, and the
 * remaining 20% are a control group", "half of them get an SMS, the other half an email", "hold
 * back 10% of buyers". A share is a percentage (or "half") of people — never an offer ("10% off") —
 * and what its words up to the next share say is what those people get. A share whose words say
 * they get nothing (control, holdout, "no message") is a holdout.
 */

export interface ShareMention {
  weight: number;
  holdout: boolean;
  /** "the rest", "everyone else": whatever the stated shares leave */
  rest: boolean;
  start: number;
  /** end of the share's own words ("40%", "the other half") */
  end: number;
  /** end of what is said for this share: the next share's start, or the end of the sentence */
  spanEnd: number;
}

/** Words before a percentage that make it a share of people ("another 40%", "hold back 10%"). */
const SHARE_BEFORE =
  /\b(?:another|the remaining|the other|remaining|other|a further|the last|the final|hold back|holding back|hold out|holding out|keep back|keep|keeping|set aside|exclude|randomly pick|pick)\s+$/;
/** Words right after a share: "of them", "of buyers", then what they do or are. */
const SHARE_AFTER =
  /^\s+(?:of\s+(?:the\s+|our\s+|all\s+|those\s+|these\s+)?(?:[a-z-]+\s+){0,2}?[a-z-]+\s+)?(?:get|gets|receive|receives|see|sees|are|is|go|goes|will|should|stay|stays|remain|remains|form|forms|become|becomes|hear|act|serve|as)\b/;
/** Setting people aside: they get nothing. */
const HELD_BACK = /\b(?:hold back|holding back|hold out|holding out|keep back|set aside|exclude)\s+$/;
const NOTHING =
  /\b(?:control|holdout|hold-out|hold out|nothing|no (?:message|messages|email|emails|sms|text|texts|push|pushes|contact)|not contacted|left alone)\b/;
const REST =
  /\b(?:the rest|everyone else|everybody else|all the others|the others|the remainder|all other (?:customers|people|users|buyers|shoppers))\b/g;

/** Is the percentage at [start, end) a share of people rather than an amount? */
export function isShareAt(sentence: string, start: number, end: number): boolean {
  const after = sentence.slice(end);
  if (/^\s*off\b/.test(after)) return false;
  return SHARE_BEFORE.test(sentence.slice(Math.max(0, start - 30), start)) || SHARE_AFTER.test(after);
}

/** An audience said to be split in two ("into two groups", "in two", "two halves"). */
const TWO_GROUPS =
  /\b(?:two|2) (?:groups|halves|cohorts|buckets|sets)\b|\b(?:split|divide|separate)\b[^.;]{0,40}\bin(?:to)? (?:two|2)\b/;
/** The groups of such a split: "one (group)", "the other (group / one)", "the first/second group". */
const GROUP_OF_TWO =
  /\b(?:(?<!the )one(?: group| half| of them)?|the other(?: group| one| half)?|the (?:first|second) (?:group|half)|group (?:a|b|1|2))\b/g;

export function findShares(sentence: string): ShareMention[] {
  const found: Array<Omit<ShareMention, "holdout" | "spanEnd"> & { held: boolean }> = [];
  for (const match of sentence.matchAll(/(?<![\d/.])(\d{1,2}(?:\.\d+)?)%/g)) {
    const end = match.index + match[0].length;
    if (!isShareAt(sentence, match.index, end)) continue;
    found.push({
      weight: Number(match[1]),
      rest: false,
      start: match.index,
      end,
      held: HELD_BACK.test(sentence.slice(Math.max(0, match.index - 20), match.index)),
    });
  }
  // "half of them get an SMS, the other half an email": "half" said of people, not "half an hour".
  for (const match of sentence.matchAll(/\b(?:(the other |another |other )half|half)\b/g)) {
    const end = match.index + match[0].length;
    if (!match[1] && !SHARE_AFTER.test(sentence.slice(end))) continue;
    found.push({ weight: 50, rest: false, start: match.index, end, held: false });
  }
  // "split them into two groups: one gets a tips email, the other gets nothing": two groups said
  // as "one" and "the other", each half of the audience.
  if (TWO_GROUPS.test(sentence)) {
    for (const match of sentence.matchAll(GROUP_OF_TWO)) {
      const end = match.index + match[0].length;
      if (!SHARE_AFTER.test(sentence.slice(end)) && !/^\s*(?:nothing|no\b|a |an )/.test(sentence.slice(end)))
        continue;
      if (found.some((share) => share.start < end && match.index < share.end)) continue;
      found.push({ weight: 50, rest: false, start: match.index, end, held: false });
    }
  }
  if (found.length === 0) return [];
  const stated = found.reduce((sum, share) => sum + share.weight, 0);
  for (const match of sentence.matchAll(REST)) {
    if (stated >= 100 || found.some((share) => share.start <= match.index && match.index < share.end))
      continue;
    found.push({
      weight: Math.round((100 - stated) * 100) / 100,
      rest: true,
      start: match.index,
      end: match.index + match[0].length,
      held: false,
    });
    break;
  }
  found.sort((a, b) => a.start - b.start);
  return found.map(({ held, ...share }, index) => {
    const spanEnd = found[index + 1]?.start ?? sentence.length;
    return { ...share, holdout: held || NOTHING.test(sentence.slice(share.end, spanEnd)), spanEnd };
  });
}
