import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { ActionKind, ActionStatus } from "../../db/schema/actions.ts";
import { decisions, outbox } from "../../db/schema/actions.ts";
import { MessageContent, Offer } from "../../journeys/format/schema.ts";
import { toJsonPath } from "../../journeys/format/validate.ts";
import { decisionAuditData, POLICY_ACTOR } from "../audit/hooks.ts";
import { appendAudit } from "../audit/log.ts";
import { decideAfterApproval } from "../engine.ts";
import { loadCustomerContexts } from "../gateway.ts";
import type { ActionPayload, ActionProposal, Decide, Decision, PolicyVerdict } from "../types.ts";
import type { ApprovalEffect, ApprovalItem, Approver } from "./types.ts";
import { ApprovalError } from "./types.ts";

/**
 * Answers to single-action items. The action waits in status `review` and its journey instance is
 * parked on the action's node. Accept and edit decide the action again (caps may have filled, consent
 * may be gone, the edit may say something new) with the reviews the person just answered lifted;
 * ignore and expiry cancel it. Either way the parked customer continues: `next` when the action was
 * queued, `on_skip ?? next` when it was not.
 *
 * Lock order is the gateway's and ingestion's — the customer's profile row first, then the action,
 * then the instance — so an answer never deadlocks with a worker or an event for the same customer.
 */

/** The human's verdict, stored with the policies' verdicts in the new decision round. */
export const HUMAN_REVIEW_POLICY = "human_review";

export const OUTBOX_SIGNAL = "overture_outbox";

export type ResumeParked = (tx: Executor, instanceId: number, result: "sent" | "skipped") => Promise<boolean>;

export interface ActionAnswerDeps {
  decideFor: (executor: Executor, workspaceId: string) => Promise<Decide>;
  resumeParked: ResumeParked | undefined;
  now: Date;
}

interface ActionRow {
  id: number;
  workspace_id: string;
  profile_id: number;
  instance_id: number | null;
  journey_id: string | null;
  version_id: string | null;
  node_id: string | null;
  kind: ActionKind;
  channel: string;
  payload: ActionPayload;
  status: ActionStatus;
  idempotency_key: string;
}

const ACTION_COLUMNS = sql.raw(
  "id, workspace_id, profile_id, instance_id, journey_id, version_id, node_id, kind, channel, payload, status, idempotency_key",
);

export async function readAction(executor: Executor, actionId: number): Promise<ActionRow | null> {
  const [row] = await rows<ActionRow>(
    executor,
    sql`select ${ACTION_COLUMNS} from actions where id = ${actionId}`,
  );
  return row ?? null;
}

async function lockProfile(tx: Executor, profileId: number) {
  await tx.execute(sql`select id from profiles where id = ${profileId} for update`);
}

async function lockAction(tx: Executor, actionId: number): Promise<ActionRow | null> {
  const [row] = await rows<ActionRow>(
    tx,
    sql`select ${ACTION_COLUMNS} from actions where id = ${actionId} for update`,
  );
  return row ?? null;
}

/** Whether the item still asks about something: its action is still waiting for a person. */
export function actionIsWaiting(action: ActionRow | null): boolean {
  return action?.status === "review";
}

function proposalOf(action: ActionRow, payload: ActionPayload): ActionProposal {
  return {
    workspaceId: action.workspace_id,
    profileId: Number(action.profile_id),
    kind: action.kind,
    channel: action.channel,
    instanceId: action.instance_id === null ? undefined : Number(action.instance_id),
    journeyId: action.journey_id ?? undefined,
    versionId: action.version_id ?? undefined,
    nodeId: action.node_id ?? undefined,
    idempotencyKey: action.idempotency_key,
    payload,
  };
}

// ─── edits ───────────────────────────────────────────────────────────────────────────────────────
const HandoffSpec = z
  .object({
    queue: z.string().min(1).max(100),
    priority: z.enum(["low", "normal", "high", "urgent"]),
    instructions: z.string().min(1).max(2000),
  })
  .strict();

/** The parts of an action a reviewer may change; who receives it and through what never change. */
const EDITABLE: Record<string, { schema: z.ZodType; kinds: readonly ActionKind[] }> = {
  content: { schema: MessageContent, kinds: ["message", "handoff"] },
  offer: { schema: Offer.nullable(), kinds: ["message"] },
  category: { schema: z.enum(["promotional", "transactional"]), kinds: ["message"] },
  handoff: { schema: HandoffSpec, kinds: ["handoff"] },
};

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

const sameValue = (a: unknown, b: unknown) => canonical(a) === canonical(b);

