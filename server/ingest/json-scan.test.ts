import { describe, expect, it } from "vitest";
import { findJsonProblem, MAX_JSON_DEPTH, scanJson } from "./json-scan.ts";

/** A deterministic mix of JSON values: escapes, non-ASCII, surrogate pairs, numbers, nesting. */
function sample(seed: number, depth = 0): unknown {
  const pick = (seed * 2_654_435_761) % 97;
  const texts = [
    "plain",
    'quote " and \\ backslash',
    "tab\tnewline\n",
    "ünïcödé €",
    "emoji 😀😀",
    "\u0001\u001f",
    "",
  ];
  if (depth > 4 || pick < 30) return texts[pick % texts.length]!.repeat((pick % 5) + 1);
  if (pick < 45) return (pick - 40) * 1.234_567_890_123e-7;
  if (pick < 50) return pick % 2 === 0;
  if (pick < 55) return null;
  if (pick < 75) return Array.from({ length: pick % 6 }, (_, index) => sample(seed * 31 + index, depth + 1));
  return Object.fromEntries(
    Array.from({ length: pick % 7 }, (_, index) => [
      `${texts[index % texts.length]}-${index}`,
      sample(seed * 17 + index, depth + 1),
    ]),
  );
}

describe("scanJson", () => {
  it("never under-estimates the JSON size in UTF-8 bytes", () => {
    for (let seed = 1; seed < 2_000; seed += 1) {
      const value = { call: sample(seed), more: [sample(seed + 1), sample(seed + 2)] };
      const exact = Buffer.byteLength(JSON.stringify(value), "utf8");
      expect(scanJson(value).maxBytes).toBeGreaterThanOrEqual(exact);
    }
  });

  it("finds a problem exactly when findJsonProblem does", () => {
    let deep: unknown = "bottom";
    for (let level = 0; level < MAX_JSON_DEPTH + 1; level += 1) deep = { level: deep };
    const values = [
      { ok: ["fine", 1, null, { a: "b" }] },
      { nul: "a\u0000b" },
      { "key\u0000": 1 },
      { lone: ["\ud800"] },
      { low: "x\udc00" },
      { pair: "😀" },
      deep,
    ];
    for (const value of values) expect(scanJson(value).clean).toBe(findJsonProblem(value) === null);
    for (let seed = 1; seed < 500; seed += 1) {
      const value = sample(seed);
      expect(scanJson(value).clean).toBe(findJsonProblem(value) === null);
    }
  });
});
