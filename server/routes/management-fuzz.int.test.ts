import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspaceWithCatalog } from "../../db/catalog-testing.ts";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { COMPARISON_OPS } from "../../journeys/format/condition.ts";
import { MESSAGE_CHANNELS, NODE_TYPES, OFFER_KINDS } from "../../journeys/format/schema.ts";
import { checkoutJourney, storeCatalog } from "../../journeys/format/test-fixtures.ts";
import { JourneyRuntime } from "../../journeys/runtime/runtime.ts";
import { testGateway } from "../../journeys/runtime/testing.ts";
import { createApiKey } from "../auth.ts";
import type { BadRequest, FieldRule, JsonValue } from "../fuzz/bad-payloads.ts";
import { badPayloads } from "../fuzz/bad-payloads.ts";
import type { FuzzAnswer } from "../fuzz/send-bad-requests.ts";
import { notClientErrors, sendBadRequests, statusCounts, unshapedErrors } from "../fuzz/send-bad-requests.ts";
import type { TestServer } from "../ingest/test-server.ts";
import { startTestServer } from "../ingest/test-server.ts";
import { routeModules } from "../modules.ts";
import { MANAGEMENT_BODY_LIMIT } from "./json-body.ts";

/**
 * Thousands of generated bad requests against the journey, simulation, entry and catalog endpoints
 * of the management API, over real HTTP: every answer must be a 4xx JSON error naming the problem,
 * never a 5xx, and the server must keep serving. (The ingestion endpoints have their own run.)
 */

let database: Database;
let server: TestServer;
let keys: { admin: string; cx_lead: string; viewer: string; ingest: string };
let journeyId: string;
let segmentId: string;
const now = () => new Date("2026-03-02T09:00:00Z");

