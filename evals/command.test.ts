import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandIo } from "./command.ts";
import { runEvalCommand } from "./command.ts";
import { SHOP_CASES, SHOP_EVAL_CATALOG } from "./test-fixtures.ts";

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (text) => stdout.push(text), err: (text) => stderr.push(text) };
}

const noShared = { sharedPath: () => null };

/** A case set in a temp dir with its catalog beside it (the runner picks that catalog up). */
function caseSet(cases: readonly unknown[]): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "overture-eval-"));
  const file = path.join(dir, "set.jsonl");
  writeFileSync(file, cases.map((entry) => JSON.stringify(entry)).join("\n"));
  writeFileSync(path.join(dir, "catalog.json"), JSON.stringify(SHOP_EVAL_CATALOG));
  return { dir, file };
}

const passing = SHOP_CASES.filter((entry) => entry.id === "shipped-push" || entry.id === "vague");
const mixed = SHOP_CASES.filter((entry) =>
  ["shipped-push", "shipped-push-wrong-expectation"].includes(entry.id),
);

describe("npm run eval", () => {
  it("says clearly that ../shared is missing and exits 2 when no case file is given", async () => {
    const io = capture();
    expect(await runEvalCommand([], io, noShared)).toBe(2);
    expect(io.stderr.join("\n")).toMatch(/\.\.\/shared is not beside this checkout/);
  });

  it("runs any case file, prints the table and writes the JSON report", async () => {
    const { dir, file } = caseSet(passing);
    const out = path.join(dir, "report.json");
    const io = capture();
    expect(await runEvalCommand(["--cases", file, "--out", out, "--quiet"], io, noShared)).toBe(0);
    expect(io.stdout.join("\n")).toMatch(/cases 2\/2 \(100\.0%\)/);
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(Object.keys(report.summary)).toEqual(
      expect.arrayContaining([
        "cases",
        "cases_passed",
        "scenarios",
        "scenarios_passed",
        "schema_valid",
        "clarify_correct",
        "model",
        "llm_calls",
        "tokens",
      ]),
    );
    expect(report.cases.map((row: { id: string; wall_ms: number }) => row.id)).toEqual([
      "shipped-push",
      "vague",
    ]);
  });

  it("fails the gate (exit 1) when the pass rate is below --min-pass-rate", async () => {
    const { file } = caseSet(mixed);
    const io = capture();
    expect(await runEvalCommand(["--cases", file, "--min-pass-rate", "90%", "--quiet"], io, noShared)).toBe(
      1,
    );
    expect(io.stderr.join("\n")).toMatch(/pass rate 50\.0% is below 90\.0%/);
    expect(io.stdout.join("\n")).toMatch(/expected: push@PT2H/);
  });

  it("gates on a recorded baseline: records, passes at the level, fails below it, and needs an entry", async () => {
    const { dir, file } = caseSet(mixed);
    const baseline = path.join(dir, "baseline.json");
    expect(
      await runEvalCommand(["--cases", file, "--baseline", baseline, "--quiet"], capture(), noShared),
    ).toBe(2);
    expect(
      await runEvalCommand(["--cases", file, "--write-baseline", baseline, "--quiet"], capture(), noShared),
    ).toBe(0);
    expect(JSON.parse(readFileSync(baseline, "utf8")).sets["set.jsonl"].pass_rate).toBe(0.5);
    expect(
      await runEvalCommand(["--cases", file, "--baseline", baseline, "--quiet"], capture(), noShared),
    ).toBe(0);
    writeFileSync(
      baseline,
      JSON.stringify({
        sets: {
          "set.jsonl": { ...JSON.parse(readFileSync(baseline, "utf8")).sets["set.jsonl"], pass_rate: 1 },
        },
      }),
    );
    const io = capture();
    expect(await runEvalCommand(["--cases", file, "--baseline", baseline, "--quiet"], io, noShared)).toBe(1);
    expect(io.stderr.join("\n")).toMatch(/below 100\.0%/);
  });

  it("rejects a malformed case file with its line number (exit 2)", async () => {
    const { file } = caseSet(passing);
    writeFileSync(file, `${readFileSync(file, "utf8")}\n{"id": 3}`);
    const io = capture();
    expect(await runEvalCommand(["--cases", file], io, noShared)).toBe(2);
    expect(io.stderr.join("\n")).toMatch(/set\.jsonl:3:/);
  });
});
