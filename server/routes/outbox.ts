import { z } from "@hono/zod-openapi";
import type { SQL } from "drizzle-orm";
import { and, desc, eq, lt } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import {
  actions,
  HANDOFF_STATUSES,
  handoffTasks,
  OUTBOX_STATUSES,
  outbox,
  sandboxMessages,
} from "../../db/schema/actions.ts";
import { profiles } from "../../db/schema/profiles.ts";
import { OUTBOX_NOTIFY_CHANNEL, requeueDeadLetter } from "../../tools/channels/outbox-store.ts";
import type { RouteModule } from "../app.ts";
import { conflict, notFound } from "../errors.ts";
import { defineRoute } from "../route.ts";
import { ErrorResponseSchema, errorResponses } from "./api-schemas.ts";

/**
 * What the channels did: the outbox with each row's delivery state (and what the sandbox stored),
 * dead letters and their requeue, and the human hand-off tasks with claim / complete.
 */

const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });
const READERS = ["viewer", "cx_lead", "reviewer"] as const;
/** the people who work hand-off tasks */
const HANDLERS = ["cx_lead", "reviewer"] as const;

const RowId = (what: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, `${what} is a positive integer`)
    .transform(Number)
    .openapi({ param: { name: "id", in: "path" }, example: "42" });

const Limit = z.coerce
  .number({ error: "limit must be a number" })
  .int("limit must be a whole number")
  .min(1, "limit is at least 1")
  .max(200, "limit is at most 200")
  .default(50);
const Cursor = z
  .string()
  .regex(/^\d{1,15}$/, "cursor is the nextCursor of a previous page")
  .transform(Number)
  .optional();

const iso = (value: Date | null) => (value ? value.toISOString() : null);

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

