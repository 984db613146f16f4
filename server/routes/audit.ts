import { z } from "@hono/zod-openapi";
import { AUDIT_KINDS, listAudit } from "../../policies/audit/log.ts";
import { verifyAuditChain } from "../../policies/audit/verify.ts";
import type { RouteModule } from "../app.ts";
import { READERS } from "../auth.ts";
import { defineRoute } from "../route.ts";
import { errorResponses, IdCursor, jsonContent, oneOf, pageLimit } from "./api-schemas.ts";

/**
 * The audit log over HTTP: the workspace's hash-chained record of verdicts, approval decisions,
 * status changes, policy-config saves and key changes, newest first, and a verification of its
 * chain (the same check as `npm run audit:verify`, for this workspace).
 */

const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    seq: z.number().int().nullable().openapi({ description: "position in the workspace's chain" }),
    at: z.string(),
    actor: z.string().openapi({ description: 'an API key id, "policies" or "system"' }),
    kind: z.enum(AUDIT_KINDS),
    subject: z.string().openapi({ example: "action:42" }),
    data: z.record(z.string(), z.unknown()),
    prevHash: z.string().nullable(),
    hash: z.string().nullable(),
  })
  .openapi("AuditEntry");

const routes = {
  list: defineRoute({
    method: "get",
    path: "/audit",
    tags: ["audit"],
    summary: "The audit log, newest first, filtered by kind and subject",
    roles: [...READERS],
    request: {
      query: z.object({
        kind: oneOf("kind", AUDIT_KINDS).optional(),
        subject: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .openapi({ description: "exact (`action:42`) or a prefix ending in `:` (`approval:`)" }),
        limit: pageLimit(500),
        cursor: IdCursor,
      }),
    },
    responses: {
      200: {
        description: "a page of entries",
        content: jsonContent(
          z.object({ entries: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }),
        ),
      },
      ...errorResponses(),
    },
  }),
  verify: defineRoute({
    method: "get",
    path: "/audit/verify",
    tags: ["audit"],
    summary: "Recompute this workspace's audit chain and report the first tampered row",
    roles: ["reviewer"],
    responses: {
      200: {
        description: "ok, or the first modified / deleted / inserted / relinked row",
        content: jsonContent(
          z
            .object({
              ok: z.boolean(),
              rows: z.number().int(),
              problems: z.array(
                z.object({
                  kind: z.enum(["modified", "deleted", "inserted", "relinked"]),
                  seq: z.number().int().nullable(),
                  id: z.number().int().nullable(),
                  message: z.string(),
                }),
              ),
            })
            .openapi("AuditVerification"),
        ),
      },
      ...errorResponses(),
    },
  }),
};

export const auditRoutes: RouteModule = {
  api(app, ctx) {
    const db = ctx.database.db;

    app.openapi(routes.list, async (c) => {
      const query = c.req.valid("query");
      const page = await listAudit(db, c.get("principal").workspaceId, {
        kind: query.kind,
        subject: query.subject,
        before: query.cursor,
        limit: query.limit,
      });
      return c.json(
        {
          entries: page.entries.map((entry) => ({
            id: entry.id,
            seq: entry.seq,
            at: entry.at.toISOString(),
            actor: entry.actor,
            kind: entry.kind as (typeof AUDIT_KINDS)[number],
            subject: entry.subject,
            data: entry.data,
            prevHash: entry.prevHash,
            hash: entry.hash,
          })),
          nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
        },
        200,
      );
    });

    app.openapi(routes.verify, async (c) => {
      const result = await verifyAuditChain(db, { workspaceId: c.get("principal").workspaceId });
      return c.json(
        {
          ok: result.ok,
          rows: result.rows,
          problems: result.problems.map(({ kind, seq, id, message }) => ({ kind, seq, id, message })),
        },
        200,
      );
    });
  },
};
