import type { SQL } from "drizzle-orm";
import { and, asc, desc, eq, lt, sql } from "drizzle-orm";
import { newId } from "../../db/ids.ts";
import type { Executor } from "../../db/open.ts";
import type { ApprovalStatus } from "../../db/schema/policies.ts";
import { approvals } from "../../db/schema/policies.ts";
import { appendAudit } from "../audit/log.ts";
import type { ApprovalItem, ApprovalKind, HumanInterrupt, HumanResponse } from "./types.ts";
import { ApprovalError, HumanInterruptSchema, HumanResponseSchema } from "./types.ts";

/** Rows of the approval queue: create, read, list, lock. The answering logic is in queue.ts. */

type ApprovalRow = typeof approvals.$inferSelect;

export function itemFromRow(row: ApprovalRow): ApprovalItem {
  const request = HumanInterruptSchema.safeParse(row.request);
  const response = row.response ? HumanResponseSchema.safeParse(row.response) : null;
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    kind: row.kind,
    status: row.status,
    // rows are written by this module; a row that no longer parses is shown as stored, not dropped
    request: request.success ? request.data : (row.request as unknown as HumanInterrupt),
    response: response
      ? response.success
        ? response.data
        : (row.response as unknown as HumanResponse)
      : null,
    author: row.author,
    requestedBy: row.requestedBy,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    reason: row.reason,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    actionId: row.actionId,
    journeyVersionId: row.journeyVersionId,
    designId: row.designId,
  };
}

export interface CreateApprovalInput {
  workspaceId: string;
  kind: ApprovalKind;
  request: HumanInterrupt;
  author: string;
  requestedBy?: string | null;
  expiresAt: Date;
  actionId?: number | null;
  journeyVersionId?: string | null;
  designId?: string | null;
  now: Date;
}

/**
 * Puts an item in the queue (with its `approval.requested` audit entry). Journey activations normally
 * arrive through the activation gate (queue.ts); action items through the gateway's review verdict.
 */
export async function createApprovalItem(
  executor: Executor,
  input: CreateApprovalInput,
): Promise<ApprovalItem> {
  const request = HumanInterruptSchema.parse(input.request);
  const id = newId("apr");
  const [row] = await executor
    .insert(approvals)
    .values({
      id,
      workspaceId: input.workspaceId,
      kind: input.kind,
      status: "pending",
      request: request as unknown as Record<string, unknown>,
      author: input.author,
      requestedBy: input.requestedBy ?? null,
      expiresAt: input.expiresAt,
      actionId: input.actionId ?? null,
      journeyVersionId: input.journeyVersionId ?? null,
      designId: input.designId ?? null,
      createdAt: input.now,
    })
    .returning();
  await appendAudit(executor, [
    {
      workspaceId: input.workspaceId,
      actor: input.requestedBy ?? input.author,
      kind: "approval.requested",
      subject: `approval:${id}`,
      at: input.now,
      data: {
        kind: input.kind,
        action: request.action_request.action,
        author: input.author,
        expiresAt: input.expiresAt.toISOString(),
        journeyVersionId: input.journeyVersionId ?? null,
        actionId: input.actionId ?? null,
        designId: input.designId ?? null,
      },
    },
  ]);
  return itemFromRow(row!);
}

export async function getApproval(
  executor: Executor,
  workspaceId: string,
  id: string,
): Promise<ApprovalItem> {
  const [row] = await executor
    .select()
    .from(approvals)
    .where(and(eq(approvals.id, id), eq(approvals.workspaceId, workspaceId)));
  if (!row) throw new ApprovalError("approval_not_found", `approval item "${id}" was not found`);
  return itemFromRow(row);
}

/** The item's row, locked for the answer (concurrent answers to one item serialize here). */
export async function lockApproval(tx: Executor, workspaceId: string, id: string): Promise<ApprovalItem> {
  const [row] = await tx
    .select()
    .from(approvals)
    .where(and(eq(approvals.id, id), eq(approvals.workspaceId, workspaceId)))
    .for("update");
  if (!row) throw new ApprovalError("approval_not_found", `approval item "${id}" was not found`);
  return itemFromRow(row);
}

export interface ApprovalFilter {
  status?: ApprovalStatus | undefined;
  kind?: ApprovalKind | undefined;
  designId?: string | undefined;
  journeyVersionId?: string | undefined;
  actionId?: number | undefined;
  /** items created before this one (the previous page's nextCursor) */
  before?: string | undefined;
  limit?: number | undefined;
}

/** Pending items oldest first (the work queue); everything else newest first. */
export async function listApprovals(
  executor: Executor,
  workspaceId: string,
  filter: ApprovalFilter = {},
): Promise<{ items: ApprovalItem[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  const conditions: SQL[] = [eq(approvals.workspaceId, workspaceId)];
  if (filter.status) conditions.push(eq(approvals.status, filter.status));
  if (filter.kind) conditions.push(eq(approvals.kind, filter.kind));
  if (filter.designId) conditions.push(eq(approvals.designId, filter.designId));
  if (filter.journeyVersionId) conditions.push(eq(approvals.journeyVersionId, filter.journeyVersionId));
  if (filter.actionId !== undefined) conditions.push(eq(approvals.actionId, filter.actionId));
  const oldestFirst = filter.status === "pending";
  if (filter.before) {
    // ids are time-ordered, so the id is the cursor
    conditions.push(oldestFirst ? sql`${approvals.id} > ${filter.before}` : lt(approvals.id, filter.before));
  }
  const found = await executor
    .select()
    .from(approvals)
    .where(and(...conditions))
    .orderBy(oldestFirst ? asc(approvals.id) : desc(approvals.id))
    .limit(limit + 1);
  const items = found.slice(0, limit).map(itemFromRow);
  return { items, nextCursor: found.length > limit ? items.at(-1)!.id : null };
}

/** Records the answer on the item (the caller holds its lock and has applied the effect). */
export async function closeApproval(
  tx: Executor,
  item: ApprovalItem,
  close: {
    status: Exclude<ApprovalStatus, "pending">;
    response: HumanResponse | null;
    decidedBy: string;
    reason: string | null;
    at: Date;
  },
): Promise<ApprovalItem> {
  const [row] = await tx
    .update(approvals)
    .set({
      status: close.status,
      response: close.response as unknown as Record<string, unknown> | null,
      decidedBy: close.decidedBy,
      decidedAt: close.at,
      reason: close.reason,
    })
    .where(and(eq(approvals.id, item.id), eq(approvals.status, "pending")))
    .returning();
  if (!row) throw new ApprovalError("approval_closed", `approval item "${item.id}" was answered meanwhile`);
  return itemFromRow(row);
}
