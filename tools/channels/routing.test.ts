import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, retryDelayMs } from "./backoff.ts";
import { ChannelError } from "./channel.ts";
import { chooseAdapter, createStandardAdapters, defaultAdapterName } from "./routing.ts";

describe("adapter routing", () => {
  const withoutSmtp = createStandardAdapters({ smtpFrom: "a@b.example", webhookSecret: "s" });
  const withSmtp = createStandardAdapters({
    smtpUrl: "smtp://127.0.0.1:2525",
    smtpFrom: "a@b.example",
    webhookSecret: "s",
  });

  it("sends every customer channel to the sandbox by default, and email over SMTP only when SMTP_URL is set", () => {
    for (const channel of ["sms", "push", "chat", "in_app", "email", "carrier_pigeon"]) {
      expect(defaultAdapterName(channel, withoutSmtp)).toBe("sandbox");
    }
    expect(defaultAdapterName("email", withSmtp)).toBe("smtp");
    expect(defaultAdapterName("sms", withSmtp)).toBe("sandbox");
    expect(defaultAdapterName("handoff", withoutSmtp)).toBe("handoff");
    expect(defaultAdapterName("webhook", withoutSmtp)).toBe("webhook");
  });

  it("lets a workspace setting pick the adapter and pass its config", () => {
    const choice = chooseAdapter(
      "sms",
      { adapter: "webhook", enabled: true, config: { url: "https://sms.example/send" } },
      withoutSmtp,
    );
    expect(choice.kind === "adapter" && choice.adapter.name).toBe("webhook");
    expect(choice.kind === "adapter" && choice.config).toEqual({ url: "https://sms.example/send" });
  });

  it("reports a disabled channel as a value and an unknown adapter as a non-retryable setup error", () => {
    expect(chooseAdapter("push", { adapter: "sandbox", enabled: false, config: {} }, withoutSmtp).kind).toBe(
      "disabled",
    );
    let error: unknown;
    try {
      chooseAdapter("email", { adapter: "smtp", enabled: true, config: {} }, withoutSmtp);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ code: "misconfigured", retryable: false });
  });
});

describe("retry backoff", () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1_000, maxDelayMs: 10_000 };

  it("doubles per attempt between half and all of the nominal delay, capped", () => {
    const low = (attempts: number) => retryDelayMs(attempts, policy, () => 0);
    const high = (attempts: number) => retryDelayMs(attempts, policy, () => 0.999_999);
    expect([1, 2, 3, 4, 5, 6].map(low)).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
    expect([1, 2, 3, 4, 5, 6].map(high)).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(retryDelayMs(200, policy, () => 0.5)).toBe(7_500);
  });

  it("never retries sooner than the provider's Retry-After", () => {
    expect(retryDelayMs(1, policy, () => 0, 45_000)).toBe(45_000);
    expect(retryDelayMs(3, policy, () => 1, 10)).toBe(4_000);
  });
});
