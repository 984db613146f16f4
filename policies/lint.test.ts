import { describe, expect, it } from "vitest";
import type { WorkspaceCatalog } from "../journeys/format/catalog.ts";
import type { JourneyInput } from "../journeys/format/schema.ts";
import { Journey } from "../journeys/format/schema.ts";
import { lintJourney } from "./lint.ts";
import { quietShare } from "./lint-paths.ts";
import { config } from "./test-fixtures.ts";

const journey = (input: Partial<JourneyInput> & Pick<JourneyInput, "nodes">): Journey =>
  Journey.parse({
    name: "test",
    trigger: { type: "event", event: "Checkout Started" },
    start: input.nodes[0]!.id,
    ...input,
  });

const sms = (id: string, next: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: "send" as const,
  channel: "sms" as const,
  content: { body: "Your cart is waiting." },
  category: "transactional" as const,
  next,
  ...extra,
});
const email = (id: string, next: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: "send" as const,
  channel: "email" as const,
  content: { subject: "Hi", body: "Your cart is waiting." },
  category: "transactional" as const,
  next,
  ...extra,
});
const wait = (id: string, next: string, how: Record<string, unknown>) => ({
  id,
  type: "wait" as const,
  next,
  ...how,
});
const exit = { id: "done", type: "exit" as const };
const codes = (warnings: ReturnType<typeof lintJourney>) =>
  warnings.map((warning) => `${warning.code} ${warning.path}`);

const catalogConfig = config({
  consent_required: ["email", "sms", "push"],
  quiet_hours: { start: "21:00", end: "08:00", channels: ["sms", "push"], action: "defer" },
  frequency_cap: { per_local_day: 3, channels: ["email", "sms", "push"] },
});

describe("journey lint: consent fallbacks", () => {
  it("warns about an SMS step that customers without SMS consent reach with no fallback", () => {
    const warnings = lintJourney(journey({ nodes: [sms("text", "done"), exit] }), catalogConfig);
    expect(codes(warnings)).toEqual(["consent_fallback $.nodes[0]"]);
    expect(warnings[0]!.message).toContain("consent.sms");
    expect(warnings[0]!.severity).toBe("warning");
  });

  it("is satisfied by an on_skip fallback, a consent branch before the step, or an audience that needs consent", () => {
    const withSkip = journey({
      nodes: [sms("text", "done", { on_skip: "mail" }), email("mail", "done", { on_skip: "done" }), exit],
    });
    expect(lintJourney(withSkip, catalogConfig)).toEqual([]);
    const branched = journey({
      nodes: [
        {
          id: "check",
          type: "branch",
          branches: [{ condition: { field: "consent.sms", op: "eq", value: true }, next: "text" }],
          otherwise: "done",
        },
        sms("text", "done"),
        exit,
      ],
    });
    expect(lintJourney(branched, catalogConfig)).toEqual([]);
    const audience = journey({
      audience: { field: "consent.sms", op: "eq", value: true },
      nodes: [sms("text", "done"), exit],
    });
    expect(lintJourney(audience, catalogConfig)).toEqual([]);
  });

  it("still warns when the step is also reachable around the consent branch", () => {
    const leaky = journey({
      nodes: [
        {
          id: "check",
          type: "branch",
          branches: [{ condition: { field: "consent.sms", op: "eq", value: true }, next: "text" }],
          otherwise: "text",
        },
        sms("text", "done"),
        exit,
      ],
    });
    expect(codes(lintJourney(leaky, catalogConfig))).toEqual(["consent_fallback $.nodes[1]"]);
  });

  it("does not ask hand-offs or in-app messages for consent fallbacks", () => {
    const nodes = [
      {
        id: "agent",
        type: "handoff" as const,
        queue: "support",
        instructions: "Call the customer about the failed payment.",
        next: "app",
      },
      {
        id: "app",
        type: "send" as const,
        channel: "in_app" as const,
        content: { body: "We are on it." },
        next: "done",
      },
      exit,
    ];
    expect(lintJourney(journey({ nodes }), catalogConfig)).toEqual([]);
  });
});

