import { describe, expect, it } from "vitest";
import { config, customer, message } from "../test-fixtures.ts";
import type { CustomerContext } from "../types.ts";
import { frequencyCapPolicy, nextLocalMidnight } from "./frequency-cap.ts";

const catalogCap = config({ frequency_cap: { per_local_day: 3, channels: ["email", "sms", "push"] } });
const sends = (...entries: Array<[string, string]>): CustomerContext["recentSends"] =>
  entries.map(([channel, at]) => ({ channel, at: new Date(at) })).reverse();

describe("frequency cap per local calendar day (catalog: 3 per day across email, sms, push)", () => {
  const now = new Date("2026-03-02T15:00:00Z"); // 16:00 Berlin

  it("allows the third send of the day and says how many went out", () => {
    const context = customer({
      recentSends: sends(["email", "2026-03-02T08:00:00Z"], ["sms", "2026-03-02T10:00:00Z"]),
    });
    const verdict = frequencyCapPolicy(message("push"), context, catalogCap, now);
    expect(verdict.verdict).toBe("allow");
    expect(verdict.reason).toContain("2 of 3 today");
  });

  it("denies the fourth send of the local day, whatever channel the earlier ones used", () => {
    const context = customer({
      recentSends: sends(
        ["email", "2026-03-02T08:00:00Z"],
        ["sms", "2026-03-02T10:00:00Z"],
        ["push", "2026-03-02T12:00:00Z"],
      ),
    });
    const verdict = frequencyCapPolicy(message("email"), context, catalogCap, now);
    expect(verdict.verdict).toBe("deny");
    expect(verdict.reason).toContain("3 of 3");
  });

  it("does not count sends of the previous local day, even within the last 24 hours", () => {
    // 22:30 Berlin on Mar 1 (21:30Z) is yesterday for a 09:00 Berlin decision on Mar 2
    const context = customer({
      recentSends: sends(
        ["email", "2026-03-01T21:00:00Z"],
        ["sms", "2026-03-01T21:15:00Z"],
        ["push", "2026-03-01T21:30:00Z"],
      ),
    });
    expect(
      frequencyCapPolicy(message("sms"), context, catalogCap, new Date("2026-03-02T08:00:00Z")).verdict,
    ).toBe("allow");
  });

  it("counts by the customer's calendar day, not the UTC date", () => {
    // New York: 22:00 EST Mar 2 is 03:00Z Mar 3; 23:00 EST is 04:00Z — the same local day
    const context = customer({
      timezone: "America/New_York",
      recentSends: sends(
        ["email", "2026-03-02T20:00:00Z"],
        ["email", "2026-03-02T23:00:00Z"],
        ["sms", "2026-03-03T03:00:00Z"],
      ),
    });
    const verdict = frequencyCapPolicy(
      message("push"),
      context,
      catalogCap,
      new Date("2026-03-03T04:00:00Z"),
    );
    expect(verdict.verdict).toBe("deny");
  });

  it("treats the 25-hour fall-back day in New York as one day (2026-11-01)", () => {
    // 00:10 EDT (04:10Z) and 23:50 EST (04:50Z next UTC day) are 24 h 40 min apart, same local date
    const context = customer({
      timezone: "America/New_York",
      recentSends: sends(
        ["email", "2026-11-01T04:10:00Z"],
        ["email", "2026-11-01T12:00:00Z"],
        ["email", "2026-11-01T20:00:00Z"],
      ),
    });
    expect(
      frequencyCapPolicy(message("email"), context, catalogCap, new Date("2026-11-02T04:50:00Z")).verdict,
    ).toBe("deny");
  });

  it("starts a fresh count at local midnight after the 23-hour spring-forward day (Auckland 2026-09-27)", () => {
    const context = customer({
      timezone: "Pacific/Auckland",
      recentSends: sends(
        ["email", "2026-09-26T12:30:00Z"], // 00:30 NZST Sep 27
        ["email", "2026-09-26T20:00:00Z"],
        ["email", "2026-09-27T10:00:00Z"], // 23:00 NZDT Sep 27
      ),
    });
    // 23:30 NZDT Sep 27 → capped; 00:00 NZDT Sep 28 (11:00Z) → new day
    expect(
      frequencyCapPolicy(message("sms"), context, catalogCap, new Date("2026-09-27T10:30:00Z")).verdict,
    ).toBe("deny");
    expect(
      frequencyCapPolicy(message("sms"), context, catalogCap, new Date("2026-09-27T11:00:00Z")).verdict,
    ).toBe("allow");
    expect(nextLocalMidnight(new Date("2026-09-27T10:30:00Z"), "Pacific/Auckland").toISOString()).toBe(
      "2026-09-27T11:00:00.000Z",
    );
  });

  it("does not cap channels outside the list (in-app, hand-off)", () => {
    const context = customer({
      recentSends: sends(
        ["email", "2026-03-02T08:00:00Z"],
        ["sms", "2026-03-02T09:00:00Z"],
        ["push", "2026-03-02T10:00:00Z"],
      ),
    });
    expect(frequencyCapPolicy(message("in_app"), context, catalogCap, now).verdict).toBe("allow");
    expect(frequencyCapPolicy(message("handoff"), context, catalogCap, now).verdict).toBe("allow");
  });

  it("ignores sends recorded after the decision time", () => {
    const context = customer({
      recentSends: sends(
        ["email", "2026-03-02T08:00:00Z"],
        ["sms", "2026-03-02T09:00:00Z"],
        ["push", "2026-03-02T16:00:00Z"],
      ),
    });
    expect(frequencyCapPolicy(message("push"), context, catalogCap, now).verdict).toBe("allow");
  });

  it("counts the last 24 hours when the zone is unknown (never fewer than any local day)", () => {
    const context = customer({
      timezone: undefined,
      recentSends: sends(
        ["email", "2026-03-01T16:00:00Z"],
        ["sms", "2026-03-02T01:00:00Z"],
        ["push", "2026-03-02T10:00:00Z"],
      ),
    });
    const verdict = frequencyCapPolicy(message("email"), context, catalogCap, now);
    expect(verdict.verdict).toBe("deny");
    expect(verdict.reason).toContain("last 24 h");
    const olderFirst = customer({ ...context, recentSends: context.recentSends.slice(0, 2) });
    expect(frequencyCapPolicy(message("email"), olderFirst, catalogCap, now).verdict).toBe("allow");
  });
});

