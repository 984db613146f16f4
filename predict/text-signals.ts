/**
 * Signals read from short customer-written text (chat messages, survey comments): sentiment,
 * frustration and a coarse intent. Deterministic and lexicon-based, so conditions such as
 * "if the customer sounds angry" work with no model; a workspace can inject a better classifier.
 */
export interface TextSignals {
  /** -1 (very negative) … 1 (very positive) */
  sentiment(text: string): number;
  /** 0 (calm) … 1 (furious) */
  frustration(text: string): number;
  /** a coarse label: complaint, cancel, refund, contact_human_agent, order_status, payment, praise, other */
  intent(text: string): string;
}

const NEGATIVE = [
  "angry",
  "furious",
  "annoyed",
  "annoying",
  "frustrated",
  "frustrating",
  "upset",
  "terrible",
  "horrible",
  "awful",
  "worst",
  "useless",
  "ridiculous",
  "unacceptable",
  "disappointed",
  "disappointing",
  "disgusted",
  "hate",
  "late",
  "broken",
  "never",
  "still",
  "again",
  "waste",
  "scam",
  "rude",
  "incompetent",
  "pathetic",
  "fed up",
  "sick of",
  "tired of",
  "not happy",
  "unhappy",
  "poor",
  "bad",
  "wrong",
  "problem",
  "issue",
  "complain",
  "complaint",
  "leaving",
  "cancel",
  "refund",
  "wütend",
  "ärgerlich",
  "schlecht",
  "enttäuscht",
];

const INTENSE = [
  "furious",
  "livid",
  "outraged",
  "unacceptable",
  "ridiculous",
  "fed up",
  "sick of",
  "fix it now",
  "third time",
  "again",
  "i'm leaving",
  "or i'm leaving",
  "worst",
  "pathetic",
  "incompetent",
  "scam",
  "lawyer",
  "never again",
  "wütend",
];

const POSITIVE = [
  "thanks",
  "thank you",
  "great",
  "awesome",
  "love",
  "perfect",
  "excellent",
  "amazing",
  "happy",
  "helpful",
  "solved",
  "resolved",
  "appreciate",
  "wonderful",
  "fantastic",
  "good",
  "nice",
  "danke",
  "super",
];

const NEGATORS = ["not", "never", "no", "don't", "didn't", "isn't", "wasn't", "can't", "won't"];

const INTENT_PATTERNS: Array<[string, RegExp]> = [
  [
    "contact_human_agent",
    /\b(human|real person|agent|representative|someone to talk|speak (to|with)|call me)\b/i,
  ],
  ["cancel", /\b(cancel|unsubscribe|close (my )?account|delete (my )?account|terminate)\b/i],
  ["refund", /\b(refund|money back|reimburse|chargeback)\b/i],
  ["payment", /\b(payment|card|charged|invoice|billing|declined)\b/i],
  ["order_status", /\b(where is|track|tracking|delivery|shipped|arrive|late)\b/i],
  ["complaint", /\b(complain|complaint|unacceptable|terrible|awful|worst|disappointed|furious|angry)\b/i],
  ["praise", /\b(thank|thanks|great|love|awesome|perfect|excellent|amazing)\b/i],
];

function phraseHits(text: string, phrases: readonly string[]): number {
  let hits = 0;
  for (const phrase of phrases) {
    const pattern = new RegExp(
      `(^|[^\\p{L}])${phrase.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\p{L}])`,
      "iu",
    );
    if (pattern.test(text)) hits++;
  }
  return hits;
}

function negatedPositives(text: string): number {
  let hits = 0;
  for (const negator of NEGATORS) {
    for (const positive of POSITIVE) {
      if (new RegExp(`\\b${negator}\\s+(\\w+\\s+)?${positive}\\b`, "i").test(text)) hits++;
    }
  }
  return hits;
}

export const defaultTextSignals: TextSignals = {
  sentiment(text) {
    const negated = negatedPositives(text);
    const positive = Math.max(0, phraseHits(text, POSITIVE) - negated);
    const negative = phraseHits(text, NEGATIVE) + negated + phraseHits(text, INTENSE);
    const exclamations = (text.match(/!/g) ?? []).length;
    const total = positive + negative;
    if (total === 0) return 0;
    const raw = (positive - negative) / (total + 1);
    const amplified = raw * (1 + Math.min(exclamations, 3) * 0.1);
    return Math.max(-1, Math.min(1, amplified));
  },
  frustration(text) {
    const intense = phraseHits(text, INTENSE);
    const negative = phraseHits(text, NEGATIVE) + negatedPositives(text);
    const positive = phraseHits(text, POSITIVE);
    const shouting = /[A-Z]{4,}/.test(text) ? 1 : 0;
    const exclamations = Math.min((text.match(/!/g) ?? []).length, 3);
    const score = intense * 0.3 + negative * 0.12 + shouting * 0.15 + exclamations * 0.05 - positive * 0.15;
    return Math.max(0, Math.min(1, score));
  },
  intent(text) {
    for (const [label, pattern] of INTENT_PATTERNS) if (pattern.test(text)) return label;
    return "other";
  },
};
