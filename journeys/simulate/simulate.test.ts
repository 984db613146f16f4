import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedPathForTest } from "../../evals/shared-data.ts";
import type { Decide, PolicyVerdict } from "../../policies/types.ts";
import { localParts, nextLocalTimeOfDay, parseTimeOfDay } from "../format/zoned-time.ts";
import { EVAL_JOURNEYS } from "./eval-journeys.fixtures.ts";
import { simulate } from "./simulate.ts";

/**
 * Consent plus quiet hours (21:00–08:00 for sms and push, deferred to the window's end), written
 * inline as the issue allows until policies/engine.ts lands; it mirrors the eval catalog's policies.
 */
const evalDecide: Decide = (action, context, now) => {
  const verdicts: PolicyVerdict[] = [];
  if (["email", "sms", "push"].includes(action.channel) && context.consent[action.channel] !== true) {
    verdicts.push({ policy: "consent", verdict: "deny", reason: `no ${action.channel} consent` });
    return { outcome: "deny", verdicts, deciding: verdicts[0] };
  }
  if (["sms", "push"].includes(action.channel)) {
    const zone = context.timezone ?? "UTC";
    const minutes = localParts(now, zone).hour * 60 + localParts(now, zone).minute;
    if (minutes >= parseTimeOfDay("21:00")! || minutes < parseTimeOfDay("08:00")!) {
      const until = nextLocalTimeOfDay(now, "08:00", zone);
      const verdict: PolicyVerdict = {
        policy: "quiet_hours",
        verdict: "defer",
        reason: "quiet hours",
        until,
      };
      return { outcome: "defer", until, verdicts: [verdict], deciding: verdict };
    }
  }
  return { outcome: "allow", verdicts: [{ policy: "consent", verdict: "allow", reason: "ok" }] };
};

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
  const catalog: unknown = catalogPath ? JSON.parse(readFileSync(catalogPath, "utf8")) : {};
  for (const evalCase of cases.filter((entry) => !entry.clarify)) {
    const journey = EVAL_JOURNEYS[evalCase.id];
    for (const scenario of evalCase.scenarios ?? []) {
      it.runIf(journey !== undefined)(
        `${evalCase.id} / ${scenario.name}: produces exactly the expected actions`,
        async () => {
          const result = await simulate(journey, scenario, { decide: evalDecide, catalog });
          expect(result.expectation?.problems).toEqual([]);
          expect(result.expectation?.pass).toBe(true);
        },
      );
    }
  }
});