describe("journey lint: offers", () => {
  const ceilings = config({
    offer_ceilings: { max_percent: 15, rules: [{ name: "vip", segments: ["vip"], max_percent: 30 }] },
    approvals: { offer_above: { percent: 20 } },
  });
  const offerEmail = (value: number) =>
    email("mail", "done", { offer: { kind: "percent_off", value }, on_skip: "done" });

  it("warns at the offer value when it is above the ceiling, saying what the policy will do", () => {
    const warnings = lintJourney(journey({ nodes: [offerEmail(25), exit] }), ceilings);
    expect(codes(warnings)).toEqual([
      "offer_above_ceiling $.nodes[0].offer.value",
      "offer_needs_approval $.nodes[0].offer.value",
    ]);
    expect(warnings[0]!.message).toContain(
      "25% off is above the workspace ceiling of 15%; the policy will deny it",
    );
  });

  it("uses the ceiling of the segment the journey is for", () => {
    const forVips = journey({
      trigger: { type: "segment_entered", segment: "vip" },
      nodes: [offerEmail(25), exit],
    });
    expect(codes(lintJourney(forVips, ceilings))).toEqual(["offer_needs_approval $.nodes[0].offer.value"]);
  });

  it("stays quiet for offers within the ceiling", () => {
    expect(lintJourney(journey({ nodes: [offerEmail(10), exit] }), ceilings)).toEqual([]);
  });
});

