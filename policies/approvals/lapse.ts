import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { appendAudit, SYSTEM_ACTOR } from "../audit/log.ts";
import type { ActionAnswerDeps } from "./action-items.ts";
import { actionIsWaiting, cancelReviewedAction, readAction } from "./action-items.ts";
import type { ActivationDeps } from "./activation-items.ts";
import { readVersion, returnToAuthor, versionIsWaiting } from "./activation-items.ts";
import { closeApproval } from "./store.ts";
import type { ApprovalDecidedEvent, ApprovalEffect, ApprovalItem } from "./types.ts";

/** Items that no longer apply: expired, or what they asked about moved on. Closed by the system. */

export const APPROVALS_SIGNAL = "overture_approvals";

/** Tells other processes an item changed (delivered at commit). */
export async function signalApproval(tx: Executor, item: ApprovalItem): Promise<void> {
  const payload = JSON.stringify({
    id: item.id,
    workspaceId: item.workspaceId,
    kind: item.kind,
    status: item.status,
  });
  await tx.execute(sql`select pg_notify(${APPROVALS_SIGNAL}, ${payload})`);
}

export interface Staleness {
  status: "expired" | "withdrawn";
  reason: string;
}

/** Why a pending item no longer applies, if it does not: expired, or its subject moved on. */
export async function staleness(tx: Executor, item: ApprovalItem, now: Date): Promise<Staleness | null> {
  if (item.expiresAt.getTime() <= now.getTime()) {
    return { status: "expired", reason: `the approval expired at ${item.expiresAt.toISOString()}` };
  }
  if (item.kind === "action" && item.actionId !== null) {
    const action = await readAction(tx, item.actionId);
    if (!actionIsWaiting(action)) {
      return {
        status: "withdrawn",
        reason: `the action is ${action?.status ?? "gone"}: the customer left the journey or it was stopped`,
      };
    }
  }
  if (item.kind === "journey_activation" && item.journeyVersionId) {
    const version = await readVersion(tx, item.journeyVersionId);
    if (!versionIsWaiting(version)) {
      return {
        status: "withdrawn",
        reason: `the version is ${version?.status ?? "gone"}, no longer awaiting approval`,
      };
    }
  }
  return null;
}

/** The item's effect when it lapses (a waiting action cancelled, a waiting version back to its author), then the item closed. */
export async function lapse(
  tx: Executor,
  item: ApprovalItem,
  { status, reason }: Staleness,
  deps: { now: Date; action: ActionAnswerDeps; activation: ActivationDeps },
): Promise<ApprovalDecidedEvent> {
  const { now } = deps;
  let effect: ApprovalEffect = { kind: "none" };
  if (item.kind === "action" && item.actionId !== null) {
    const action = await readAction(tx, item.actionId);
    if (action && actionIsWaiting(action)) {
      effect = await cancelReviewedAction(tx, action, `${reason}; nothing was sent`, deps.action);
    }
  } else if (item.kind === "journey_activation" && item.journeyVersionId) {
    const version = await readVersion(tx, item.journeyVersionId);
    if (version && versionIsWaiting(version)) {
      effect = await returnToAuthor(tx, version, SYSTEM_ACTOR, deps.activation);
    }
  }
  const closed = await closeApproval(tx, item, {
    status,
    response: null,
    decidedBy: SYSTEM_ACTOR,
    reason,
    at: now,
  });
  await appendAudit(tx, [
    {
      workspaceId: item.workspaceId,
      actor: SYSTEM_ACTOR,
      kind: status === "expired" ? "approval.expired" : "approval.decided",
      subject: `approval:${item.id}`,
      at: now,
      data: { kind: item.kind, status, reason, effect },
    },
  ]);
  await signalApproval(tx, closed);
  return { item: closed, effect };
}
