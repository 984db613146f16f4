import { z } from "@hono/zod-openapi";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { rows } from "../../db/open.ts";
import { API_ROLES, apiKeys } from "../../db/schema/workspaces.ts";
import { appendAudit } from "../../policies/audit/log.ts";
import type { RouteModule } from "../app.ts";
import { createApiKey } from "../auth.ts";
import { conflict, notFound } from "../errors.ts";
import { defineRoute } from "../route.ts";
import { errorResponses, isoOrNull, jsonContent, oneOf } from "./api-schemas.ts";
import { jsonBodyGuard } from "./json-body.ts";

/**
 * API keys of the workspace, for admins: list, create (the secret is shown once and stored only as
 * its SHA-256 hash), revoke. A revoked key stops working at once in the process that revoked it and
 * within the KeyResolver's cache TTL (30 s) in other processes. Every change is audited.
 */

const KeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(API_ROLES),
    prefix: z.string().openapi({ description: "the first characters, to tell keys apart" }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

const KeyId = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" }, example: "key_0abc" }),
});

const routes = {
  list: defineRoute({
    method: "get",
    path: "/keys",
    tags: ["keys"],
    summary: "The workspace's API keys (never their secrets)",
    roles: [],
    request: {
      query: z.object({
        revoked: z
          .enum(["true", "false"], { error: () => "revoked must be true or false" })
          .optional()
          .openapi({ description: "include revoked keys (default false)" }),
      }),
    },
    responses: {
      200: {
        description: "keys, oldest first",
        content: jsonContent(z.object({ keys: z.array(KeySchema) })),
      },
      ...errorResponses(),
    },
  }),
  create: defineRoute({
    method: "post",
    path: "/keys",
    tags: ["keys"],
    summary: "Create a key; the response holds its secret, shown this once",
    description:
      "Roles: admin (everything), cx_lead (drafts and simulates journeys), reviewer (approves), viewer (reads), ingest (the Segment write key for /v1).",
    roles: [],
    request: {
      body: {
        required: true,
        content: jsonContent(
          z
            .object({
              name: z.string().trim().min(1, "name: required").max(200),
              role: oneOf("role", API_ROLES),
            })
            .strict()
            .openapi("ApiKeyRequest"),
        ),
      },
    },
    responses: {
      201: {
        description: "created",
        content: jsonContent(
          z.object({ key: KeySchema, secret: z.string().openapi({ description: "shown once" }) }),
        ),
      },
      ...errorResponses(),
    },
  }),
  revoke: defineRoute({
    method: "delete",
    path: "/keys/{id}",
    tags: ["keys"],
    summary: "Revoke a key",
    description:
      "The last active admin key of a workspace cannot be revoked (409): nobody could manage keys any more.",
    roles: [],
    request: { params: KeyId },
    responses: {
      200: { description: "revoked", content: jsonContent(z.object({ key: KeySchema })) },
      ...errorResponses(404, 409),
    },
  }),
};

function keyJson(row: typeof apiKeys.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.keyPrefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: isoOrNull(row.lastUsedAt),
    revokedAt: isoOrNull(row.revokedAt),
  };
}

export const keyRoutes: RouteModule = {
  api(app, ctx) {
    const db = ctx.database.db;
    app.use("/keys", jsonBodyGuard());

    app.openapi(routes.list, async (c) => {
      const { revoked } = c.req.valid("query");
      const workspaceId = c.get("principal").workspaceId;
      const found = await db
        .select()
        .from(apiKeys)
        .where(
          revoked === "true"
            ? eq(apiKeys.workspaceId, workspaceId)
            : and(eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)),
        )
        .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
      return c.json({ keys: found.map(keyJson) }, 200);
    });

    app.openapi(routes.create, async (c) => {
      const body = c.req.valid("json");
      const principal = c.get("principal");
      const now = ctx.now();
      const created = await db.transaction(async (tx) => {
        const { id, key } = await createApiKey(tx, {
          workspaceId: principal.workspaceId,
          role: body.role,
          name: body.name,
        });
        await appendAudit(tx, [
          {
            workspaceId: principal.workspaceId,
            actor: principal.keyId,
            kind: "api_key.created",
            subject: `api_key:${id}`,
            at: now,
            data: { name: body.name, role: body.role, prefix: key.slice(0, 10) },
          },
        ]);
        const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id));
        return { row: row!, key };
      });
      return c.json({ key: keyJson(created.row), secret: created.key }, 201);
    });

    app.openapi(routes.revoke, async (c) => {
      const { id } = c.req.valid("param");
      const principal = c.get("principal");
      const now = ctx.now();
      const revoked = await db.transaction(async (tx) => {
        // Serialize revocations per workspace so two admins cannot revoke each other's last key at once.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`api_keys:${principal.workspaceId}`}))`);
        const [row] = await tx
          .select()
          .from(apiKeys)
          .where(and(eq(apiKeys.id, id), eq(apiKeys.workspaceId, principal.workspaceId)));
        if (!row) throw notFound(`API key "${id}"`, "id");
        if (row.revokedAt) throw conflict(`API key "${id}" is already revoked`, "id");
        if (row.role === "admin") {
          const [others] = await rows<{ n: number }>(
            tx,
            sql`select count(*)::int8 as n from api_keys where workspace_id = ${principal.workspaceId}
                and role = 'admin' and revoked_at is null and id <> ${id}`,
          );
          if (Number(others?.n ?? 0) === 0) {
            throw conflict(
              "this is the workspace's last active admin key; create another admin key first",
              "id",
            );
          }
        }
        const [updated] = await tx
          .update(apiKeys)
          .set({ revokedAt: now })
          .where(eq(apiKeys.id, id))
          .returning();
        await appendAudit(tx, [
          {
            workspaceId: principal.workspaceId,
            actor: principal.keyId,
            kind: "api_key.revoked",
            subject: `api_key:${id}`,
            at: now,
            data: { name: row.name, role: row.role, prefix: row.keyPrefix },
          },
        ]);
        return updated!;
      });
      // This process forgets at once; others within the resolver's TTL.
      ctx.keys.forget();
      return c.json({ key: keyJson(revoked) }, 200);
    });
  },
};
