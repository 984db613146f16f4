import { z } from "@hono/zod-openapi";
import type { SQL } from "drizzle-orm";
import { and, desc, eq, lt } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { actions, OUTBOX_STATUSES, outbox, sandboxMessages } from "../../db/schema/actions.ts";
import { profiles } from "../../db/schema/profiles.ts";
import { OUTBOX_NOTIFY_CHANNEL, requeueDeadLetter } from "../../tools/channels/outbox-store.ts";
import type { RouteModule } from "../app.ts";
import { READERS } from "../auth.ts";
import { conflict, notFound } from "../errors.ts";
import { defineRoute } from "../route.ts";
import {
  ErrorResponseSchema,
  errorResponses,
  IdCursor,
  isoOrNull,
  jsonContent,
  oneOf,
  PageLimit,
  RowIdParam,
} from "./api-schemas.ts";

/**
 * What the channels did: the outbox with each row's delivery state (and what the sandbox stored),
 * dead letters and their requeue. The hand-off tasks people work are in handoffs.ts.
 */

const ContentSchema = z
  .object({ subject: z.string().nullable(), body: z.string().nullable() })
  .openapi("OutboxContent");

const OutboxItemSchema = z
  .object({
    id: z.number().int(),
    actionId: z.number().int(),
    profileId: z.number().int(),
    userId: z.string().nullable(),
    channel: z.string(),
    status: z.enum(OUTBOX_STATUSES),
    attempts: z.number().int(),
    adapter: z.string().nullable().openapi({ description: "sandbox, smtp, webhook or handoff" }),
    journeyId: z.string().nullable(),
    nodeId: z.string().nullable(),
    createdAt: z.string(),
    nextAttemptAt: z.string().nullable().openapi({ description: "when a pending row is tried next" }),
    sentAt: z.string().nullable(),
    providerMessageId: z.string().nullable(),
    lastError: z.string().nullable(),
    lastErrorCode: z.string().nullable(),
    content: ContentSchema.nullable().openapi({
      description: "subject and body as rendered for the customer",
    }),
    sandbox: z
      .object({
        recipient: z.string().nullable(),
        subject: z.string().nullable(),
        body: z.string(),
        createdAt: z.string(),
      })
      .nullable()
      .openapi({ description: "what the sandbox adapter stored (what the customer would have seen)" }),
  })
  .openapi("OutboxItem");
type OutboxItem = z.infer<typeof OutboxItemSchema>;

const OutboxPage = z
  .object({ items: z.array(OutboxItemSchema), nextCursor: z.string().nullable() })
  .openapi("OutboxPage");

const routes = {
  list: defineRoute({
    method: "get",
    path: "/outbox",
    tags: ["outbox"],
    summary: "Outbox rows with their delivery state, and what the sandbox stored for them",
    roles: [...READERS],
    request: {
      query: z.object({
        channel: z.string().min(1).max(100).optional(),
        status: oneOf("status", OUTBOX_STATUSES).optional(),
        userId: z.string().min(1).max(500).optional(),
        limit: PageLimit,
        cursor: IdCursor,
      }),
    },
    responses: {
      200: { description: "newest first", content: jsonContent(OutboxPage) },
      ...errorResponses(),
    },
  }),
  dead: defineRoute({
    method: "get",
    path: "/outbox/dead",
    tags: ["outbox"],
    summary: "Dead letters: rows that will not be retried, with their last error and attempts",
    roles: [...READERS],
    request: {
      query: z.object({ channel: z.string().min(1).max(100).optional(), limit: PageLimit, cursor: IdCursor }),
    },
    responses: {
      200: { description: "newest first", content: jsonContent(OutboxPage) },
      ...errorResponses(),
    },
  }),
  retry: defineRoute({
    method: "post",
    path: "/outbox/{id}/retry",
    tags: ["outbox"],
    summary: "Requeue a dead letter: pending now, with a fresh set of attempts",
    description:
      "Policies are not re-evaluated: the action was allowed when it was queued. Consider quiet hours before retrying an SMS at night.",
    roles: [],
    request: { params: z.object({ id: RowIdParam("the outbox id") }) },
    responses: {
      200: { description: "requeued", content: jsonContent(z.object({ item: OutboxItemSchema })) },
      ...errorResponses(404, 409),
    },
  }),
};

