import { describe, expect, it } from "vitest";
import { config, customer, message } from "../test-fixtures.ts";
import { quietHoursPolicy, quietWindowEnd } from "./quiet-hours.ts";

const NEW_YORK = "America/New_York";
const AUCKLAND = "Pacific/Auckland";
const catalogQuietHours = config({
  quiet_hours: { start: "21:00", end: "08:00", channels: ["sms", "push"], action: "defer" },
});

function decideSms(at: string, timezone: string | undefined, cfg = catalogQuietHours) {
  return quietHoursPolicy(message("sms"), customer({ timezone }), cfg, new Date(at));
}

describe("quiet hours in the customer's zone", () => {
  it("allows an SMS during the day and names the local time", () => {
    const verdict = decideSms("2026-03-02T09:00:00Z", "Europe/Berlin");
    expect(verdict.verdict).toBe("allow");
    expect(verdict.reason).toContain("10:00");
  });

  it("does not hold channels outside the configured list (email, hand-off)", () => {
    const night = new Date("2026-03-02T23:00:00Z");
    expect(quietHoursPolicy(message("email"), customer(), catalogQuietHours, night).verdict).toBe("allow");
    expect(quietHoursPolicy(message("handoff"), customer(), catalogQuietHours, night).verdict).toBe("allow");
  });

  it("defers an SMS at 22:00 Berlin to 08:00 Berlin the next morning", () => {
    const verdict = decideSms("2026-03-02T21:00:00Z", "Europe/Berlin");
    expect(verdict.verdict).toBe("defer");
    expect(verdict.until?.toISOString()).toBe("2026-03-03T07:00:00.000Z");
    expect(verdict.reason).toMatch(/quiet hours 21:00–08:00 in Europe\/Berlin.*held until/);
  });

  it("treats the window as [start, end): 21:00 is quiet, 08:00 is not", () => {
    expect(decideSms("2026-03-02T20:00:00Z", "Europe/Berlin").verdict).toBe("defer");
    expect(decideSms("2026-03-03T07:00:00Z", "Europe/Berlin").verdict).toBe("allow");
    expect(decideSms("2026-03-03T06:59:00Z", "Europe/Berlin").until?.toISOString()).toBe(
      "2026-03-03T07:00:00.000Z",
    );
  });

  it("handles a window that does not wrap midnight", () => {
    const lunch = config({ quiet_hours: { start: "12:00", end: "14:00", channels: ["push"] } });
    const push = (at: string) =>
      quietHoursPolicy(message("push"), customer({ timezone: "UTC" }), lunch, new Date(at));
    expect(push("2026-03-02T11:59:00Z").verdict).toBe("allow");
    expect(push("2026-03-02T13:00:00Z").until?.toISOString()).toBe("2026-03-02T14:00:00.000Z");
    expect(push("2026-03-02T22:00:00Z").verdict).toBe("allow");
  });

  it("denies instead of deferring when the window says deny", () => {
    const strict = config({ quiet_hours: { action: "deny" } });
    const verdict = decideSms("2026-03-02T21:00:00Z", "Europe/Berlin", strict);
    expect(verdict.verdict).toBe("deny");
    expect(verdict.until).toBeUndefined();
  });

  it("uses a per-channel window before the general one", () => {
    const cfg = config({ quiet_hours: { per_channel: { email: { start: "23:00", end: "06:00" } } } });
    const at = new Date("2026-03-02T22:30:00Z"); // 23:30 Berlin
    const email = quietHoursPolicy(message("email"), customer(), cfg, at);
    expect(email.verdict).toBe("defer");
    expect(email.until?.toISOString()).toBe("2026-03-03T05:00:00.000Z");
    const early = quietHoursPolicy(message("email"), customer(), cfg, new Date("2026-03-02T21:30:00Z"));
    expect(early.verdict).toBe("allow");
  });

  it("switches off with an empty channel list", () => {
    const off = config({ quiet_hours: { channels: [] } });
    expect(decideSms("2026-03-02T23:00:00Z", "Europe/Berlin", off).verdict).toBe("allow");
  });
});

