import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedPathForTest } from "../../evals/shared-data.ts";
import { parsePolicyConfig } from "../../policies/config.ts";
import { createDecide } from "../../policies/engine.ts";
import { EVAL_JOURNEYS } from "./eval-journeys.fixtures.ts";
import { simulate } from "./simulate.ts";

const goalsPath = sharedPathForTest("evals", "goals.jsonl");
const catalogPath = sharedPathForTest("evals", "catalog.json");

interface EvalCase {
  id: string;
  clarify?: boolean;
  scenarios?: Array<{ name: string }>;
}

describe.skipIf(!goalsPath || !catalogPath)("the simulator on the public eval scenarios", () => {
  const cases: EvalCase[] = goalsPath
    ? readFileSync(goalsPath, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as EvalCase)
    : [];
  const catalog = (catalogPath ? JSON.parse(readFileSync(catalogPath, "utf8")) : {}) as {
    policies?: unknown;
  };
  // The catalog's policies (consent, quiet hours with deferral, frequency cap) through the real engine.
  const decide = createDecide(parsePolicyConfig(catalog.policies ?? {}));
  for (const evalCase of cases.filter((entry) => !entry.clarify)) {
    const journey = EVAL_JOURNEYS[evalCase.id];
    for (const scenario of evalCase.scenarios ?? []) {
      it.runIf(journey !== undefined)(
        `${evalCase.id} / ${scenario.name}: produces exactly the expected actions`,
        async () => {
          const result = await simulate(journey, scenario, { decide, catalog });
          expect(result.expectation?.problems).toEqual([]);
          expect(result.expectation?.pass).toBe(true);
        },
      );
    }
  }
});