async function outboxPage(
  executor: Executor,
  conditions: SQL[],
  limit: number,
): Promise<{ items: OutboxItem[]; nextCursor: string | null }> {
  const found = await executor
    .select({
      row: outbox,
      userId: profiles.userId,
      journeyId: actions.journeyId,
      nodeId: actions.nodeId,
      sandbox: {
        recipient: sandboxMessages.recipient,
        subject: sandboxMessages.subject,
        body: sandboxMessages.body,
        createdAt: sandboxMessages.createdAt,
      },
    })
    .from(outbox)
    .leftJoin(profiles, eq(profiles.id, outbox.profileId))
    .leftJoin(actions, eq(actions.id, outbox.actionId))
    .leftJoin(sandboxMessages, eq(sandboxMessages.outboxId, outbox.id))
    .where(and(...conditions))
    .orderBy(desc(outbox.id))
    .limit(limit + 1);
  const page = found.slice(0, limit);
  return {
    items: page.map(({ row, userId, journeyId, nodeId, sandbox }) => {
      const content = row.payload.content as { subject?: unknown; body?: unknown } | undefined;
      return {
        id: row.id,
        actionId: row.actionId,
        profileId: row.profileId,
        userId: userId ?? null,
        channel: row.channel,
        status: row.status,
        attempts: row.attempts,
        adapter: row.adapter,
        journeyId: journeyId ?? null,
        nodeId: nodeId ?? null,
        createdAt: row.createdAt.toISOString(),
        nextAttemptAt: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
        sentAt: isoOrNull(row.sentAt),
        providerMessageId: row.providerMessageId,
        lastError: row.lastError,
        lastErrorCode: row.lastErrorCode,
        content:
          content && typeof content === "object"
            ? {
                subject: typeof content.subject === "string" ? content.subject : null,
                body: typeof content.body === "string" ? content.body : null,
              }
            : null,
        sandbox:
          sandbox && sandbox.body !== null && sandbox.createdAt !== null
            ? {
                recipient: sandbox.recipient,
                subject: sandbox.subject,
                body: sandbox.body,
                createdAt: sandbox.createdAt.toISOString(),
              }
            : null,
      };
    }),
    nextCursor: found.length > limit ? String(page.at(-1)!.row.id) : null,
  };
}

export const outboxRoutes: RouteModule = {
  api(app, ctx) {
    app.openAPIRegistry.register("Error", ErrorResponseSchema);
    const db = ctx.database.db;

    app.openapi(routes.list, async (c) => {
      const query = c.req.valid("query");
      const conditions: SQL[] = [eq(outbox.workspaceId, c.get("principal").workspaceId)];
      if (query.channel) conditions.push(eq(outbox.channel, query.channel));
      if (query.status) conditions.push(eq(outbox.status, query.status));
      if (query.cursor !== undefined) conditions.push(lt(outbox.id, query.cursor));
      if (query.userId) conditions.push(eq(profiles.userId, query.userId));
      return c.json(await outboxPage(db, conditions, query.limit), 200);
    });

    app.openapi(routes.dead, async (c) => {
      const query = c.req.valid("query");
      const conditions: SQL[] = [
        eq(outbox.workspaceId, c.get("principal").workspaceId),
        eq(outbox.status, "dead"),
      ];
      if (query.channel) conditions.push(eq(outbox.channel, query.channel));
      if (query.cursor !== undefined) conditions.push(lt(outbox.id, query.cursor));
      return c.json(await outboxPage(db, conditions, query.limit), 200);
    });

    app.openapi(routes.retry, async (c) => {
      const { id } = c.req.valid("param");
      const workspaceId = c.get("principal").workspaceId;
      const requeued = await db.transaction(async (tx) => {
        const done = await requeueDeadLetter(tx, { workspaceId, id, at: ctx.now() });
        if (done) return true;
        const [row] = await tx
          .select({ status: outbox.status })
          .from(outbox)
          .where(and(eq(outbox.id, id), eq(outbox.workspaceId, workspaceId)));
        if (!row) throw notFound(`outbox row ${id}`, "id");
        throw conflict(`outbox row ${id} is ${row.status}; only dead letters can be retried`, "id");
      });
      if (requeued) await ctx.database.notify(OUTBOX_NOTIFY_CHANNEL, String(id));
      const page = await outboxPage(db, [eq(outbox.id, id), eq(outbox.workspaceId, workspaceId)], 1);
      return c.json({ item: page.items[0]! }, 200);
    });
  },
};