describe("quiet hours across DST in New York (2026-03-08 spring forward, 2026-11-01 fall back)", () => {
  it("defers a 01:30 EST SMS on the spring-forward night to 08:00 EDT (12:00Z, not 13:00Z)", () => {
    const verdict = decideSms("2026-03-08T06:30:00Z", NEW_YORK);
    expect(verdict.until?.toISOString()).toBe("2026-03-08T12:00:00.000Z");
    expect(verdict.reason).toContain("EDT");
  });

  it("defers an SMS from the evening before the change to 08:00 EDT", () => {
    expect(decideSms("2026-03-08T04:00:00Z", NEW_YORK).until?.toISOString()).toBe("2026-03-08T12:00:00.000Z");
  });

  it("allows at exactly 08:00 EDT on the short day and holds at 07:59 EDT", () => {
    expect(decideSms("2026-03-08T12:00:00Z", NEW_YORK).verdict).toBe("allow");
    expect(decideSms("2026-03-08T11:59:00Z", NEW_YORK).verdict).toBe("defer");
  });

  it("ends a window whose end (02:30) does not exist that day at the jump to 03:00 EDT", () => {
    const late = config({ quiet_hours: { start: "22:00", end: "02:30" } });
    const verdict = decideSms("2026-03-08T06:45:00Z", NEW_YORK, late); // 01:45 EST
    expect(verdict.until?.toISOString()).toBe("2026-03-08T07:00:00.000Z");
    // the clock reads 03:00 EDT there, which is outside the window
    expect(decideSms("2026-03-08T07:00:00Z", NEW_YORK, late).verdict).toBe("allow");
  });

  it("starts a window whose start (02:30) does not exist at the jump, by the wall clock", () => {
    const gapStart = config({ quiet_hours: { start: "02:30", end: "06:00" } });
    expect(decideSms("2026-03-08T06:59:00Z", NEW_YORK, gapStart).verdict).toBe("allow"); // 01:59 EST
    expect(decideSms("2026-03-08T07:00:00Z", NEW_YORK, gapStart).verdict).toBe("defer"); // 03:00 EDT
  });

  it("defers an SMS from the fall-back evening to 08:00 EST (13:00Z)", () => {
    expect(decideSms("2026-11-01T02:00:00Z", NEW_YORK).until?.toISOString()).toBe("2026-11-01T13:00:00.000Z");
  });

  it("holds again in the second pass through a repeated hour when the window covers it", () => {
    const early = config({ quiet_hours: { start: "00:00", end: "01:30" } });
    // first pass 01:10 EDT → until the first 01:30 (EDT)
    expect(decideSms("2026-11-01T05:10:00Z", NEW_YORK, early).until?.toISOString()).toBe(
      "2026-11-01T05:30:00.000Z",
    );
    // 01:40 EDT is outside
    expect(decideSms("2026-11-01T05:40:00Z", NEW_YORK, early).verdict).toBe("allow");
    // second pass 01:10 EST is inside again → until the second 01:30 (EST), not the next day
    expect(decideSms("2026-11-01T06:10:00Z", NEW_YORK, early).until?.toISOString()).toBe(
      "2026-11-01T06:30:00.000Z",
    );
  });
});

