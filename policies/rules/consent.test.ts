import { describe, expect, it } from "vitest";
import { config, customer, message } from "../test-fixtures.ts";
import { consentPolicy } from "./consent.ts";

const now = new Date("2026-03-02T10:00:00Z");
const catalog = config({ consent_required: ["email", "sms", "push"] });

describe("consent per channel", () => {
  it("allows a channel the customer opted in to", () => {
    expect(consentPolicy(message("sms"), customer(), catalog, now).verdict).toBe("allow");
  });

  it("denies a required channel without an explicit opt-in (absent is not yes)", () => {
    const verdict = consentPolicy(message("sms"), customer({ consent: { email: true } }), catalog, now);
    expect(verdict.verdict).toBe("deny");
    expect(verdict.reason).toBe(
      "SMS is denied: sms needs an explicit opt-in and the customer has not given one.",
    );
  });

  it("always denies an explicit opt-out, even on channels that need no opt-in", () => {
    const context = customer({ consent: { in_app: false, email: true } });
    expect(consentPolicy(message("in_app"), context, catalog, now).verdict).toBe("deny");
  });

  it("allows channels without an opt-in requirement when there is no opt-out", () => {
    expect(consentPolicy(message("chat"), customer({ consent: {} }), catalog, now).verdict).toBe("allow");
  });

  it("does not gate hand-offs on consent unless the workspace lists them", () => {
    const noConsent = customer({ consent: { handoff: false } });
    expect(consentPolicy(message("handoff"), noConsent, catalog, now).verdict).toBe("allow");
    const gated = config({ consent_required: ["email", "handoff"] });
    expect(consentPolicy(message("handoff"), noConsent, gated, now).verdict).toBe("deny");
    expect(consentPolicy(message("handoff"), customer({ consent: {} }), gated, now).verdict).toBe("deny");
  });

  it("does not gate webhooks and tools, which reach no customer", () => {
    expect(consentPolicy(message("webhook"), customer({ consent: {} }), catalog, now).verdict).toBe("allow");
    expect(
      consentPolicy(message("tool:orders.recent"), customer({ consent: {} }), catalog, now).verdict,
    ).toBe("allow");
  });

  it("lets transactional messages through without opt-in only where configured, never past an opt-out", () => {
    const exempt = config({ transactional_consent_exempt: ["email"] });
    const receipt = message("email", { category: "transactional" });
    const promo = message("email", { category: "promotional" });
    expect(consentPolicy(receipt, customer({ consent: {} }), exempt, now).verdict).toBe("allow");
    expect(consentPolicy(promo, customer({ consent: {} }), exempt, now).verdict).toBe("deny");
    expect(consentPolicy(receipt, customer({ consent: { email: false } }), exempt, now).verdict).toBe("deny");
    expect(consentPolicy(receipt, customer({ consent: {} }), catalog, now).verdict).toBe("deny");
  });
});
