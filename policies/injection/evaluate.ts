import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { vectorize } from "./features.ts";
import type { SerializedModel, TrainingExample, TrainOptions } from "./logistic.ts";
import { DEFAULT_TRAIN_OPTIONS, serialize, train } from "./logistic.ts";
import { normalizeForScreening } from "./normalize.ts";
import type { Detector } from "./screen.ts";
import { createDetector, DEFAULT_THRESHOLD } from "./screen.ts";
import { matchSignatures } from "./signatures.ts";

/** Labelled screening data: JSON lines with `text` and an optional `label` (1 = injection). */
export interface LabelledText {
  line: number;
  text: string;
  label?: 0 | 1 | undefined;
}

export class ScreeningDataError extends Error {
  readonly code = "bad_screening_data";
  constructor(message: string) {
    super(message);
    this.name = "ScreeningDataError";
  }
}

const Line = z.object({
  text: z.string(),
  label: z.union([z.literal(0), z.literal(1), z.boolean()]).optional(),
});

export function parseJsonl(content: string, source: string): LabelledText[] {
  const rows: LabelledText[] = [];
  for (const [index, raw] of content.split(/\r?\n/).entries()) {
    if (raw.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new ScreeningDataError(`${source}:${index + 1}: not valid JSON (${(error as Error).message})`);
    }
    const parsed = Line.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `field "${issue.path.join(".")}"` : "line";
      throw new ScreeningDataError(
        `${source}:${index + 1}: ${where}: ${issue?.message ?? "invalid"} (each line needs {"text": string, "label"?: 0 | 1})`,
      );
    }
    const label =
      parsed.data.label === undefined
        ? undefined
        : parsed.data.label === true || parsed.data.label === 1
          ? 1
          : 0;
    rows.push({ line: index + 1, text: parsed.data.text, label });
  }
  return rows;
}

export function readJsonl(file: string): LabelledText[] {
  let content: string;
  try {
    content = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ScreeningDataError(
      code === "ENOENT" ? `no such file: ${file}` : `cannot read ${file}: ${(error as Error).message}`,
    );
  }
  return parseJsonl(content, file);
}

export interface Metrics {
  n: number;
  positives: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  recall: number;
  fpr: number;
  precision: number;
  accuracy: number;
}

export function metrics(pairs: ReadonlyArray<{ label: 0 | 1; flagged: boolean }>): Metrics {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (const { label, flagged } of pairs) {
    if (label === 1 && flagged) tp++;
    else if (label === 1) fn++;
    else if (flagged) fp++;
    else tn++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 10_000) / 10_000);
  return {
    n: pairs.length,
    positives: tp + fn,
    tp,
    fp,
    tn,
    fn,
    recall: ratio(tp, tp + fn),
    fpr: ratio(fp, fp + tn),
    precision: ratio(tp, tp + fp),
    accuracy: ratio(tp + tn, pairs.length),
  };
}

export function toExamples(rows: readonly LabelledText[]): TrainingExample[] {
  return rows.map((row) => {
    if (row.label === undefined)
      throw new ScreeningDataError(`line ${row.line} has no label; training needs labels`);
    const normalized = normalizeForScreening(row.text);
    return { vector: vectorize(normalized, matchSignatures(normalized)), label: row.label };
  });
}

/** Deterministic stratified folds: rows are ordered by a hash of (seed, text) within each class. */
export function stratifiedFolds(rows: readonly LabelledText[], k: number, seed = 1): number[] {
  if (!Number.isInteger(k) || k < 2) throw new RangeError("cross-validation needs k ≥ 2");
  const fold = new Array<number>(rows.length).fill(0);
  for (const label of [0, 1] as const) {
    const members = rows
      .map((row, index) => ({
        index,
        key: createHash("sha256").update(`${seed}:${index}:${row.text}`).digest("hex"),
      }))
      .filter(({ index }) => rows[index]!.label === label)
      .sort((a, b) => a.key.localeCompare(b.key));
    members.forEach(({ index }, position) => {
      fold[index] = position % k;
    });
  }
  return fold;
}

export interface CrossValidation {
  k: number;
  threshold: number;
  /** signatures + a model trained on the other folds (the shipped method) */
  combined: Metrics;
  /** the fold models alone */
  modelOnly: Metrics;
  /** strong signatures alone (no learning involved) */
  signaturesOnly: Metrics;
  perFold: Metrics[];
}

/**
 * k-fold cross-validation of the shipped method: for each fold a fresh model is trained on the
 * other k−1 folds with the shipped hyper-parameters and scores only the held-out fold.
 */
export function crossValidate(
  rows: readonly LabelledText[],
  k: number,
  options: { seed?: number; threshold?: number; train?: TrainOptions } = {},
): CrossValidation {
  const labelled = rows.filter((row): row is LabelledText & { label: 0 | 1 } => row.label !== undefined);
  if (labelled.length !== rows.length)
    throw new ScreeningDataError("cross-validation needs a label on every line");
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const folds = stratifiedFolds(labelled, k, options.seed ?? 1);
  const examples = toExamples(labelled);
  const signaturesOnly = createDetector(null);
  const combined: Array<{ label: 0 | 1; flagged: boolean }> = [];
  const modelOnly: Array<{ label: 0 | 1; flagged: boolean }> = [];
  const signatures: Array<{ label: 0 | 1; flagged: boolean }> = [];
  const perFold: Metrics[] = [];
  for (let fold = 0; fold < k; fold++) {
    const model = train(
      examples.filter((_, index) => folds[index] !== fold),
      options.train ?? DEFAULT_TRAIN_OPTIONS,
    );
    const detector: Detector = createDetector(model, threshold);
    const foldPairs: Array<{ label: 0 | 1; flagged: boolean }> = [];
    labelled.forEach((row, index) => {
      if (folds[index] !== fold) return;
      const result = detector.screen(row.text);
      const pair = { label: row.label, flagged: result.flagged };
      combined.push(pair);
      foldPairs.push(pair);
      modelOnly.push({
        label: row.label,
        flagged: result.reasons.some((reason) => reason.startsWith("model:")),
      });
      signatures.push({ label: row.label, flagged: signaturesOnly.screen(row.text).flagged });
    });
    perFold.push(metrics(foldPairs));
  }
  return {
    k,
    threshold,
    combined: metrics(combined),
    modelOnly: metrics(modelOnly),
    signaturesOnly: metrics(signatures),
    perFold,
  };
}

/** Trains the shipped model on a whole labelled file (what `guard train` writes to model-weights.json). */
export function trainFromFile(file: string, options: TrainOptions = DEFAULT_TRAIN_OPTIONS): SerializedModel {
  const content = readFileSync(file);
  const rows = parseJsonl(content.toString("utf8"), file);
  const examples = toExamples(rows);
  const model = train(examples, options);
  return serialize(
    model,
    {
      file: path.basename(file),
      rows: rows.length,
      positives: examples.filter((example) => example.label === 1).length,
      sha256: createHash("sha256").update(content).digest("hex"),
    },
    options,
  );
}