async function api(method: string, path: string, key: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  database = await openTestDb();
  server = await startTestServer({ database, modules: routeModules, now });
  server.ctx.services.runtime = new JourneyRuntime({ database, gateway: testGateway(now), now });
  const workspaceId = await createWorkspaceWithCatalog(database.db, storeCatalog);
  keys = {
    admin: (await createApiKey(database.db, { workspaceId, role: "admin", name: "fuzz admin" })).key,
    cx_lead: (await createApiKey(database.db, { workspaceId, role: "cx_lead", name: "fuzz cx" })).key,
    viewer: (await createApiKey(database.db, { workspaceId, role: "viewer", name: "fuzz viewer" })).key,
    ingest: (await createApiKey(database.db, { workspaceId, role: "ingest", name: "fuzz write" })).key,
  };
  const created = await api("POST", "/api/journeys", keys.cx_lead, { definition: checkoutJourney() });
  journeyId = (created.body.journey as { id: string }).id;
  expect((await api("POST", `/api/journeys/${journeyId}/versions/1/activate`, keys.admin)).status).toBe(200);
  const segment = await api("POST", "/api/segments", keys.cx_lead, {
    name: "Fuzz target",
    condition: { field: "traits.tier", op: "eq", value: "vip" },
  });
  segmentId = (segment.body.segment as { id: string }).id;
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

interface Target {
  method: "POST" | "PUT";
  path: string;
  request: BadRequest;
  /** where the endpoint's validator reports nested issues from (`definition`, `condition`, …) */
  issuePrefix?: string;
}

const string = (path: Array<string | number>, extra: Partial<FieldRule> = {}): FieldRule => ({
  path,
  type: "string",
  ...extra,
});

/** The fields of a journey definition under `prefix`, as the format checks them. */
function definitionRules(prefix: Array<string | number>): FieldRule[] {
  const at = (...path: Array<string | number>) => [...prefix, ...path];
  const nodeId = { required: true, nonEmpty: true, maxLength: 64 } as const;
  return [
    { path: prefix, type: "object", required: true },
    string(at("name"), { required: true, nonEmpty: true, maxLength: 200 }),
    string(at("description"), { maxLength: 4000 }),
    { path: at("trigger"), type: "object", required: true },
    string(at("trigger", "type"), {
      required: true,
      oneOf: ["event", "trait_changed", "segment_entered", "schedule", "api"],
    }),
    string(at("trigger", "event"), { required: true, nonEmpty: true }),
    { path: at("reentry"), type: "object" },
    string(at("reentry", "mode"), { required: true, oneOf: ["never", "after_exit", "always"] }),
    { path: at("exit_on"), type: "array" },
    string(at("exit_on", 0, "event"), { required: true, nonEmpty: true }),
    { path: at("goal"), type: "object" },
    string(at("goal", "event"), { required: true, nonEmpty: true }),
    string(at("goal", "within"), { required: true, nonEmpty: true }),
    { path: at("priority"), type: "integer" },
    string(at("start"), nodeId),
    { path: at("nodes"), type: "array", required: true },
    ...[0, 1, 2, 3, 4].flatMap((index) => [
      string(at("nodes", index, "id"), nodeId),
      string(at("nodes", index, "type"), { required: true, oneOf: NODE_TYPES }),
      string(at("nodes", index, "label"), { maxLength: 200 }),
    ]),
    string(at("nodes", 0, "event"), { required: true, nonEmpty: true }),
    string(at("nodes", 0, "timeout"), { required: true, nonEmpty: true }),
    string(at("nodes", 0, "on_event"), nodeId),
    string(at("nodes", 0, "on_timeout"), nodeId),
    string(at("nodes", 1, "channel"), { required: true, oneOf: MESSAGE_CHANNELS }),
    string(at("nodes", 1, "template")),
    string(at("nodes", 1, "next"), nodeId),
    string(at("nodes", 2, "duration"), { nonEmpty: true }),
    string(at("nodes", 2, "next"), nodeId),
    { path: at("nodes", 3, "offer"), type: "object" },
    string(at("nodes", 3, "offer", "kind"), { required: true, oneOf: OFFER_KINDS }),
    { path: at("nodes", 3, "offer", "value"), type: "number", required: true },
    string(at("nodes", 3, "next"), nodeId),
  ];
}

function targets(): Target[] {
  const authInvalid = (write: boolean) => [
    "Bearer ovk_not_a_key",
    `Bearer ${keys.ingest}`,
    "Basic Zm9vOg==",
    "Bearer ",
    ...(write ? [`Bearer ${keys.viewer}`] : []),
  ];
  const out: Target[] = [];
  const add = (
    method: Target["method"],
    path: string,
    valid: JsonValue,
    rules: FieldRule[],
    options: { key?: string; seed: number; issuePrefix?: string; viewerMayCall?: boolean },
  ) => {
    const headers = {
      "content-type": "application/json",
      authorization: `Bearer ${options.key ?? keys.cx_lead}`,
    };
    for (const request of badPayloads(valid, {
      headers,
      rules,
      maxBodyBytes: MANAGEMENT_BODY_LIMIT,
      auth: { header: "authorization", invalid: authInvalid(!options.viewerMayCall) },
      truncations: 24,
      seed: options.seed,
    })) {
      out.push({
        method,
        path,
        request,
        ...(options.issuePrefix ? { issuePrefix: options.issuePrefix } : {}),
      });
    }
  };
  const journey = checkoutJourney() as unknown as JsonValue;
  const draftRules = [
    ...definitionRules(["definition"]),
    string(["draftedBy"], { nonEmpty: true }),
    string(["designId"], { nonEmpty: true, maxLength: 100 }),
  ];
  const draft = { definition: journey, draftedBy: "human", designId: "dsn_1" };
  add("POST", "/api/journeys", draft, draftRules, { seed: 1, issuePrefix: "definition" });
  add("PUT", `/api/journeys/${journeyId}/draft`, draft, draftRules, { seed: 2, issuePrefix: "definition" });
  // a second shape: trait trigger, audience, timed wait, split with holdout, branch, hand-off
  const winBack: JsonValue = {
    name: "Win back",
    trigger: {
      type: "trait_changed",
      trait: "churn_risk",
      condition: { field: "traits.churn_risk", op: "gte", value: 0.7 },
    },
    audience: { all: [{ field: "traits.open_support_tickets", op: "eq", value: 0 }] },
    start: "morning",
    nodes: [
      { id: "morning", type: "wait", until_time: "10:00", next: "ab" },
      {
        id: "ab",
        type: "split",
        variants: [
          { name: "offer", weight: 90, next: "vip" },
          { name: "holdout", weight: 10, next: "done", holdout: true },
        ],
      },
      {
        id: "vip",
        type: "branch",
        branches: [{ condition: { field: "traits.tier", op: "eq", value: "vip" }, next: "call" }],
        otherwise: "done",
      },
      {
        id: "call",
        type: "handoff",
        queue: "support",
        priority: "high",
        instructions: "Call them",
        next: "done",
      },
      { id: "done", type: "exit" },
    ],
  };
  const d = (...path: Array<string | number>) => ["definition", ...path];
  add(
    "POST",
    "/api/journeys",
    { definition: winBack },
    [
      string(d("trigger", "trait"), { required: true, nonEmpty: true }),
      { path: d("trigger", "condition"), type: "object" },
      string(d("trigger", "condition", "field"), { required: true, nonEmpty: true }),
      string(d("trigger", "condition", "op"), { required: true, oneOf: COMPARISON_OPS }),
      { path: d("audience"), type: "object" },
      { path: d("audience", "all"), type: "array", required: true },
      string(d("nodes", 0, "until_time"), { nonEmpty: true }),
      { path: d("nodes", 1, "variants"), type: "array", required: true },
      string(d("nodes", 1, "variants", 0, "name"), { required: true, nonEmpty: true }),
      { path: d("nodes", 1, "variants", 0, "weight"), type: "number", required: true },
      string(d("nodes", 1, "variants", 1, "next"), { required: true, nonEmpty: true, maxLength: 64 }),
      { path: d("nodes", 1, "variants", 1, "holdout"), type: "boolean" },
      { path: d("nodes", 2, "branches"), type: "array", required: true },
      { path: d("nodes", 2, "branches", 0, "condition"), type: "object", required: true },
      string(d("nodes", 2, "branches", 0, "condition", "op"), { required: true, oneOf: COMPARISON_OPS }),
      string(d("nodes", 2, "otherwise"), { required: true, nonEmpty: true, maxLength: 64 }),
      string(d("nodes", 3, "priority"), { oneOf: ["low", "normal", "high", "urgent"] }),
      string(d("nodes", 3, "instructions"), { required: true, nonEmpty: true, maxLength: 2000 }),
    ],
    { seed: 13, issuePrefix: "definition" },
  );
  // validate answers 200 for any definition (that is its job), so only the envelope is fuzzed
  add("POST", "/api/journeys/validate", { definition: journey }, [], { seed: 3, viewerMayCall: true });

  const scenario = {
    name: "never buys",
    events: [{ at: "PT0S", track: "Checkout Started", properties: { cart_id: "c1", value: 80 } }],
    horizon: "P3D",
    expect: [{ channel: "sms", at: "PT1H" }],
  };
  add(
    "POST",
    `/api/journeys/${journeyId}/simulate`,
    {
      scenarios: [scenario],
      version: 1,
      start: "2026-03-02T10:00:00",
      profileDefault: { traits: { timezone: "Europe/Berlin" }, consent: { sms: true } },
    },
    [
      { path: ["scenarios"], type: "array", required: true },
      { path: ["scenarios", 0], type: "object", required: true },
      string(["scenarios", 0, "name"]),
      string(["scenarios", 0, "horizon"], { required: true, nonEmpty: true }),
      { path: ["scenarios", 0, "events"], type: "array" },
      string(["scenarios", 0, "events", 0, "at"], { required: true, nonEmpty: true }),
      string(["scenarios", 0, "events", 0, "track"], { nonEmpty: true }),
      { path: ["scenarios", 0, "events", 0, "properties"], type: "object", maxDepth: 27 },
      { path: ["scenarios", 0, "expect"], type: "array" },
      string(["scenarios", 0, "expect", 0, "channel"], { required: true, nonEmpty: true }),
      string(["scenarios", 0, "expect", 0, "at"], { required: true, nonEmpty: true }),
      { path: ["version"], type: "integer" },
      { path: ["start"], type: "datetime" },
      { path: ["profileDefault"], type: "object" },
      { path: ["profileDefault", "traits"], type: "object", maxDepth: 30 },
      { path: ["profileDefault", "consent"], type: "object" },
      { path: ["profileDefault", "consent", "sms"], type: "boolean" },
    ],
    { seed: 4 },
  );
  add(
    "POST",
    `/api/journeys/${journeyId}/versions/1/stop`,
    { reason: "fuzzing" },
    [string(["reason"], { required: true, nonEmpty: true, maxLength: 500 })],
    { key: keys.admin, seed: 5 },
  );
  add(
    "POST",
    `/api/journeys/${journeyId}/enter`,
    { userId: "fuzz-user", properties: { plan: "pro" }, idempotencyKey: "k1" },
    [
      string(["userId"], { required: true, nonEmpty: true, maxLength: 255 }),
      { path: ["properties"], type: "object", maxDepth: 31 },
      string(["idempotencyKey"], { nonEmpty: true, maxLength: 200 }),
    ],
    { key: keys.admin, seed: 6 },
  );
  add(
    "PUT",
    "/api/catalog/events/Fuzz%20Event",
    { description: "an event", properties: { cart_id: "string" } },
    [
      string(["description"], { maxLength: 2000 }),
      { path: ["properties"], type: "object" },
      string(["properties", "cart_id"], { nonEmpty: true, maxLength: 200 }),
    ],
    { seed: 7 },
  );
  add(
    "PUT",
    "/api/catalog/traits/fuzz_trait",
    { type: "number", description: "a trait" },
    [
      string(["type"], { required: true, nonEmpty: true, maxLength: 200 }),
      string(["description"], { maxLength: 2000 }),
    ],
    { seed: 8 },
  );
  const segmentRules: FieldRule[] = [
    string(["name"], { required: true, nonEmpty: true, maxLength: 200 }),
    string(["description"], { maxLength: 2000 }),
    { path: ["condition"], type: "object", required: true },
    string(["condition", "field"], { required: true, nonEmpty: true }),
    string(["condition", "op"], { required: true, oneOf: COMPARISON_OPS }),
  ];
  const segment = {
    name: "Big spenders",
    description: "x",
    condition: { field: "traits.churn_risk", op: "gte", value: 0.5 },
  };
  add("POST", "/api/segments", segment, segmentRules, { seed: 9, issuePrefix: "condition" });
  add("PUT", `/api/segments/${segmentId}`, segment, segmentRules, { seed: 10, issuePrefix: "condition" });
  const templateRules: FieldRule[] = [
    string(["channel"], { required: true, oneOf: MESSAGE_CHANNELS }),
    string(["name"], { required: true, nonEmpty: true, maxLength: 200 }),
    string(["subject"], { nullable: true, maxLength: 500 }),
    string(["body"], { required: true, nonEmpty: true, maxLength: 20_000 }),
    { path: ["tags"], type: "array" },
    string(["tags", 0], { nonEmpty: true, maxLength: 50 }),
  ];
  const template = {
    channel: "email",
    name: "Fuzz",
    subject: "Hi",
    body: "Hello {{traits.first_name}}",
    tags: ["fuzz"],
  };
  add(
    "POST",
    "/api/templates",
    { id: "fuzz-template", ...template },
    [string(["id"], { required: true, nonEmpty: true, maxLength: 100 }), ...templateRules],
    { seed: 11 },
  );
  add("PUT", "/api/templates/cart-reminder-sms", template, templateRules, { seed: 12 });
  return out;
}

type Answer = FuzzAnswer<Target>;

/** The error names the mutated field: as `field`, or as one of its issues (paths relative to the prefix). */
function namesField(answer: Answer, field: string): boolean {
  const error = (answer.body as { error?: { field?: string; issues?: Array<{ path?: string }> } }).error;
  const prefix = answer.target.issuePrefix ?? "";
  const issuePaths = (error?.issues ?? [])
    .map((issue) => issue.path)
    .filter((path): path is string => typeof path === "string")
    .flatMap((path) => [path.replace(/^\$\.?/, ""), `${prefix}${path.slice(1)}`]);
  const paths = [error?.field, ...issuePaths].filter((path): path is string => typeof path === "string");
  // the field itself, something inside it, or (for a removed/emptied container) the container
  return paths.some(
    (path) =>
      path === field ||
      path.startsWith(`${field}.`) ||
      path.startsWith(`${field}[`) ||
      field.startsWith(`${path}.`) ||
      field.startsWith(`${path}[`),
  );
}

describe("malformed input on the management API", () => {
  it("answers at least 2,000 generated bad requests with a 4xx JSON error naming the problem, never a 5xx", async () => {
    const all = targets();
    expect(all.length).toBeGreaterThanOrEqual(2_000);
    const answers = await sendBadRequests(server.url, all, 6);
    const describe = (answer: Answer) =>
      `${answer.target.method} ${answer.target.path} [${answer.target.request.label}] → ${answer.status} ${JSON.stringify(answer.body).slice(0, 240)}`;
    expect(notClientErrors(answers).map(describe)).toEqual([]);
    expect(unshapedErrors(answers).map(describe)).toEqual([]);
    const unnamed = answers.filter(
      (answer) =>
        answer.target.request.field !== undefined &&
        answer.status !== 401 &&
        answer.status !== 403 &&
        !namesField(answer, answer.target.request.field),
    );
    expect(unnamed.map(describe)).toEqual([]);
    const endpoints = new Set(all.map((target) => `${target.method} ${target.path}`));
    console.info(
      `[fuzz] ${answers.length} bad requests to ${endpoints.size} management endpoints:`,
      statusCounts(answers),
    );
  });

  it("keeps serving afterwards, and the live version was never changed by the garbage", async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    const version = await api("GET", `/api/journeys/${journeyId}/versions/1`, keys.viewer);
    expect(version.status).toBe(200);
    expect(version.body.version).toMatchObject({
      status: "active",
      definition: { name: "Checkout abandonment" },
    });
    const created = await api("POST", "/api/journeys", keys.cx_lead, { definition: checkoutJourney() });
    expect(created.status).toBe(201);
  });
});
