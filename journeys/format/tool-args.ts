import { z } from "zod";
import { isDuration } from "./duration.ts";

/**
 * The arguments of each built-in data tool (BUILT_IN_TOOLS in catalog.ts), one zod schema per tool:
 * part of the journey format, so the validator checks a tool node's literal arguments before a
 * journey goes live, and the runtime adapters (tools/data), their LangChain tools and the
 * simulator's in-memory tools accept exactly the same calls. A journey's `args` are literals or
 * `{ ref }`s resolved at run time; a ref that resolves to nothing (null or undefined) counts as an
 * omitted argument. docs/data-tools.md describes each tool.
 */

export const DATA_TOOL_NAMES = [
  "profiles.get",
  "orders.recent",
  "tickets.open",
  "catalog.recommend",
  "memory.search",
] as const;
export type DataToolName = (typeof DATA_TOOL_NAMES)[number];

export function isDataToolName(name: string): name is DataToolName {
  return (DATA_TOOL_NAMES as readonly string[]).includes(name);
}

const limit = (max: number) => z.number().int().min(1).max(max);

export const ProfilesGetArgs = z.object({}).strict();

export const OrdersRecentArgs = z
  .object({
    /** orders listed, newest first (default 5) */
    limit: limit(20).default(5),
    /** how far back orders count, ISO 8601 (default P365D) */
    within: z
      .string()
      .refine((value) => isDuration(value), { message: "must be an ISO 8601 duration such as P90D" })
      .default("P365D"),
  })
  .strict();

export const TicketsOpenArgs = z
  .object({
    /** tickets listed, oldest first (default 5) */
    limit: limit(20).default(5),
  })
  .strict();

export const CatalogRecommendArgs = z
  .object({
    /** only products of this category */
    category: z.string().min(1).max(200).optional(),
    /** recommend around this product ("more like the one returned"); default: what the customer viewed lately */
    product_id: z.string().min(1).max(200).optional(),
    /** leave out what the customer already bought (default true); what they are returning is always left out */
    exclude_purchased: z.boolean().default(true),
    /** products listed (default 3) */
    limit: limit(10).default(3),
  })
  .strict();

export const MEMORY_SEARCH_KINDS = ["template", "journey", "note"] as const;
export const MemorySearchArgs = z
  .object({
    query: z.string().min(1).max(500),
    kind: z.enum(MEMORY_SEARCH_KINDS).optional(),
    limit: limit(10).default(3),
  })
  .strict();

export const DATA_TOOL_ARGS = {
  "profiles.get": ProfilesGetArgs,
  "orders.recent": OrdersRecentArgs,
  "tickets.open": TicketsOpenArgs,
  "catalog.recommend": CatalogRecommendArgs,
  "memory.search": MemorySearchArgs,
} as const;

export type ToolArgs<T extends DataToolName> = z.output<(typeof DATA_TOOL_ARGS)[T]>;

export type ParsedArgs<T extends DataToolName> =
  | { ok: true; args: ToolArgs<T> }
  | { ok: false; error: string };

/** Validates a call's arguments; the error names every bad argument in a sentence. */
export function parseToolArgs<T extends DataToolName>(tool: T, raw: Record<string, unknown>): ParsedArgs<T> {
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== null && value !== undefined),
  );
  const parsed = DATA_TOOL_ARGS[tool].safeParse(present);
  if (parsed.success) return { ok: true, args: parsed.data as ToolArgs<T> };
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") return `unknown argument(s) ${issue.keys.join(", ")}`;
    const name = issue.path.join(".") || "arguments";
    return `${name} ${issue.message}`;
  });
  return { ok: false, error: `${tool}: ${problems.join("; ")}` };
}

export interface ArgIssue {
  /** the argument's name, or null for the call as a whole */
  arg: string | null;
  message: string;
}

const isRef = (value: unknown) => value !== null && typeof value === "object" && "ref" in value;

/**
 * What can be known before run time about a tool node's arguments: unknown names, literal values of
 * the wrong type or range, required arguments missing. `{ ref }` values are checked when they resolve.
 */
export function dataToolArgIssues(tool: DataToolName, args: Record<string, unknown>): ArgIssue[] {
  const shape = DATA_TOOL_ARGS[tool].shape as Record<string, z.ZodType>;
  const issues: ArgIssue[] = [];
  for (const [name, value] of Object.entries(args)) {
    const schema = shape[name];
    if (!schema) {
      const known = Object.keys(shape);
      issues.push({
        arg: name,
        message: known.length
          ? `${tool} has no argument "${name}" (it takes ${known.join(", ")}).`
          : `${tool} takes no arguments.`,
      });
      continue;
    }
    if (value === null || isRef(value)) continue;
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      issues.push({ arg: name, message: `${tool} ${name}: ${parsed.error.issues[0]?.message}.` });
  }
  for (const [name, schema] of Object.entries(shape)) {
    if (!(name in args) && !schema.safeParse(undefined).success) {
      issues.push({ arg: name, message: `${tool} needs the argument "${name}".` });
    }
  }
  return issues;
}
