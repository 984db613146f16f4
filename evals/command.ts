import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { baselineMinimum, gate, parseRate, readBaseline, setName, writeBaseline } from "./baseline.ts";
import { EvalInputError, loadCases, loadEvalCatalog } from "./cases.ts";
import { configuredDesignerDrafter } from "./designer-drafter.ts";
import type { Drafter } from "./drafter.ts";
import { DRAFTERS as BASE_DRAFTERS } from "./drafter.ts";
import { formatFailures, formatTable } from "./report.ts";
import { runEval } from "./runner.ts";
import { SHARED_MISSING_MESSAGE, sharedPath } from "./shared-data.ts";

/** `npm run eval`: argument handling and exit codes (0 ok, 1 gate failed, 2 cannot run). */

/**
 * `designer` (the default) runs the LangGraph designer agent with the model OPENAI_* selects (the
 * offline chat model without them), so the eval measures the real agent path; `offline` calls the
 * planner directly.
 */
const DRAFTERS: Record<string, Drafter> = { designer: configuredDesignerDrafter(), ...BASE_DRAFTERS };
const DEFAULT_DRAFTER = "designer";

export const USAGE = `npm run eval -- [options]
  --cases PATH          case file (JSON lines, ../shared/evals/README.md format); default ../shared/evals/goals.jsonl
  --catalog PATH        workspace catalog; default catalog.json beside the cases file, else ../shared/evals/catalog.json
  --drafter NAME        who drafts: ${Object.keys(DRAFTERS).join(", ")} (default ${DEFAULT_DRAFTER})
  --out FILE            write the JSON report (summary + one row per case)
  --baseline [FILE]     fail (exit 1) when the pass rate is below the rate recorded for this case set (default evals/baseline.json)
  --min-pass-rate RATE  fail (exit 1) below this rate (0.9, 90%)
  --write-baseline [FILE]  record this run's pass rate for the case set
  --quiet               no per-case progress lines`;

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_BASELINE = path.join(projectRoot, "evals", "baseline.json");

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** `--baseline` and `--write-baseline` take an optional file: a following option is not one. */
function normaliseFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const [index, arg] of argv.entries()) {
    out.push(arg);
    if (
      (arg === "--baseline" || arg === "--write-baseline") &&
      (argv[index + 1] === undefined || argv[index + 1]!.startsWith("--"))
    ) {
      out.push(DEFAULT_BASELINE);
    }
  }
  return out;
}

export interface CommandDeps {
  /** where ../shared reference files are (injected by tests to simulate a checkout without ../shared) */
  sharedPath: (...parts: string[]) => string | null;
}

export async function runEvalCommand(
  argv: readonly string[],
  io: CommandIo = processIo,
  deps: CommandDeps = { sharedPath },
): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  function parse(args: string[]) {
    return parseArgs({
      args,
      options: {
        cases: { type: "string" },
        catalog: { type: "string" },
        drafter: { type: "string", default: DEFAULT_DRAFTER },
        out: { type: "string" },
        baseline: { type: "string" },
        "min-pass-rate": { type: "string" },
        "write-baseline": { type: "string" },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      allowPositionals: false,
    });
  }
  try {
    values = parse(normaliseFlags(argv)).values;
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  try {
    const casesPath = values.cases ?? deps.sharedPath("evals", "goals.jsonl");
    if (!casesPath) {
      io.err(
        `Cannot run the default eval set: ${SHARED_MISSING_MESSAGE}\nPass --cases PATH (and --catalog PATH) to run another set.`,
      );
      return 2;
    }
    const beside = path.join(path.dirname(casesPath), "catalog.json");
    const catalogPath =
      values.catalog ?? (existsSync(beside) ? beside : deps.sharedPath("evals", "catalog.json"));
    if (!catalogPath) {
      io.err(`No catalog for ${casesPath}: pass --catalog PATH. (${SHARED_MISSING_MESSAGE})`);
      return 2;
    }
    const drafter = DRAFTERS[values.drafter ?? DEFAULT_DRAFTER];
    if (!drafter) {
      io.err(`unknown drafter "${values.drafter}"; known: ${Object.keys(DRAFTERS).join(", ")}`);
      return 2;
    }
    const cases = loadCases(casesPath);
    const workspace = loadEvalCatalog(catalogPath);
    // Read the gate before running, so a missing baseline entry fails fast.
    const gates: Array<{ minimum: number; source: string }> = [];
    if (values["min-pass-rate"] !== undefined)
      gates.push({ minimum: parseRate(values["min-pass-rate"]), source: "--min-pass-rate" });
    if (values.baseline !== undefined) {
      gates.push({
        minimum: baselineMinimum(readBaseline(values.baseline), setName(casesPath), values.baseline),
        source: `${path.relative(process.cwd(), values.baseline) || values.baseline} for ${setName(casesPath)}`,
      });
    }
    io.out(
      `eval: ${cases.length} cases from ${casesPath} (catalog ${catalogPath}), drafter ${values.drafter}`,
    );
    const report = await runEval({
      cases,
      workspace,
      drafter,
      onCase: values.quiet
        ? undefined
        : (row) => io.out(`  ${row.pass ? "✓" : "✗"} ${row.id} (${row.wall_ms.toFixed(1)} ms)`),
    });
    io.out(`\n${formatTable(report)}`);
    const failures = formatFailures(report);
    if (failures) io.out(failures);
    if (values.out) {
      writeFileSync(
        values.out,
        `${JSON.stringify({ cases_file: casesPath, catalog: catalogPath, drafter: values.drafter, ...report }, null, 2)}\n`,
      );
      io.out(`\nreport written to ${values.out}`);
    }
    if (values["write-baseline"] !== undefined) {
      writeBaseline(values["write-baseline"], setName(casesPath), report.summary);
      io.out(`baseline for ${setName(casesPath)} recorded in ${values["write-baseline"]}`);
    }
    let code = 0;
    for (const entry of gates) {
      const result = gate(report.summary, entry.minimum, entry.source);
      (result.ok ? io.out : io.err)(result.message);
      if (!result.ok) code = 1;
    }
    return code;
  } catch (error) {
    if (error instanceof EvalInputError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
}
