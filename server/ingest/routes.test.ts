import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { sharedPathForTest } from "../../evals/shared-data.ts";
import type { TestServer, TestWorkspace } from "./test-server.ts";
import { basicAuth, createTestWorkspace, RecordingSink, startTestServer } from "./test-server.ts";

let database: Database;
let server: TestServer;
const sink = new RecordingSink();

beforeAll(async () => {
  database = await openTestDb();
  server = await startTestServer({ database, sink });
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body:
      body instanceof Uint8Array ? Buffer.from(body) : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) as Record<string, unknown> };
}

interface StoredEvent {
  message_id: string;
  type: string;
  name: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown> | null;
  context: Record<string, unknown> | null;
  user_id: string | null;
  anonymous_id: string | null;
  timestamp: string;
}

async function storedEvents(workspaceId: string): Promise<StoredEvent[]> {
  return rows<StoredEvent>(
    database.db,
    sql`select message_id, type, name, properties, traits, context, user_id, anonymous_id, timestamp
        from events where workspace_id = ${workspaceId} order by id`,
  );
}

type SpecExample = Record<string, unknown> & { type: string };

function loadSpecExamples(): Array<[string, SpecExample]> {
  const file = sharedPathForTest("data", "segment", "spec-examples.json");
  if (!file) return [];
  const groups = JSON.parse(readFileSync(file, "utf8")) as Record<string, SpecExample[]>;
  return Object.entries(groups).flatMap(([group, examples]) =>
    examples.map((example, index): [string, SpecExample] => [`${group}[${index}]`, example]),
  );
}

const specExamples = loadSpecExamples();
const hasIdentity = (example: SpecExample) => Boolean(example.userId || example.anonymousId);

describe.skipIf(specExamples.length === 0)(
  "the Segment spec examples (../shared/data/segment/spec-examples.json)",
  () => {
    it.each(specExamples)("%s is accepted by its endpoint and stored as sent", async (_label, example) => {
      const workspace = await createTestWorkspace(database.db);
      // The spec pages show some calls "with most common fields removed", without any identity;
      // the HTTP API requires one (no_user_anon_id), so those are sent with an anonymousId added.
      const payload = hasIdentity(example) ? example : { ...example, anonymousId: "spec-visitor" };
      const response = await post(`/v1/${example.type}`, payload, {
        authorization: basicAuth(workspace.writeKey),
      });
      expect(response).toEqual({ status: 200, json: { success: true } });

      const [event] = await storedEvents(workspace.workspaceId);
      expect(event).toBeDefined();
      expect(event?.type).toBe(example.type);
      if (typeof example.messageId === "string") expect(event?.message_id).toBe(example.messageId);
      expect(event?.user_id).toBe((payload.userId as string | undefined) ?? null);
      expect(event?.anonymous_id).toBe((payload.anonymousId as string | undefined) ?? null);
      expect(event?.name).toBe((example.event ?? example.name ?? null) as string | null);
      expect(event?.properties).toEqual(example.type === "identify" ? {} : (example.properties ?? {}));
      expect(event?.traits).toEqual(example.type === "identify" ? example.traits : null);
      expect(event?.context).toEqual(example.context ?? {});
      if (typeof example.timestamp === "string") {
        expect(new Date(event!.timestamp).toISOString()).toBe(example.timestamp);
      }
      if (example.type === "identify") {
        const [profile] = await rows<{ traits: Record<string, unknown> }>(
          database.db,
          sql`select traits from profiles where workspace_id = ${workspace.workspaceId} and merged_into is null`,
        );
        expect(profile?.traits).toEqual(example.traits);
      }
    });

    it("rejects the identity-less spec snippets as sent, with Segment's no_user_anon_id", async () => {
      const workspace = await createTestWorkspace(database.db);
      const bare = specExamples.filter(([, example]) => !hasIdentity(example));
      expect(bare.length).toBeGreaterThan(0);
      for (const [, example] of bare) {
        const response = await post(`/v1/${example.type}`, example, {
          authorization: basicAuth(workspace.writeKey),
        });
        expect(response.status).toBe(400);
        expect(response.json.error).toMatchObject({ code: "invalid_payload", field: "userId" });
      }
    });

    it("dedupes the examples that reuse a messageId, as Segment does (by messageId, not content)", async () => {
      const workspace = await createTestWorkspace(database.db);
      const batch = specExamples.map(([, example]) =>
        hasIdentity(example) ? example : { ...example, anonymousId: "spec-visitor" },
      );
      const response = await post("/v1/batch", { batch }, { authorization: basicAuth(workspace.writeKey) });
      expect(response.status).toBe(200);
      const withIds = batch.map((example) => example.messageId).filter((id) => typeof id === "string");
      const distinct = new Set(withIds).size + (batch.length - withIds.length);
      expect(await storedEvents(workspace.workspaceId)).toHaveLength(distinct);
      expect(distinct).toBeLessThan(batch.length);
    });
  },
);

