import type { Executor } from "../db/open.ts";
import { isValidTimeZone } from "../journeys/format/zoned-time.ts";
import type { ProfileRow, RecentSend } from "./gateway-context.ts";
import { loadContext, lockCustomerProfiles } from "./gateway-context.ts";
import type { DecidedProposal } from "./gateway-store.ts";
import { loadStoredOutcomes, persistDecisions } from "./gateway-store.ts";
import type { ActionOutcome, ActionProposal, CustomerContext, Decide, Decision } from "./types.ts";

/**
 * The action gateway: the one door every outside effect passes. In the caller's transaction it
 * locks the customer's profile row (concurrent proposals for one customer serialize, which makes
 * frequency caps race-free), loads what policies need, calls `decide`, and stores the action, every
 * verdict, and — on allow — the outbox row, or — on review — the approval item. The same
 * idempotency key never produces a second action; a deferred action is decided again (round + 1).
 *
 * It does not NOTIFY: the caller owns the transaction and signals `overture_outbox` inside it
 * (Postgres delivers a NOTIFY at commit, never for a rolled-back transaction).
 */

export interface GatewayOptions {
  /** the workspace's Decide (its policy config compiled); called once per workspace per batch */
  decideFor: (executor: Executor, workspaceId: string) => Promise<Decide>;
  now: () => Date;
  /** how long a review item stays answerable, in milliseconds (default 72 h) */
  approvalExpiryMs?: number;
  /** per workspace instead (the policy config's `approvals.expiry`); wins over approvalExpiryMs */
  approvalExpiryFor?: (executor: Executor, workspaceId: string) => Promise<number>;
  /**
   * Runs in the caller's transaction after a batch of decisions is stored (the audit log records
   * every verdict here, so a rolled back step leaves no audit entry and a committed one always has one).
   */
  onDecided?: (tx: Executor, workspaceId: string, decided: readonly DecidedAction[]) => Promise<void>;
  /**
   * Lock the customers' profile rows (default true). Only a database that runs one transaction at a
   * time (embedded PGlite) may turn it off: there, proposals serialize without it.
   */
  lockProfiles?: boolean;
}

/** A decision the gateway just stored, with what it became. */
export interface DecidedAction {
  proposal: ActionProposal;
  decision: Decision;
  /** 1 for the first decision of the action, 2+ when a deferred action is decided again */
  round: number;
  outcome: ActionOutcome;
}

export interface Gateway {
  propose(tx: Executor, proposal: ActionProposal): Promise<ActionOutcome>;
  /** the same for many proposals, in order, with a fixed number of round trips per batch */
  proposeMany(tx: Executor, proposals: readonly ActionProposal[]): Promise<ActionOutcome[]>;
}

export const DEFAULT_APPROVAL_EXPIRY_MS = 72 * 3_600_000;
export type { RecentSend } from "./gateway-context.ts";
export { RECENT_SENDS_DAYS, RETURN_EVENTS } from "./gateway-context.ts";

/** The CustomerContext policies see, from a profile row and what the gateway loaded. */
export function customerContextOf(input: {
  profileId: number;
  userId: string | null;
  traits: Record<string, unknown>;
  consent: Record<string, boolean>;
  recentSends: RecentSend[];
  segments: readonly string[];
  returningProductIds: readonly string[];
  firstSendOfVersion: boolean;
}): CustomerContext {
  const zone = input.traits.timezone;
  return {
    profileId: input.profileId,
    userId: input.userId,
    traits: input.traits,
    consent: input.consent,
    timezone: isValidTimeZone(zone) ? zone : undefined,
    recentSends: input.recentSends,
    segments: input.segments,
    returningProductIds: input.returningProductIds,
    firstSendOfVersion: input.firstSendOfVersion,
  };
}

