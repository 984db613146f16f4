import { z } from "@hono/zod-openapi";
import type { SQL } from "drizzle-orm";
import { and, desc, eq, lt } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { HANDOFF_STATUSES, handoffTasks } from "../../db/schema/actions.ts";
import { profiles } from "../../db/schema/profiles.ts";
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
import { jsonBodyGuard } from "./json-body.ts";

/** The human hand-off tasks the handoff channel creates, with claim / release / complete. */

/** the people who work hand-off tasks */
const HANDLERS = ["cx_lead", "reviewer"] as const;

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
  handoffs: defineRoute({
    method: "get",
    path: "/handoffs",
    tags: ["handoffs"],
    summary: "Hand-off tasks for people, with the customer's context",
    roles: [...READERS],
    request: {
      query: z.object({
        queue: z.string().min(1).max(200).optional(),
        status: oneOf("status", HANDOFF_STATUSES).optional(),
        limit: PageLimit,
        cursor: IdCursor,
      }),
    },
    responses: {
      200: {
        description: "newest first",
        content: jsonContent(z.object({ items: z.array(HandoffSchema), nextCursor: z.string().nullable() })),
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
      params: z.object({ id: RowIdParam("the task id") }),
      body: { required: true, content: jsonContent(HandoffUpdate) },
    },
    responses: {
      200: {
        description: "the task after the change",
        content: jsonContent(z.object({ task: HandoffSchema })),
      },
      ...errorResponses(404, 409),
    },
  }),
};

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
    claimedAt: isoOrNull(row.claimedAt),
    completedAt: isoOrNull(row.completedAt),
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

export const handoffRoutes: RouteModule = {
  api(app, ctx) {
    app.openAPIRegistry.register("Error", ErrorResponseSchema);
    const db = ctx.database.db;
    app.use("/handoffs/:id", jsonBodyGuard());

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
