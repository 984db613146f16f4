import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { rows } from "../../db/open.ts";
import { APPROVAL_KINDS, APPROVAL_STATUSES } from "../../db/schema/policies.ts";
import { getApproval, listApprovals } from "../../policies/approvals/store.ts";
import type { Approver } from "../../policies/approvals/types.ts";
import { ApprovalError } from "../../policies/approvals/types.ts";
import type { RouteModule } from "../app.ts";
import { type Principal, READERS } from "../auth.ts";
import { ApiError, notFound } from "../errors.ts";
import { defineRoute } from "../route.ts";
import { errorResponses, oneOf, PageLimit } from "./api-schemas.ts";
import { ApprovalItemSchema, approvalViews, HumanResponseBody } from "./approval-views.ts";
import { jsonBodyGuard } from "./json-body.ts";

/**
 * The approval queue over HTTP: list and read items (reviewers' work queue, the console, the
 * designer), answer one with a HumanResponse, and every verdict an action got. Reading applies
 * expiry first, so a listed pending item is answerable. See docs/approvals.md.
 */

const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

export function approverOf(principal: Principal): Approver {
  if (principal.role === "ingest") throw new ApiError(401, "unauthorized", "an ingestion key cannot answer");
  return {
    keyId: principal.keyId,
    workspaceId: principal.workspaceId,
    role: principal.role,
    name: principal.name,
  };
}

/** ApprovalError → the API error shape, verdicts or issues included. */
export function approvalApiError(error: ApprovalError): ApiError {
  return new ApiError(error.status, error.code, error.message, error.details.field, {
    ...(error.details.verdicts
      ? {
          verdicts: error.details.verdicts.map((verdict) => ({
            policy: verdict.policy,
            verdict: verdict.verdict,
            reason: verdict.reason,
            until: verdict.until?.toISOString() ?? null,
          })),
        }
      : {}),
    ...(error.details.issues ? { issues: error.details.issues } : {}),
  });
}

async function approvals<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApprovalError) throw approvalApiError(error);
    throw error;
  }
}

const ApprovalId = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" }, example: "apr_0abc" }),
});

const DecisionRoundSchema = z
  .object({
    round: z.number().int(),
    outcome: z.enum(["allow", "deny", "defer", "review"]),
    at: z.string(),
    verdicts: z.array(
      z.object({
        policy: z.string(),
        verdict: z.enum(["allow", "deny", "defer", "review"]),
        reason: z.string(),
        until: z.string().nullable(),
        details: z.record(z.string(), z.unknown()).nullable(),
      }),
    ),
  })
  .openapi("DecisionRound");

const routes = {
  list: defineRoute({
    method: "get",
    path: "/approvals",
    tags: ["approvals"],
    summary: "The approval queue: pending items oldest first, or decided ones newest first",
    description:
      "Each item is a LangGraph HumanInterrupt with its expiry; action items carry a preview of the message as the customer will see it and the verdicts that asked for review. Expired items are closed before listing.",
    roles: [...READERS],
    request: {
      query: z.object({
        status: oneOf("status", APPROVAL_STATUSES).optional(),
        kind: oneOf("kind", APPROVAL_KINDS).optional(),
        designId: z.string().min(1).max(100).optional(),
        limit: PageLimit,
        cursor: z.string().min(1).max(100).optional(),
      }),
    },
    responses: {
      200: {
        description: "a page of items",
        content: json(z.object({ items: z.array(ApprovalItemSchema), nextCursor: z.string().nullable() })),
      },
      ...errorResponses(),
    },
  }),
  get: defineRoute({
    method: "get",
    path: "/approvals/{id}",
    tags: ["approvals"],
    summary: "One approval item",
    roles: [...READERS],
    request: { params: ApprovalId },
    responses: {
      200: { description: "the item", content: json(z.object({ item: ApprovalItemSchema })) },
      ...errorResponses(404),
    },
  }),
  respond: defineRoute({
    method: "post",
    path: "/approvals/{id}/respond",
    tags: ["approvals"],
    summary: "Answer an item with a HumanResponse (accept, edit, response, ignore)",
    description:
      "accept: the action is decided again without the answered reviews and queued (or the version goes live). edit: the edited args are validated and re-checked by the policies first; an edit that now violates a policy is refused (422) with the verdicts. ignore: nothing is sent, the customer takes the skip path (or the version returns to draft). response: a note back to the author (activations). The author of a draft, or the key that asked the designer, gets 403. An expired or already answered item is 409.",
    roles: ["reviewer"],
    request: { params: ApprovalId, body: { required: true, content: json(HumanResponseBody) } },
    responses: {
      200: {
        description: "the decided item and what it did",
        content: json(
          z.object({
            item: ApprovalItemSchema,
            effect: z.record(z.string(), z.unknown()).openapi({
              description:
                "journey_activation: versionStatus; action: actionStatus, verdicts, deliverAt, resumed",
            }),
          }),
        ),
      },
      ...errorResponses(404, 409, 422),
    },
  }),
  decisions: defineRoute({
    method: "get",
    path: "/actions/{id}/decisions",
    tags: ["approvals"],
    summary: "Every policy verdict an action got, round by round, and its approval items",
    roles: [...READERS],
    request: {
      params: z.object({
        id: z
          .string()
          .regex(/^\d{1,15}$/, "the action id is a positive integer")
          .transform(Number)
          .openapi({ param: { name: "id", in: "path" }, example: "42" }),
      }),
    },
    responses: {
      200: {
        description: "the action and its decisions",
        content: json(
          z
            .object({
              action: z.object({
                id: z.number().int(),
                status: z.string(),
                kind: z.string(),
                channel: z.string(),
                journeyId: z.string().nullable(),
                nodeId: z.string().nullable(),
                verdict: z.string().nullable(),
                reason: z.string().nullable(),
              }),
              rounds: z.array(DecisionRoundSchema),
              approvals: z.array(ApprovalItemSchema),
            })
            .openapi("ActionDecisions"),
        ),
      },
      ...errorResponses(404),
    },
  }),
};

