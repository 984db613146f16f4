import { performance } from "node:perf_hooks";
import { createScorerNba } from "../agents/nba/scorer.ts";
import { validateJourney } from "../journeys/format/validate.ts";
import type { ExpectedAction } from "../journeys/simulate/scenario.ts";
import { simulate } from "../journeys/simulate/simulate.ts";
import { createDecide } from "../policies/engine.ts";
import type { Decide } from "../policies/types.ts";
import type { EvalCase, EvalWorkspace } from "./cases.ts";
import type { Drafter } from "./drafter.ts";

/**
 * Scores a drafter on a set of cases: every scenario is simulated with the drafted journey and the
 * workspace's policies, so any journey that behaves as expected passes, whatever its shape.
 */

export interface ScenarioRow {
  name: string;
  pass: boolean;
  /** the expected customer-facing actions (for anyOf, the alternative that came closest) */
  expected: ExpectedAction[];
  produced: Array<{ channel: string; at: string; offer?: { kind: string; value?: number | undefined } }>;
  problems: string[];
}

export interface CaseRow {
  id: string;
  goal: string;
  pass: boolean;
  expected: "journey" | "clarify";
  /** what the drafter did: a journey, a question, or an error */
  produced: "journey" | "clarify" | "error";
  schema_valid: boolean;
  clarify_correct: boolean;
  structure_ok: boolean;
  missing_structure: string[];
  scenarios: number;
  scenarios_passed: number;
  model: string;
  llm_calls: number;
  tokens: number;
  wall_ms: number;
  question?: string;
  error?: string;
  validation_issues?: string[];
  scenario_rows: ScenarioRow[];
}

export interface EvalSummary {
  cases: number;
  cases_passed: number;
  scenarios: number;
  scenarios_passed: number;
  /** drafts that came back as a journey passing the validator */
  schema_valid: number;
  /** cases where asking vs drafting matched the case's `clarify` */
  clarify_correct: number;
  model: string;
  llm_calls: number;
  tokens: number;
  pass_rate: number;
  drafted_journeys: number;
  median_llm_calls_per_journey: number;
  wall_ms: number;
}

export interface EvalReport {
  summary: EvalSummary;
  cases: CaseRow[];
}

