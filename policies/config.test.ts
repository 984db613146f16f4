import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedPathForTest } from "../evals/shared-data.ts";
import {
  DEFAULT_POLICY_CONFIG,
  PolicyConfigError,
  parsePolicyConfig,
  STARTER_POLICY_CONFIG,
  safeParsePolicyConfig,
} from "./config.ts";

const catalogPolicies = {
  consent_required: ["email", "sms", "push"],
  quiet_hours: { start: "21:00", end: "08:00", channels: ["sms", "push"], action: "defer" },
  frequency_cap: { per_local_day: 3, channels: ["email", "sms", "push"] },
};

function issuesOf(input: unknown) {
  const result = safeParsePolicyConfig(input);
  if (result.ok) throw new Error("expected the config to be rejected");
  return result.issues;
}

describe("workspace policy config", () => {
  it("accepts the eval catalog's policies object as it stands and fills the rest with defaults", () => {
    const config = parsePolicyConfig(catalogPolicies);
    expect(config.quiet_hours).toMatchObject({
      start: "21:00",
      end: "08:00",
      channels: ["sms", "push"],
      action: "defer",
    });
    expect(config.quiet_hours.unknown_timezone.action).toBe("review");
    expect(config.frequency_cap).toMatchObject({
      per_local_day: 3,
      channels: ["email", "sms", "push"],
      action: "deny",
    });
    expect(config.suppression.returning_products).toBe(true);
    expect(config.approvals.expiry).toBe("P2D");
  });

  it("accepts ../shared/evals/catalog.json's policies when the shared data is present", () => {
    const file = sharedPathForTest("evals", "catalog.json");
    if (!file) return;
    const catalog = JSON.parse(readFileSync(file, "utf8")) as { policies: unknown };
    expect(safeParsePolicyConfig(catalog.policies).ok).toBe(true);
  });

  it("makes an empty config the safe baseline: consent, quiet hours, PII checks on; opt-in rules off", () => {
    expect(parsePolicyConfig(undefined)).toEqual(DEFAULT_POLICY_CONFIG);
    expect(DEFAULT_POLICY_CONFIG.consent_required).toEqual(["email", "sms", "push"]);
    expect(DEFAULT_POLICY_CONFIG.quiet_hours.channels).toEqual(["sms", "push"]);
    expect(DEFAULT_POLICY_CONFIG.content_safety.pii).toMatchObject({
      emails: true,
      phones: true,
      cards: true,
      ibans: true,
    });
    expect(DEFAULT_POLICY_CONFIG.frequency_cap.per_local_day).toBeUndefined();
    expect(DEFAULT_POLICY_CONFIG.approvals.ai_generated).toBe(false);
  });

  it("ships a starter config for new workspaces with the usual rules on", () => {
    expect(STARTER_POLICY_CONFIG.suppression.rules.map((rule) => rule.name)).toEqual(["open-support-ticket"]);
    expect(STARTER_POLICY_CONFIG.approvals.ai_generated).toBe(true);
    expect(STARTER_POLICY_CONFIG.frequency_cap.per_local_day).toBe(3);
  });

  it("rejects unknown fields with their path, so a typo never silently disables a rule", () => {
    expect(issuesOf({ quiet_hours: { strat: "21:00" } })).toEqual([
      { path: "$.quiet_hours", message: 'unknown field "strat"' },
    ]);
    expect(issuesOf({ quiet_hour: {} })[0]?.path).toBe("$");
  });

  it("names the path of a bad time, channel or zone", () => {
    expect(issuesOf({ quiet_hours: { start: "25:00" } })[0]?.path).toBe("$.quiet_hours.start");
    expect(issuesOf({ consent_required: ["email", "fax"] })[0]).toMatchObject({
      path: "$.consent_required[1]",
      message: expect.stringContaining("channel must be one of"),
    });
    expect(
      issuesOf({
        quiet_hours: { unknown_timezone: { action: "defer", assume_timezones: ["Europe/Atlantis"] } },
      })[0]?.path,
    ).toBe("$.quiet_hours.unknown_timezone.assume_timezones[0]");
  });

  it("rejects a quiet window whose start equals its end", () => {
    expect(issuesOf({ quiet_hours: { start: "08:00", end: "08:00" } })[0]?.message).toContain(
      "start and end are equal",
    );
    expect(
      issuesOf({ quiet_hours: { per_channel: { email: { start: "22:00", end: "22:00" } } } })[0]?.path,
    ).toBe("$.quiet_hours.per_channel.email");
  });

  it("needs assumed zones before it can defer for an unknown zone", () => {
    expect(issuesOf({ quiet_hours: { unknown_timezone: { action: "defer" } } })[0]?.path).toBe(
      "$.quiet_hours.unknown_timezone.assume_timezones",
    );
  });

  it("checks suppression rules: a condition or segments, and a valid condition", () => {
    expect(issuesOf({ suppression: { rules: [{ name: "empty" }] } })[0]?.path).toBe("$.suppression.rules[0]");
    const bad = issuesOf({
      suppression: { rules: [{ name: "bad-op", when: { field: "traits.x", op: "greater", value: 1 } }] },
    });
    expect(bad[0]?.path.startsWith("$.suppression.rules[0].when")).toBe(true);
  });

  it("checks ceiling rules and durations", () => {
    expect(
      issuesOf({ offer_ceilings: { rules: [{ name: "vip", segments: ["vip"] }] } })[0]?.message,
    ).toContain("max_percent or max_amount");
    expect(issuesOf({ approvals: { expiry: "two days" } })[0]?.path).toBe("$.approvals.expiry");
    expect(issuesOf({ frequency_cap: { rolling: [{ window: "P7D", max: 0 }] } })[0]?.path).toBe(
      "$.frequency_cap.rolling[0].max",
    );
  });

  it("throws a typed error listing the paths", () => {
    try {
      parsePolicyConfig({ quiet_hours: { start: "9pm" }, approvals: { expiry: 3 } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyConfigError);
      const configError = error as PolicyConfigError;
      expect(configError.code).toBe("invalid_policy_config");
      expect(configError.issues.map((issue) => issue.path)).toEqual([
        "$.quiet_hours.start",
        "$.approvals.expiry",
      ]);
      expect(configError.message).toContain("$.quiet_hours.start");
    }
  });
});
