import { z } from "@hono/zod-openapi";
import { inArray, sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { journeyVersions } from "../../db/schema/journeys.ts";
import { APPROVAL_KINDS, APPROVAL_STATUSES } from "../../db/schema/policies.ts";
import { actionPreview } from "../../policies/approvals/preview.ts";
import type { ApprovalItem } from "../../policies/approvals/types.ts";
import type { ActionPayload } from "../../policies/types.ts";
import { KeyNames } from "./key-names.ts";

/**
 * How approval items look over HTTP: the stored HumanInterrupt / HumanResponse as they are, plus what
 * a reviewer needs beside them — for actions the message as the customer will see it and the verdicts
 * that asked for review; for activations the journey and version.
 */

const VerdictSchema = z
  .object({
    policy: z.string(),
    verdict: z.enum(["allow", "deny", "defer", "review"]),
    reason: z.string(),
    until: z.string().nullable().optional(),
  })
  .openapi("PolicyVerdict");

export const HumanInterruptSchema = z
  .object({
    action_request: z.object({ action: z.string(), args: z.record(z.string(), z.unknown()) }),
    config: z.object({
      allow_accept: z.boolean(),
      allow_edit: z.boolean(),
      allow_respond: z.boolean(),
      allow_ignore: z.boolean(),
    }),
    description: z.string().optional(),
  })
  .openapi("HumanInterrupt", { description: "LangGraph's HumanInterrupt (@langchain/langgraph/prebuilt)" });

export const HumanResponseBody = z
  .object({
    type: z.enum(["accept", "edit", "response", "ignore"]),
    args: z
      .union([
        z.null(),
        z.string(),
        z.object({ action: z.string(), args: z.record(z.string(), z.unknown()) }),
      ])
      .optional()
      .openapi({
        description:
          "null for accept and ignore; the note for response; for edit the item's action_request with changed args",
      }),
    reason: z
      .string()
      .max(2000)
      .optional()
      .openapi({ description: "why (kept with the decision and audited)" }),
  })
  .openapi("HumanResponse", { description: "LangGraph's HumanResponse, plus an optional reason" });

const PreviewSchema = z
  .object({
    kind: z.enum(["message", "handoff", "webhook", "unrendered"]),
    channel: z.string().optional(),
    to: z.string().nullable().optional(),
    subject: z.string().nullable().optional(),
    title: z.string().nullable().optional(),
    body: z.string().optional(),
    ctaUrl: z.string().nullable().optional(),
    offer: z.string().nullable().optional(),
    aiGenerated: z.boolean().optional(),
    queue: z.string().optional(),
    priority: z.string().optional(),
    instructions: z.string().optional(),
    url: z.string().nullable().optional(),
    method: z.string().nullable().optional(),
    requestBody: z.unknown().optional(),
    reason: z.string().optional(),
  })
  .passthrough()
  .openapi("ActionPreview", { description: "the message as the customer will see it (rendered)" });

export const ApprovalItemSchema = z
  .object({
    id: z.string(),
    kind: z.enum(APPROVAL_KINDS),
    status: z.enum(APPROVAL_STATUSES),
    request: HumanInterruptSchema,
    response: z.unknown().nullable(),
    author: z.string(),
    authorName: z.string().nullable().openapi({ description: "the author key's name (null: not a key)" }),
    requestedBy: z.string().nullable(),
    requestedByName: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decidedByName: z.string().nullable().openapi({ description: "the deciding key's name" }),
    decidedAt: z.string().nullable(),
    reason: z.string().nullable(),
    expiresAt: z.string(),
    expired: z.boolean().openapi({ description: "past expiresAt (closed by the next expiry pass)" }),
    createdAt: z.string(),
    designId: z.string().nullable(),
    action: z
      .object({
        id: z.number().int(),
        status: z.string(),
        kind: z.string(),
        channel: z.string(),
        profileId: z.number().int(),
        userId: z.string().nullable(),
        journeyId: z.string().nullable(),
        journeyName: z.string().nullable(),
        nodeId: z.string().nullable(),
        preview: PreviewSchema,
        reviewVerdicts: z.array(VerdictSchema).openapi({ description: "the verdicts that asked for review" }),
      })
      .nullable(),
    journey: z
      .object({ journeyId: z.string(), versionId: z.string(), version: z.number().int(), status: z.string() })
      .nullable(),
  })
  .openapi("ApprovalItem");

interface ActionView {
  id: number;
  status: string;
  kind: string;
  channel: string;
  profile_id: number;
  user_id: string | null;
  journey_id: string | null;
  journey_name: string | null;
  node_id: string | null;
  payload: ActionPayload;
}

/** Loads what the items need beside themselves, in four queries whatever the page size. */
export async function approvalViews(executor: Executor, items: readonly ApprovalItem[], now: Date) {
  const actionIds = items.map((item) => item.actionId).filter((id): id is number => id !== null);
  const versionIds = items.map((item) => item.journeyVersionId).filter((id): id is string => id !== null);
  const idList = sql.raw(actionIds.map(Number).join(",") || "null");
  const [actionRows, reviewRows, versionRows] = await Promise.all([
    actionIds.length === 0
      ? Promise.resolve([] as ActionView[])
      : rows<ActionView>(
          executor,
          sql`select a.id, a.status, a.kind, a.channel, a.profile_id, p.user_id, a.journey_id, j.name as journey_name,
                a.node_id, a.payload
              from actions a left join profiles p on p.id = a.profile_id left join journeys j on j.id = a.journey_id
              where a.id in (${idList})`,
        ),
    actionIds.length === 0
      ? Promise.resolve([] as Array<{ action_id: number; round: number; policy: string; reason: string }>)
      : rows<{ action_id: number; round: number; policy: string; reason: string }>(
          executor,
          sql`select action_id, round, policy, reason from decisions
              where action_id in (${idList}) and verdict = 'review' order by action_id, round, id`,
        ),
    versionIds.length === 0
      ? Promise.resolve([])
      : executor
          .select({
            id: journeyVersions.id,
            journeyId: journeyVersions.journeyId,
            version: journeyVersions.version,
            status: journeyVersions.status,
          })
          .from(journeyVersions)
          .where(inArray(journeyVersions.id, versionIds)),
  ]);
  const actionsById = new Map(actionRows.map((row) => [Number(row.id), row]));
  const reviews = new Map<number, Array<{ round: number; policy: string; reason: string }>>();
  for (const row of reviewRows) {
    const list = reviews.get(Number(row.action_id)) ?? [];
    list.push({ round: Number(row.round), policy: row.policy, reason: row.reason });
    reviews.set(Number(row.action_id), list);
  }
  const versionsById = new Map(versionRows.map((row) => [row.id, row]));
  const namesByWorkspace = new Map<string, KeyNames>();
  for (const workspaceId of new Set(items.map((item) => item.workspaceId))) {
    const inWorkspace = items.filter((item) => item.workspaceId === workspaceId);
    namesByWorkspace.set(
      workspaceId,
      await KeyNames.load(
        executor,
        workspaceId,
        inWorkspace.flatMap((item) => [item.author, item.requestedBy, item.decidedBy]),
      ),
    );
  }
  return items.map((item) => {
    const names = namesByWorkspace.get(item.workspaceId) ?? KeyNames.none;
    const action = item.actionId !== null ? actionsById.get(Number(item.actionId)) : undefined;
    const reviewList = item.actionId !== null ? (reviews.get(Number(item.actionId)) ?? []) : [];
    // the round that asked for review: the first one with review verdicts
    const firstRound = reviewList[0]?.round;
    const version = item.journeyVersionId ? versionsById.get(item.journeyVersionId) : undefined;
    return {
      id: item.id,
      kind: item.kind,
      status: item.status,
      request: item.request,
      response: item.response ?? null,
      author: item.author,
      authorName: names.of(item.author),
      requestedBy: item.requestedBy,
      requestedByName: names.of(item.requestedBy),
      decidedBy: item.decidedBy,
      decidedByName: names.of(item.decidedBy),
      decidedAt: item.decidedAt?.toISOString() ?? null,
      reason: item.reason,
      expiresAt: item.expiresAt.toISOString(),
      expired: item.status === "expired" || (item.status === "pending" && item.expiresAt <= now),
      createdAt: item.createdAt.toISOString(),
      designId: item.designId,
      action: action
        ? {
            id: Number(action.id),
            status: action.status,
            kind: action.kind,
            channel: action.channel,
            profileId: Number(action.profile_id),
            userId: action.user_id,
            journeyId: action.journey_id,
            journeyName: action.journey_name,
            nodeId: action.node_id,
            preview: actionPreview(action.kind, action.channel, action.payload),
            reviewVerdicts: reviewList
              .filter((review) => review.round === firstRound)
              .map((review) => ({
                policy: review.policy,
                verdict: "review" as const,
                reason: review.reason,
              })),
          }
        : null,
      journey: version
        ? {
            journeyId: version.journeyId,
            versionId: version.id,
            version: version.version,
            status: version.status,
          }
        : null,
    };
  });
}