function invalidEdit(field: string, message: string): never {
  throw new ApprovalError("invalid_edit", `${field}: ${message}`, { field });
}

/**
 * The payload after a reviewer's edit. `args` is the item's `action_request.args` as the reviewer
 * sent it back: only `payload.content`, `payload.offer` (null removes it), `payload.category` and a
 * hand-off's `payload.handoff` may differ from what was proposed; anything else that differs —
 * recipient, channel, customer, journey — is refused naming the field.
 */
export function applyActionEdit(
  item: ApprovalItem,
  action: ActionRow,
  edit: { action: string; args: Record<string, unknown> },
): ActionPayload {
  if (edit.action !== item.request.action_request.action) {
    invalidEdit(
      "args.action",
      `must stay "${item.request.action_request.action}"; an edit cannot change the kind of action`,
    );
  }
  const original = item.request.action_request.args;
  for (const [key, value] of Object.entries(edit.args)) {
    if (key === "payload") continue;
    if (!sameValue(value, original[key])) invalidEdit(`args.args.${key}`, "cannot be changed by an edit");
  }
  const edited = edit.args.payload;
  if (edited === undefined) return action.payload;
  if (edited === null || typeof edited !== "object" || Array.isArray(edited)) {
    invalidEdit("args.args.payload", "must be an object");
  }
  const payload: ActionPayload = { ...action.payload };
  for (const [key, value] of Object.entries(edited as Record<string, unknown>)) {
    const rule = EDITABLE[key];
    if (!rule?.kinds.includes(action.kind)) {
      if (!sameValue(value, action.payload[key])) {
        invalidEdit(
          `args.args.payload.${key}`,
          `cannot be changed by an edit (editable here: ${Object.entries(EDITABLE)
            .filter(([, candidate]) => candidate.kinds.includes(action.kind))
            .map(([name]) => name)
            .join(", ")})`,
        );
      }
      continue;
    }
    const parsed = rule.schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = toJsonPath(issue.path).replace(/^\$/, "");
      invalidEdit(`args.args.payload.${key}${path}`, issue.message);
    }
    if (parsed.data === null) delete payload[key];
    else payload[key] = parsed.data;
  }
  // a hand-off's content mirrors its instructions (what the agent reads)
  if (action.kind === "handoff" && payload.handoff) {
    payload.content = { subject: `Hand-off to ${payload.handoff.queue}`, body: payload.handoff.instructions };
  }
  return payload;
}

// ─── effects ─────────────────────────────────────────────────────────────────────────────────────
async function resume(deps: ActionAnswerDeps, tx: Executor, action: ActionRow, result: "sent" | "skipped") {
  if (action.instance_id === null) return false;
  if (!deps.resumeParked) {
    throw new ApprovalError(
      "runtime_unavailable",
      "this process runs no journey runtime, so the parked customer cannot continue; answer through a server that runs one",
    );
  }
  return deps.resumeParked(tx, Number(action.instance_id), result);
}

async function nextRound(tx: Executor, actionId: number): Promise<number> {
  const [found] = await rows<{ round: number | null }>(
    tx,
    sql`select max(round) as round from decisions where action_id = ${actionId}`,
  );
  return Number(found?.round ?? 0) + 1;
}

/**
 * Accept or edit: decide again with the approved payload; queue it (a quiet-hours deferral moves the
 * delivery time, it does not ask again), or record the denial. Returns the new status and verdicts.
 */
