import { describe, expect, it } from "vitest";
import type { Decide, PolicyVerdict } from "../../policies/types.ts";
import type { JourneyInput } from "../format/schema.ts";
import { simulatePopulation } from "./population.ts";
import { resolveRelativeDates, Scenario, startInstant } from "./scenario.ts";
import { prepareJourney, SimulationInputError, simulate } from "./simulate.ts";

const catalog = {
  timezone_default: "Europe/Berlin",
  start: "2026-03-02T10:00:00",
  customer_facing: ["email", "sms", "push", "in_app", "chat", "handoff"],
  profile_default: {
    traits: { first_name: "Ada", email: "ada@example.com", timezone: "Europe/Berlin", tier: "regular" },
    consent: { email: true, sms: true },
  },
};

const consentOnly: Decide = (action, context) => {
  if (action.channel !== "handoff" && context.consent[action.channel] !== true) {
    const verdict: PolicyVerdict = { policy: "consent", verdict: "deny", reason: "no consent" };
    return { outcome: "deny", verdicts: [verdict], deciding: verdict };
  }
  return { outcome: "allow", verdicts: [{ policy: "consent", verdict: "allow", reason: "ok" }] };
};

describe("the scenario format", () => {
  it("reads the start as local time in the customer's zone", () => {
    expect(startInstant("2026-03-02T10:00:00", "Europe/Berlin").toISOString()).toBe(
      "2026-03-02T09:00:00.000Z",
    );
    expect(startInstant("2026-03-02T10:00:00", "America/New_York").toISOString()).toBe(
      "2026-03-02T15:00:00.000Z",
    );
    expect(startInstant("2026-03-02T10:00:00Z", "America/New_York").toISOString()).toBe(
      "2026-03-02T10:00:00.000Z",
    );
  });

  it('resolves "+P14D" property values to start + 14 days at any depth', () => {
    const start = new Date("2026-03-02T09:00:00Z");
    expect(resolveRelativeDates({ a: "+P14D", b: { c: ["+PT1H", "x"] }, d: "+P" }, start)).toEqual({
      a: "2026-03-16T09:00:00.000Z",
      b: { c: ["2026-03-02T10:00:00.000Z", "x"] },
      d: "+P",
    });
  });

  it("rejects an event that is neither a track nor an identify, and a journey that is not one", async () => {
    const parsed = Scenario.safeParse({ events: [{ at: "PT0S" }], horizon: "P1D" });
    expect(parsed.success).toBe(false);
    await expect(simulate({}, { events: [], horizon: "P1D" })).rejects.toBeInstanceOf(SimulationInputError);
  });

  it("merges the scenario profile over the default; offsets and the start follow the customer's zone", async () => {
    const journey: JourneyInput = {
      name: "welcome",
      trigger: { type: "event", event: "Signed Up" },
      start: "mail",
      nodes: [
        {
          id: "mail",
          type: "send",
          channel: "email",
          content: { body: "Hi {{traits.first_name}}" },
          next: "done",
        },
        { id: "done", type: "exit" },
      ],
    };
    const result = await simulate(
      journey,
      {
        profile: { traits: { first_name: "Grace", timezone: "America/New_York" } },
        events: [{ at: "PT2H", track: "Signed Up" }],
        horizon: "P1D",
        expect: [{ channel: "email", at: "PT2H" }],
      },
      { catalog, decide: consentOnly },
    );
    expect(result.timezone).toBe("America/New_York");
    expect(result.start.toISOString()).toBe("2026-03-02T15:00:00.000Z");
    expect(result.actions).toHaveLength(1);
    expect(result.actions[0]).toMatchObject({
      channel: "email",
      status: "sent",
      offset: "PT2H",
      content: { body: "Hi Grace" },
      to: "ada@example.com",
    });
    expect(result.expectation?.pass).toBe(true);
  });

  it("identify entries update traits and start trait_changed journeys; the horizon cuts the run", async () => {
    const journey: JourneyInput = {
      name: "churn",
      trigger: {
        type: "trait_changed",
        trait: "churn_risk",
        condition: { field: "traits.churn_risk", op: "gt", value: 0.7 },
      },
      start: "wait",
      nodes: [
        { id: "wait", type: "wait", duration: "P2D", next: "mail" },
        { id: "mail", type: "send", channel: "email", content: { body: "We miss you" }, next: "done" },
        { id: "done", type: "exit" },
      ],
    };
    const result = await simulate(
      journey,
      { events: [{ at: "PT1H", identify: { churn_risk: 0.9 } }], horizon: "P1D" },
      { catalog, decide: consentOnly },
    );
    expect(result.traits.churn_risk).toBe(0.9);
    expect(result.instances).toHaveLength(1);
    expect(result.instances[0]!.status).toBe("running");
    expect(result.actions).toEqual([]);
  });

  it("reports denied actions with their verdicts and the step log with offsets", async () => {
    const journey: JourneyInput = {
      name: "sms",
      trigger: { type: "event", event: "Checkout Started" },
      start: "text",
      nodes: [
        { id: "text", type: "send", channel: "sms", content: { body: "hi" }, next: "done" },
        { id: "done", type: "exit" },
      ],
    };
    const result = await simulate(
      journey,
      {
        profile: { consent: { sms: false } },
        events: [{ at: "PT0S", track: "Checkout Started" }],
        horizon: "P1D",
      },
      { catalog, decide: consentOnly },
    );
    expect(
      result.actions.map((action) => [action.channel, action.status, action.verdicts[0]?.policy]),
    ).toEqual([["sms", "denied", "consent"]]);
    expect(result.steps.map((step) => `${step.offset} ${step.kind}:${step.nodeId}`)).toEqual([
      "PT0S entered:text",
      "PT0S skipped:text",
      "PT0S completed:done",
    ]);
  });

  it("runs thousands of scenarios per second with a prepared journey", async () => {
    const compiled = prepareJourney({
      name: "speed",
      trigger: { type: "event", event: "Checkout Started" },
      exit_on: [{ event: "Order Completed" }],
      start: "w",
      nodes: [
        { id: "w", type: "wait", duration: "PT1H", next: "mail" },
        { id: "mail", type: "send", channel: "email", content: { body: "x" }, next: "done" },
        { id: "done", type: "exit" },
      ],
    });
    const scenario = { events: [{ at: "PT0S", track: "Checkout Started" }], horizon: "P1D" };
    let sent = 0;
    for (let index = 0; index < 500; index++) {
      const result = await simulate(compiled, scenario, { catalog, decide: consentOnly });
      sent += result.actions.length;
    }
    expect(sent).toBe(500);
  });
});