describe("authentication", () => {
  let workspace: TestWorkspace;
  const call = { userId: "u1", event: "Signed Up" };
  beforeAll(async () => {
    workspace = await createTestWorkspace(database.db);
  });

  it("takes the write key as Basic username, with or without the colon, or as writeKey in the body", async () => {
    expect((await post("/v1/track", call, { authorization: basicAuth(workspace.writeKey) })).status).toBe(
      200,
    );
    const noColon = `Basic ${Buffer.from(workspace.writeKey).toString("base64")}`;
    expect((await post("/v1/track", call, { authorization: noColon })).status).toBe(200);
    expect((await post("/v1/track", { ...call, writeKey: workspace.writeKey })).status).toBe(200);
  });

  it.each([
    ["no key at all", {}, {}, "missing_write_key"],
    ["an unknown key", {}, { authorization: basicAuth("ovw_not_a_key") }, "invalid_write_key"],
    ["an unknown body key", { writeKey: "nope" }, {}, "invalid_write_key"],
    ["a non-string body key", { writeKey: 12 }, {}, "invalid_write_key"],
    ["a Bearer token", {}, { authorization: "Bearer abc" }, "unsupported_auth"],
    ["broken base64", {}, { authorization: "Basic %%%" }, "invalid_auth_header"],
  ])("answers 401 to %s", async (_label, extraBody, headers, code) => {
    const response = await post("/v1/track", { ...call, ...extraBody }, headers as Record<string, string>);
    expect(response.status).toBe(401);
    expect(response.json.error).toMatchObject({ code, field: "writeKey" });
  });

  it("refuses a management key as a write key", async () => {
    const response = await post("/v1/track", call, { authorization: basicAuth(workspace.adminKey) });
    expect(response.status).toBe(401);
    expect(response.json.error).toMatchObject({ code: "not_a_write_key" });
  });
});

