import {
  customerContextOf,
  RECENT_SENDS_DAYS,
  RETURN_EVENTS,
  type RecentSend,
  statusOfDecision,
} from "../../policies/gateway.ts";
import type { ActionOutcome, ActionProposal, Decide, Decision } from "../../policies/types.ts";
import type { EventRecord } from "../format/evaluate.ts";
import type { CustomerSnapshot } from "../runtime/types.ts";

/**
 * The action gateway of the simulator: the same decide → status rules as policies/gateway.ts
 * (idempotency keys, deferral re-decided with round + 1, caps counting queued sends), kept in memory.
 */

export interface SimulatedDecisionRound {
  round: number;
  at: Date;
  decision: Decision;
}

export interface MemoryAction {
  id: number;
  proposal: ActionProposal;
  status: "queued" | "denied" | "deferred" | "review";
  rounds: SimulatedDecisionRound[];
  proposedAt: Date;
  queuedAt: Date | null;
  outboxId: number | null;
}

/** Allows everything, recorded as such: used when a simulation is given no policies. */
export const allowAll: Decide = () => ({
  outcome: "allow",
  verdicts: [{ policy: "none", verdict: "allow", reason: "the simulation runs without policies" }],
});

export class MemoryGateway {
  readonly actions: MemoryAction[] = [];
  private readonly byKey = new Map<string, MemoryAction>();
  private nextOutboxId = 1;

  constructor(
    private readonly decide: Decide,
    private readonly segmentsOf: (profileId: number) => readonly string[] = () => [],
  ) {}

  propose(
    proposal: ActionProposal,
    customer: CustomerSnapshot,
    history: readonly EventRecord[],
    now: Date,
  ): ActionOutcome {
    const existing = this.byKey.get(proposal.idempotencyKey);
    if (existing && existing.status !== "deferred") return this.outcomeOf(existing);
    const since = now.getTime() - RECENT_SENDS_DAYS * 86_400_000;
    const recentSends: RecentSend[] = this.actions
      .filter(
        (action) =>
          action.status === "queued" &&
          action.proposal.profileId === proposal.profileId &&
          action.queuedAt !== null &&
          action.queuedAt.getTime() >= since,
      )
      .map((action) => ({
        channel: action.proposal.channel,
        at: action.queuedAt!,
        journeyId: action.proposal.journeyId ?? null,
      }))
      .sort((a, b) => b.at.getTime() - a.at.getTime());
    const returning = history
      .filter(
        (event) =>
          (RETURN_EVENTS as readonly string[]).includes(event.name) && event.timestamp.getTime() >= since,
      )
      .map((event) => event.properties.product_id)
      .filter((id): id is string => typeof id === "string");
    const firstSendOfVersion =
      proposal.versionId !== undefined &&
      !this.actions.some(
        (action) =>
          action.proposal.versionId === proposal.versionId &&
          (action.status === "queued" || action.status === "review"),
      );
    const context = customerContextOf({
      profileId: customer.profileId,
      userId: customer.userId,
      traits: customer.traits,
      consent: customer.consent,
      recentSends,
      segments: this.segmentsOf(customer.profileId),
      returningProductIds: returning,
      firstSendOfVersion,
    });
    const decision = this.decide(proposal, context, now);
    const status = statusOfDecision(decision);
    const action: MemoryAction = existing ?? {
      id: this.actions.length + 1,
      proposal,
      status,
      rounds: [],
      proposedAt: now,
      queuedAt: null,
      outboxId: null,
    };
    action.proposal = proposal;
    action.status = status;
    action.rounds.push({ round: action.rounds.length + 1, at: now, decision });
    if (status === "queued") {
      action.queuedAt = now;
      action.outboxId = this.nextOutboxId++;
    }
    if (!existing) {
      this.actions.push(action);
      this.byKey.set(proposal.idempotencyKey, action);
    }
    return this.outcomeOf(action);
  }

  private outcomeOf(action: MemoryAction): ActionOutcome {
    const decision = action.rounds[action.rounds.length - 1]!.decision;
    switch (action.status) {
      case "queued":
        return { status: "queued", actionId: action.id, outboxId: action.outboxId!, decision };
      case "denied":
        return { status: "denied", actionId: action.id, decision };
      case "review":
        return { status: "review", actionId: action.id, approvalId: `sim-approval-${action.id}`, decision };
      case "deferred": {
        const last = action.rounds[action.rounds.length - 1]!;
        return {
          status: "deferred",
          actionId: action.id,
          until: decision.until ?? decision.deciding?.until ?? new Date(last.at.getTime() + 3_600_000),
          decision,
        };
      }
    }
  }
}