const SEVERITY = { allow: 0, defer: 1, review: 2, deny: 3 } as const;
type Verdict = keyof typeof SEVERITY;

export const approvalRoutes: RouteModule = {
  api(app, ctx) {
    const db = ctx.database.db;
    // the one route that takes a body: refuse what PostgreSQL cannot store before the validator runs
    app.use("/approvals/:id/respond", jsonBodyGuard());

    app.openapi(routes.list, async (c) => {
      const query = c.req.valid("query");
      const workspaceId = c.get("principal").workspaceId;
      await ctx.services.approvals.expireDue({ workspaceId });
      const page = await listApprovals(db, workspaceId, {
        status: query.status,
        kind: query.kind,
        designId: query.designId,
        limit: query.limit,
        before: query.cursor,
      });
      return c.json(
        { items: await approvalViews(db, page.items, ctx.now()), nextCursor: page.nextCursor },
        200,
      );
    });

    app.openapi(routes.get, async (c) => {
      const { id } = c.req.valid("param");
      const workspaceId = c.get("principal").workspaceId;
      await ctx.services.approvals.expireDue({ workspaceId });
      const item = await approvals(() => getApproval(db, workspaceId, id));
      const [view] = await approvalViews(db, [item], ctx.now());
      return c.json({ item: view! }, 200);
    });

    app.openapi(routes.respond, async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const approver = approverOf(c.get("principal"));
      const event = await approvals(() => ctx.services.approvals.respondToApproval(db, id, body, approver));
      const [view] = await approvalViews(db, [event.item], ctx.now());
      return c.json({ item: view!, effect: event.effect as Record<string, unknown> }, 200);
    });

    app.openapi(routes.decisions, async (c) => {
      const { id } = c.req.valid("param");
      const workspaceId = c.get("principal").workspaceId;
      const [action] = await rows<{
        id: number;
        status: string;
        kind: string;
        channel: string;
        journey_id: string | null;
        node_id: string | null;
        verdict: string | null;
        reason: string | null;
      }>(
        db,
        sql`select id, status, kind, channel, journey_id, node_id, verdict, reason from actions
            where id = ${id} and workspace_id = ${workspaceId}`,
      );
      if (!action) throw notFound(`action ${id}`, "id");
      const verdicts = await rows<{
        round: number;
        policy: string;
        verdict: Verdict;
        reason: string;
        until: string | null;
        details: Record<string, unknown> | null;
        created_at: string;
      }>(
        db,
        sql`select round, policy, verdict, reason,
              to_char(until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as until, details,
              to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at
            from decisions where action_id = ${id} order by round, id`,
      );
      const rounds = new Map<number, z.infer<typeof DecisionRoundSchema>>();
      for (const row of verdicts) {
        const round = rounds.get(row.round) ?? {
          round: row.round,
          outcome: "allow",
          at: row.created_at,
          verdicts: [],
        };
        round.verdicts.push({
          policy: row.policy,
          verdict: row.verdict,
          reason: row.reason,
          until: row.until,
          details: row.details,
        });
        // the round's outcome is the most severe verdict, minus reviews a person answered in it
        const answered = round.verdicts.some((verdict) => verdict.policy === "human_review");
        round.outcome = round.verdicts
          .map((verdict) => verdict.verdict)
          .filter((verdict) => !(answered && verdict === "review"))
          .reduce<Verdict>(
            (worst, verdict) => (SEVERITY[verdict] > SEVERITY[worst] ? verdict : worst),
            "allow",
          );
        rounds.set(row.round, round);
      }
      const items = await listApprovals(db, workspaceId, { actionId: id, limit: 200 });
      return c.json(
        {
          action: {
            id: Number(action.id),
            status: action.status,
            kind: action.kind,
            channel: action.channel,
            journeyId: action.journey_id,
            nodeId: action.node_id,
            verdict: action.verdict,
            reason: action.reason,
          },
          rounds: [...rounds.values()],
          approvals: await approvalViews(db, items.items, ctx.now()),
        },
        200,
      );
    });
  },
};
