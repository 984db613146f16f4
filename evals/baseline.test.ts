import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { baselineMinimum, gate, parseRate, readBaseline, setName, writeBaseline } from "./baseline.ts";
import type { EvalSummary } from "./runner.ts";

function summary(passed: number, cases: number): EvalSummary {
  return {
    cases,
    cases_passed: passed,
    scenarios: cases * 2,
    scenarios_passed: passed * 2,
    schema_valid: cases,
    clarify_correct: cases,
    model: "offline-planner",
    llm_calls: 0,
    tokens: 0,
    pass_rate: passed / cases,
    drafted_journeys: cases,
    median_llm_calls_per_journey: 0,
    wall_ms: 1,
  };
}

describe("the CI gate", () => {
  it("fails below the minimum and passes at or above it", () => {
    expect(gate(summary(19, 20), 1, "baseline").ok).toBe(false);
    expect(gate(summary(19, 20), 0.95, "baseline").ok).toBe(true);
    expect(gate(summary(20, 20), 1, "baseline").message).toMatch(/100\.0% ≥ 100\.0%/);
  });

  it("reads rates as fractions or percentages", () => {
    expect(parseRate("0.9")).toBe(0.9);
    expect(parseRate("90%")).toBe(0.9);
    expect(parseRate("90")).toBe(0.9);
    expect(() => parseRate("lots")).toThrowError(/not a rate/);
    expect(() => parseRate("120%")).toThrowError(/above 100%/);
  });

  it("records a set's pass rate and reads it back as that set's minimum", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "overture-baseline-")), "baseline.json");
    expect(readBaseline(file).sets).toEqual({});
    writeBaseline(file, setName("/somewhere/goals.jsonl"), summary(18, 20));
    writeBaseline(file, "other.jsonl", summary(5, 5));
    const baseline = readBaseline(file);
    expect(baselineMinimum(baseline, "goals.jsonl", file)).toBe(0.9);
    expect(baselineMinimum(baseline, "other.jsonl", file)).toBe(1);
    expect(() => baselineMinimum(baseline, "unknown.jsonl", file)).toThrowError(
      /records no pass rate for "unknown\.jsonl"/,
    );
    expect(JSON.parse(readFileSync(file, "utf8")).sets["goals.jsonl"].cases_passed).toBe(18);
  });

  it("rejects a baseline file that is not a baseline", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "overture-baseline-")), "baseline.json");
    writeFileSync(file, JSON.stringify({ sets: { "goals.jsonl": { pass_rate: "high" } } }));
    expect(() => readBaseline(file)).toThrowError(/baseline/);
  });
});
