import type { Executor } from "../../db/open.ts";
import type { StatusChange } from "../../journeys/versions.ts";
import type { DecidedAction } from "../gateway.ts";
import type { Decision } from "../types.ts";
import type { AuditEntry } from "./log.ts";
import { appendAudit } from "./log.ts";

/**
 * The audit log's hooks into the places that change what reaches customers. Each runs inside the
 * transaction of the change it records (see docs/audit.md for the full list of writers).
 */

/** The actor of policy verdicts: the deterministic engine, not a person. */
export const POLICY_ACTOR = "policies";

export function decisionAuditData(decision: Decision, extra: Record<string, unknown> = {}) {
  return {
    outcome: decision.outcome,
    ...(decision.until ? { until: decision.until.toISOString() } : {}),
    deciding: decision.deciding?.policy ?? null,
    // Every verdict; the sentence only where it held something back (allow sentences are boilerplate,
    // and the decisions table keeps them), which keeps one entry per decided action small.
    verdicts: decision.verdicts.map((verdict) => ({
      policy: verdict.policy,
      verdict: verdict.verdict,
      ...(verdict.verdict !== "allow" || verdict.policy === "human_review" ? { reason: verdict.reason } : {}),
      ...(verdict.until ? { until: verdict.until.toISOString() } : {}),
    })),
    ...extra,
  };
}

/** GatewayOptions.onDecided: one `policy.decision` entry per decided action, every verdict in it. */
export function auditGatewayDecisions(now: () => Date) {
  return async (tx: Executor, workspaceId: string, decided: readonly DecidedAction[]): Promise<void> => {
    const at = now();
    const entries: AuditEntry[] = decided.map(({ proposal, decision, round, outcome }) => ({
      workspaceId,
      actor: POLICY_ACTOR,
      kind: "policy.decision",
      subject: `action:${outcome.actionId}`,
      at,
      data: decisionAuditData(decision, {
        round,
        status: outcome.status,
        kind: proposal.kind,
        channel: proposal.channel,
        profileId: proposal.profileId,
        journeyId: proposal.journeyId ?? null,
        versionId: proposal.versionId ?? null,
        nodeId: proposal.nodeId ?? null,
        idempotencyKey: proposal.idempotencyKey,
        ...(outcome.status === "review" ? { approvalId: outcome.approvalId } : {}),
        ...(outcome.status === "queued" ? { outboxId: outcome.outboxId } : {}),
      }),
    }));
    await appendAudit(tx, entries);
  };
}

/** A StatusChangeHook for the versions lifecycle: every activation, pause, archive, withdrawal. */
export async function auditStatusChange(tx: Executor, change: StatusChange): Promise<void> {
  await appendAudit(tx, [
    {
      workspaceId: change.workspaceId,
      actor: change.actor,
      kind: "journey.status",
      subject: `journey_version:${change.versionId}`,
      at: change.at,
      data: { journeyId: change.journeyId, version: change.version, from: change.from, to: change.to },
    },
  ]);
}