const HandoffSchema = z
  .object({
    id: z.number().int(),
    outboxId: z.number().int(),
    profileId: z.number().int(),
    userId: z.string().nullable(),
    queue: z.string(),
    priority: z.string(),
    instructions: z.string(),
    status: z.enum(HANDOFF_STATUSES),
    assignee: z.string().nullable(),
    note: z.string().nullable(),
    context: z.record(z.string(), z.unknown()).openapi({
      description: "customer traits and consent, recent events and messages, journey and node, the request",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
    claimedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
  })
  .openapi("HandoffTask");

const HandoffUpdate = z
  .discriminatedUnion(
    "action",
    [
      z.object({
        action: z.literal("claim"),
        /** default: the calling key's name */
        assignee: z.string().min(1).max(200).optional(),
      }),
      z.object({ action: z.literal("release") }),
      z.object({
        action: z.literal("complete"),
        note: z.string().trim().min(1, "say what was done in `note`").max(5000),
      }),
    ],
    { error: () => "action must be one of claim, release, complete" },
  )
  .openapi("HandoffUpdate");

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
        status: z
          .enum(OUTBOX_STATUSES, { error: () => `status must be one of ${OUTBOX_STATUSES.join(", ")}` })
          .optional(),
        userId: z.string().min(1).max(500).optional(),
        limit: Limit,
        cursor: Cursor,
      }),
    },
    responses: { 200: { description: "newest first", content: json(OutboxPage) }, ...errorResponses() },
  }),
  dead: defineRoute({
    method: "get",
    path: "/outbox/dead",
    tags: ["outbox"],
    summary: "Dead letters: rows that will not be retried, with their last error and attempts",
    roles: [...READERS],
    request: {
      query: z.object({ channel: z.string().min(1).max(100).optional(), limit: Limit, cursor: Cursor }),
    },
    responses: { 200: { description: "newest first", content: json(OutboxPage) }, ...errorResponses() },
  }),
  retry: defineRoute({
    method: "post",
    path: "/outbox/{id}/retry",
    tags: ["outbox"],
    summary: "Requeue a dead letter: pending now, with a fresh set of attempts",
    description:
      "Policies are not re-evaluated: the action was allowed when it was queued. Consider quiet hours before retrying an SMS at night.",
    roles: [],
    request: { params: z.object({ id: RowId("the outbox id") }) },
    responses: {
      200: { description: "requeued", content: json(z.object({ item: OutboxItemSchema })) },
      ...errorResponses(404, 409),
    },
  }),
  handoffs: defineRoute({
    method: "get",
    path: "/handoffs",
    tags: ["handoffs"],
    summary: "Hand-off tasks for people, with the customer's context",
    roles: [...READERS],
    request: {
      query: z.object({
        queue: z.string().min(1).max(200).optional(),
        status: z
          .enum(HANDOFF_STATUSES, { error: () => `status must be one of ${HANDOFF_STATUSES.join(", ")}` })
          .optional(),
        limit: Limit,
        cursor: Cursor,
      }),
    },
    responses: {
      200: {
        description: "newest first",
        content: json(z.object({ items: z.array(HandoffSchema), nextCursor: z.string().nullable() })),
      },
      ...errorResponses(),
    },
  }),
  updateHandoff: defineRoute({
    method: "post",
    path: "/handoffs/{id}",
    tags: ["handoffs"],
    summary: "Claim, release or complete a hand-off task",
    roles: [...HANDLERS],
    request: {
      params: z.object({ id: RowId("the task id") }),
      body: { required: true, content: json(HandoffUpdate) },
    },
    responses: {
      200: { description: "the task after the change", content: json(z.object({ task: HandoffSchema })) },
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
        sentAt: iso(row.sentAt),
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

type HandoffRow = typeof handoffTasks.$inferSelect;

function handoffJson(row: HandoffRow, userId: string | null) {
  return {
    id: row.id,
    outboxId: row.outboxId,
    profileId: row.profileId,
    userId,
    queue: row.queue,
    priority: row.priority,
    instructions: row.instructions,
    status: row.status,
    assignee: row.assignee,
    note: row.note,
    context: row.context,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    claimedAt: iso(row.claimedAt),
    completedAt: iso(row.completedAt),
  };
}

async function loadHandoff(executor: Executor, workspaceId: string, id: number, lock = false) {
  const query = executor
    .select()
    .from(handoffTasks)
    .where(and(eq(handoffTasks.id, id), eq(handoffTasks.workspaceId, workspaceId)))
    .limit(1);
  const [row] = lock ? await query.for("update") : await query;
  if (!row) throw notFound(`hand-off task ${id}`, "id");
  return row;
}

async function userIdOf(executor: Executor, profileId: number): Promise<string | null> {
  const [row] = await executor
    .select({ userId: profiles.userId })
    .from(profiles)
    .where(eq(profiles.id, profileId))
    .limit(1);
  return row?.userId ?? null;
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

    app.openapi(routes.handoffs, async (c) => {
      const query = c.req.valid("query");
      const conditions: SQL[] = [eq(handoffTasks.workspaceId, c.get("principal").workspaceId)];
      if (query.queue) conditions.push(eq(handoffTasks.queue, query.queue));
      if (query.status) conditions.push(eq(handoffTasks.status, query.status));
      if (query.cursor !== undefined) conditions.push(lt(handoffTasks.id, query.cursor));
      const found = await db
        .select({ task: handoffTasks, userId: profiles.userId })
        .from(handoffTasks)
        .leftJoin(profiles, eq(profiles.id, handoffTasks.profileId))
        .where(and(...conditions))
        .orderBy(desc(handoffTasks.id))
        .limit(query.limit + 1);
      const page = found.slice(0, query.limit);
      return c.json(
        {
          items: page.map(({ task, userId }) => handoffJson(task, userId ?? null)),
          nextCursor: found.length > query.limit ? String(page.at(-1)!.task.id) : null,
        },
        200,
      );
    });

    app.openapi(routes.updateHandoff, async (c) => {
      const { id } = c.req.valid("param");
      const update = c.req.valid("json");
      const principal = c.get("principal");
      const task = await db.transaction(async (tx) => {
        const row = await loadHandoff(tx, principal.workspaceId, id, true);
        const at = ctx.now();
        if (row.status === "done") {
          throw conflict(`hand-off task ${id} is already done`, "id");
        }
        let changes: Partial<HandoffRow>;
        if (update.action === "claim") {
          const assignee = update.assignee ?? principal.name;
          if (row.status === "claimed" && row.assignee !== assignee) {
            throw conflict(`hand-off task ${id} is claimed by ${row.assignee}; release it first`, "id");
          }
          changes = { status: "claimed", assignee, claimedAt: row.claimedAt ?? at };
        } else if (update.action === "release") {
          changes = { status: "open", assignee: null, claimedAt: null };
        } else {
          changes = {
            status: "done",
            note: update.note,
            completedAt: at,
            assignee: row.assignee ?? principal.name,
          };
        }
        const [updated] = await tx
          .update(handoffTasks)
          .set({ ...changes, updatedAt: at })
          .where(eq(handoffTasks.id, id))
          .returning();
        return updated!;
      });
      return c.json({ task: handoffJson(task, await userIdOf(db, task.profileId)) }, 200);
    });
  },
};
