import { describe, expect, it } from "vitest";
import { config, customer, message } from "../test-fixtures.ts";
import { approvalPolicy } from "./approval.ts";

const now = new Date("2026-03-02T10:00:00Z");
const rules = config({
  approvals: {
    ai_generated: true,
    offer_above: { percent: 20, amount: 50 },
    sensitive_segments: ["minors", "bereaved"],
    first_send_of_version: true,
    handoff_priority_at_least: "high",
    expiry: "P1D",
  },
});

describe("approval rules", () => {
  it("allows when no rule applies", () => {
    expect(approvalPolicy(message("email"), customer(), rules, now).verdict).toBe("allow");
  });

  it("sends AI-written content to review and says how long the item may wait", () => {
    const verdict = approvalPolicy(message("email", { aiGenerated: true }), customer(), rules, now);
    expect(verdict.verdict).toBe("review");
    expect(verdict.reason).toBe("Email needs approval: a model wrote (part of) the content.");
    expect(verdict.details).toEqual({ rules: ["ai_generated"], expires_in: "P1D" });
  });

  it("reviews offers strictly above the value, not at it", () => {
    const at = message("email", { offer: { kind: "percent_off", value: 20 } });
    const above = message("email", { offer: { kind: "percent_off", value: 25 } });
    const amount = message("email", { offer: { kind: "amount_off", value: 60 } });
    expect(approvalPolicy(at, customer(), rules, now).verdict).toBe("allow");
    expect(approvalPolicy(above, customer(), rules, now).verdict).toBe("review");
    expect(approvalPolicy(amount, customer(), rules, now).verdict).toBe("review");
  });

  it("reviews anything for a customer in a sensitive segment, naming the segment", () => {
    const verdict = approvalPolicy(message("sms"), customer({ segments: ["vip", "bereaved"] }), rules, now);
    expect(verdict.verdict).toBe("review");
    expect(verdict.reason).toContain("bereaved");
  });

  it("reviews the first send of a new journey version only", () => {
    expect(approvalPolicy(message("email"), customer({ firstSendOfVersion: true }), rules, now).verdict).toBe(
      "review",
    );
    expect(
      approvalPolicy(message("email"), customer({ firstSendOfVersion: false }), rules, now).verdict,
    ).toBe("allow");
  });

  it("reviews hand-offs at or above the priority", () => {
    const handoff = (priority: "low" | "normal" | "high" | "urgent") =>
      message("handoff", {
        content: undefined,
        handoff: { queue: "support", priority, instructions: "Call them." },
      });
    expect(approvalPolicy(handoff("normal"), customer(), rules, now).verdict).toBe("allow");
    expect(approvalPolicy(handoff("high"), customer(), rules, now).verdict).toBe("review");
    expect(approvalPolicy(handoff("urgent"), customer(), rules, now).verdict).toBe("review");
  });

  it("lists every matching rule in one verdict", () => {
    const action = message("email", { aiGenerated: true, offer: { kind: "percent_off", value: 30 } });
    const verdict = approvalPolicy(action, customer({ firstSendOfVersion: true }), rules, now);
    expect(verdict.details?.rules).toEqual(["ai_generated", "offer_above", "first_send_of_version"]);
  });

  it("applies none of the rules by default (they are opt-in; the starter config turns them on)", () => {
    const action = message("email", { aiGenerated: true, offer: { kind: "percent_off", value: 90 } });
    expect(approvalPolicy(action, customer({ firstSendOfVersion: true }), config({}), now).verdict).toBe(
      "allow",
    );
  });
});
