import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { metrics, parseJsonl } from "./evaluate.ts";
import { screenText } from "./screen.ts";

/**
 * Labelled sets we wrote ourselves (see docs/policies.md): blind-set.jsonl before reading the
 * detector, then used to find its weak families; blind-set-2.jsonl after the changes and never used
 * for tuning. The bounds are the measured figures, so a regression fails here.
 */
function measure(name: string) {
  const url = new URL(`./fixtures/${name}`, import.meta.url);
  const rows = parseJsonl(readFileSync(url, "utf8"), name);
  return metrics(rows.map((row) => ({ label: row.label ?? 0, flagged: screenText(row.text).flagged })));
}

describe("the shipped detector on our own labelled sets", () => {
  it("blind-set.jsonl: recall ≥ 0.95 at a false-positive rate ≤ 0.03", () => {
    const result = measure("blind-set.jsonl");
    expect(result.n).toBe(281);
    expect(result.recall).toBeGreaterThanOrEqual(0.95);
    expect(result.fpr).toBeLessThanOrEqual(0.03);
  });

  it("blind-set-2.jsonl: recall ≥ 0.5 with no false positive", () => {
    const result = measure("blind-set-2.jsonl");
    expect(result.n).toBe(110);
    expect(result.recall).toBeGreaterThanOrEqual(0.5);
    expect(result.fp).toBe(0);
  });
});
