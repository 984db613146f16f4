/**
 * Checks a parsed JSON value for what PostgreSQL's jsonb cannot store or would choke on, so such
 * input is a 400 naming the field instead of a 500 from the database: NUL characters (text and
 * jsonb reject \u0000), unpaired UTF-16 surrogates (jsonb rejects "\ud800"), and nesting so deep
 * that parsing or storing it would exhaust a stack.
 */

export const MAX_JSON_DEPTH = 32;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface JsonProblem {
  path: PropertyKey[];
  message: string;
}

export function stringProblem(text: string): string | null {
  if (text.includes("\u0000")) return "contains a NUL character (\\u0000), which cannot be stored";
  if (LONE_SURROGATE.test(text)) return "contains an unpaired UTF-16 surrogate (invalid Unicode)";
  return null;
}

/** The first problem found (depth-first, iteratively so deep input cannot overflow the stack). */
export function findJsonProblem(
  value: unknown,
  basePath: PropertyKey[] = [],
  maxDepth = MAX_JSON_DEPTH,
): JsonProblem | null {
  const stack: Array<{ value: unknown; path: PropertyKey[]; depth: number }> = [
    { value, path: basePath, depth: 0 },
  ];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const current = item.value;
    if (typeof current === "string") {
      const problem = stringProblem(current);
      if (problem) return { path: item.path, message: problem };
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (item.depth >= maxDepth) {
      return { path: item.path, message: `is nested more than ${maxDepth} levels deep` };
    }
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) {
        stack.push({ value: current[index], path: [...item.path, index], depth: item.depth + 1 });
      }
      continue;
    }
    const entries = Object.entries(current as Record<string, unknown>);
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, child] = entries[index]!;
      const keyProblem = stringProblem(key);
      if (keyProblem) return { path: [...item.path, key], message: `has a key that ${keyProblem}` };
      stack.push({ value: child, path: [...item.path, key], depth: item.depth + 1 });
    }
  }
  return null;
}

/** Code units that may start a problem (NUL, any surrogate): most strings have none and skip the exact test. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what this looks for
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

/**
 * One cheap pass over a call for the hot path: whether anything is wrong with it (as findJsonProblem
 * would say, without building paths), and an upper bound of its JSON size in UTF-8 bytes (6 bytes per
 * UTF-16 unit covers every escape), so the exact size is computed only for calls that may be too big.
 * Recursion is bounded by `maxDepth`.
 */
export function scanJson(value: unknown, maxDepth = MAX_JSON_DEPTH): { clean: boolean; maxBytes: number } {
  let clean = true;
  const visit = (current: unknown, depth: number): number => {
    if (!clean) return 0;
    if (typeof current === "string") {
      if (SUSPECT.test(current) && stringProblem(current)) clean = false;
      return 2 + 6 * current.length;
    }
    if (typeof current === "number") return 25;
    if (current === null || typeof current !== "object") return 5;
    if (depth >= maxDepth) {
      clean = false;
      return 0;
    }
    let bytes = 2;
    if (Array.isArray(current)) {
      for (const item of current) bytes += visit(item, depth + 1) + 1;
      return bytes;
    }
    for (const key of Object.keys(current)) {
      if (SUSPECT.test(key) && stringProblem(key)) clean = false;
      bytes += 4 + 6 * key.length + visit((current as Record<string, unknown>)[key], depth + 1);
    }
    return bytes;
  };
  const maxBytes = visit(value, 0);
  return { clean, maxBytes: clean ? maxBytes : Number.POSITIVE_INFINITY };
}
