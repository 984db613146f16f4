import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { Condition } from "../../journeys/format/condition.ts";
import { tokenize } from "./text.ts";

/**
 * A score trait said as a level instead of a number: "a customer with a high churn risk", "low
 * purchase propensity", "likely to churn", "at risk of churning". Dropping such a phrase would send
 * the offer to everyone; a number the goal never gave must not be hidden either, so each reading
 * carries a note that states the threshold, for the reviewer to confirm or change.
 *
 * Thresholds are only defaults for scores on 0–1 (the catalog says `0..1`), where they have a
 * meaning without knowing the model: high ≥ 0.7 (the demo workspace's "High churn risk" segment
 * uses the same cut-off), very high ≥ 0.9, low ≤ 0.3, very low ≤ 0.1. A trait on another scale
 * ("lifetime value") has no default level and is left to the unplaced-condition check.
 */

export interface ScoreLevelMention {
  trait: string;
  condition: Condition;
  start: number;
  end: number;
  /** the words as written, for the note and the explanation */
  text: string;
  note: string;
}

type Level = "high" | "very high" | "low" | "very low";

const THRESHOLDS: Record<Level, { op: "gte" | "lte"; value: number }> = {
  high: { op: "gte", value: 0.7 },
  "very high": { op: "gte", value: 0.9 },
  low: { op: "lte", value: 0.3 },
  "very low": { op: "lte", value: 0.1 },
};

const INTENSIFIER = "(?:(very|really|extremely|particularly) )?";
const HIGH = "high|higher|elevated|increased|strong|big|significant|serious";
const LOW = "low|lower|reduced|weak|small|minimal";
/** Words that may follow a trait's own words without naming another field ("churn risk score"). */
const GENERIC = new Set(["score", "risk", "level", "probabil", "likelihood", "chanc", "rate", "model"]);
/** What a verb of the customer's future says about: "likely to churn" is the churn score. */
const VERB_CONCEPTS: Array<{ verbs: RegExp; words: string[] }> = [
  { verbs: /^(?:churn\w*|leav\w*|cancel\w*|quit\w*)$/, words: ["churn"] },
  { verbs: /^(?:buy\w*|purchas\w*|order\w*|convert\w*)$/, words: ["purchas", "propens"] },
];

function isUnitScore(type: string): boolean {
  return /\b0\s*(?:\.\.|-|–|to)\s*1\b|probabilit/i.test(type);
}

function stems(text: string): string[] {
  return tokenize(text).map((token) => token.stem);
}

function level(intensifier: string | undefined, high: boolean): Level {
  const very = intensifier !== undefined;
  if (high) return very ? "very high" : "high";
  return very ? "very low" : "low";
}

function mention(trait: string, said: Level, text: string, start: number): ScoreLevelMention {
  const { op, value } = THRESHOLDS[said];
  return {
    trait,
    condition: { field: `traits.${trait}`, op, value },
    start,
    end: start + text.length,
    text,
    note: `"${text}" is read as ${trait} ${op === "gte" ? "≥" : "≤"} ${value}, the default for "${said}" on a 0–1 score; change the threshold if your model calls for another.`,
  };
}

/** Every score trait of the workspace said as a level, one reading per phrase. */
export function findScoreLevels(sentence: string, catalog: WorkspaceCatalog): ScoreLevelMention[] {
  const traits = Object.entries(catalog.traits)
    .filter(([, type]) => isUnitScore(type))
    .map(([name]) => ({ name, own: name.split("_").flatMap((part) => stems(part)) }));
  if (traits.length === 0) return [];
  const found: ScoreLevelMention[] = [];
  const free = (start: number, end: number) =>
    found.every((other) => end <= other.start || start >= other.end);

  // "a high churn risk", "very low purchase propensity", "an elevated churn-risk score"
  const adjective = new RegExp(`\\b${INTENSIFIER}(${HIGH}|${LOW})[ -]((?:[a-z]+[ -]){0,2}[a-z]+)`, "g");
  for (const match of sentence.matchAll(adjective)) {
    const words = match[3]!.split(/[ -]/);
    // the longest run of words after the adjective that names one trait and nothing else
    for (let count = words.length; count >= 1; count--) {
      const run = words.slice(0, count);
      const runStems = run.flatMap((word) => stems(word));
      const trait = traits.find(
        (candidate) =>
          runStems.some((word) => candidate.own.includes(word)) &&
          runStems.every((word) => candidate.own.includes(word) || GENERIC.has(word)),
      );
      if (!trait) continue;
      const lead = match[0].length - match[3]!.length;
      const text = sentence.slice(match.index, match.index + lead + run.join(" ").length);
      if (free(match.index, match.index + text.length))
        found.push(
          mention(
            trait.name,
            level(match[1], new RegExp(`^(?:${HIGH})$`).test(match[2]!)),
            text,
            match.index,
          ),
        );
      break;
    }
  }

  // "likely to churn", "unlikely to buy", "at risk of churning", "a high chance of leaving"
  const verbal = new RegExp(
    `\\b(?:${INTENSIFIER}(un)?likely to|at (?:(high|low) )?risk of|(?:a |an )?${INTENSIFIER}(${HIGH}|${LOW}) (?:risk|chance|likelihood|probability) of) ([a-z]+)`,
    "g",
  );
  for (const match of sentence.matchAll(verbal)) {
    const verb = match[6]!;
    const concept = VERB_CONCEPTS.find((entry) => entry.verbs.test(verb));
    if (!concept) continue;
    const trait = traits.find((candidate) => candidate.own.some((word) => concept.words.includes(word)));
    if (!trait) continue;
    const high = match[2]
      ? false
      : match[3]
        ? match[3] === "high"
        : match[5]
          ? new RegExp(`^(?:${HIGH})$`).test(match[5])
          : true;
    const text = match[0];
    if (free(match.index, match.index + text.length))
      found.push(mention(trait.name, level(match[1] ?? match[4], high), text, match.index));
  }
  return found.sort((a, b) => a.start - b.start);
}