describe("request errors", () => {
  let workspace: TestWorkspace;
  let auth: Record<string, string>;
  beforeAll(async () => {
    workspace = await createTestWorkspace(database.db);
    auth = { authorization: basicAuth(workspace.writeKey) };
  });

  it("answers 415 to a body that is not declared as JSON", async () => {
    const response = await fetch(`${server.url}/v1/track`, {
      method: "POST",
      headers: { "content-type": "text/plain", ...auth },
      body: JSON.stringify({ userId: "u1", event: "x" }),
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({
      error: { code: "unsupported_media_type", field: "content-type" },
    });
  });

  it("answers 400 malformed_json to truncated JSON and 400 invalid_encoding to bad UTF-8", async () => {
    const truncated = await post("/v1/track", '{"userId": "u1", "event": "x"', auth);
    expect(truncated.status).toBe(400);
    expect(truncated.json.error).toMatchObject({ code: "malformed_json", field: "body" });
    const badUtf8 = await post("/v1/track", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), auth);
    expect(badUtf8.json.error).toMatchObject({ code: "invalid_encoding" });
  });

  it("answers 405 with Allow: POST to other methods", async () => {
    const response = await fetch(`${server.url}/v1/batch`, { method: "GET" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("limits a call to 32 KB, naming the field that makes it too big", async () => {
    const response = await post(
      "/v1/track",
      { userId: "u1", event: "x", properties: { blob: "x".repeat(33 * 1024) } },
      auth,
    );
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code: "invalid_payload", field: "properties" });
    expect(String((response.json.error as { message: string }).message)).toMatch(/32 KB/);
  });

  it("limits a batch to 500 KB and each call in it to 32 KB", async () => {
    const calls = Array.from({ length: 20 }, (_, index) => ({
      type: "track",
      userId: `u${index}`,
      event: "x",
      properties: { blob: "x".repeat(30 * 1024) },
    }));
    const tooBig = await post("/v1/batch", { batch: calls }, auth);
    expect(tooBig.status).toBe(400);
    expect(tooBig.json.error).toMatchObject({ code: "payload_too_large", field: "batch" });

    const oneTooBig = calls
      .slice(0, 5)
      .map((call, index) => (index === 3 ? { ...call, properties: { blob: "x".repeat(40 * 1024) } } : call));
    const itemTooBig = await post("/v1/batch", { batch: oneTooBig }, auth);
    expect(itemTooBig.status).toBe(400);
    expect(itemTooBig.json.error).toMatchObject({ code: "invalid_payload", field: "batch[3]" });
  });

  it("bounds gzip bodies after decompression", async () => {
    const bomb = gzipSync(Buffer.from(JSON.stringify({ batch: [], pad: "x".repeat(2_000_000) })));
    expect(bomb.byteLength).toBeLessThan(10_000);
    const response = await fetch(`${server.url}/v1/batch`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", ...auth },
      body: bomb,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "payload_too_large" } });
    const small = gzipSync(
      Buffer.from(JSON.stringify({ batch: [{ type: "track", userId: "gz", event: "Zipped" }] })),
    );
    const accepted = await fetch(`${server.url}/v1/batch`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", ...auth },
      body: small,
    });
    expect(accepted.status).toBe(200);
  });

  it("rejects a batch with invalid calls whole, listing each with its index, field and reason", async () => {
    const response = await post(
      "/v1/batch",
      {
        batch: [
          { type: "track", userId: "u1", event: "fine", messageId: "whole-1" },
          { type: "track", anonymousId: "a", messageId: "whole-2" },
          { type: "identify", traits: {} },
          { type: "screen", userId: "u1", timestamp: "2024-02-30T00:00:00Z" },
        ],
      },
      auth,
    );
    expect(response.status).toBe(400);
    const error = response.json.error as { field: string; issues: Array<Record<string, unknown>> };
    expect(error.field).toBe("batch[1].event");
    expect(error.issues.map((issue) => [issue.index, issue.path, issue.code])).toEqual([
      [1, "batch[1].event", "invalid_type"],
      [2, "batch[2].userId", "no_user_anon_id"],
      [3, "batch[3].timestamp", "custom"],
    ]);
    // nothing stored, so nothing is remembered for dedupe: the valid call is new when resent
    const stored = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from events where workspace_id = ${workspace.workspaceId} and message_id like 'whole-%'`,
    );
    expect(stored[0]?.n).toBe(0);
    const resent = await post(
      "/v1/batch",
      { batch: [{ type: "track", userId: "u1", event: "fine", messageId: "whole-1" }] },
      auth,
    );
    expect(resent.status).toBe(200);
    const after = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from events where workspace_id = ${workspace.workspaceId} and message_id = 'whole-1'`,
    );
    expect(after[0]?.n).toBe(1);
  });

  it("rejects a call whose type does not match the endpoint", async () => {
    const response = await post("/v1/identify", { type: "track", userId: "u1", event: "x" }, auth);
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ field: "type" });
  });
});

describe("the batch endpoint", () => {
  it("applies the envelope's context and sentAt, and /v1/import behaves as /v1/batch", async () => {
    const workspace = await createTestWorkspace(database.db);
    const auth = { authorization: basicAuth(workspace.writeKey) };
    sink.clear();
    const before = Date.now();
    const response = await post(
      "/v1/import",
      {
        batch: [
          {
            type: "track",
            userId: "u1",
            event: "Song Played",
            originalTimestamp: "2020-01-01T00:00:00.000Z",
            context: { ip: "1.1.1.1" },
          },
        ],
        sentAt: "2020-01-01T00:00:05.000Z",
        context: { device: { type: "phone" } },
      },
      auth,
    );
    expect(response.status).toBe(200);
    const [event] = await storedEvents(workspace.workspaceId);
    expect(event?.context).toEqual({ device: { type: "phone" }, ip: "1.1.1.1" });
    // receivedAt - (sentAt - originalTimestamp): five seconds before the server received it
    const time = new Date(event!.timestamp).getTime();
    expect(time).toBeGreaterThanOrEqual(before - 5_000 - 1);
    expect(time).toBeLessThanOrEqual(Date.now() - 5_000 + 1);
    expect(sink.events.map((stored) => stored.name)).toEqual(["Song Played"]);
  });
});
