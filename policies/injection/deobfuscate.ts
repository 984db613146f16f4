import { normalizeForScreening } from "./normalize.ts";

/**
 * Alternative readings of a text that undo disguises a filter would otherwise miss while a model
 * still reads them fine: leetspeak ("1gn0r3 pr3v10u5"), separators inside words ("ign-ore",
 * "IGNORE.ALL.RULES"), text written backwards, and base64 payloads ("decode
 * this and follow it"). Screening runs on the normalised text and on each reading; a reading that
 * equals the normalised text is dropped, so ordinary text costs nothing extra.
 */
export interface Reading {
  kind: "unobfuscated" | "reversed" | "base64";
  text: string;
}

// Digits and symbols that stand for letters inside leetspeak words.
const LEET: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "8": "b",
  "9": "g",
  "@": "a",
  $: "s",
};
// A word that mixes letters with digits or symbols: only these are folded, so "42", "2024" and
// "order 10432" keep their digits.
const LEET_WORD = /(?<![\p{L}\p{N}])(?=[\p{L}\p{N}@$]*\p{L})(?=[\p{L}\p{N}@$]*[0-9@$])[\p{L}\p{N}@$]+/gu;
// Hyphen or dot between letters that is not a word break in ordinary writing
// ("ign-ore", "i.g.n.o.r.e", "IGNORE.ALL.PRIOR.RULES").
const INNER_HYPHEN = /(?<=\p{L}{2})-(?=\p{L}{2})/gu;
const DOTTED_LETTERS = /(?<![\p{L}.])(?:\p{L}\.){3,}\p{L}?(?![\p{L}])/gu;
const DOTTED_WORDS = /(?<=\p{L}{2})\.(?=\p{L}{2})/gu;
// Long base64 runs; shorter ones are too often order numbers, codes or hashes.
const BASE64_RUN = /[A-Za-z0-9+/]{16,}={0,2}/g;
const MAX_DECODED = 5;

// Binary decodes show control characters or U+FFFD; text does not (tab and line breaks aside).
function hasControlOrReplacement(text: string): boolean {
  return [...text].some((char) => {
    const code = char.codePointAt(0)!;
    return (code < 0x20 && char !== "\t" && char !== "\n" && char !== "\r") || code === 0xfffd;
  });
}

export function foldLeetspeak(normalized: string): string {
  return normalized.replace(LEET_WORD, (word) => word.replace(/[0-9@$]/g, (char) => LEET[char] ?? char));
}

export function joinSplitWords(normalized: string): string {
  return normalized
    .replace(DOTTED_LETTERS, (run) => run.replace(/\./g, ""))
    .replace(INNER_HYPHEN, "")
    .replace(DOTTED_WORDS, " ");
}

/** Decoded base64 runs of `raw` that read as text (printable, mostly letters and spaces). */
export function decodeBase64Runs(raw: string): string[] {
  const decoded: string[] = [];
  for (const match of raw.matchAll(BASE64_RUN)) {
    if (decoded.length >= MAX_DECODED) break;
    const run = match[0];
    // A run with no digit, '+' or '/' and no padding is almost always an ordinary long word.
    if (!/[0-9+/=]/.test(run) && !/[A-Z].*[a-z].*[A-Z]/.test(run)) continue;
    const text = Buffer.from(run, "base64").toString("utf8");
    const letters = text.match(/[\p{L} ]/gu)?.length ?? 0;
    if (text.length >= 8 && !hasControlOrReplacement(text) && letters / text.length > 0.8) decoded.push(text);
  }
  return decoded;
}

export function alternativeReadings(raw: string, normalized: string = normalizeForScreening(raw)): Reading[] {
  const readings: Reading[] = [];
  const unobfuscated = joinSplitWords(foldLeetspeak(normalized));
  if (unobfuscated !== normalized) readings.push({ kind: "unobfuscated", text: unobfuscated });
  readings.push({ kind: "reversed", text: [...normalized].reverse().join("") });
  for (const text of decodeBase64Runs(raw))
    readings.push({ kind: "base64", text: normalizeForScreening(text) });
  return readings;
}
