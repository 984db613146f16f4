import { readFileSync } from "node:fs";
import { z } from "zod";
import { WorkspaceCatalog } from "../journeys/format/catalog.ts";
import { NODE_TYPES } from "../journeys/format/schema.ts";
import { Scenario } from "../journeys/simulate/scenario.ts";
import type { PolicyConfig } from "../policies/config.ts";
import { safeParsePolicyConfig } from "../policies/config.ts";

/**
 * The eval case format of ../shared/evals/README.md, parsed with zod so that a malformed line in
 * any case file is reported with its line number instead of surfacing as a crash mid-run.
 */

export class EvalInputError extends Error {
  readonly code = "eval_input";
  constructor(message: string) {
    super(message);
    this.name = "EvalInputError";
  }
}

export const EvalScenario = Scenario.and(z.object({ name: z.string().optional() }));

export const EvalCase = z.object({
  id: z.string().min(1),
  goal: z.string().min(1),
  clarify: z.boolean().optional(),
  structure: z.array(z.enum(NODE_TYPES)).optional(),
  scenarios: z.array(EvalScenario).default([]),
});
export type EvalCase = z.output<typeof EvalCase>;

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(line)"}: ${issue.message}`).join("; ");
}

/** Parses a JSON-lines case file (blank lines and lines starting with // are skipped). */
export function parseCases(text: string, source = "cases"): EvalCase[] {
  const cases: EvalCase[] = [];
  const ids = new Set<string>();
  for (const [index, line] of text.split("\n").entries()) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("//")) continue;
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      throw new EvalInputError(`${source}:${index + 1}: not JSON (${(error as Error).message})`);
    }
    const parsed = EvalCase.safeParse(json);
    if (!parsed.success) throw new EvalInputError(`${source}:${index + 1}: ${describeIssues(parsed.error)}`);
    if (ids.has(parsed.data.id))
      throw new EvalInputError(`${source}:${index + 1}: case id "${parsed.data.id}" is used twice`);
    ids.add(parsed.data.id);
    cases.push(parsed.data);
  }
  if (cases.length === 0) throw new EvalInputError(`${source}: no cases`);
  return cases;
}

export function loadCases(path: string): EvalCase[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new EvalInputError(`cannot read cases file ${path}: ${(error as Error).message}`);
  }
  return parseCases(text, path);
}

/** The eval workspace: catalog.json as the simulator reads it, plus what the designer and policies need. */
export interface EvalWorkspace {
  /** the raw catalog object (start, timezone_default, profile_default, customer_facing, …) */
  raw: Record<string, unknown>;
  catalog: WorkspaceCatalog;
  policies: PolicyConfig;
}

const RawEvalCatalog = z
  .object({
    events: z.record(z.string(), z.unknown()),
    traits: z.record(z.string(), z.string()),
    channels: z.array(z.string()),
    segments: z.array(z.string()).optional(),
    templates: z.array(z.string()).optional(),
    tools: z.array(z.string()).optional(),
    policies: z.unknown().optional(),
  })
  .passthrough();

export function parseEvalCatalog(json: unknown, source = "catalog"): EvalWorkspace {
  const raw = RawEvalCatalog.safeParse(json);
  if (!raw.success) throw new EvalInputError(`${source}: ${describeIssues(raw.error)}`);
  const catalog = WorkspaceCatalog.safeParse({
    events: raw.data.events,
    traits: raw.data.traits,
    channels: raw.data.channels,
    segments: raw.data.segments ?? [],
    ...(raw.data.templates ? { templates: raw.data.templates } : {}),
    tools: raw.data.tools ?? [],
  });
  if (!catalog.success) throw new EvalInputError(`${source}: ${describeIssues(catalog.error)}`);
  const policies = safeParsePolicyConfig(raw.data.policies ?? {});
  if (!policies.ok) {
    throw new EvalInputError(
      `${source}: policies: ${policies.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`,
    );
  }
  return { raw: raw.data as Record<string, unknown>, catalog: catalog.data, policies: policies.config };
}

export function loadEvalCatalog(path: string): EvalWorkspace {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new EvalInputError(`cannot read catalog ${path}: ${(error as Error).message}`);
  }
  return parseEvalCatalog(json, path);
}