describe("journey lint: quiet hours", () => {
  it("warns at the wait when it makes the SMS land at night for everyone", () => {
    const nodes = [
      wait("late", "text", { until_time: "22:30" }),
      sms("text", "done", { on_skip: "done" }),
      exit,
    ];
    const warnings = lintJourney(journey({ nodes }), catalogConfig);
    expect(codes(warnings)).toEqual(["quiet_hours_landing $.nodes[0].until_time"]);
    expect(warnings[0]!.message).toContain("about 100% of customers");
    expect(warnings[0]!.message).toContain("held until 08:00");
  });

  it("does not warn for a short delay after a daytime-heavy trigger", () => {
    const nodes = [
      wait("hour", "text", { duration: "PT1H" }),
      sms("text", "done", { on_skip: "done" }),
      exit,
    ];
    expect(lintJourney(journey({ nodes }), catalogConfig)).toEqual([]);
  });

  it("warns when a 12-hour wait flips most daytime events into the night", () => {
    const nodes = [
      wait("half", "text", { duration: "PT12H" }),
      sms("text", "done", { on_skip: "done" }),
      exit,
    ];
    const warnings = lintJourney(journey({ nodes }), catalogConfig);
    expect(codes(warnings)).toEqual(["quiet_hours_landing $.nodes[0].duration"]);
    expect(warnings[0]!.message).toMatch(/about (5|6|7)\d% of customers \(it runs 12 h after/);
  });

  it("knows a daily cron's local time", () => {
    const nightly = journey({
      trigger: { type: "schedule", cron: "0 23 * * *" },
      nodes: [sms("text", "done", { on_skip: "done" }), exit],
    });
    expect(codes(lintJourney(nightly, catalogConfig))).toEqual(["quiet_hours_landing $.nodes[0]"]);
  });

  it("ignores channels without quiet hours", () => {
    const nodes = [
      wait("late", "mail", { until_time: "23:00" }),
      email("mail", "done", { on_skip: "done" }),
      exit,
    ];
    expect(lintJourney(journey({ nodes }), catalogConfig)).toEqual([]);
  });

  it("says every SMS will wait for a person when the catalog has no timezone trait", () => {
    const catalog: WorkspaceCatalog = {
      events: {},
      traits: { email: "string" },
      channels: ["sms"],
      segments: [],
      tools: [],
    };
    const warnings = lintJourney(
      journey({ nodes: [sms("text", "done", { on_skip: "done" }), exit] }),
      catalogConfig,
      catalog,
    );
    expect(codes(warnings)).toEqual(["timezone_unknown $"]);
    expect(warnings[0]!.message).toContain("wait for a person");
  });

  it("estimates shares from the typical hour weights", () => {
    const flat = Array.from({ length: 24 }, () => 1);
    const night = (minute: number) => minute >= 21 * 60 || minute < 8 * 60;
    expect(quietShare({ kind: "event", sinceMs: 0 }, night, flat)).toBeCloseTo(11 / 24, 5);
    expect(quietShare({ kind: "clock", minuteOfDay: 20 * 60, sinceMs: 3_600_000 }, night, flat)).toBe(1);
    expect(quietShare({ kind: "unknown" }, night, flat)).toBeNull();
  });
});

describe("journey lint: frequency caps, suppression, hand-offs, content, approvals", () => {
  it("warns when one path sends more messages within a day than the cap allows", () => {
    const nodes = [
      email("a", "b", { on_skip: "b" }),
      email("b", "c", { on_skip: "c" }),
      email("c", "d", { on_skip: "d" }),
      email("d", "done", { on_skip: "done" }),
      exit,
    ];
    const warnings = lintJourney(journey({ nodes }), catalogConfig);
    expect(codes(warnings)).toEqual(["frequency_cap_path $.nodes[3]"]);
    expect(warnings[0]!.message).toContain('message 4 within 24 h on one path ("a", "b", "c", "d")');
  });

  it("does not count sends spread over days", () => {
    const nodes = [
      email("a", "w1", { on_skip: "w1" }),
      wait("w1", "b", { duration: "P1D" }),
      email("b", "w2", { on_skip: "w2" }),
      wait("w2", "c", { duration: "P1D" }),
      email("c", "d", { on_skip: "d" }),
      email("d", "done", { on_skip: "done" }),
      exit,
    ];
    expect(lintJourney(journey({ nodes }), catalogConfig)).toEqual([]);
  });

  it("warns when a suppression rule matches the audience the journey is written for", () => {
    const cfg = config({
      suppression: {
        rules: [
          { name: "open-support-ticket", when: { field: "traits.open_support_tickets", op: "gt", value: 0 } },
        ],
      },
    });
    const promo = email("mail", "done", { category: "promotional", on_skip: "done" });
    const forTicketHolders = journey({
      audience: { field: "traits.open_support_tickets", op: "gte", value: 1 },
      nodes: [promo, exit],
    });
    expect(codes(lintJourney(forTicketHolders, cfg))).toEqual(["suppressed_for_audience $.nodes[0]"]);
    const service = email("mail", "done", { category: "transactional", on_skip: "done" });
    expect(
      lintJourney(journey({ audience: forTicketHolders.audience, nodes: [service, exit] }), cfg),
    ).toEqual([]);
    expect(lintJourney(journey({ nodes: [promo, exit] }), cfg)).toEqual([]);
  });

  it("warns about hand-offs whose instructions say nothing useful", () => {
    const nodes = [{ id: "agent", type: "handoff" as const, instructions: "Call.", next: "done" }, exit];
    const warnings = lintJourney(journey({ nodes }), catalogConfig);
    expect(codes(warnings)).toEqual(["handoff_instructions $.nodes[0].instructions"]);
  });

  it("checks inline content with the content-safety policy", () => {
    const leaky = email("mail", "done", {
      content: { body: "Ask jane@other.example for help." },
      on_skip: "done",
    });
    const warnings = lintJourney(journey({ nodes: [leaky, exit] }), catalogConfig);
    expect(codes(warnings)).toEqual(["content_safety $.nodes[0].content"]);
    expect(warnings[0]!.message).toContain("j***@other.example");
  });

  it("says which steps will wait for approval", () => {
    const cfg = config({
      approvals: { ai_generated: true, handoff_priority_at_least: "high", sensitive_segments: ["bereaved"] },
    });
    const nodes = [
      email("mail", "agent", { ai_generated: true, on_skip: "agent" }),
      {
        id: "agent",
        type: "handoff" as const,
        priority: "urgent" as const,
        instructions: "Call the customer about the outage today.",
        next: "done",
      },
      exit,
    ];
    const warnings = lintJourney(
      journey({ trigger: { type: "segment_entered", segment: "bereaved" }, nodes }),
      cfg,
    );
    expect(codes(warnings)).toEqual([
      "needs_approval $.trigger.segment",
      "needs_approval $.nodes[0].ai_generated",
      "needs_approval $.nodes[1].priority",
    ]);
  });

  it("finds nothing to say about a journey that respects every policy", () => {
    const nodes = [
      wait("hour", "mail", { duration: "PT1H" }),
      email("mail", "text", { on_skip: "done" }),
      wait("morning", "text2", { until_time: "10:00" }),
      sms("text2", "done", { on_skip: "done" }),
      exit,
    ].map((node) => (node.id === "mail" ? { ...node, next: "morning" } : node));
    const clean = journey({ nodes: nodes.filter((node) => node.id !== "text") });
    expect(lintJourney(clean, catalogConfig)).toEqual([]);
  });
});