export interface RunOptions {
  cases: readonly EvalCase[];
  workspace: EvalWorkspace;
  drafter: Drafter;
  /** overrides the catalog's policies (tests) */
  decide?: Decide;
  /** called after each case (progress output) */
  onCase?: (row: CaseRow) => void;
  /** monotonic milliseconds, for wall-time figures */
  clock?: () => number;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function nodeTypes(journey: unknown): Set<string> {
  const nodes = (journey as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return new Set();
  return new Set(
    nodes.flatMap((node) =>
      node !== null && typeof node === "object" && typeof (node as { type?: unknown }).type === "string"
        ? [(node as { type: string }).type]
        : [],
    ),
  );
}

function expectedList(scenario: EvalCase["scenarios"][number], alternative: number | null): ExpectedAction[] {
  const expect = scenario.expect ?? [];
  if (Array.isArray(expect)) return expect;
  return expect.anyOf[alternative ?? 0] ?? [];
}

async function scoreCase(
  evalCase: EvalCase,
  options: RunOptions,
  decide: Decide,
  clock: () => number,
): Promise<CaseRow> {
  const expected = evalCase.clarify ? "clarify" : "journey";
  const row: CaseRow = {
    id: evalCase.id,
    goal: evalCase.goal,
    pass: false,
    expected,
    produced: "error",
    schema_valid: false,
    clarify_correct: false,
    structure_ok: true,
    missing_structure: [],
    scenarios: evalCase.scenarios.length,
    scenarios_passed: 0,
    model: "unknown",
    llm_calls: 0,
    tokens: 0,
    wall_ms: 0,
    scenario_rows: [],
  };
  const started = clock();
  try {
    const draft = await options.drafter(evalCase.goal, {
      catalog: options.workspace.catalog,
      policies: options.workspace.policies,
    });
    row.model = draft.model;
    row.llm_calls = draft.llmCalls;
    row.tokens = draft.tokens;
    row.produced = draft.kind;
    row.clarify_correct = draft.kind === expected;
    if (draft.kind === "clarify") {
      row.question = draft.question ?? "";
      row.pass = expected === "clarify";
      return row;
    }
    const validation = validateJourney(draft.journey, options.workspace.catalog);
    const errors = validation.issues.filter((issue) => issue.severity === "error");
    row.schema_valid = errors.length === 0;
    if (errors.length > 0) row.validation_issues = errors.map((issue) => `${issue.path}: ${issue.message}`);
    const types = nodeTypes(draft.journey);
    row.missing_structure = (evalCase.structure ?? []).filter((type) => !types.has(type));
    row.structure_ok = row.missing_structure.length === 0;
    if (row.schema_valid) {
      for (const [index, scenario] of evalCase.scenarios.entries()) {
        const name = scenario.name ?? `scenario ${index + 1}`;
        try {
          // agent nodes decide as the runtime does without a model (agents/nba scorer)
          const result = await simulate(draft.journey, scenario, {
            decide,
            catalog: options.workspace.raw,
            nba: createScorerNba(),
          });
          const report = result.expectation;
          const pass = report?.pass ?? true;
          row.scenario_rows.push({
            name,
            pass,
            expected: expectedList(scenario, report?.alternative ?? null),
            produced: (report?.produced ?? []).map((action) => ({
              channel: action.channel,
              at: action.offset,
              ...(action.offer ? { offer: action.offer } : {}),
            })),
            problems: report?.problems ?? [],
          });
          if (pass) row.scenarios_passed++;
        } catch (error) {
          row.scenario_rows.push({
            name,
            pass: false,
            expected: expectedList(scenario, null),
            produced: [],
            problems: [`simulation failed: ${(error as Error).message}`],
          });
        }
      }
    }
    row.pass =
      expected === "journey" &&
      row.schema_valid &&
      row.structure_ok &&
      row.scenarios_passed === row.scenarios;
  } catch (error) {
    row.produced = "error";
    row.error = `${(error as Error).name}: ${(error as Error).message}`;
  } finally {
    row.wall_ms = Math.round((clock() - started) * 10) / 10;
  }
  return row;
}

export async function runEval(options: RunOptions): Promise<EvalReport> {
  const clock = options.clock ?? (() => performance.now());
  const decide = options.decide ?? createDecide(options.workspace.policies);
  const started = clock();
  const rows: CaseRow[] = [];
  for (const evalCase of options.cases) {
    const row = await scoreCase(evalCase, options, decide, clock);
    rows.push(row);
    options.onCase?.(row);
  }
  const models = [...new Set(rows.map((row) => row.model).filter((model) => model !== "unknown"))];
  const drafted = rows.filter((row) => row.produced === "journey");
  const summary: EvalSummary = {
    cases: rows.length,
    cases_passed: rows.filter((row) => row.pass).length,
    scenarios: rows.reduce((sum, row) => sum + row.scenarios, 0),
    scenarios_passed: rows.reduce((sum, row) => sum + row.scenarios_passed, 0),
    schema_valid: rows.filter((row) => row.schema_valid).length,
    clarify_correct: rows.filter((row) => row.clarify_correct).length,
    model: models.join(", ") || "unknown",
    llm_calls: rows.reduce((sum, row) => sum + row.llm_calls, 0),
    tokens: rows.reduce((sum, row) => sum + row.tokens, 0),
    pass_rate:
      rows.length === 0
        ? 0
        : Math.round((rows.filter((row) => row.pass).length / rows.length) * 10_000) / 10_000,
    drafted_journeys: drafted.length,
    median_llm_calls_per_journey: median(drafted.map((row) => row.llm_calls)),
    wall_ms: Math.round(clock() - started),
  };
  return { summary, cases: rows };
}
