import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { EvalInputError } from "./cases.ts";
import type { EvalSummary } from "./runner.ts";

/**
 * The CI gate: the pass rate measured per case set, committed in evals/baseline.json. A run with
 * `--baseline` fails when its set scores below the recorded rate; `--write-baseline` records a new
 * measurement after an intended change (and the diff shows it in review).
 */

const BaselineEntry = z.object({
  cases: z.number().int().nonnegative(),
  cases_passed: z.number().int().nonnegative(),
  scenarios: z.number().int().nonnegative(),
  scenarios_passed: z.number().int().nonnegative(),
  pass_rate: z.number().min(0).max(1),
  model: z.string(),
});
export type BaselineEntry = z.infer<typeof BaselineEntry>;

export const Baseline = z.object({
  about: z.string().optional(),
  sets: z.record(z.string(), BaselineEntry),
});
export type Baseline = z.infer<typeof Baseline>;

const ABOUT =
  "Pass rates measured per case set (keyed by file name). `npm run eval -- --baseline` fails when a set scores below its entry; record an intended change with --write-baseline.";

/** The key a case file is recorded under. */
export function setName(casesPath: string): string {
  return path.basename(casesPath);
}

export function readBaseline(file: string): Baseline {
  if (!existsSync(file)) return { about: ABOUT, sets: {} };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new EvalInputError(`baseline ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = Baseline.safeParse(json);
  if (!parsed.success) {
    throw new EvalInputError(
      `baseline ${file}: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

export function writeBaseline(file: string, set: string, summary: EvalSummary): Baseline {
  const baseline = readBaseline(file);
  baseline.about = ABOUT;
  baseline.sets[set] = {
    cases: summary.cases,
    cases_passed: summary.cases_passed,
    scenarios: summary.scenarios,
    scenarios_passed: summary.scenarios_passed,
    pass_rate: summary.pass_rate,
    model: summary.model,
  };
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
  return baseline;
}

export interface GateResult {
  ok: boolean;
  message: string;
}

/** Compares a run with a minimum pass rate (0–1). */
export function gate(summary: EvalSummary, minimum: number, source: string): GateResult {
  const ok = summary.pass_rate + 1e-9 >= minimum;
  const measured = `${(summary.pass_rate * 100).toFixed(1)}%`;
  const required = `${(minimum * 100).toFixed(1)}%`;
  return ok
    ? { ok, message: `pass rate ${measured} ≥ ${required} (${source})` }
    : { ok, message: `pass rate ${measured} is below ${required} (${source}): the eval gate fails` };
}

/** The minimum a baseline file sets for a case set, or an input error when it records none. */
export function baselineMinimum(baseline: Baseline, set: string, file: string): number {
  const entry = baseline.sets[set];
  if (!entry) {
    throw new EvalInputError(
      `${file} records no pass rate for "${set}"; run once with --write-baseline, or gate with --min-pass-rate`,
    );
  }
  return entry.pass_rate;
}

/** "0.95", "95%" or "95" → 0.95 */
export function parseRate(text: string): number {
  const percent = text.endsWith("%");
  const value = Number(percent ? text.slice(0, -1) : text);
  if (!Number.isFinite(value) || value < 0)
    throw new EvalInputError(`--min-pass-rate "${text}" is not a rate`);
  const rate = percent || value > 1 ? value / 100 : value;
  if (rate > 1) throw new EvalInputError(`--min-pass-rate "${text}" is above 100%`);
  return rate;
}
