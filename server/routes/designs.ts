import { z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { DesignerError } from "../../agents/designer/service.ts";
import type { DesignRow } from "../../agents/designer/store.ts";
import { DESIGN_STATUSES } from "../../db/schema/designs.ts";
import type { RouteModule } from "../app.ts";
import { READERS } from "../auth.ts";
import { ApiError } from "../errors.ts";
import { defineRoute } from "../route.ts";
import {
  errorResponses,
  JourneyDefinitionRef,
  oneOf,
  PageLimit,
  ValidationIssueSchema,
} from "./api-schemas.ts";
import { jsonBodyGuard } from "./json-body.ts";
import { KeyNames } from "./key-names.ts";

/**
 * The journey designer over HTTP: start a design from a goal, follow it (JSON, or a server-sent
 * event stream of every graph step, tool call, validation round and the simulation summary, with
 * replay for late subscribers and `Last-Event-ID` resume), and answer its clarifying question. The
 * reviewer's decision goes through the approval queue (`POST /api/approvals/{id}/respond`), which
 * resumes the design. Runs execute in the background of the server process. See docs/designer.md.
 */

const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });
const TERMINAL = new Set(["activated", "rejected", "stopped", "failed"]);
const WAITING_FOR_PERSON = new Set(["clarifying", "awaiting_approval"]);

/**
 * Whether a design has come to rest: `waiting` for a person (its clarifying question, a reviewer's
 * decision) or `done`. At rest means the status says so, no answer or decision waits to be applied,
 * and the run that got it there has recorded its last event — the status change or the failure (the
 * row is updated just before that event is written) — or, after a crash, its lease has run out.
 */
export function designPause(
  row: DesignRow,
  lastEventType: string | null,
  now: Date,
): "waiting" | "done" | null {
  const state = TERMINAL.has(row.status) ? "done" : WAITING_FOR_PERSON.has(row.status) ? "waiting" : null;
  if (state === null || row.pendingInput) return null;
  const recorded = lastEventType === "status" || lastEventType === "error";
  const leaseFree = row.leaseOwner === null || (row.leaseUntil !== null && row.leaseUntil <= now);
  return recorded || leaseFree ? state : null;
}

/** The final event's data: enough for a client to show what the design waits for without a read. */
function pauseData(row: DesignRow) {
  return { status: row.status, question: row.question, approvalId: row.approvalId, journeyId: row.journeyId };
}

const DesignId = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" }, example: "dsg_0abc" }),
});

