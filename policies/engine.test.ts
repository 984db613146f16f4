import { afterEach, describe, expect, it, vi } from "vitest";
import type { PolicyConfigInput } from "./config.ts";
import { combineVerdicts, createDecide, decideAfterApproval, POLICY_ORDER } from "./engine.ts";
import { config, customer, message } from "./test-fixtures.ts";
import type { PolicyVerdict } from "./types.ts";

// The eval catalog's policies, exactly as written there.
const catalogPolicies = {
  consent_required: ["email", "sms", "push"],
  quiet_hours: { start: "21:00", end: "08:00", channels: ["sms", "push"], action: "defer" },
  frequency_cap: { per_local_day: 3, channels: ["email", "sms", "push"] },
} satisfies PolicyConfigInput;
const decide = createDecide(config(catalogPolicies));
const day = new Date("2026-03-02T10:00:00Z"); // 11:00 Berlin
const night = new Date("2026-03-02T22:00:00Z"); // 23:00 Berlin

describe("the policy engine", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs every policy in the documented order and returns every verdict", () => {
    const decision = decide(message("sms"), customer(), day);
    expect(decision.outcome).toBe("allow");
    expect(decision.deciding).toBeUndefined();
    expect(decision.verdicts.map((verdict) => verdict.policy)).toEqual(POLICY_ORDER.map(({ name }) => name));
    expect(decision.verdicts.every((verdict) => verdict.reason.length > 10)).toBe(true);
  });

  it("defers a night-time SMS to the end of quiet hours", () => {
    const decision = decide(message("sms"), customer(), night);
    expect(decision.outcome).toBe("defer");
    expect(decision.until?.toISOString()).toBe("2026-03-03T07:00:00.000Z");
    expect(decision.deciding?.policy).toBe("quiet_hours");
  });

  it("lets deny beat defer: no SMS consent at night is denied, not held until morning", () => {
    const decision = decide(message("sms"), customer({ consent: { sms: false } }), night);
    expect(decision.outcome).toBe("deny");
    expect(decision.until).toBeUndefined();
    expect(decision.deciding?.policy).toBe("consent");
    // the quiet-hours verdict is still recorded
    expect(decision.verdicts.find((verdict) => verdict.policy === "quiet_hours")?.verdict).toBe("defer");
  });

  it("lets review beat defer, and deny beat review", () => {
    const reviewing = createDecide(config({ ...catalogPolicies, approvals: { ai_generated: true } }));
    const aiAtNight = message("sms", { aiGenerated: true });
    expect(reviewing(aiAtNight, customer(), night).outcome).toBe("review");
    const optedOut = reviewing(aiAtNight, customer({ consent: { sms: false } }), night);
    expect(optedOut.outcome).toBe("deny");
  });

  it("reports the first verdict of the deciding kind in policy order", () => {
    const verdicts: PolicyVerdict[] = [
      { policy: "consent", verdict: "allow", reason: "ok" },
      { policy: "suppression", verdict: "deny", reason: "suppressed" },
      { policy: "content_safety", verdict: "deny", reason: "pii" },
    ];
    expect(combineVerdicts(verdicts).deciding?.policy).toBe("suppression");
  });

  it("waits for the latest of several deferrals", () => {
    const early = new Date("2026-03-03T07:00:00Z");
    const late = new Date("2026-03-03T23:00:00Z");
    const decision = combineVerdicts([
      { policy: "frequency_cap", verdict: "defer", reason: "cap", until: late },
      { policy: "quiet_hours", verdict: "defer", reason: "night", until: early },
    ]);
    expect(decision.until).toEqual(late);
    expect(decision.deciding?.policy).toBe("frequency_cap");
  });

  it("does not hold a hand-off at night or ask for consent for it", () => {
    const handoff = message("handoff", {
      content: undefined,
      handoff: { queue: "support", priority: "high", instructions: "Call about the failed payment." },
    });
    expect(decide(handoff, customer({ consent: {} }), night).outcome).toBe("allow");
  });

  it("denies the fourth message of the customer's day", () => {
    const recentSends = [
      { channel: "email", at: new Date("2026-03-02T07:00:00Z") },
      { channel: "push", at: new Date("2026-03-02T08:00:00Z") },
      { channel: "sms", at: new Date("2026-03-02T09:00:00Z") },
    ];
    const decision = decide(message("email"), customer({ recentSends }), day);
    expect(decision.outcome).toBe("deny");
    expect(decision.deciding?.policy).toBe("frequency_cap");
  });

  it("is pure: the wall clock does not change the decision, only `now` does", () => {
    const first = decide(message("sms"), customer(), night);
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2031-07-01T12:00:00Z"));
    const second = decide(message("sms"), customer(), night);
    expect(second).toEqual(first);
  });

  it("after a person approved, decides again without the reviews but keeps deny and defer", () => {
    const reviewing = createDecide(config({ ...catalogPolicies, approvals: { ai_generated: true } }));
    const aiAtNight = message("sms", { aiGenerated: true });
    const afterNight = decideAfterApproval(reviewing, aiAtNight, customer(), night);
    expect(afterNight.outcome).toBe("defer");
    expect(afterNight.verdicts.some((verdict) => verdict.verdict === "review")).toBe(true);
    expect(decideAfterApproval(reviewing, aiAtNight, customer(), day).outcome).toBe("allow");
    const optedOut = decideAfterApproval(reviewing, aiAtNight, customer({ consent: { sms: false } }), day);
    expect(optedOut.outcome).toBe("deny");
  });
});
