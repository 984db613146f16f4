import { words } from "./normalize.ts";
import type { SignatureHit } from "./signatures.ts";

/**
 * Hashed bag-of-n-grams features: word unigrams and bigrams and character 3–5-grams inside words
 * (robust to German compounds, inflection and typos), plus the signature hits. Each distinct
 * n-gram counts once and the n-gram block is L2-normalised, so long texts do not score higher
 * just for being long.
 */
export const FEATURE_BITS = 18;
const DIMENSIONS = 1 << FEATURE_BITS;

/** FNV-1a, 32 bit: stable across runs and platforms, so trained weights stay valid. */
export function hashFeature(feature: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < feature.length; index++) {
    hash ^= feature.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & (DIMENSIONS - 1);
}

export interface SparseVector {
  indices: Uint32Array;
  values: Float64Array;
}

/** N-gram feature names of normalised text (signature hits are added separately by `vectorize`). */
export function ngramFeatures(normalized: string): Set<string> {
  const tokens = words(normalized);
  const names = new Set<string>();
  for (const [index, token] of tokens.entries()) {
    names.add(`w:${token}`);
    const next = tokens[index + 1];
    if (next !== undefined) names.add(`b:${token} ${next}`);
    const padded = `<${token}>`;
    for (let size = 3; size <= 5; size++) {
      for (let start = 0; start + size <= padded.length; start++)
        names.add(`c:${padded.slice(start, start + size)}`);
    }
  }
  return names;
}

/**
 * The n-gram block is L2-normalised; each signature hit is one extra feature of value 1, so a
 * signature weighs the same in a long text as in a short one.
 */
export function vectorize(normalized: string, hits: readonly SignatureHit[]): SparseVector {
  const values = new Map<number, number>();
  const ngrams = new Set([...ngramFeatures(normalized)].map(hashFeature));
  const norm = ngrams.size > 0 ? 1 / Math.sqrt(ngrams.size) : 0;
  for (const index of ngrams) values.set(index, norm);
  for (const hit of hits) {
    const index = hashFeature(`s:${hit.id}`);
    values.set(index, (values.get(index) ?? 0) + 1);
  }
  const indices = Uint32Array.from([...values.keys()].sort((a, b) => a - b));
  return { indices, values: Float64Array.from(indices, (index) => values.get(index)!) };
}
