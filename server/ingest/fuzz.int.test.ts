import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { sharedPathForTest } from "../../evals/shared-data.ts";
import type { BadRequest, FieldPath, FieldRule, JsonValue } from "../fuzz/bad-payloads.ts";
import { badPayloads } from "../fuzz/bad-payloads.ts";
import type { FuzzAnswer } from "../fuzz/send-bad-requests.ts";
import { notClientErrors, sendBadRequests, statusCounts, unshapedErrors } from "../fuzz/send-bad-requests.ts";
import {
  CALL_TYPES,
  MAX_CALL_BYTES,
  MAX_ID_LENGTH,
  MAX_MESSAGE_ID_LENGTH,
  MAX_NAME_LENGTH,
} from "./messages.ts";
import type { TestServer, TestWorkspace } from "./test-server.ts";
import { basicAuth, createTestWorkspace, startTestServer } from "./test-server.ts";

/**
 * Thousands of generated bad requests against every ingestion endpoint: each must be answered with
 * a 4xx JSON error that names the problem, never a 5xx, and the server must keep serving.
 */

let database: Database;
let server: TestServer;
let workspace: TestWorkspace;

beforeAll(async () => {
  database = await openTestDb();
  server = await startTestServer({ database });
  workspace = await createTestWorkspace(database.db);
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

type Call = { [key: string]: JsonValue };

/** The fields the Tracking API checks in one call, as fuzz rules (paths under `prefix`). */
function callRules(call: Call, prefix: FieldPath, inBatch: boolean): FieldRule[] {
  const at = (name: string) => [...prefix, name];
  const id = { type: "string", nonEmpty: true, maxLength: MAX_ID_LENGTH } as const;
  const object = { type: "object", nullable: true, maxDepth: 31 } as const;
  const type = call.type as string;
  const rules: FieldRule[] = [
    { path: at("type"), type: "string", required: inBatch, oneOf: inBatch ? CALL_TYPES : [type] },
    {
      path: at("messageId"),
      type: "string",
      nullable: true,
      nonEmpty: true,
      maxLength: MAX_MESSAGE_ID_LENGTH,
    },
    { path: at("timestamp"), type: "datetime", nullable: true },
    { path: at("context"), ...object },
    { path: at("integrations"), ...object },
  ];
  if (type === "alias") {
    rules.push(
      { path: at("userId"), ...id, required: true },
      { path: at("previousId"), ...id, required: true },
    );
  } else {
    const onlyId = !(call.userId && call.anonymousId);
    if (call.userId) rules.push({ path: at("userId"), ...id, nullable: !onlyId, required: onlyId });
    if (call.anonymousId) rules.push({ path: at("anonymousId"), ...id, nullable: !onlyId, required: onlyId });
  }
  if (type === "track") {
    rules.push({
      path: at("event"),
      type: "string",
      required: true,
      nonEmpty: true,
      maxLength: MAX_NAME_LENGTH,
    });
  }
  if (type === "page" || type === "screen")
    rules.push({ path: at("name"), type: "string", nullable: true, maxLength: MAX_NAME_LENGTH });
  if (type === "track" || type === "page" || type === "screen")
    rules.push({ path: at("properties"), ...object });
  if (type === "identify" || type === "group") rules.push({ path: at("traits"), ...object });
  if (type === "group") rules.push({ path: at("groupId"), ...id, required: true });
  return rules;
}

const BUILT_IN: Call[] = [
  { type: "identify", userId: "fuzz-user", traits: { email: "f@example.com", plan: "pro" } },
  { type: "identify", anonymousId: "fuzz-anon", userId: "fuzz-user", messageId: "m-identify", traits: {} },
  { type: "track", userId: "fuzz-user", event: "Order Completed", properties: { total: 10 } },
  {
    type: "track",
    anonymousId: "fuzz-anon",
    event: "Product Viewed",
    timestamp: "2024-05-01T10:00:00Z",
    context: { ip: "1.2.3.4" },
  },
  { type: "page", userId: "fuzz-user", name: "Home", properties: { url: "https://example.com" } },
  { type: "page", anonymousId: "fuzz-anon", name: "Pricing", context: { page: { path: "/pricing" } } },
  { type: "screen", userId: "fuzz-user", name: "Settings", properties: { tab: "privacy" } },
  { type: "screen", anonymousId: "fuzz-anon", name: "Cart" },
  { type: "group", userId: "fuzz-user", groupId: "acme", traits: { employees: 42 } },
  { type: "group", anonymousId: "fuzz-anon", groupId: "initech", traits: {} },
  { type: "alias", userId: "fuzz-user", previousId: "fuzz-anon" },
  { type: "alias", userId: "fuzz-user-2", previousId: "fuzz-user", context: { ip: "1.2.3.4" } },
  {
    type: "track",
    userId: "fuzz-user",
    anonymousId: "fuzz-anon",
    event: "Unsubscribed",
    properties: { channel: "sms" },
  },
  {
    type: "identify",
    anonymousId: "fuzz-anon",
    traits: { consent: { email: true } },
    sentAt: "2024-05-01T10:00:00Z",
  },
  {
    type: "page",
    userId: "fuzz-user",
    anonymousId: "fuzz-anon",
    name: null,
    category: "Docs",
    integrations: { All: true },
  },
  { type: "screen", userId: "fuzz-user", name: "Home", originalTimestamp: "2024-05-01T10:00:00.123+02:00" },
  { type: "group", userId: "fuzz-user", anonymousId: "fuzz-anon", groupId: "umbrella", messageId: "m-group" },
  {
    type: "track",
    anonymousId: "fuzz-anon",
    event: "Signed Up",
    context: { consent: { categoryPreferences: { Email: true } } },
  },
];

function specCalls(): Call[] {
  const file = sharedPathForTest("data", "segment", "spec-examples.json");
  if (!file) return [];
  const groups = JSON.parse(readFileSync(file, "utf8")) as Record<string, Call[]>;
  return Object.values(groups)
    .flat()
    .map((call) => (call.userId || call.anonymousId ? call : { ...call, anonymousId: "spec-visitor" }));
}

interface Target {
  path: string;
  request: BadRequest;
}

function targets(): Target[] {
  const auth = { authorization: basicAuth(workspace.writeKey) };
  const headers = { "content-type": "application/json", ...auth };
  const invalidAuth = [
    basicAuth("ovw_unknown_key"),
    basicAuth(workspace.adminKey),
    "Bearer some-token",
    "Basic ###",
    "Basic ",
  ];
  const out: Target[] = [];
  const calls = [...BUILT_IN, ...specCalls()];
  calls.forEach((call, index) => {
    const { type, ...single } = call;
    const path = `/v1/${type as string}`;
    const body = index % 2 === 0 ? single : call;
    for (const request of badPayloads(body, {
      headers,
      rules: callRules(call, [], false).filter((rule) => index % 2 === 1 || rule.path[0] !== "type"),
      maxBodyBytes: MAX_CALL_BYTES,
      auth: { header: "authorization", invalid: invalidAuth },
      seed: index + 1,
    })) {
      out.push({ path, request });
    }
  });
  for (const [endpoint, seed] of [
    ["/v1/batch", 101],
    ["/v1/import", 202],
  ] as const) {
    const batch = [BUILT_IN[seed % BUILT_IN.length]!, BUILT_IN[(seed + 5) % BUILT_IN.length]!];
    const envelope: JsonValue = {
      batch,
      sentAt: "2024-05-01T10:00:05Z",
      context: { library: { name: "fuzz" } },
    };
    const rules: FieldRule[] = [
      { path: ["batch"], type: "array", required: true },
      { path: ["sentAt"], type: "datetime", nullable: true },
      { path: ["context"], type: "object", nullable: true, maxDepth: 32 },
      ...batch.flatMap((call, position) => callRules(call, ["batch", position], true)),
    ];
    for (const request of badPayloads(envelope, {
      headers,
      rules,
      maxBodyBytes: 500 * 1024,
      auth: { header: "authorization", invalid: invalidAuth, alsoRemoveFromBody: ["writeKey"] },
      seed,
    })) {
      out.push({ path: endpoint, request });
    }
  }
  return out;
}

type Answer = FuzzAnswer<Target>;

/** The error's field or one of its issue paths is the field, or (for a missing identity) its message names it. */
function namesField(body: unknown, field: string): boolean {
  const error = (body as { error?: { field?: string; message?: string; issues?: Array<{ path?: string }> } })
    .error;
  const paths = [error?.field, ...(error?.issues ?? []).map((issue) => issue.path)].filter(
    (path): path is string => typeof path === "string",
  );
  if (paths.some((path) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`))) {
    return true;
  }
  const name =
    field
      .split(/[.[\]]/)
      .filter(Boolean)
      .at(-1) ?? field;
  const scope = field.slice(0, field.length - name.length);
  return Boolean(error?.message?.includes(name) && paths.some((path) => path.startsWith(scope)));
}

describe("malformed input on every ingestion endpoint", () => {
  it("answers at least 2,000 generated bad requests with a 4xx JSON error naming the problem, never a 5xx", async () => {
    const all = targets();
    expect(all.length).toBeGreaterThanOrEqual(2_000);
    const endpoints = new Set(all.map((target) => target.path));
    expect(endpoints).toEqual(
      new Set([...CALL_TYPES.map((type) => `/v1/${type}`), "/v1/batch", "/v1/import"]),
    );

    const answers = await sendBadRequests(server.url, all, 8);

    const describe = (answer: Answer) =>
      `${answer.target.path} [${answer.target.request.label}] → ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
    expect(notClientErrors(answers).map(describe)).toEqual([]);
    console.info(
      `[fuzz] ${answers.length} bad requests to ${endpoints.size} endpoints:`,
      statusCounts(answers),
    );
    expect(unshapedErrors(answers).map(describe)).toEqual([]);
    const unnamed = answers.filter(
      (answer) =>
        answer.target.request.field !== undefined && !namesField(answer.body, answer.target.request.field),
    );
    expect(unnamed.map(describe)).toEqual([]);
    const badAuth = answers.filter(
      (answer) => answer.target.request.family === "auth" && answer.status !== 401,
    );
    expect(badAuth.map(describe)).toEqual([]);

    // nothing of it was stored, and the server still serves a valid call
    const stored = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from events where workspace_id = ${workspace.workspaceId}`,
    );
    expect(stored[0]?.n).toBe(0);
    const valid = await fetch(`${server.url}/v1/track`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: basicAuth(workspace.writeKey) },
      body: JSON.stringify({ userId: "after-fuzz", event: "Still Serving" }),
    });
    expect(valid.status).toBe(200);
    expect(await valid.json()).toEqual({ success: true });
  });
});
