import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Reading } from "./deobfuscate.ts";
import { alternativeReadings } from "./deobfuscate.ts";
import { vectorize } from "./features.ts";
import type { LogisticModel, SerializedModel } from "./logistic.ts";
import { deserialize, score } from "./logistic.ts";
import { normalizeForScreening } from "./normalize.ts";
import type { SignatureHit } from "./signatures.ts";
import { matchSignatures } from "./signatures.ts";

/**
 * Prompt-injection screening of customer-supplied text (chat messages, survey comments, CRM
 * fields) before it reaches any model. Two independent parts:
 *   - strong signatures (signatures.ts): one hit flags, whatever the model says;
 *   - a logistic regression over hashed word and character n-grams plus the signature hits,
 *     trained from the shared labelled file by `npm run guard -- train` (weights committed in
 *     model-weights.json, so screening needs nothing outside the project).
 * flagged = a strong signature hit, or model probability ≥ threshold (0.4, chosen for recall: a
 * false flag only quarantines a message more tightly, a miss lets an attack through).
 * Both parts also read the text's de-obfuscated readings (deobfuscate.ts); the model skips the
 * reversed one, whose character n-grams mean nothing to it.
 */
export interface ScreenResult {
  flagged: boolean;
  /** 0 … 1: the model's probability, raised to at least 0.9 by a strong signature */
  score: number;
  /** why: "signature:<id> (<description>)" and "model:<probability>" */
  reasons: string[];
}

export interface Detector {
  screen(text: string): ScreenResult;
}

export const DEFAULT_THRESHOLD = 0.4;
const STRONG_FLOOR = 0.9;
/** the model reads at most this much of a text (signatures read all of it) */
const MAX_MODEL_CHARS = 20_000;

export function createDetector(model: LogisticModel | null, threshold = DEFAULT_THRESHOLD): Detector {
  return {
    screen(text: string): ScreenResult {
      const normalized = normalizeForScreening(text);
      const readings = alternativeReadings(text, normalized);
      const strong = strongHits(normalized, readings);
      const probability = model
        ? Math.max(
            modelProbability(model, normalized),
            ...readings
              .filter((reading) => reading.kind !== "reversed")
              .map((reading) => modelProbability(model, reading.text)),
          )
        : 0;
      const reasons = strong.map((hit) => `signature:${hit.id} (${hit.description})`);
      if (model && probability >= threshold) reasons.push(`model:${probability.toFixed(3)}`);
      const value = strong.length > 0 ? Math.max(probability, STRONG_FLOOR) : probability;
      return {
        flagged: strong.length > 0 || (model !== null && probability >= threshold),
        score: round(value),
        reasons,
      };
    },
  };
}

const READING_NOTE: Record<Reading["kind"], string> = {
  unobfuscated: "once leetspeak and split words are undone",
  reversed: "read backwards",
  base64: "in a base64 payload",
};

/** Strong hits on the text itself, then those only its readings show (each signature once). */
function strongHits(normalized: string, readings: readonly Reading[]): SignatureHit[] {
  const hits = matchSignatures(normalized).filter((hit) => hit.strength === "strong");
  const seen = new Set(hits.map((hit) => hit.id));
  for (const reading of readings) {
    for (const hit of matchSignatures(reading.text)) {
      if (hit.strength !== "strong" || seen.has(hit.id)) continue;
      seen.add(hit.id);
      hits.push({ ...hit, description: `${hit.description}, ${READING_NOTE[reading.kind]}` });
    }
  }
  return hits;
}

/**
 * The highest probability over the whole text and each of its sentences: injections are often a
 * benign question with the attack appended, and the benign part would otherwise dilute it.
 */
export function modelProbability(model: LogisticModel, normalized: string): number {
  const bounded = normalized.slice(0, MAX_MODEL_CHARS);
  const sentences = splitSentences(bounded);
  const parts = sentences.length > 1 ? [bounded, ...sentences] : [bounded];
  return Math.max(...parts.map((part) => score(model, vectorize(part, matchSignatures(part)))));
}

export function splitSentences(normalized: string): string[] {
  return normalized
    .split(/(?<=[.!?:])\s+|\n+/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .slice(0, 50);
}

const round = (value: number) => Math.round(value * 1000) / 1000;

export const SerializedModelSchema = z.object({
  format: z.literal("overture-injection-logreg-v2"),
  featureBits: z.number().int(),
  bias: z.number(),
  count: z.number().int().min(0),
  indices: z.string(),
  weights: z.string(),
  trainedOn: z.object({ file: z.string(), rows: z.number(), positives: z.number(), sha256: z.string() }),
  options: z.object({ l2: z.number(), epochs: z.number(), learningRate: z.number(), momentum: z.number() }),
});

export const WEIGHTS_URL = new URL("./model-weights.json", import.meta.url);

export function loadSerializedModel(path: string | URL = WEIGHTS_URL): SerializedModel {
  const parsed = SerializedModelSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    throw new Error(
      `injection model weights at ${String(path)} are malformed: ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}

let shipped: Detector | null = null;

/** The shipped detector (signatures + committed weights), loaded once. */
export function shippedDetector(): Detector {
  shipped ??= createDetector(deserialize(loadSerializedModel()));
  return shipped;
}

/** Screens one piece of customer-supplied text with the shipped detector. */
export function screenText(text: string): ScreenResult {
  return shippedDetector().screen(text);
}
