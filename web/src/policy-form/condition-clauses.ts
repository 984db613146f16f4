import type { ComparisonOp } from "../../../journeys/format/condition.ts";
import { COMPARISON_OPS, Condition } from "../../../journeys/format/condition.ts";
import type { Json } from "./draft.ts";

/**
 * The condition builder's model: the common case of a suppression or ceiling rule, one or more
 * comparisons joined by "all" or "any" (`traits.open_support_tickets > 0`). Anything else the
 * condition language can say (not, event history, transforms, references) is edited as JSON.
 */

export interface Clause {
  field: string;
  op: ComparisonOp;
  /** as typed: numbers and true/false are read as such; lists (in, not in) are comma-separated */
  value: string;
}

export interface ClauseSet {
  join: "all" | "any";
  clauses: Clause[];
}

export const OP_LABELS: Record<ComparisonOp, string> = {
  eq: "is",
  neq: "is not",
  gt: "is more than",
  gte: "is at least",
  lt: "is less than",
  lte: "is at most",
  in: "is one of",
  not_in: "is none of",
  contains: "contains",
  not_contains: "does not contain",
  starts_with: "starts with",
  exists: "is set",
  not_exists: "is not set",
};

export const VALUELESS_OPS: ReadonlySet<ComparisonOp> = new Set(["exists", "not_exists"]);
const LIST_OPS: ReadonlySet<ComparisonOp> = new Set(["in", "not_in"]);

function literalText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

function clauseOf(condition: unknown): Clause | null {
  if (typeof condition !== "object" || condition === null || !("field" in condition)) return null;
  const leaf = condition as { field?: unknown; op?: unknown; value?: unknown; transform?: unknown };
  if (typeof leaf.field !== "string" || leaf.transform !== undefined) return null;
  if (!(COMPARISON_OPS as readonly unknown[]).includes(leaf.op)) return null;
  const op = leaf.op as ComparisonOp;
  if (VALUELESS_OPS.has(op)) return { field: leaf.field, op, value: "" };
  if (LIST_OPS.has(op)) {
    if (!Array.isArray(leaf.value)) return null;
    const parts = leaf.value.map(literalText);
    if (parts.some((part) => part === null || part.includes(","))) return null;
    return { field: leaf.field, op, value: parts.join(", ") };
  }
  const text = literalText(leaf.value);
  // a string that reads as a number or a boolean would come back as one: keep it in JSON
  if (text === null || (typeof leaf.value === "string" && typeof parseLiteral(text) !== "string"))
    return null;
  return { field: leaf.field, op, value: text };
}

/** The builder's view of a condition, or null when only JSON can show it. Absent = one empty clause. */
export function clausesOf(condition: unknown): ClauseSet | null {
  if (condition === undefined || condition === null) {
    return { join: "all", clauses: [{ field: "traits.", op: "eq", value: "" }] };
  }
  const single = clauseOf(condition);
  if (single) return { join: "all", clauses: [single] };
  if (typeof condition !== "object") return null;
  for (const join of ["all", "any"] as const) {
    if (join in condition && Object.keys(condition).length === 1) {
      const list = (condition as Record<string, unknown>)[join];
      if (!Array.isArray(list) || list.length === 0) return null;
      const clauses = list.map(clauseOf);
      if (clauses.some((clause) => clause === null)) return null;
      return { join, clauses: clauses as Clause[] };
    }
  }
  return null;
}

export function parseLiteral(text: string): string | number | boolean {
  const trimmed = text.trim();
  if (trimmed === "true") return true;
  if (trimmed === "false") return false;
  if (trimmed !== "" && /^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  return trimmed;
}

function leafOf(clause: Clause): Json {
  if (VALUELESS_OPS.has(clause.op)) return { field: clause.field.trim(), op: clause.op };
  const value = LIST_OPS.has(clause.op)
    ? clause.value
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean)
        .map(parseLiteral)
    : parseLiteral(clause.value);
  return { field: clause.field.trim(), op: clause.op, value };
}

/** The condition JSON a clause set stands for (one clause needs no all/any around it). */
export function conditionOf(set: ClauseSet): Json {
  if (set.clauses.length === 1) return leafOf(set.clauses[0] as Clause);
  return { [set.join]: set.clauses.map(leafOf) };
}

/** Whether the condition is valid in the journey format (the server checks it again). */
export function isValidCondition(value: unknown): boolean {
  return Condition.safeParse(value).success;
}
