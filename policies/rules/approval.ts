import { HANDOFF_PRIORITIES } from "../config.ts";
import type { PolicyCheck } from "./verdict.ts";
import { allow, channelLabel, review } from "./verdict.ts";

/**
 * Approval rules: what must wait for a person even when every other policy allows it — content a
 * model wrote, offers above a value, anything for customers in sensitive segments, the first send
 * of a new journey version, hand-offs at or above a priority. Every matching rule is named in the
 * reason and in `details.rules`; `details.expires_in` is how long the approval item may wait.
 */
export const approvalPolicy: PolicyCheck = (action, context, config) => {
  const rules = config.approvals;
  const matched: Array<{ rule: string; text: string }> = [];
  const payload = action.payload;
  if (rules.ai_generated && payload.aiGenerated === true) {
    matched.push({ rule: "ai_generated", text: "a model wrote (part of) the content" });
  }
  const offer = payload.offer;
  if (rules.offer_above && offer) {
    if (
      offer.kind === "percent_off" &&
      rules.offer_above.percent !== undefined &&
      offer.value > rules.offer_above.percent
    ) {
      matched.push({
        rule: "offer_above",
        text: `the offer of ${offer.value}% off is above ${rules.offer_above.percent}%`,
      });
    }
    if (
      offer.kind === "amount_off" &&
      rules.offer_above.amount !== undefined &&
      offer.value > rules.offer_above.amount
    ) {
      matched.push({
        rule: "offer_above",
        text: `the offer of ${offer.value} off is above ${rules.offer_above.amount}`,
      });
    }
  }
  const sensitive = rules.sensitive_segments.filter(
    (segment) => context.segments?.includes(segment) ?? false,
  );
  if (sensitive.length > 0) {
    matched.push({
      rule: "sensitive_segment",
      text: `the customer is in the sensitive segment${sensitive.length > 1 ? "s" : ""} ${sensitive.join(", ")}`,
    });
  }
  if (rules.first_send_of_version && context.firstSendOfVersion === true) {
    matched.push({ rule: "first_send_of_version", text: "it is the first send of this journey version" });
  }
  const threshold = rules.handoff_priority_at_least;
  const handoff = payload.handoff;
  if (
    threshold &&
    handoff &&
    HANDOFF_PRIORITIES.indexOf(handoff.priority) >= HANDOFF_PRIORITIES.indexOf(threshold)
  ) {
    matched.push({
      rule: "handoff_priority",
      text: `the hand-off priority "${handoff.priority}" is at or above "${threshold}"`,
    });
  }
  if (matched.length === 0) {
    return allow("approval", "No approval rule applies.");
  }
  return review(
    "approval",
    `${channelLabel(action.channel)} needs approval: ${matched.map((match) => match.text).join("; ")}.`,
    { rules: [...new Set(matched.map((match) => match.rule))], expires_in: rules.expiry },
  );
};