/** What a decision means for the action's status. */
export function statusOfDecision(decision: Decision): "queued" | "denied" | "deferred" | "review" {
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

/** An action to review, in LangGraph's HumanInterrupt shape (what the approval queue shows). */
export function approvalRequest(proposal: ActionProposal, decision: Decision): Record<string, unknown> {
  const action = proposal.kind === "message" ? `send_${proposal.channel}` : proposal.kind;
  const reasons = decision.verdicts.filter((verdict) => verdict.verdict === "review");
  return {
    action_request: {
      action,
      args: {
        channel: proposal.channel,
        profile_id: proposal.profileId,
        journey_id: proposal.journeyId ?? null,
        version_id: proposal.versionId ?? null,
        node_id: proposal.nodeId ?? null,
        idempotency_key: proposal.idempotencyKey,
        payload: proposal.payload,
      },
    },
    config: { allow_accept: true, allow_edit: true, allow_respond: false, allow_ignore: true },
    description:
      reasons.length > 0
        ? reasons.map((verdict) => `${verdict.policy}: ${verdict.reason}`).join("\n")
        : (decision.deciding?.reason ?? "a policy asked for a person to review this action"),
  };
}

/**
 * The customer context of each proposal's customer, loaded exactly as the gateway loads it, with the
 * customers' profile rows locked (for deciding an action again outside the runtime, e.g. after a
 * reviewer accepted it). Keyed by profile id; throws ProfileMissingError for a missing customer.
 */
export async function loadCustomerContexts(
  tx: Executor,
  proposals: readonly ActionProposal[],
  now: Date,
): Promise<Map<number, CustomerContext>> {
  const profiles = await lockCustomerProfiles(tx, proposals);
  const context = await loadContext(tx, proposals, now, false);
  const result = new Map<number, CustomerContext>();
  for (const proposal of proposals) {
    const profile = profiles.get(proposal.profileId);
    if (!profile) throw new ProfileMissingError(proposal.profileId);
    result.set(
      profile.id,
      customerContextOf({
        profileId: profile.id,
        userId: profile.user_id,
        traits: profile.traits ?? {},
        consent: profile.consent ?? {},
        recentSends: context.recentSends.get(profile.id) ?? [],
        segments: context.segments.get(profile.id) ?? [],
        returningProductIds: context.returning.get(profile.id) ?? [],
        firstSendOfVersion:
          proposal.versionId !== undefined && !context.versionsWithSends.has(proposal.versionId),
      }),
    );
  }
  return result;
}

export class ProfileMissingError extends Error {
  readonly code = "profile_missing";
  constructor(profileId: number) {
    super(`profile ${profileId} does not exist; an action needs a customer`);
  }
}

export function createGateway(options: GatewayOptions): Gateway {
  const expiryMs = options.approvalExpiryMs ?? DEFAULT_APPROVAL_EXPIRY_MS;

  async function decideWorkspace(
    tx: Executor,
    workspaceId: string,
    proposals: readonly ActionProposal[],
  ): Promise<ActionOutcome[]> {
    const now = options.now();
    // Lock first, then look up idempotency keys: a concurrent proposal of the same key waits here.
    // Without locks (one transaction at a time) the profiles come with the policies' context below.
    const locking = options.lockProfiles !== false;
    const locked = locking ? await lockCustomerProfiles(tx, proposals) : null;
    const stored = await loadStoredOutcomes(tx, workspaceId, proposals);
    const outcomes = new Map<string, ActionOutcome>();
    for (const [key, existing] of stored) if (existing.outcome) outcomes.set(key, existing.outcome);
    const fresh: ActionProposal[] = [];
    const seen = new Set<string>();
    for (const proposal of proposals) {
      if (outcomes.has(proposal.idempotencyKey) || seen.has(proposal.idempotencyKey)) continue;
      seen.add(proposal.idempotencyKey);
      fresh.push(proposal);
    }
    if (fresh.length > 0) {
      const decide = await options.decideFor(tx, workspaceId);
      const context = await loadContext(tx, fresh, now, !locking);
      const profiles: Map<number, ProfileRow> = locked ?? context.profiles!;
      const decided: DecidedProposal[] = [];
      for (const proposal of fresh) {
        const profile = profiles.get(proposal.profileId);
        if (!profile) throw new ProfileMissingError(proposal.profileId);
        const sends = context.recentSends.get(proposal.profileId) ?? [];
        const customer = customerContextOf({
          profileId: profile.id,
          userId: profile.user_id,
          traits: profile.traits ?? {},
          consent: profile.consent ?? {},
          recentSends: sends,
          segments: context.segments.get(profile.id) ?? [],
          returningProductIds: context.returning.get(profile.id) ?? [],
          firstSendOfVersion:
            proposal.versionId !== undefined && !context.versionsWithSends.has(proposal.versionId),
        });
        const decision = decide(proposal, customer, now);
        const status = statusOfDecision(decision);
        // Later proposals in this batch see this one: caps and the first-send rule stay exact.
        if (status === "queued") {
          sends.unshift({ channel: proposal.channel, at: now, journeyId: proposal.journeyId ?? null });
          context.recentSends.set(proposal.profileId, sends);
        }
        if ((status === "queued" || status === "review") && proposal.versionId) {
          context.versionsWithSends.add(proposal.versionId);
        }
        const redecide = stored.get(proposal.idempotencyKey)?.redecide;
        decided.push(
          redecide
            ? { proposal, decision, round: redecide.round, actionId: redecide.actionId }
            : { proposal, decision, round: 1 },
        );
      }
      const workspaceExpiryMs = options.approvalExpiryFor
        ? await options.approvalExpiryFor(tx, workspaceId)
        : expiryMs;
      const persisted = await persistDecisions(
        tx,
        workspaceId,
        decided,
        now,
        workspaceExpiryMs,
        approvalRequest,
      );
      for (const [key, outcome] of persisted) outcomes.set(key, outcome);
      if (options.onDecided) {
        await options.onDecided(
          tx,
          workspaceId,
          decided.map((entry) => ({
            proposal: entry.proposal,
            decision: entry.decision,
            round: entry.round,
            outcome: persisted.get(entry.proposal.idempotencyKey)!,
          })),
        );
      }
    }
    return proposals.map((proposal) => {
      const outcome = outcomes.get(proposal.idempotencyKey);
      if (!outcome) throw new Error(`no outcome for ${proposal.idempotencyKey}`);
      return outcome;
    });
  }

  return {
    async propose(tx, proposal) {
      const [outcome] = await this.proposeMany(tx, [proposal]);
      return outcome!;
    },
    async proposeMany(tx, proposals) {
      if (proposals.length === 0) return [];
      const byWorkspace = new Map<string, ActionProposal[]>();
      for (const proposal of proposals) {
        const list = byWorkspace.get(proposal.workspaceId) ?? [];
        list.push(proposal);
        byWorkspace.set(proposal.workspaceId, list);
      }
      const results = new Map<ActionProposal, ActionOutcome>();
      for (const [workspaceId, list] of byWorkspace) {
        const outcomes = await decideWorkspace(tx, workspaceId, list);
        for (const [index, proposal] of list.entries()) results.set(proposal, outcomes[index]!);
      }
      return proposals.map((proposal) => results.get(proposal)!);
    },
  };
}
