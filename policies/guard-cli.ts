import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CrossValidation, LabelledText, Metrics } from "./injection/evaluate.ts";
import {
  crossValidate,
  metrics,
  readJsonl,
  ScreeningDataError,
  trainFromFile,
} from "./injection/evaluate.ts";
import type { ScreenResult } from "./injection/screen.ts";
import { screenText, WEIGHTS_URL } from "./injection/screen.ts";

/**
 * `npm run guard -- <command>`:
 *   screen --jsonl FILE [--json] [--cv K] [--seed N]   screen each line's `text`; with labels, report
 *                                                      recall / FPR; --cv K cross-validates instead
 *   screen --text "…"                                  screen one text
 *   train --jsonl FILE [--out PATH]                    retrain the shipped weights from a labelled file
 */
const USAGE = `usage:
  npm run guard -- screen --jsonl FILE [--json] [--cv K] [--seed N]
  npm run guard -- screen --text "some customer text" [--json]
  npm run guard -- train --jsonl FILE [--out policies/injection/model-weights.json]`;

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}

function parseFlags(args: readonly string[]): Map<string, string | true> {
  const flags = new Map<string, string | true>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    const name = arg.slice(2);
    const next = args[index + 1];
    if (name === "json") flags.set(name, true);
    else if (next === undefined || next.startsWith("--")) throw new UsageError(`--${name} needs a value`);
    else {
      flags.set(name, next);
      index++;
    }
  }
  return flags;
}

function stringFlag(flags: Map<string, string | true>, name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === "string" ? value : undefined;
}

function integerFlag(flags: Map<string, string | true>, name: string, min: number): number | undefined {
  const value = stringFlag(flags, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}`);
  return parsed;
}

const preview = (text: string) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 79)}…` : flat);
};

const summaryLine = (m: Metrics) =>
  `recall=${m.recall.toFixed(3)} fpr=${m.fpr.toFixed(3)} n=${m.n} (tp=${m.tp} fp=${m.fp} tn=${m.tn} fn=${m.fn} precision=${m.precision.toFixed(3)})`;

function verdictLine(row: LabelledText, result: ScreenResult): string {
  const verdict = result.flagged ? "INJECTION" : "ok";
  const label =
    row.label === undefined
      ? ""
      : ` label=${row.label}${(row.label === 1) !== result.flagged ? " MISS" : ""}`;
  const reasons = result.reasons.length > 0 ? ` [${result.reasons.join("; ")}]` : "";
  return `${row.line}\t${verdict}\t${result.score.toFixed(3)}${label}\t${preview(row.text)}${reasons}`;
}

function screenFile(file: string, json: boolean, io: Io): void {
  const rows = readJsonl(file);
  const results = rows.map((row) => ({ row, result: screenText(row.text) }));
  const labelled = results.filter(({ row }) => row.label !== undefined);
  const summary =
    labelled.length > 0
      ? metrics(labelled.map(({ row, result }) => ({ label: row.label!, flagged: result.flagged })))
      : null;
  if (json) {
    io.out(
      JSON.stringify({
        file,
        results: results.map(({ row, result }) => ({ line: row.line, label: row.label, ...result })),
        summary,
      }),
    );
    return;
  }
  for (const { row, result } of results) io.out(verdictLine(row, result));
  if (summary) io.out(summaryLine(summary));
  else
    io.out(
      `flagged=${results.filter(({ result }) => result.flagged).length} n=${results.length} (no labels)`,
    );
}

function crossValidateFile(file: string, k: number, seed: number, json: boolean, io: Io): void {
  const rows = readJsonl(file);
  const cv: CrossValidation = crossValidate(rows, k, { seed });
  if (json) {
    io.out(JSON.stringify({ file, seed, ...cv }));
    return;
  }
  io.out(
    `${k}-fold cross-validation of ${file} (seed ${seed}, threshold ${cv.threshold}): each fold scored by a model trained on the other ${k - 1}`,
  );
  for (const [index, fold] of cv.perFold.entries()) io.out(`fold ${index + 1}: ${summaryLine(fold)}`);
  io.out(`signatures only: ${summaryLine(cv.signaturesOnly)}`);
  io.out(`model only:      ${summaryLine(cv.modelOnly)}`);
  io.out(summaryLine(cv.combined));
}

export function runGuard(argv: readonly string[], io: Io): number {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "--help" || command === "help") {
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    const flags = parseFlags(rest);
    const json = flags.get("json") === true;
    if (command === "screen") {
      const text = stringFlag(flags, "text");
      const file = stringFlag(flags, "jsonl");
      if (text !== undefined) {
        const result = screenText(text);
        io.out(json ? JSON.stringify(result) : verdictLine({ line: 1, text }, result));
        return 0;
      }
      if (file === undefined) throw new UsageError("screen needs --jsonl FILE or --text TEXT");
      const k = integerFlag(flags, "cv", 2);
      if (k !== undefined) crossValidateFile(file, k, integerFlag(flags, "seed", 0) ?? 1, json, io);
      else screenFile(file, json, io);
      return 0;
    }
    if (command === "train") {
      const file = stringFlag(flags, "jsonl");
      if (file === undefined) throw new UsageError("train needs --jsonl FILE (labelled)");
      const out = stringFlag(flags, "out") ?? fileURLToPath(WEIGHTS_URL);
      const model = trainFromFile(file);
      writeFileSync(out, `${JSON.stringify(model)}\n`);
      io.out(
        `trained on ${model.trainedOn.rows} rows (${model.trainedOn.positives} injections); ${model.count} weights written to ${out}`,
      );
      return 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`guard: ${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof ScreeningDataError) {
      io.err(`guard: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = runGuard(process.argv.slice(2), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
}
