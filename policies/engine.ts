import type { PolicyConfig } from "./config.ts";
import { approvalPolicy } from "./rules/approval.ts";
import { consentPolicy } from "./rules/consent.ts";
import { contentSafetyPolicy } from "./rules/content-safety.ts";
import { frequencyCapPolicy } from "./rules/frequency-cap.ts";
import { offerCeilingPolicy } from "./rules/offer-ceiling.ts";
import { quietHoursPolicy } from "./rules/quiet-hours.ts";
import { suppressionPolicy } from "./rules/suppression.ts";
import type { PolicyCheck, PolicyName } from "./rules/verdict.ts";
import type {
  ActionProposal,
  CustomerContext,
  Decide,
  Decision,
  PolicyVerdict,
  VerdictKind,
} from "./types.ts";

/**
 * The guardrail engine. Every policy runs on every action, in this fixed order, and every verdict
 * is returned (and stored with the action), so a reviewer sees the whole picture, not just the
 * first objection:
 *
 *   1. consent          – may we contact this customer on this channel at all?
 *   2. suppression      – does a workspace rule hold this kind of message back for this customer?
 *   3. content_safety   – is the text safe (no one else's personal data, no injection echo, no banned claim)?
 *   4. offer_ceiling    – is the offer within what this customer may be given?
 *   5. frequency_cap    – has the customer had enough messages today / this week?
 *   6. quiet_hours      – is it night where the customer is?
 *   7. approval         – must a person look at it first?
 *
 * Combination: the most severe verdict decides — deny > review > defer > allow. A denied action
 * needs no human; a human should approve before we wait for morning (the approved action is
 * decided again, and then waits); several deferrals wait for the latest `until`. Among verdicts of
 * the deciding kind the first in the order above is reported as `deciding`.
 *
 * Pure: no I/O and no clock reads; `now` is a parameter.
 */
export const POLICY_ORDER: ReadonlyArray<{ name: PolicyName; check: PolicyCheck }> = [
  { name: "consent", check: consentPolicy },
  { name: "suppression", check: suppressionPolicy },
  { name: "content_safety", check: contentSafetyPolicy },
  { name: "offer_ceiling", check: offerCeilingPolicy },
  { name: "frequency_cap", check: frequencyCapPolicy },
  { name: "quiet_hours", check: quietHoursPolicy },
  { name: "approval", check: approvalPolicy },
];

const SEVERITY: Record<VerdictKind, number> = { allow: 0, defer: 1, review: 2, deny: 3 };

export function createDecide(config: PolicyConfig): Decide {
  return (action: ActionProposal, context: CustomerContext, now: Date): Decision =>
    combineVerdicts(POLICY_ORDER.map(({ check }) => check(action, context, config, now)));
}

/** The combination rule on its own: most severe verdict wins; deferrals wait for the latest. */
export function combineVerdicts(verdicts: readonly PolicyVerdict[]): Decision {
  let outcome: VerdictKind = "allow";
  for (const verdict of verdicts) {
    if (SEVERITY[verdict.verdict] > SEVERITY[outcome]) outcome = verdict.verdict;
  }
  if (outcome === "allow") return { outcome, verdicts: [...verdicts] };
  const candidates = verdicts.filter((verdict) => verdict.verdict === outcome);
  if (outcome === "defer") {
    const latest = candidates.reduce((best, verdict) =>
      (verdict.until?.getTime() ?? 0) > (best.until?.getTime() ?? 0) ? verdict : best,
    );
    return { outcome, until: latest.until, verdicts: [...verdicts], deciding: latest };
  }
  return { outcome, verdicts: [...verdicts], deciding: candidates[0] };
}

/**
 * After a person accepted a `review` item, the action is decided again (time has passed, caps may
 * have filled) and the reviews that the person just answered no longer hold it: the outcome is
 * recomputed from deny and defer verdicts only. All verdicts are still returned for the record.
 * The caller must only do this when the content it decides is what the person approved.
 */
export function decideAfterApproval(
  decide: Decide,
  action: ActionProposal,
  context: CustomerContext,
  now: Date,
): Decision {
  const decision = decide(action, context, now);
  const remaining = decision.verdicts.filter((verdict) => verdict.verdict !== "review");
  const combined = combineVerdicts(remaining);
  return { ...combined, verdicts: decision.verdicts };
}
