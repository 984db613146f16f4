import type { z } from "zod";
import type { Journey } from "./schema.ts";

/** What the validator reports: the issue shape, JSONPaths, zod issues as sentences, "did you mean". */

export interface ValidationIssue {
  /** JSONPath of the offending value, e.g. `$.nodes[2].next` */
  path: string;
  /** stable machine-readable code */
  code: string;
  /** a sentence saying what is wrong and how to fix it */
  message: string;
  severity: "error" | "warning";
}

export type ValidationResult =
  | { ok: true; journey: Journey; issues: ValidationIssue[] }
  | { ok: false; journey?: Journey; issues: ValidationIssue[] };

export function toJsonPath(segments: readonly PropertyKey[]): string {
  let path = "$";
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(String(segment))}]`;
  }
  return path;
}

type ZodIssue = z.core.$ZodIssue;

/** Union failures list every branch's complaints; keep the branch that came closest. */
function flattenIssue(
  issue: ZodIssue,
  prefix: readonly PropertyKey[],
): Array<{ path: PropertyKey[]; message: string }> {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const ranked = issue.errors
      .map((branch) => ({
        branch,
        cost:
          branch.length +
          branch.filter((inner) => inner.code === "unrecognized_keys").length * 10 +
          branch.filter((inner) => inner.code === "invalid_type" && inner.path.length === 0).length * 10,
      }))
      .sort((a, b) => a.cost - b.cost);
    const best = ranked[0]!.branch;
    const allRootMismatch = ranked.every((entry) => entry.cost >= 10);
    if (allRootMismatch) {
      return [{ path, message: conditionShapeHint(issue.message) }];
    }
    return best.flatMap((inner) => flattenIssue(inner, path));
  }
  if (issue.code === "unrecognized_keys") {
    return [
      {
        path,
        message: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`,
      },
    ];
  }
  return [{ path, message: issue.message }];
}

function conditionShapeHint(message: string): string {
  const base = message && message !== "Invalid input" ? `${message}; ` : "";
  return `${base}a condition is {"all": [...]}, {"any": [...]}, {"not": {...}}, {"field", "op", "value"} or {"performed": "Event", "within": "P7D"}`;
}

export function schemaIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.flatMap((issue) =>
    flattenIssue(issue, []).map(({ path, message }) => ({
      path: toJsonPath(path),
      code: "schema",
      message,
      severity: "error" as const,
    })),
  );
}

export class IssueList {
  readonly items: ValidationIssue[] = [];
  error(path: string, code: string, message: string) {
    this.items.push({ path, code, message, severity: "error" });
  }
  warn(path: string, code: string, message: string) {
    this.items.push({ path, code, message, severity: "warning" });
  }
  hasErrors(): boolean {
    return this.items.some((issue) => issue.severity === "error");
  }
}

function closest(name: string, options: Iterable<string>): string | null {
  const target = name.toLowerCase();
  let best: { option: string; distance: number } | null = null;
  for (const option of options) {
    const distance = levenshtein(target, option.toLowerCase());
    if (!best || distance < best.distance) best = { option, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(target.length / 3)) ? best.option : null;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** ` Did you mean "x"?` for the nearest known name, or "" when nothing is close enough to help. */
export function suggestion(name: string, options: Iterable<string>): string {
  const match = closest(name, options);
  return match ? ` Did you mean "${match}"?` : "";
}