describe("quiet hours across DST in Auckland (2026-04-05 fall back, 2026-09-27 spring forward)", () => {
  it("defers a late-evening SMS before the April change to 08:00 NZST (20:00Z)", () => {
    // 2026-04-04 23:00 NZDT = 10:00Z
    expect(decideSms("2026-04-04T10:00:00Z", AUCKLAND).until?.toISOString()).toBe("2026-04-04T20:00:00.000Z");
  });

  it("ends a 02:30 window at each occurrence of the repeated 02:30 in April", () => {
    const cfg = config({ quiet_hours: { start: "21:00", end: "02:30" } });
    // 02:10 NZDT (first pass, 13:10Z) → first 02:30 (13:30Z)
    expect(decideSms("2026-04-04T13:10:00Z", AUCKLAND, cfg).until?.toISOString()).toBe(
      "2026-04-04T13:30:00.000Z",
    );
    // 02:40 NZDT is outside
    expect(decideSms("2026-04-04T13:40:00Z", AUCKLAND, cfg).verdict).toBe("allow");
    // 02:10 NZST (second pass, 14:10Z) → second 02:30 (14:30Z)
    expect(decideSms("2026-04-04T14:10:00Z", AUCKLAND, cfg).until?.toISOString()).toBe(
      "2026-04-04T14:30:00.000Z",
    );
  });

  it("defers a late-evening SMS before the September change to 08:00 NZDT (19:00Z)", () => {
    // 2026-09-26 22:00 NZST = 10:00Z
    expect(decideSms("2026-09-26T10:00:00Z", AUCKLAND).until?.toISOString()).toBe("2026-09-26T19:00:00.000Z");
  });

  it("ends a window whose end falls in the September gap at the jump to 03:00 NZDT", () => {
    const cfg = config({ quiet_hours: { start: "21:00", end: "02:30" } });
    // 01:30 NZST = 13:30Z; the clock jumps 02:00 NZST → 03:00 NZDT at 14:00Z
    expect(decideSms("2026-09-26T13:30:00Z", AUCKLAND, cfg).until?.toISOString()).toBe(
      "2026-09-26T14:00:00.000Z",
    );
  });

  it("computes window ends consistently with the check (the end instant itself is allowed)", () => {
    const window = { start: "21:00", end: "08:00" };
    const end = quietWindowEnd(new Date("2026-09-26T10:00:00Z"), window, AUCKLAND);
    expect(decideSms(end.toISOString(), AUCKLAND).verdict).toBe("allow");
    expect(decideSms(new Date(end.getTime() - 60_000).toISOString(), AUCKLAND).verdict).toBe("defer");
  });
});

describe("an unknown or invalid zone never sends at night by guesswork", () => {
  it("sends an SMS to review when the zone is unknown, even at what is noon in UTC", () => {
    const verdict = decideSms("2026-03-02T12:00:00Z", undefined);
    expect(verdict.verdict).toBe("review");
    expect(verdict.reason).toContain("time zone is unknown");
  });

  it("sends an SMS to review when the zone is not a valid IANA name", () => {
    const verdict = decideSms("2026-03-02T12:00:00Z", "Mars/Olympus_Mons");
    expect(verdict.verdict).toBe("review");
    expect(verdict.reason).toContain("Mars/Olympus_Mons");
  });

  it("does not hold an email (no quiet hours) for an unknown zone", () => {
    const verdict = quietHoursPolicy(
      message("email"),
      customer({ timezone: undefined }),
      catalogQuietHours,
      new Date("2026-03-02T23:00:00Z"),
    );
    expect(verdict.verdict).toBe("allow");
  });

  const assumed = config({
    quiet_hours: {
      unknown_timezone: {
        action: "defer",
        assume_timezones: ["Europe/London", "Europe/Berlin", "Europe/Athens"],
      },
    },
  });

  it("with assumed zones, allows only when it is daytime in every one of them", () => {
    // 10:00Z: 10:00 London, 11:00 Berlin, 12:00 Athens
    expect(decideSms("2026-03-02T10:00:00Z", undefined, assumed).verdict).toBe("allow");
  });

  it("with assumed zones, holds until the window has ended in the last of them", () => {
    // 06:30Z: 06:30 London (quiet), 07:30 Berlin (quiet), 08:30 Athens → until 08:00 London = 08:00Z
    const verdict = decideSms("2026-03-02T06:30:00Z", undefined, assumed);
    expect(verdict.verdict).toBe("defer");
    expect(verdict.until?.toISOString()).toBe("2026-03-02T08:00:00.000Z");
  });

  it("with assumed zones, holds in the evening until the earliest zone has reached morning", () => {
    // 19:30Z: 21:30 Athens is quiet → nothing is safe until 08:00 London (08:00Z next day)
    const verdict = decideSms("2026-03-02T19:30:00Z", undefined, assumed);
    expect(verdict.until?.toISOString()).toBe("2026-03-03T08:00:00.000Z");
  });

  it("goes to review when the assumed zones share no daytime window", () => {
    const apart = config({
      quiet_hours: {
        start: "18:00",
        end: "10:00",
        unknown_timezone: { action: "defer", assume_timezones: ["Pacific/Auckland", "Europe/London"] },
      },
    });
    expect(decideSms("2026-03-02T12:00:00Z", undefined, apart).verdict).toBe("review");
  });
});