async function decideApproved(
  tx: Executor,
  item: ApprovalItem,
  action: ActionRow,
  payload: ActionPayload,
  approver: Approver,
  responseType: "accept" | "edit",
  reason: string | null,
  deps: ActionAnswerDeps,
): Promise<ApprovalEffect> {
  const { now } = deps;
  const proposal = proposalOf(action, payload);
  const contexts = await loadCustomerContexts(tx, [proposal], now);
  const locked = await lockAction(tx, action.id);
  if (!actionIsWaiting(locked)) {
    throw new ApprovalError("approval_closed", `action ${action.id} is no longer waiting for a review`);
  }
  const decide = await deps.decideFor(tx, action.workspace_id);
  const decision: Decision = decideAfterApproval(decide, proposal, contexts.get(proposal.profileId)!, now);
  if (responseType === "edit" && decision.outcome === "deny") {
    throw new ApprovalError(
      "edit_violates_policy",
      `the edited action would be denied: ${decision.deciding?.policy}: ${decision.deciding?.reason}`,
      { verdicts: decision.verdicts },
    );
  }
  const human: PolicyVerdict = {
    policy: HUMAN_REVIEW_POLICY,
    verdict: "allow",
    reason: `${responseType === "edit" ? "edited and accepted" : "accepted"} by ${approver.name} (${approver.keyId})${reason ? `: ${reason}` : ""}`,
    details: { approvalId: item.id, decidedBy: approver.keyId, response: responseType },
  };
  const verdicts = [...decision.verdicts, human];
  const round = await nextRound(tx, action.id);
  await tx.insert(decisions).values(
    verdicts.map((verdict) => ({
      actionId: action.id,
      workspaceId: action.workspace_id,
      round,
      policy: verdict.policy,
      verdict: verdict.verdict,
      reason: verdict.reason,
      until: verdict.until ?? null,
      details: verdict.details ?? null,
      createdAt: now,
    })),
  );
  const denied = decision.outcome === "deny";
  // A deferral after approval (it is night now) holds the delivery, not the decision.
  const deliverAt = decision.outcome === "defer" && decision.until ? decision.until : now;
  const status: ActionStatus = denied ? "denied" : "queued";
  await tx.execute(sql`
    update actions set status = ${status}, payload = ${JSON.stringify(payload)}::jsonb,
      verdict = ${denied ? (decision.deciding?.policy ?? null) : HUMAN_REVIEW_POLICY},
      reason = ${denied ? (decision.deciding?.reason ?? null) : human.reason},
      decided_at = ${now.toISOString()}::timestamptz,
      queued_at = ${denied ? null : deliverAt.toISOString()}::timestamptz
    where id = ${action.id}`);
  let outboxId: number | null = null;
  if (!denied) {
    const [row] = await tx
      .insert(outbox)
      .values({
        workspaceId: action.workspace_id,
        actionId: action.id,
        profileId: Number(action.profile_id),
        channel: action.channel,
        payload: payload as Record<string, unknown>,
        nextAttemptAt: deliverAt,
        createdAt: now,
      })
      .returning({ id: outbox.id });
    outboxId = row!.id;
    await tx.execute(sql`select pg_notify(${OUTBOX_SIGNAL}, '')`);
  }
  await appendAudit(tx, [
    {
      workspaceId: action.workspace_id,
      actor: POLICY_ACTOR,
      kind: "policy.decision",
      subject: `action:${action.id}`,
      at: now,
      data: decisionAuditData(
        { ...decision, verdicts },
        {
          round,
          status,
          approvalId: item.id,
          afterApproval: true,
          ...(outboxId !== null ? { outboxId, deliverAt: deliverAt.toISOString() } : {}),
        },
      ),
    },
  ]);
  const resumed = await resume(deps, tx, action, denied ? "skipped" : "sent");
  return {
    kind: "action",
    actionStatus: denied ? "denied" : "queued",
    verdicts,
    ...(deliverAt !== now ? { deliverAt: deliverAt.toISOString() } : {}),
    resumed,
  };
}

/** Ignore or expiry: nothing is sent; the customer takes the node's skip path. */
export async function cancelReviewedAction(
  tx: Executor,
  action: ActionRow,
  reason: string,
  deps: ActionAnswerDeps,
): Promise<ApprovalEffect> {
  await lockProfile(tx, Number(action.profile_id));
  const locked = await lockAction(tx, action.id);
  if (!actionIsWaiting(locked)) {
    return { kind: "action", actionStatus: "cancelled", verdicts: [], resumed: false };
  }
  await tx.execute(sql`
    update actions set status = 'cancelled', reason = ${reason}, decided_at = ${deps.now.toISOString()}::timestamptz
    where id = ${action.id}`);
  const resumed = await resume(deps, tx, action, "skipped");
  return { kind: "action", actionStatus: "cancelled", verdicts: [], resumed };
}

export async function answerActionItem(
  tx: Executor,
  item: ApprovalItem,
  action: ActionRow,
  response: { type: "accept" | "edit" | "ignore"; args?: unknown; reason?: string | undefined },
  approver: Approver,
  deps: ActionAnswerDeps,
): Promise<ApprovalEffect> {
  const reason = response.reason ?? null;
  switch (response.type) {
    case "accept":
      return decideApproved(tx, item, action, action.payload, approver, "accept", reason, deps);
    case "edit": {
      const edit = response.args as { action: string; args: Record<string, unknown> };
      const payload = applyActionEdit(item, action, edit);
      return decideApproved(tx, item, action, payload, approver, "edit", reason, deps);
    }
    case "ignore":
      return cancelReviewedAction(
        tx,
        action,
        `declined by ${approver.name} (${approver.keyId})${reason ? `: ${reason}` : ""}; nothing was sent`,
        deps,
      );
  }
}
