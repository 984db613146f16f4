/**
 * Tool results are stored in instance vars and may be shown to a model: they stay JSON-safe and
 * small whatever the customer's data looks like (a 50 KB CRM note, a trait holding an array of
 * 10,000 items, a Date, a bigint). Limits are applied while copying, never by failing.
 */
export const RESULT_LIMITS = {
  /** characters kept of one string */
  maxString: 500,
  /** items kept of one array */
  maxArray: 20,
  /** keys kept of one object */
  maxKeys: 60,
  /** nesting kept below the result's top level */
  maxDepth: 4,
} as const;

export function boundedJson(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "string")
    return value.length > RESULT_LIMITS.maxString ? `${value.slice(0, RESULT_LIMITS.maxString)}…` : value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= RESULT_LIMITS.maxDepth) return null;
  if (Array.isArray(value))
    return value.slice(0, RESULT_LIMITS.maxArray).map((item) => boundedJson(item, depth + 1));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>).slice(
      0,
      RESULT_LIMITS.maxKeys,
    )) {
      if (item !== undefined) out[key] = boundedJson(item, depth + 1);
    }
    return out;
  }
  return null;
}

export function text(value: unknown): string | null {
  if (typeof value === "string" && value.trim() !== "") return value.slice(0, RESULT_LIMITS.maxString);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

export function finiteNumber(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return null;
}
