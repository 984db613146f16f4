import { OpenAIEmbeddings } from "@langchain/openai";
import { EMBEDDING_DIMENSIONS } from "../../db/schema-vector/memory.ts";

/**
 * Text → 512-dimensional vectors for semantic memory. With OpenAI configured, OpenAI's
 * `text-embedding-3-small` at `dimensions: 512`; otherwise a deterministic local hashing embedder.
 *
 * The hashing embedder ("hashing-v1") is feature hashing, not a language model: lower-cased words
 * (light suffix stripping), word bigrams and character trigrams are hashed (FNV-1a) into 512 signed
 * buckets and the vector is L2-normalised. Texts that share words and word pieces come out close
 * ("cart reminder SMS" ≈ "remind about the basket by text" only through "remind"); synonyms that
 * share nothing do not. It needs no network and gives the same vector for the same text on every
 * machine, which is what the demo, the tests and the offline mode need.
 *
 * Vectors of different embedders are not comparable: every stored item records its embedder and
 * search only compares items of the current one.
 */

export interface Embedder {
  /** recorded with every stored vector ("hashing-v1", "openai:text-embedding-3-small") */
  readonly name: string;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<number[][]>;
}

export const HASHING_EMBEDDER = "hashing-v1";
export const OPENAI_EMBEDDING_MODEL = "text-embedding-3-small";

const STOPWORDS = new Set(
  "a an and are as at be by for from has have if in into is it its of on or that the their them then they this to was were when which who will with".split(
    " ",
  ),
);

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function stem(word: string): string {
  if (word.length > 5 && word.endsWith("ing")) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith("ed")) return word.slice(0, -2);
  if (word.length > 4 && word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

export function hashingFeatures(text: string): Map<string, number> {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((word) => !STOPWORDS.has(word))
    .map(stem);
  const features = new Map<string, number>();
  const add = (feature: string, weight: number) =>
    features.set(feature, (features.get(feature) ?? 0) + weight);
  for (const [index, word] of words.entries()) {
    add(`w:${word}`, 1);
    if (index > 0) add(`b:${words[index - 1]} ${word}`, 0.5);
    const padded = `^${word}$`;
    for (let start = 0; start + 3 <= padded.length; start++) add(`c:${padded.slice(start, start + 3)}`, 0.25);
  }
  return features;
}

export class HashingEmbedder implements Embedder {
  readonly name = HASHING_EMBEDDER;
  readonly dimensions = EMBEDDING_DIMENSIONS;

  embedOne(text: string): number[] {
    const vector = new Array<number>(this.dimensions).fill(0);
    for (const [feature, weight] of hashingFeatures(text)) {
      const hash = fnv1a(feature);
      const sign = hash & 0x80000000 ? -1 : 1;
      vector[hash % this.dimensions]! += sign * weight;
    }
    const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
    // An empty text still needs a direction: cosine distance to a zero vector is undefined.
    if (norm === 0) {
      vector[0] = 1;
      return vector;
    }
    return vector.map((value) => value / norm);
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((text) => this.embedOne(text));
  }
}

export class OpenAIEmbedder implements Embedder {
  readonly name = `openai:${OPENAI_EMBEDDING_MODEL}`;
  readonly dimensions = EMBEDDING_DIMENSIONS;
  private readonly client: OpenAIEmbeddings;

  constructor(settings: { apiKey?: string | undefined; baseUrl?: string | undefined; timeoutMs?: number }) {
    this.client = new OpenAIEmbeddings({
      model: OPENAI_EMBEDDING_MODEL,
      dimensions: EMBEDDING_DIMENSIONS,
      apiKey: settings.apiKey ?? "ollama",
      configuration: settings.baseUrl ? { baseURL: settings.baseUrl } : {},
      timeout: settings.timeoutMs ?? 30_000,
      maxRetries: 2,
    });
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    return this.client.embedDocuments([...texts]);
  }
}

export interface EmbedderSettings {
  OPENAI_API_KEY?: string | undefined;
  OPENAI_BASE_URL?: string | undefined;
  /** "openai" or "hashing"; default: openai when OPENAI_API_KEY is set for OpenAI itself (no base URL) */
  OVERTURE_EMBEDDINGS?: "openai" | "hashing" | undefined;
}

export function createEmbedder(settings: EmbedderSettings): Embedder {
  const choice =
    settings.OVERTURE_EMBEDDINGS ??
    (settings.OPENAI_API_KEY && !settings.OPENAI_BASE_URL ? "openai" : "hashing");
  if (choice === "openai") {
    return new OpenAIEmbedder({ apiKey: settings.OPENAI_API_KEY, baseUrl: settings.OPENAI_BASE_URL });
  }
  return new HashingEmbedder();
}