describe("population simulation", () => {
  it("replays many customers' histories and counts entries, nodes reached, sends and denials", async () => {
    const journey: JourneyInput = {
      name: "checkout",
      trigger: { type: "event", event: "Checkout Started" },
      exit_on: [{ event: "Order Completed" }],
      start: "w",
      nodes: [
        { id: "w", type: "wait", duration: "PT1H", next: "text" },
        { id: "text", type: "send", channel: "sms", content: { body: "hi" }, next: "done" },
        { id: "done", type: "exit" },
      ],
    };
    const base = new Date("2026-03-02T09:00:00Z").getTime();
    const customers = Array.from({ length: 30 }, (_, index) => ({
      traits: { timezone: "Europe/Berlin" },
      consent: { sms: index % 3 !== 0 },
      events: [
        { name: "Product Viewed", timestamp: new Date(base - 3_600_000) },
        ...(index % 2 === 0
          ? [{ name: "Checkout Started", timestamp: new Date(base + index * 60_000) }]
          : []),
        ...(index % 4 === 0
          ? [{ name: "Order Completed", timestamp: new Date(base + index * 60_000 + 600_000) }]
          : []),
      ],
    }));
    const summary = await simulatePopulation(journey, customers, { catalog, decide: consentOnly });
    // 15 start checkout; 8 of them (index % 4 === 0) buy within the hour and leave.
    expect(summary.customers).toBe(30);
    expect(summary.entered).toBe(15);
    expect(summary.reached).toEqual({ w: 15, text: 7, done: 7 });
    // of the 7 reaching the SMS, those with index % 3 === 0 have no consent: 6 and 18
    expect(summary.denied).toEqual({ consent: 2 });
    expect(summary.sent).toEqual({ sms: 5 });
    expect(summary.exited).toBe(8);
    expect(summary.errors).toEqual([]);
  });
});
