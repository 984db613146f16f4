import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { newId } from "../db/ids.ts";
import type { Executor } from "../db/open.ts";
import { rows } from "../db/open.ts";
import type { ActionStatus } from "../db/schema/actions.ts";
import { approvals } from "../db/schema/index.ts";
import type { ActionOutcome, ActionProposal, Decision, PolicyVerdict } from "./types.ts";

/**
 * The gateway's persistence: what an idempotency key already produced, and one batched write of
 * actions, verdicts, outbox rows and approval items. A fixed number of statements per batch,
 * whatever its size.
 */

export interface StoredAction {
  /** the outcome to return as-is (the action was decided for good) */
  outcome: ActionOutcome | null;
  /** decide again: the action was deferred (next round) */
  redecide: { actionId: number; round: number } | null;
}

export interface DecidedProposal {
  proposal: ActionProposal;
  decision: Decision;
  round: number;
  /** set when an existing (deferred) action is decided again */
  actionId?: number;
}

function keyList(proposals: readonly ActionProposal[]) {
  return sql.join(
    [...new Set(proposals.map((proposal) => proposal.idempotencyKey))].map((key) => sql`${key}`),
    sql`, `,
  );
}

function asDate(value: unknown): Date | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value;
  return new Date(
    String(value)
      .replace(" ", "T")
      .replace(/([+-]\d{2})$/, "$1:00"),
  );
}

export async function loadStoredOutcomes(
  tx: Executor,
  workspaceId: string,
  proposals: readonly ActionProposal[],
): Promise<Map<string, StoredAction>> {
  const raw = await rows<{
    id: number;
    idempotency_key: string;
    status: ActionStatus;
    outbox_id: number | null;
    approval_id: string | null;
    round: number | null;
  }>(
    tx,
    sql`select a.id, a.idempotency_key, a.status, o.id as outbox_id,
          (select ap.id from approvals ap where ap.action_id = a.id order by ap.created_at desc limit 1) as approval_id,
          (select max(d.round) from decisions d where d.action_id = a.id) as round
        from actions a left join outbox o on o.action_id = a.id
        where a.workspace_id = ${workspaceId} and a.idempotency_key in (${keyList(proposals)})`,
  );
  // int8 arrives as a number from PGlite and as a string from node-postgres raw queries
  const found = raw.map((row) => ({
    ...row,
    id: Number(row.id),
    outbox_id: row.outbox_id === null ? null : Number(row.outbox_id),
    round: row.round === null ? null : Number(row.round),
  }));
  const result = new Map<string, StoredAction>();
  if (found.length === 0) return result;
  const verdicts = await rows<{
    action_id: number;
    round: number;
    policy: string;
    verdict: PolicyVerdict["verdict"];
    reason: string;
    until: unknown;
    details: Record<string, unknown> | null;
  }>(
    tx,
    sql`select d.action_id, d.round, d.policy, d.verdict, d.reason, d.until, d.details from decisions d
        where d.action_id in (${sql.join(
          found.map((row) => sql`${row.id}`),
          sql`, `,
        )})
        order by d.action_id, d.round, d.id`,
  );
  for (const row of found) {
    const round = row.round ?? 0;
    const latest = verdicts
      .filter((verdict) => Number(verdict.action_id) === row.id && Number(verdict.round) === round)
      .map(
        (verdict): PolicyVerdict => ({
          policy: verdict.policy,
          verdict: verdict.verdict,
          reason: verdict.reason,
          until: asDate(verdict.until),
          details: verdict.details ?? undefined,
        }),
      );
    // The most severe verdict decided (deny > review > defer > allow), as the engine combines them.
    const severity = { allow: 0, defer: 1, review: 2, deny: 3 } as const;
    const deciding = latest
      .filter((verdict) => verdict.verdict !== "allow")
      .sort((a, b) => severity[b.verdict] - severity[a.verdict])[0];
    const decision: Decision = {
      outcome: deciding?.verdict ?? "allow",
      until: deciding?.until,
      verdicts: latest,
      deciding,
    };
    if (row.status === "deferred" || row.status === "pending") {
      result.set(row.idempotency_key, { outcome: null, redecide: { actionId: row.id, round: round + 1 } });
      continue;
    }
    let outcome: ActionOutcome;
    if (
      (row.status === "queued" || row.status === "sent" || row.status === "failed") &&
      row.outbox_id !== null
    ) {
      outcome = { status: "queued", actionId: row.id, outboxId: row.outbox_id, decision };
    } else if (row.status === "review" && row.approval_id !== null) {
      outcome = { status: "review", actionId: row.id, approvalId: row.approval_id, decision };
    } else {
      // denied, or cancelled by the approval queue (rejected / expired): nothing was sent
      outcome = { status: "denied", actionId: row.id, decision };
    }
    result.set(row.idempotency_key, { outcome, redecide: null });
  }
  return result;
}