const DesignSchema = z
  .object({
    id: z.string(),
    goal: z.string(),
    status: z.enum(DESIGN_STATUSES),
    /** the clarifying question while status is `clarifying` */
    question: z.string().nullable(),
    model: z
      .string()
      .openapi({ description: '"offline-planner" or "openai:<model>": which model drafted it' }),
    llmCalls: z.number().int(),
    tokens: z.number().int(),
    draft: JourneyDefinitionRef.nullable(),
    explanation: z.array(z.string()),
    issues: z.array(ValidationIssueSchema),
    lint: z.array(ValidationIssueSchema),
    conflicts: z.array(z.record(z.string(), z.unknown())),
    simulation: z
      .object({ customers: z.number().int(), entered: z.number().int(), sentences: z.array(z.string()) })
      .passthrough()
      .nullable(),
    revision: z.number().int(),
    journeyId: z.string().nullable(),
    versionId: z.string().nullable(),
    approvalId: z.string().nullable(),
    error: z.string().nullable(),
    createdBy: z.string(),
    createdByName: z.string().nullable().openapi({ description: "the name of the key that asked" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Design");

const IssueList = z.array(ValidationIssueSchema);
const SimulationView = z
  .object({ customers: z.number().int(), entered: z.number().int(), sentences: z.array(z.string()) })
  .passthrough();

function designJson(row: DesignRow, names: KeyNames) {
  const issues = IssueList.safeParse(row.issues);
  const lint = IssueList.safeParse(row.lint);
  const simulation = row.summary ? SimulationView.safeParse(row.summary) : null;
  return {
    id: row.id,
    goal: row.goal,
    status: row.status,
    question: row.question,
    model: row.model,
    llmCalls: row.llmCalls,
    tokens: row.tokens,
    draft: row.draft ?? null,
    explanation: row.explanation,
    issues: issues.success ? issues.data : [],
    lint: lint.success ? lint.data : [],
    conflicts: row.conflicts,
    simulation: simulation?.success ? simulation.data : null,
    revision: row.revision,
    journeyId: row.journeyId,
    versionId: row.versionId,
    approvalId: row.approvalId,
    error: row.error,
    createdBy: row.createdBy,
    createdByName: names.of(row.createdBy),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function designer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DesignerError) throw new ApiError(error.status, error.code, error.message, "id");
    throw error;
  }
}

const routes = {
  create: defineRoute({
    method: "post",
    path: "/designs",
    tags: ["designs"],
    summary: "Start a design: a goal in plain language becomes a journey draft that waits for review",
    description:
      "Answers 202 at once; the designer runs in the background. Follow it with GET /designs/{id} or the event stream GET /designs/{id}/events. The calling key is the draft's author and cannot approve it.",
    roles: ["cx_lead"],
    request: {
      body: {
        required: true,
        content: json(
          z
            .object({
              goal: z
                .string({ error: "goal: required (what the journey should do, in plain language)" })
                .trim()
                .min(3, "goal: say what the journey should do")
                .max(4000, "goal: at most 4000 characters"),
            })
            .strict(),
        ),
      },
    },
    responses: {
      202: { description: "the design, running", content: json(z.object({ design: DesignSchema })) },
      ...errorResponses(),
    },
  }),
  list: defineRoute({
    method: "get",
    path: "/designs",
    tags: ["designs"],
    summary: "Designs of the workspace, newest first",
    roles: [...READERS],
    request: {
      query: z.object({
        status: oneOf("status", DESIGN_STATUSES).optional(),
        limit: PageLimit,
        cursor: z.string().min(1).max(100).optional(),
      }),
    },
    responses: {
      200: {
        description: "a page of designs",
        content: json(z.object({ designs: z.array(DesignSchema), nextCursor: z.string().nullable() })),
      },
      ...errorResponses(),
    },
  }),
  get: defineRoute({
    method: "get",
    path: "/designs/{id}",
    tags: ["designs"],
    summary:
      "A design: status, question, draft, explanation, lint, conflicts, simulation, model, calls, tokens, approval",
    roles: [...READERS],
    request: { params: DesignId },
    responses: {
      200: { description: "the design", content: json(z.object({ design: DesignSchema })) },
      ...errorResponses(404),
    },
  }),
  events: defineRoute({
    method: "get",
    path: "/designs/{id}/events",
    tags: ["designs"],
    summary: "Server-sent events of a design: every step, tool call, validation round, simulation summary",
    description:
      "Replays the design's events from the start (or after `Last-Event-ID` / `after`), then streams new ones as they happen; each event's id is its sequence number. A following stream ends as soon as the design comes to rest, with a last event without an id: `waiting` (it asks a clarifying question or waits for a reviewer: reconnect with `Last-Event-ID` after answering, or when `GET /designs/{id}` shows it moved) or `done` (activated, rejected, stopped, failed); its data is `{ status, question, approvalId, journeyId }`. With `follow=false` the stream ends after the replay, without that event.",
    roles: [...READERS],
    request: {
      params: DesignId,
      query: z.object({
        after: z.coerce.number({ error: "after must be a number" }).int().min(0).optional(),
        follow: z.enum(["true", "false"]).default("true"),
      }),
    },
    responses: {
      200: {
        description:
          "text/event-stream; event names: created, step, model_call, tool_call, tool_result, validation_round, lint, conflicts, simulation, submitted, interrupt, answer, review, status, error; last (following streams): waiting or done",
        content: { "text/event-stream": { schema: z.string() } },
      },
      ...errorResponses(404),
    },
  }),
  answer: defineRoute({
    method: "post",
    path: "/designs/{id}/answer",
    tags: ["designs"],
    summary: "Answer the design's clarifying question",
    description:
      "Only while the design is `clarifying` (409 otherwise). Answers 202; the design continues in the background.",
    roles: ["cx_lead"],
    request: {
      params: DesignId,
      body: {
        required: true,
        content: json(
          z
            .object({
              answer: z
                .string({ error: "answer: required" })
                .trim()
                .min(1, "answer: required")
                .max(4000, "answer: at most 4000 characters"),
            })
            .strict(),
        ),
      },
    },
    responses: {
      202: { description: "the design, continuing", content: json(z.object({ design: DesignSchema })) },
      ...errorResponses(404, 409),
    },
  }),
};

export const designRoutes: RouteModule = {
  api(app, ctx) {
    const service = ctx.services.designer;
    const namesOf = (workspaceId: string, rows: readonly DesignRow[]) =>
      KeyNames.load(
        ctx.database.db,
        workspaceId,
        rows.map((row) => row.createdBy),
      );

    // the routes that take a body: refuse what PostgreSQL cannot store before the validators run
    app.use("/designs", jsonBodyGuard());
    app.use("/designs/:id/answer", jsonBodyGuard());

    app.openapi(routes.create, async (c) => {
      const { goal } = c.req.valid("json");
      const principal = c.get("principal");
      const row = await service.create({
        workspaceId: principal.workspaceId,
        goal,
        createdBy: principal.keyId,
      });
      return c.json({ design: designJson(row, await namesOf(principal.workspaceId, [row])) }, 202);
    });

    app.openapi(routes.list, async (c) => {
      const query = c.req.valid("query");
      const workspaceId = c.get("principal").workspaceId;
      const page = await service.list(workspaceId, {
        status: query.status,
        limit: query.limit,
        before: query.cursor,
      });
      const names = await namesOf(workspaceId, page.designs);
      return c.json(
        { designs: page.designs.map((row) => designJson(row, names)), nextCursor: page.nextCursor },
        200,
      );
    });

    app.openapi(routes.get, async (c) => {
      const { id } = c.req.valid("param");
      const workspaceId = c.get("principal").workspaceId;
      const row = await designer(() => service.get(workspaceId, id));
      return c.json({ design: designJson(row, await namesOf(workspaceId, [row])) }, 200);
    });

    app.openapi(routes.answer, async (c) => {
      const { id } = c.req.valid("param");
      const { answer } = c.req.valid("json");
      const principal = c.get("principal");
      const row = await designer(() => service.answer(principal.workspaceId, id, answer, principal.keyId));
      return c.json({ design: designJson(row, await namesOf(principal.workspaceId, [row])) }, 202);
    });

    app.openapi(routes.events, async (c) => {
      const { id } = c.req.valid("param");
      const query = c.req.valid("query");
      const workspaceId = c.get("principal").workspaceId;
      await designer(() => service.get(workspaceId, id));
      const header = Number(c.req.header("last-event-id"));
      let seq = Number.isInteger(header) && header >= 0 ? header : (query.after ?? 0);
      const follow = query.follow === "true";
      return streamSSE(c, async (stream) => {
        let dirty = true;
        let wake: () => void = () => undefined;
        let lastType: string | null = null;
        const unsubscribe = service.subscribe(id, () => {
          dirty = true;
          wake();
        });
        stream.onAbort(() => {
          unsubscribe();
          wake();
        });
        try {
          while (!stream.aborted) {
            dirty = false;
            const events = await service.events(workspaceId, id, seq);
            for (const event of events) {
              await stream.writeSSE({
                id: String(event.seq),
                event: event.type,
                data: JSON.stringify({ ...event.data, at: event.at.toISOString() }),
              });
              seq = event.seq;
              lastType = event.type;
            }
            if (!follow) break;
            if (events.length > 0 || dirty) continue;
            const row = await service.get(workspaceId, id);
            if (lastType === null && seq > 0) {
              lastType = (await service.events(workspaceId, id, seq - 1))[0]?.type ?? null;
            }
            const pause = designPause(row, lastType, ctx.now());
            if (pause && !dirty) {
              // Nothing more happens until a person acts (or ever): end the stream cleanly instead
              // of holding it open for days; the client reconnects with Last-Event-ID when it moves.
              await stream.writeSSE({ event: pause, data: JSON.stringify(pauseData(row)) });
              break;
            }
            // Wait for new events, with a comment line now and then so proxies keep the stream open.
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 15_000);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
              if (dirty || stream.aborted) wake();
            });
            if (!dirty && !stream.aborted) await stream.write(": keep-alive\n\n");
          }
        } finally {
          unsubscribe();
        }
      });
    });
  },
};
