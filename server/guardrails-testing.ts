import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { sql } from "drizzle-orm";
import { createWorkspaceWithCatalog } from "../db/catalog-testing.ts";
import type { Database, Executor } from "../db/open.ts";
import { rows } from "../db/open.ts";
import type { WorkspaceCatalog } from "../journeys/format/catalog.ts";
import { savePolicyConfig } from "../policies/config-store.ts";
import { createApp } from "./app.ts";
import type { ManagementRole } from "./auth.ts";
import { createApiKey, KeyResolver } from "./auth.ts";
import { loadConfig } from "./config.ts";
import type { AppContext } from "./context.ts";
import { routeModules } from "./modules.ts";
import type { Services } from "./services.ts";
import { createServices } from "./services.ts";

/**
 * Test support for the guardrail end-to-end tests: the real server (every route module, the real
 * services with their loops running) on a loopback port, a workspace with a key per role, and
 * small HTTP helpers. Only the clock is injected.
 */

export interface GuardrailServer {
  url: string;
  ctx: AppContext;
  services: Services;
  close(): Promise<void>;
}

export async function startGuardrailServer(
  database: Database,
  now: () => Date,
  env: Record<string, string> = {},
): Promise<GuardrailServer> {
  const config = loadConfig(env);
  const services = await createServices(config, database, now);
  const ctx: AppContext = { config, database, keys: new KeyResolver(database.db, 0), services, now };
  const app = createApp(ctx, routeModules);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
  });
  await services.start();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ctx,
    services,
    async close() {
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      await services.stop();
    },
  };
}

export interface GuardrailWorkspace {
  workspaceId: string;
  keys: Record<ManagementRole | "ingest", string>;
  keyIds: Record<ManagementRole, string>;
}

export async function guardrailWorkspace(
  executor: Executor,
  catalog: WorkspaceCatalog,
  policyConfig: unknown,
  now: Date,
): Promise<GuardrailWorkspace> {
  const workspaceId = await createWorkspaceWithCatalog(executor, catalog, { timezone: "Europe/Berlin" });
  await savePolicyConfig(executor, { workspaceId, config: policyConfig, actor: "test", now });
  const keys = {} as GuardrailWorkspace["keys"];
  const keyIds = {} as GuardrailWorkspace["keyIds"];
  for (const role of ["admin", "cx_lead", "reviewer", "viewer"] as const) {
    const created = await createApiKey(executor, { workspaceId, role, name: `e2e ${role}` });
    keys[role] = created.key;
    keyIds[role] = created.id;
  }
  keys.ingest = (await createApiKey(executor, { workspaceId, role: "ingest", name: "e2e write key" })).key;
  return { workspaceId, keys, keyIds };
}

export interface HttpResult {
  status: number;
  body: Record<string, unknown>;
}

/** A management API call with a bearer key. */
export async function callApi(url: string, key: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : {};
  return { status: response.status, body: parsed as Record<string, unknown> } satisfies HttpResult;
}

/** A Segment call (`/v1/identify`, `/v1/track`, `/v1/batch`) with the write key as Basic user. */
export async function segment(
  url: string,
  writeKey: string,
  kind: string,
  payload: unknown,
): Promise<HttpResult> {
  const response = await fetch(`${url}/v1/${kind}`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(payload),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Waits (polling) until `condition` holds: for effects of the running loops, never for speed. */
export async function eventually(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function count(executor: Executor, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await rows<{ n: number }>(executor, query);
  return Number(row?.n ?? 0);
}

export interface SentRow {
  outboxId: number;
  actionId: number;
  profileId: number;
  channel: string;
  to: string | null;
  versionId: string | null;
  status: string;
}

/**
 * Every outbox row of the workspace that lacks a stored allow decision chain: its action's newest
 * decision round must hold no deny, and a review or defer in it only beside a person's
 * `human_review` allow (an accepted item); and a `policy.decision` audit entry must record it.
 */
export async function outboxRowsWithoutAllowChain(
  executor: Executor,
  workspaceId: string,
): Promise<string[]> {
  const sent = await rows<{ outbox_id: number; action_id: number }>(
    executor,
    sql`select o.id as outbox_id, o.action_id from outbox o where o.workspace_id = ${workspaceId}`,
  );
  const verdicts = await rows<{ action_id: number; round: number; policy: string; verdict: string }>(
    executor,
    sql`select d.action_id, d.round, d.policy, d.verdict from decisions d
        where d.action_id in (select action_id from outbox where workspace_id = ${workspaceId})
        order by d.action_id, d.round`,
  );
  const audited = await rows<{ subject: string }>(
    executor,
    sql`select distinct subject from audit_log where workspace_id = ${workspaceId} and kind = 'policy.decision'
        and data->>'status' = 'queued'`,
  );
  const auditedSubjects = new Set(audited.map((row) => row.subject));
  const problems: string[] = [];
  for (const row of sent) {
    const mine = verdicts.filter((verdict) => Number(verdict.action_id) === Number(row.action_id));
    const lastRound = Math.max(0, ...mine.map((verdict) => Number(verdict.round)));
    const last = mine.filter((verdict) => Number(verdict.round) === lastRound);
    const human = last.some((verdict) => verdict.policy === "human_review" && verdict.verdict === "allow");
    if (last.length === 0) problems.push(`outbox ${row.outbox_id}: no decision stored`);
    else if (last.some((verdict) => verdict.verdict === "deny"))
      problems.push(`outbox ${row.outbox_id}: denied`);
    else if (!human && last.some((verdict) => verdict.verdict !== "allow")) {
      problems.push(
        `outbox ${row.outbox_id}: queued without an allow (${last.map((v) => v.verdict).join(",")})`,
      );
    }
    if (!auditedSubjects.has(`action:${row.action_id}`))
      problems.push(`outbox ${row.outbox_id}: not audited`);
  }
  return problems;
}