function statusOf(decision: Decision): ActionStatus {
  switch (decision.outcome) {
    case "allow":
      return "queued";
    case "deny":
      return "denied";
    case "review":
      return "review";
    case "defer":
      return "deferred";
  }
}

export async function persistDecisions(
  tx: Executor,
  workspaceId: string,
  decided: readonly DecidedProposal[],
  now: Date,
  approvalExpiryMs: number,
  approvalRequest: (proposal: ActionProposal, decision: Decision) => Record<string, unknown>,
): Promise<Map<string, ActionOutcome>> {
  const actionIds = new Map<string, number>();
  const fresh = decided.filter((entry) => entry.actionId === undefined);
  const again = decided.filter((entry) => entry.actionId !== undefined);
  if (fresh.length > 0) {
    // One parameter per statement (jsonb_to_recordset): binding thousands of parameters costs more
    // than the insert itself on the embedded database.
    const values = fresh.map(({ proposal, decision }) => {
      const status = statusOf(decision);
      return {
        profile_id: proposal.profileId,
        instance_id: proposal.instanceId ?? null,
        journey_id: proposal.journeyId ?? null,
        version_id: proposal.versionId ?? null,
        node_id: proposal.nodeId ?? null,
        kind: proposal.kind,
        channel: proposal.channel,
        payload: proposal.payload,
        status,
        verdict: decision.deciding?.policy ?? null,
        reason: decision.deciding?.reason ?? null,
        idempotency_key: proposal.idempotencyKey,
        queued: status === "queued",
      };
    });
    const at = now.toISOString();
    const inserted = await rows<{ id: number; idempotency_key: string }>(
      tx,
      sql`insert into actions (workspace_id, profile_id, instance_id, journey_id, version_id, node_id, kind, channel,
            payload, status, verdict, reason, idempotency_key, created_at, decided_at, queued_at)
          select ${workspaceId}, profile_id, instance_id, journey_id, version_id, node_id, kind, channel, payload,
            status, verdict, reason, idempotency_key, ${at}::timestamptz, ${at}::timestamptz,
            case when queued then ${at}::timestamptz end
          from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(profile_id bigint, instance_id bigint,
            journey_id text, version_id text, node_id text, kind text, channel text, payload jsonb, status text,
            verdict text, reason text, idempotency_key text, queued boolean)
          returning id, idempotency_key`,
    );
    for (const row of inserted) actionIds.set(row.idempotency_key, Number(row.id));
  }
  for (const entry of again) actionIds.set(entry.proposal.idempotencyKey, entry.actionId!);
  if (again.length > 0) {
    const values = again.map(({ actionId, decision, proposal }) => ({
      id: actionId,
      status: statusOf(decision),
      verdict: decision.deciding?.policy ?? null,
      reason: decision.deciding?.reason ?? null,
      payload: proposal.payload,
    }));
    await tx.execute(sql`
      update actions a set status = v.status, verdict = v.verdict, reason = v.reason, payload = v.payload,
        decided_at = ${now.toISOString()},
        queued_at = case when v.status = 'queued' then ${now.toISOString()}::timestamptz else null end
      from jsonb_to_recordset(${JSON.stringify(values)}::jsonb)
        as v(id bigint, status text, verdict text, reason text, payload jsonb)
      where a.id = v.id`);
  }
  const decisionRows = decided.flatMap(({ proposal, decision, round }) => {
    const actionId = actionIds.get(proposal.idempotencyKey)!;
    const verdicts: PolicyVerdict[] =
      decision.verdicts.length > 0
        ? decision.verdicts
        : [{ policy: "none", verdict: decision.outcome, reason: "no policy applies to this action" }];
    return verdicts.map((verdict) => ({
      action_id: actionId,
      round,
      policy: verdict.policy,
      verdict: verdict.verdict,
      reason: verdict.reason,
      until: verdict.until?.toISOString() ?? null,
      details: verdict.details ?? null,
    }));
  });
  if (decisionRows.length > 0) {
    await tx.execute(sql`
      insert into decisions (action_id, workspace_id, round, policy, verdict, reason, until, details, created_at)
      select action_id, ${workspaceId}, round, policy, verdict, reason, until, details, ${now.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(decisionRows)}::jsonb) as v(action_id bigint, round integer,
        policy text, verdict text, reason text, until timestamptz, details jsonb)`);
  }
  const queued = decided.filter((entry) => entry.decision.outcome === "allow");
  const outboxIds = new Map<number, number>();
  if (queued.length > 0) {
    const values = queued.map(({ proposal }) => ({
      action_id: actionIds.get(proposal.idempotencyKey)!,
      profile_id: proposal.profileId,
      channel: proposal.channel,
      payload: proposal.payload,
    }));
    const at = now.toISOString();
    const inserted = await rows<{ id: number; action_id: number }>(
      tx,
      sql`insert into outbox (workspace_id, action_id, profile_id, channel, payload, next_attempt_at, created_at)
          select ${workspaceId}, action_id, profile_id, channel, payload, ${at}::timestamptz, ${at}::timestamptz
          from jsonb_to_recordset(${JSON.stringify(values)}::jsonb)
            as v(action_id bigint, profile_id bigint, channel text, payload jsonb)
          returning id, action_id`,
    );
    for (const row of inserted) outboxIds.set(Number(row.action_id), Number(row.id));
  }
  const reviewed = decided.filter((entry) => entry.decision.outcome === "review");
  const approvalIds = new Map<number, string>();
  if (reviewed.length > 0) {
    const values = reviewed.map(({ proposal, decision }) => {
      const id = newId("apr");
      const actionId = actionIds.get(proposal.idempotencyKey)!;
      approvalIds.set(actionId, id);
      return {
        id,
        workspaceId,
        kind: "action" as const,
        status: "pending" as const,
        request: approvalRequest(proposal, decision),
        author: proposal.journeyId ? `journey:${proposal.journeyId}` : "runtime",
        expiresAt: new Date(now.getTime() + approvalExpiryMs),
        actionId,
        journeyVersionId: proposal.versionId ?? null,
        createdAt: now,
      };
    });
    await tx.insert(approvals).values(values);
  }
  const outcomes = new Map<string, ActionOutcome>();
  for (const { proposal, decision } of decided) {
    const actionId = actionIds.get(proposal.idempotencyKey)!;
    switch (decision.outcome) {
      case "allow":
        outcomes.set(proposal.idempotencyKey, {
          status: "queued",
          actionId,
          outboxId: outboxIds.get(actionId)!,
          decision,
        });
        break;
      case "deny":
        outcomes.set(proposal.idempotencyKey, { status: "denied", actionId, decision });
        break;
      case "review":
        outcomes.set(proposal.idempotencyKey, {
          status: "review",
          actionId,
          approvalId: approvalIds.get(actionId)!,
          decision,
        });
        break;
      case "defer":
        outcomes.set(proposal.idempotencyKey, {
          status: "deferred",
          actionId,
          // A defer without a time would spin; the engine always gives one, an hour is the backstop.
          until: decision.until ?? decision.deciding?.until ?? new Date(now.getTime() + 3_600_000),
          decision,
        });
        break;
    }
  }
  return outcomes;
}

/**
 * Cancels actions a finished instance left deferred or in review (nothing will send them any more),
 * as a statement to run with the runtime's other writes (journeys/runtime/store.ts writeTogether).
 */
export function cancelActionsSql(actionIds: readonly number[], reason: string): SQL | null {
  if (actionIds.length === 0) return null;
  const ids = sql.join(
    actionIds.map((id) => sql`${Math.trunc(Number(id))}`),
    sql`, `,
  );
  return sql`update actions set status = 'cancelled', reason = ${reason}
             where id in (${ids}) and status in ('review', 'deferred')`;
}
