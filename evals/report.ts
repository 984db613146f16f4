import type { CaseRow, EvalReport } from "./runner.ts";

/** The stdout side of the report: a table per case, then expected vs produced for every failure. */

function pad(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function outcome(row: CaseRow): string {
  if (row.pass) return "pass";
  if (row.produced === "error") return "ERROR";
  if (row.expected === "clarify" && row.produced === "journey") return "FAIL drafted";
  if (row.expected === "journey" && row.produced === "clarify") return "FAIL asked";
  if (!row.schema_valid) return "FAIL invalid";
  if (!row.structure_ok) return "FAIL structure";
  return "FAIL";
}

function actionText(action: {
  channel: string;
  at: string;
  offer?: { kind: string; value?: number | undefined };
}): string {
  const offer = action.offer
    ? ` ${action.offer.kind}${action.offer.value !== undefined ? ` ${action.offer.value}` : ""}`
    : "";
  return `${action.channel}@${action.at}${offer}`;
}

export function formatTable(report: EvalReport): string {
  const lines: string[] = [];
  const header = `${pad("case", 42)} ${pad("result", 15)} ${pad("scenarios", 10)} ${pad("calls", 6)} ${pad("tokens", 8)} ${"ms".padStart(8)}`;
  lines.push(header, "-".repeat(header.length));
  for (const row of report.cases) {
    const scenarios = row.expected === "clarify" ? "clarify" : `${row.scenarios_passed}/${row.scenarios}`;
    lines.push(
      `${pad(row.id, 42)} ${pad(outcome(row), 15)} ${pad(scenarios, 10)} ${pad(String(row.llm_calls), 6)} ${pad(String(row.tokens), 8)} ${row.wall_ms.toFixed(1).padStart(8)}`,
    );
  }
  const s = report.summary;
  lines.push("-".repeat(header.length));
  lines.push(
    `cases ${s.cases_passed}/${s.cases} (${(s.pass_rate * 100).toFixed(1)}%), scenarios ${s.scenarios_passed}/${s.scenarios}, schema-valid drafts ${s.schema_valid}, clarify correct ${s.clarify_correct}/${s.cases}`,
  );
  lines.push(
    `model ${s.model}: ${s.llm_calls} model calls, ${s.tokens} tokens, median ${s.median_llm_calls_per_journey} calls per drafted journey (${s.drafted_journeys} drafted), ${s.wall_ms} ms`,
  );
  return lines.join("\n");
}

export function formatFailures(report: EvalReport): string {
  const lines: string[] = [];
  for (const row of report.cases.filter((entry) => !entry.pass)) {
    lines.push(`\n✗ ${row.id}: ${row.goal}`);
    if (row.error) lines.push(`  error: ${row.error}`);
    if (row.expected === "clarify" && row.produced === "journey")
      lines.push("  expected a clarifying question, got a journey");
    if (row.expected === "journey" && row.produced === "clarify")
      lines.push(`  expected a journey, got a question: ${row.question}`);
    for (const issue of row.validation_issues ?? []) lines.push(`  invalid: ${issue}`);
    if (row.missing_structure.length > 0)
      lines.push(`  missing node types: ${row.missing_structure.join(", ")}`);
    for (const scenario of row.scenario_rows.filter((entry) => !entry.pass)) {
      lines.push(`  scenario "${scenario.name}":`);
      lines.push(`    expected: ${scenario.expected.map(actionText).join(", ") || "(nothing)"}`);
      lines.push(`    produced: ${scenario.produced.map(actionText).join(", ") || "(nothing)"}`);
      for (const problem of scenario.problems) lines.push(`    - ${problem}`);
    }
  }
  return lines.join("\n");
}
