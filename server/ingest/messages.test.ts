import { describe, expect, it } from "vitest";
import type { IngestIssue } from "./messages.ts";
import { IngestValidationError, MAX_CALL_BYTES, parseEnvelope, validateCalls } from "./messages.ts";

const receivedAt = new Date("2026-01-01T12:00:00Z");

function issuesOf(raw: unknown[], mode: "batch" | "single" = "batch", impliedType?: "track"): IngestIssue[] {
  try {
    validateCalls(raw, { receivedAt, mode, impliedType });
  } catch (error) {
    if (error instanceof IngestValidationError) return error.issues;
    throw error;
  }
  throw new Error("expected the calls to be rejected");
}

describe("validateCalls", () => {
  it("accepts a minimal track and generates a messageId as Segment's HTTP API does", () => {
    const [call] = validateCalls([{ type: "track", userId: "u1", event: "Signed Up" }], {
      receivedAt,
      mode: "batch",
    });
    expect(call?.messageId).toMatch(/^api-[0-9a-f-]{36}$/);
    expect(call?.timestamp).toEqual(receivedAt);
    expect(call?.name).toBe("Signed Up");
  });

  it("names the index and field of every invalid call in a batch", () => {
    const issues = issuesOf([
      { type: "track", userId: "u1", event: "ok" },
      { type: "track", userId: "u1" },
      { type: "identify" },
      { type: "alias", userId: "u1" },
      { type: "bogus", userId: "u1" },
      { type: "page", userId: "u1", timestamp: "not a date" },
      { type: "track", userId: "u1", event: "x", messageId: "m".repeat(101) },
      { type: "track", userId: 42, event: "x" },
      "a string",
    ]);
    const byPath = Object.fromEntries(issues.map((issue) => [issue.path, issue]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        "batch[1].event",
        "batch[2].userId",
        "batch[3].previousId",
        "batch[4].type",
        "batch[5].timestamp",
        "batch[6].messageId",
        "batch[7].userId",
        "batch[8]",
      ].sort(),
    );
    expect(byPath["batch[1].event"]).toMatchObject({ index: 1, message: "is required" });
    expect(byPath["batch[2].userId"]).toMatchObject({ code: "no_user_anon_id" });
    expect(byPath["batch[5].timestamp"]?.message).toMatch(/ISO 8601/);
    expect(byPath["batch[6].messageId"]?.message).toMatch(/100 characters/);
    expect(byPath["batch[7].userId"]?.message).toBe("must be a string, not number");
  });

  it("reports paths from the body's root for single-call routes and checks the route's type", () => {
    expect(issuesOf([{ userId: "u1" }], "single", "track").map((issue) => issue.path)).toEqual(["event"]);
    const [mismatch] = issuesOf([{ type: "identify", userId: "u1", event: "x" }], "single", "track");
    expect(mismatch).toMatchObject({ path: "type", code: "type_mismatch", index: null });
  });

  it("names properties, context and traits that are not objects, and keeps those that are as sent", () => {
    expect(
      issuesOf([
        { type: "track", userId: "u1", event: "x", properties: [1] },
        { type: "track", userId: "u1", event: "x", properties: "text" },
        { type: "track", userId: "u1", event: "x", context: 5 },
        { type: "identify", userId: "u1", traits: [] },
        { type: "track", userId: "u1", event: "x", properties: null },
      ]).map((issue) => [issue.path, issue.code, issue.message]),
    ).toEqual([
      ["batch[0].properties", "invalid_type", "must be an object, not an array"],
      ["batch[1].properties", "invalid_type", "must be an object, not string"],
      ["batch[2].context", "invalid_type", "must be an object, not number"],
      ["batch[3].traits", "invalid_type", "must be an object, not an array"],
    ]);
    const properties = { nested: { list: [1, { deep: true }] }, "key with spaces": "ü" };
    const [call] = validateCalls([{ type: "track", userId: "u1", event: "x", properties }], {
      receivedAt,
      mode: "batch",
    });
    expect(call?.properties).toEqual(properties);
  });

  it("limits a call to 32 KB and names the biggest field", () => {
    const huge = {
      type: "track",
      userId: "u1",
      event: "x",
      properties: { blob: "x".repeat(MAX_CALL_BYTES) },
    };
    expect(issuesOf([huge])).toEqual([expect.objectContaining({ path: "batch[0]", code: "too_large" })]);
    expect(issuesOf([huge])[0]?.message).toMatch(/largest field: properties/);
    expect(issuesOf([huge], "single", "track")).toEqual([
      expect.objectContaining({ path: "properties", code: "too_large" }),
    ]);
  });

  it("rejects what jsonb cannot store, naming the field", () => {
    const [nul] = issuesOf([{ type: "track", userId: "u1", event: "x", properties: { note: "a\u0000b" } }]);
    expect(nul).toMatchObject({ path: "batch[0].properties.note", code: "invalid_json_value" });
    const [surrogate] = issuesOf([{ type: "track", userId: "\ud800", event: "x" }]);
    expect(surrogate?.path).toBe("batch[0].userId");
    let deep: unknown = "bottom";
    for (let level = 0; level < 40; level++) deep = { level: deep };
    const [nested] = issuesOf([{ type: "track", userId: "u1", event: "x", properties: deep }]);
    expect(nested?.message).toMatch(/nested more than/);
  });

  it("validates consent: traits.consent booleans, categoryPreferences booleans, subscription channels", () => {
    const issues = issuesOf([
      { type: "identify", userId: "u1", traits: { consent: { sms: "yes" } } },
      {
        type: "track",
        userId: "u1",
        event: "x",
        context: { consent: { categoryPreferences: { Email: 1 } } },
      },
      { type: "track", userId: "u1", event: "Unsubscribed", properties: { channel: "pigeon" } },
    ]);
    expect(issues.map((issue) => issue.path)).toEqual([
      "batch[0].traits.consent.sms",
      "batch[1].context.consent.categoryPreferences.Email",
      "batch[2].properties.channel",
    ]);
  });

  it("keeps consent out of traits and merges the batch context under the call's", () => {
    const [identify] = validateCalls(
      [
        {
          type: "identify",
          userId: "u1",
          traits: { plan: "pro", consent: { sms: false } },
          context: { ip: "1" },
        },
      ],
      { receivedAt, mode: "batch", batchContext: { ip: "0", locale: "de-DE" } },
    );
    expect(identify?.traits).toEqual({ plan: "pro" });
    expect(identify?.consentTraits).toEqual({ sms: false });
    expect(identify?.context).toEqual({ ip: "1", locale: "de-DE" });
  });

  it("applies the batch sentAt to correct originalTimestamp skew", () => {
    const [call] = validateCalls(
      [{ type: "track", userId: "u1", event: "x", originalTimestamp: "2026-01-01T11:00:00Z" }],
      { receivedAt, mode: "batch", batchSentAt: new Date("2026-01-01T11:00:10Z") },
    );
    expect(call?.timestamp.toISOString()).toBe("2026-01-01T11:59:50.000Z");
  });
});

describe("parseEnvelope", () => {
  it.each([
    [[], "body"],
    [{}, "batch"],
    [{ batch: {} }, "batch"],
    [{ batch: [] }, "batch"],
    [{ batch: [{}], sentAt: "soon" }, "sentAt"],
    [{ batch: [{}], context: [] }, "context"],
  ])("rejects %j naming %s", (body, path) => {
    try {
      parseEnvelope(body);
      throw new Error("expected rejection");
    } catch (error) {
      expect(error).toBeInstanceOf(IngestValidationError);
      expect((error as IngestValidationError).issues[0]?.path).toBe(path);
    }
  });
});
