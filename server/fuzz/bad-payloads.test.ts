import { describe, expect, it } from "vitest";
import type { BadRequest, FieldRule, JsonValue } from "./bad-payloads.ts";
import { badPayloads, formatPath } from "./bad-payloads.ts";

const valid: JsonValue = {
  name: "Spring sale",
  starts_at: "2024-05-01T10:00:00Z",
  nodes: [{ id: "a", kind: "send" }],
};
const rules: FieldRule[] = [
  { path: ["name"], type: "string", required: true, nonEmpty: true, maxLength: 20 },
  { path: ["starts_at"], type: "datetime" },
  { path: ["nodes", 0, "kind"], type: "string", required: true, oneOf: ["send", "wait"] },
  { path: ["nodes"], type: "array", maxDepth: 3 },
];
const options = {
  headers: { "content-type": "application/json", authorization: "Bearer good" },
  rules,
  maxBodyBytes: 1_000,
  auth: { header: "authorization", invalid: ["Bearer bad"] },
};

function parse(request: BadRequest): unknown {
  const text =
    typeof request.body === "string"
      ? request.body
      : new TextDecoder("utf-8", { fatal: true }).decode(request.body);
  return JSON.parse(text);
}

describe("badPayloads", () => {
  const all = [...badPayloads(valid, options)];

  it("is deterministic for a seed", () => {
    expect([...badPayloads(valid, options)].map((request) => request.label)).toEqual(all.map((r) => r.label));
  });

  it("yields bodies that are not JSON for the broken-JSON families", () => {
    for (const request of all.filter((r) =>
      ["truncated_json", "not_json", "invalid_utf8"].includes(r.family),
    )) {
      expect(() => parse(request), request.label).toThrow();
    }
  });

  it("changes exactly the named field for field mutations", () => {
    const fieldMutations = all.filter(
      (request) => request.field && request.field !== "body" && request.family !== "content_type",
    );
    expect(fieldMutations.length).toBeGreaterThan(20);
    for (const request of fieldMutations) {
      const body = parse(request) as Record<string, unknown>;
      const untouched = { ...(valid as Record<string, unknown>) };
      const top = request.field!.split(/[.[]/)[0]!;
      delete untouched[top];
      const rest = { ...body };
      delete rest[top];
      expect(rest, request.label).toEqual(untouched);
    }
  });

  it("covers missing, wrong types, oversize, enums, dates, depth, unstorable strings, content types and auth", () => {
    const families = new Set(all.map((request) => request.family));
    for (const family of [
      "missing_field",
      "null_field",
      "wrong_type",
      "oversize_string",
      "empty_string",
      "bad_enum",
      "bad_date",
      "deep_field",
      "unstorable_string",
      "oversize_body",
      "wrong_root",
      "deep_root",
      "content_type",
      "auth",
    ]) {
      expect(families.has(family as BadRequest["family"]), family).toBe(true);
    }
    const oversize = all.find((request) => request.family === "oversize_body")!;
    expect((oversize.body as string).length).toBeGreaterThan(1_000);
    expect(
      all.filter((request) => request.family === "auth").map((request) => request.headers.authorization),
    ).toEqual([undefined, "Bearer bad"]);
  });

  it("formats paths the way the API reports them", () => {
    expect(formatPath(["batch", 3, "properties", "title"])).toBe("batch[3].properties.title");
  });
});
