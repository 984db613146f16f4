import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedPathForTest } from "../../evals/shared-data.ts";
import {
  crossValidate,
  metrics,
  parseJsonl,
  ScreeningDataError,
  stratifiedFolds,
  trainFromFile,
} from "./evaluate.ts";
import { loadSerializedModel } from "./screen.ts";

describe("labelled screening data", () => {
  it("reads text and optional labels, skipping blank lines and keeping line numbers", () => {
    const rows = parseJsonl(
      '{"text":"a","label":1}\n\n{"text":"b"}\n{"text":"c","label":false}\n',
      "x.jsonl",
    );
    expect(rows).toEqual([
      { line: 1, text: "a", label: 1 },
      { line: 3, text: "b", label: undefined },
      { line: 4, text: "c", label: 0 },
    ]);
  });

  it("names the file and line of malformed input", () => {
    expect(() => parseJsonl('{"text":"a"}\n{oops', "data.jsonl")).toThrow(/data\.jsonl:2: not valid JSON/);
    expect(() => parseJsonl('{"label":1}', "data.jsonl")).toThrow(/data\.jsonl:1: field "text"/);
    expect(() => parseJsonl('{"text":"a","label":2}', "data.jsonl")).toThrow(ScreeningDataError);
  });

  it("computes recall and false-positive rate", () => {
    const result = metrics([
      { label: 1, flagged: true },
      { label: 1, flagged: false },
      { label: 0, flagged: true },
      { label: 0, flagged: false },
      { label: 0, flagged: false },
      { label: 0, flagged: false },
    ]);
    expect(result).toMatchObject({ n: 6, tp: 1, fn: 1, fp: 1, tn: 3, recall: 0.5, fpr: 0.25 });
  });
});

describe("cross-validation", () => {
  const rows = Array.from({ length: 60 }, (_, index) => ({
    line: index + 1,
    text: `token${index} filler words here`,
    label: (index % 3 === 0 ? 1 : 0) as 0 | 1,
  }));

  it("builds deterministic stratified folds", () => {
    const folds = stratifiedFolds(rows, 5, 7);
    expect(stratifiedFolds(rows, 5, 7)).toEqual(folds);
    for (let fold = 0; fold < 5; fold++) {
      const members = rows.filter((_, index) => folds[index] === fold);
      expect(members).toHaveLength(12);
      expect(members.filter((row) => row.label === 1)).toHaveLength(4);
    }
  });

  it("never scores a row with a model that saw it: memorisable labels give chance-level results", () => {
    // Every text is unique and its label is arbitrary; a model that saw the row would be perfect.
    const cv = crossValidate(rows, 5);
    expect(cv.modelOnly.recall).toBeLessThan(0.6);
    expect(cv.perFold).toHaveLength(5);
    expect(cv.combined.n).toBe(60);
  });

  it("refuses unlabelled rows", () => {
    expect(() => crossValidate([{ line: 1, text: "x" }], 2)).toThrow(/label on every line/);
  });
});

describe("on the shared labelled file (deepset prompt-injections, train split)", () => {
  const file = sharedPathForTest("data", "prompt-injections-train.jsonl");

  it.runIf(file)("reaches recall ≥ 0.9 at a false-positive rate ≤ 0.05 in 5-fold cross-validation", () => {
    const cv = crossValidate(parseJsonl(readFileSync(file!, "utf8"), file!), 5);
    expect(cv.combined.recall).toBeGreaterThanOrEqual(0.9);
    expect(cv.combined.fpr).toBeLessThanOrEqual(0.05);
  });

  it.runIf(file)("the committed weights are exactly what `guard train` produces from it", () => {
    const retrained = trainFromFile(file!);
    const committed = loadSerializedModel();
    expect(committed.trainedOn.sha256).toBe(retrained.trainedOn.sha256);
    expect(committed.weights).toBe(retrained.weights);
    expect(committed.indices).toBe(retrained.indices);
    expect(committed.bias).toBe(retrained.bias);
  });
});