describe("frequency caps per channel and per rolling window", () => {
  const now = new Date("2026-03-10T12:00:00Z");

  it("caps one channel on its own sends only", () => {
    const cfg = config({ frequency_cap: { channels: [], per_channel: { sms: { per_local_day: 1 } } } });
    const emailedToday = customer({ recentSends: sends(["email", "2026-03-10T08:00:00Z"]) });
    expect(frequencyCapPolicy(message("sms"), emailedToday, cfg, now).verdict).toBe("allow");
    const textedToday = customer({ recentSends: sends(["sms", "2026-03-10T08:00:00Z"]) });
    expect(frequencyCapPolicy(message("sms"), textedToday, cfg, now).verdict).toBe("deny");
    expect(frequencyCapPolicy(message("email"), textedToday, cfg, now).verdict).toBe("allow");
  });

  it("applies the global and the channel cap together; the stricter one decides", () => {
    const cfg = config({
      frequency_cap: {
        per_local_day: 5,
        channels: ["email", "sms"],
        per_channel: { sms: { per_local_day: 1 } },
      },
    });
    const context = customer({ recentSends: sends(["sms", "2026-03-10T08:00:00Z"]) });
    const verdict = frequencyCapPolicy(message("sms"), context, cfg, now);
    expect(verdict.verdict).toBe("deny");
    expect(verdict.reason).toContain("1 of 1");
  });

  it("counts a rolling window exactly: a send older than the window no longer counts", () => {
    const cfg = config({ frequency_cap: { rolling: [{ window: "P7D", max: 2 }] } });
    const inside = customer({
      recentSends: sends(["email", "2026-03-03T12:00:01Z"], ["email", "2026-03-09T12:00:00Z"]),
    });
    expect(frequencyCapPolicy(message("email"), inside, cfg, now).verdict).toBe("deny");
    const edge = customer({
      recentSends: sends(["email", "2026-03-03T12:00:00Z"], ["email", "2026-03-09T12:00:00Z"]),
    });
    expect(frequencyCapPolicy(message("email"), edge, cfg, now).verdict).toBe("allow");
  });

  it("defers to the moment the rolling window frees up when configured to defer", () => {
    const cfg = config({ frequency_cap: { rolling: [{ window: "P7D", max: 2 }], action: "defer" } });
    const context = customer({
      recentSends: sends(
        ["email", "2026-03-04T09:00:00Z"],
        ["email", "2026-03-06T09:00:00Z"],
        ["email", "2026-03-09T09:00:00Z"],
      ),
    });
    const verdict = frequencyCapPolicy(message("email"), context, cfg, now);
    expect(verdict.verdict).toBe("defer");
    // three in the window, room for two: the two oldest must age out; the second oldest leaves at Mar 13 09:00
    expect(verdict.until?.toISOString()).toBe("2026-03-13T09:00:00.000Z");
  });

  it("defers a day-capped send to the customer's next local midnight", () => {
    const cfg = config({ frequency_cap: { per_local_day: 1, action: "defer" } });
    const context = customer({ recentSends: sends(["email", "2026-03-10T08:00:00Z"]) });
    const verdict = frequencyCapPolicy(message("email"), context, cfg, now);
    expect(verdict.until?.toISOString()).toBe("2026-03-10T23:00:00.000Z"); // 00:00 Berlin Mar 11
  });

  it("lets exempt categories through (their own sends still count for others)", () => {
    const cfg = config({ frequency_cap: { per_local_day: 1, exempt_categories: ["transactional"] } });
    const context = customer({ recentSends: sends(["email", "2026-03-10T08:00:00Z"]) });
    expect(
      frequencyCapPolicy(message("email", { category: "transactional" }), context, cfg, now).verdict,
    ).toBe("allow");
    expect(frequencyCapPolicy(message("email", { category: "promotional" }), context, cfg, now).verdict).toBe(
      "deny",
    );
  });

  it("treats no configured limit as no cap", () => {
    expect(frequencyCapPolicy(message("email"), customer(), config({}), now).verdict).toBe("allow");
  });
});
