import { describe, expect, it } from "vitest";
import { loadCases, loadEvalCatalog, parseCases } from "./cases.ts";
import { offlineDrafter } from "./drafter.ts";
import { formatFailures, formatTable } from "./report.ts";
import { runEval } from "./runner.ts";
import { sharedPathForTest } from "./shared-data.ts";
import { SHOP_CASES, shopWorkspace } from "./test-fixtures.ts";

describe("runEval with the offline planner", () => {
  it("scores each case by simulation and reports expected vs produced for every failure", async () => {
    const cases = parseCases(SHOP_CASES.map((entry) => JSON.stringify(entry)).join("\n"));
    const report = await runEval({ cases, workspace: shopWorkspace(), drafter: offlineDrafter });
    const byId = Object.fromEntries(report.cases.map((row) => [row.id, row]));

    expect(byId["shipped-push"]).toMatchObject({
      pass: true,
      produced: "journey",
      schema_valid: true,
      scenarios_passed: 1,
    });
    expect(byId.vague).toMatchObject({ pass: true, produced: "clarify", clarify_correct: true });

    const wrong = byId["shipped-push-wrong-expectation"]!;
    expect(wrong.pass).toBe(false);
    expect(wrong.scenario_rows[0]).toMatchObject({
      pass: false,
      expected: [{ channel: "push", at: "PT2H" }],
      produced: [{ channel: "push", at: "PT30M" }],
    });
    expect(wrong.scenario_rows[0]!.problems).toEqual(["missing push at PT2H", "unexpected push at PT30M"]);

    expect(byId["clear-goal-marked-vague"]).toMatchObject({
      pass: false,
      produced: "journey",
      clarify_correct: false,
    });
    expect(byId["needs-a-split"]).toMatchObject({
      pass: false,
      structure_ok: false,
      missing_structure: ["split"],
    });
    expect(byId["asked-but-should-draft"]).toMatchObject({ pass: false, produced: "clarify" });

    expect(report.summary).toMatchObject({
      cases: 6,
      cases_passed: 2,
      scenarios: 4,
      scenarios_passed: 2,
      schema_valid: 4,
      clarify_correct: 4,
      model: "offline-planner",
      llm_calls: 0,
      tokens: 0,
      drafted_journeys: 4,
      median_llm_calls_per_journey: 0,
    });
    expect(report.summary.pass_rate).toBeCloseTo(2 / 6, 4);

    const table = formatTable(report);
    expect(table).toMatch(/shipped-push-wrong-expectation\s+FAIL/);
    expect(table).toMatch(/cases 2\/6/);
    const failures = formatFailures(report);
    expect(failures).toContain("expected: push@PT2H");
    expect(failures).toContain("produced: push@PT30M");
    expect(failures).toContain("missing node types: split");
  });
});

const goals = sharedPathForTest("evals", "goals.jsonl");
const catalog = sharedPathForTest("evals", "catalog.json");

describe.skipIf(!goals || !catalog)("the offline planner on the eval sets", () => {
  it("passes every public case of ../shared/evals/goals.jsonl", async () => {
    const report = await runEval({
      cases: loadCases(goals!),
      workspace: loadEvalCatalog(catalog!),
      drafter: offlineDrafter,
    });
    expect(formatFailures(report)).toBe("");
    expect(report.summary.cases_passed).toBe(report.summary.cases);
  });

  it("passes every case of its own generalisation set (other events and phrasings)", async () => {
    const path = new URL("./cases/planner-generalisation.jsonl", import.meta.url).pathname;
    const report = await runEval({
      cases: loadCases(path),
      workspace: loadEvalCatalog(catalog!),
      drafter: offlineDrafter,
    });
    expect(formatFailures(report)).toBe("");
    expect(report.summary.cases).toBeGreaterThanOrEqual(20);
  });
});
