import { describe, expect, it } from "vitest";
import { validateJourney } from "../../journeys/format/validate.ts";
import { planJourney } from "./planner.ts";
import { draftResult, nodesOfType, SHOP_CATALOG, TELCO_CATALOG } from "./test-fixtures.ts";

describe("planJourney", () => {
  it("drafts a wait-for-event guard for 'hasn't … an hour later' and chains the follow-up after the SMS", () => {
    const { journey } = draftResult(
      "When a customer starts checkout but hasn't completed the order an hour later, send them an SMS reminder. If they still haven't ordered 24 hours after the SMS, email them a 10% discount code.",
    );
    expect(journey.trigger).toEqual({ type: "event", event: "Checkout Started" });
    const waits = nodesOfType(journey, "wait_for_event");
    expect(waits.map((wait) => [wait.event, wait.timeout])).toEqual([
      ["Order Completed", "PT1H"],
      ["Order Completed", "P1D"],
    ]);
    expect(nodesOfType(journey, "send").map((send) => [send.channel, send.offer?.kind])).toEqual([
      ["sms", undefined],
      ["email", "percent_off"],
    ]);
  });

  it("turns '3 days before the trial ends' into a wait until the trigger's date minus 3 days", () => {
    const { journey } = draftResult("Three days before a customer's trial ends, email them a reminder.");
    expect(journey.trigger).toMatchObject({ type: "event", event: "Trial Started" });
    expect(nodesOfType(journey, "wait")[0]?.until).toEqual({
      field: "trigger.properties.trial_ends_at",
      offset: "-P3D",
    });
  });

  it("branches by customer for 'VIPs … everyone else …'", () => {
    const { journey } = draftResult(
      "When a VIP customer cancels their subscription, have a human account manager reach out within the hour. Everyone else who cancels gets a win-back email with 20% off three days later.",
    );
    const [route] = nodesOfType(journey, "branch");
    expect(route?.branches[0]?.condition).toEqual({ field: "traits.tier", op: "eq", value: "vip" });
    expect(nodesOfType(journey, "handoff")[0]).toMatchObject({ queue: "account_manager", priority: "high" });
    expect(nodesOfType(journey, "wait")[0]?.duration).toBe("P3D");
  });

  it("adds a second entry with its own path for 'at any point' and lets a customer be in both", () => {
    const { journey } = draftResult(
      "When a loan application is started but the documents haven't been uploaded within 24 hours, send an SMS nudge. If a document upload fails at any point, hand the customer to a human agent straight away.",
      {
        ...SHOP_CATALOG,
        events: {
          ...SHOP_CATALOG.events,
          "Loan Application Started": { description: "a loan application was begun", properties: {} },
          "Documents Uploaded": { description: "the documents were uploaded", properties: {} },
          "Document Upload Failed": { description: "a document upload failed", properties: {} },
        },
      },
    );
    expect(journey.trigger).toEqual({
      type: "event",
      event: "Loan Application Started",
      also: [{ event: "Document Upload Failed" }],
    });
    expect(journey.reentry).toEqual({ mode: "always" });
    expect(nodesOfType(journey, "branch")[0]?.branches[0]?.condition).toEqual({
      field: "trigger.name",
      op: "eq",
      value: "Document Upload Failed",
    });
  });

  it("drafts an A/B split with a holdout", () => {
    const { journey } = draftResult(
      "For new sign-ups, A/B test two different welcome emails 50/50, and keep a 10% holdout group that gets no email.",
    );
    const [split] = nodesOfType(journey, "split");
    expect(split?.variants.map((variant) => [variant.weight, variant.holdout ?? false])).toEqual([
      [45, false],
      [45, false],
      [10, true],
    ]);
  });

  it("reads a trait crossing a threshold as a trait_changed trigger", () => {
    const { journey } = draftResult(
      "When a customer's churn risk score rises above 0.7, have their account manager call them.",
    );
    expect(journey.trigger).toEqual({
      type: "trait_changed",
      trait: "churn_risk",
      condition: { field: "traits.churn_risk", op: "gt", value: 0.7 },
    });
  });

  it("checks how customer text sounds with the text transforms", () => {
    const { journey } = draftResult(
      "If a customer sounds angry or frustrated in a chat message, hand the conversation to a senior human agent immediately.",
    );
    expect(journey.trigger).toEqual({
      type: "event",
      event: "Chat Message Received",
      condition: { field: "event.properties.text", op: "gte", value: 0.5, transform: "frustration" },
    });
  });

  it("suppresses a step for customers with an open ticket, checked when the step runs", () => {
    const { journey } = draftResult(
      "Two hours after someone views a product without adding anything to their cart, send them a push notification about it, but never to customers who have an open support ticket.",
    );
    const [suppress] = nodesOfType(journey, "branch");
    expect(suppress?.branches[0]?.condition).toEqual({
      field: "traits.open_support_tickets",
      op: "gt",
      value: 0,
    });
    expect(nodesOfType(journey, "wait_for_event")[0]).toMatchObject({
      event: "Product Added",
      timeout: "PT2H",
    });
  });

  it("does not schedule around quiet hours itself unless the goal names a time", () => {
    const plain = draftResult("Send a push notification 30 minutes after an order ships.");
    expect(nodesOfType(plain.journey, "wait").map((wait) => wait.duration ?? wait.until_time)).toEqual([
      "PT30M",
    ]);
    expect(plain.explanation.join(" ")).toMatch(/quiet hours .* left to the workspace policies/i);
    const timed = draftResult("The day after a customer cancels an order, email them at 9am.");
    expect(nodesOfType(timed.journey, "wait").map((wait) => wait.until_time)).toEqual(["23:59", "09:00"]);
  });

  it("unrolls 'every day until they pay' into guarded reminders, three unless the goal sets a limit", () => {
    const limited = draftResult(
      "If a payment fails, text the customer every day until they pay, up to 2 times.",
    );
    expect(nodesOfType(limited.journey, "wait_for_event").map((wait) => [wait.event, wait.timeout])).toEqual([
      ["Payment Succeeded", "P1D"],
      ["Payment Succeeded", "P1D"],
    ]);
    const open = draftResult(
      "When someone starts checkout, email them a reminder every 2 days until they complete the order.",
    );
    expect(nodesOfType(open.journey, "send")).toHaveLength(3);
  });

  it("waits for a date the trigger carries when the goal says 'when their trial ends'", () => {
    const { journey } = draftResult("When their trial ends, email them a 20% discount to upgrade.");
    expect(journey.trigger).toMatchObject({ event: "Trial Started" });
    expect(nodesOfType(journey, "wait")[0]?.until).toEqual({ field: "trigger.properties.trial_ends_at" });
    const starts = draftResult("On the day a customer's trial starts, send a welcome email.");
    expect(nodesOfType(starts.journey, "wait")).toEqual([]);
  });

  it("works on a workspace with events it has never seen", () => {
    const { journey } = draftResult(
      "When an invoice is overdue by more than 7 days, text the customer right away. If the invoice still isn't paid 3 days later, have a billing agent call them.",
      TELCO_CATALOG,
    );
    expect(journey.trigger).toEqual({
      type: "event",
      event: "Invoice Overdue",
      condition: { field: "event.properties.days_overdue", op: "gt", value: 7 },
    });
    expect(nodesOfType(journey, "wait_for_event")[0]).toMatchObject({
      event: "Invoice Paid",
      timeout: "P3D",
    });
    expect(nodesOfType(journey, "handoff")[0]).toMatchObject({ queue: "billing" });
  });

  it("asks instead of guessing when the goal names no trigger and no action", () => {
    const result = planJourney("Make our customers happier.", { catalog: SHOP_CATALOG });
    expect(result.kind).toBe("clarify");
    if (result.kind === "clarify") {
      expect(result.missing).toEqual(["trigger", "action", "audience"]);
      expect(result.question).toMatch(/what should start the journey/i);
    }
    const channel = planJourney("When someone signs up, remind them.", { catalog: SHOP_CATALOG });
    expect(channel).toMatchObject({ kind: "clarify", missing: ["channel"] });
  });

  it("asks which channel to use instead of drafting a message on a channel the workspace has not enabled", () => {
    const result = planJourney("When a contract is signed, show them an in-app welcome message.", {
      catalog: TELCO_CATALOG,
    });
    expect(result.kind).toBe("clarify");
    expect(result.kind === "clarify" && result.missing).toEqual(["channel"]);
    expect(result.kind === "clarify" && result.question).toContain("in-app");
  });

  it("never drafts an invalid journey, whatever sentences are combined", () => {
    const sentences = [
      "When someone signs up, remind them.",
      "Three days before departure, send them a push notification with travel tips.",
      "A week before their trial expires, email them a discount of 25%.",
      "Everyone else gets an email.",
      "If a support ticket stays open, do nothing.",
      "If a customer asks where their order is in chat, hand it to support.",
      "VIP customers also get a call from their account manager.",
      "When a customer adds a product to their cart but doesn't start checkout within an hour, send a push notification.",
      "If they still haven't ordered the next day, email them 10% off.",
      "If a document upload fails at any point, hand the customer to a human agent straight away.",
      "Otherwise send a push with 10% off a week later.",
      "Make our customers happier.",
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 300; round++) {
      const goal = Array.from(
        { length: 1 + Math.floor(next() * 3) },
        () => sentences[Math.floor(next() * sentences.length)],
      ).join(" ");
      const result = planJourney(goal, { catalog: SHOP_CATALOG });
      if (result.kind === "journey") {
        const errors = validateJourney(result.journey, SHOP_CATALOG).issues.filter(
          (issue) => issue.severity === "error",
        );
        expect(errors, goal).toEqual([]);
      }
    }
  });

  it("is deterministic and every draft passes the validator", () => {
    const goals = [
      "When an order is cancelled, wait one day and then email the customer to ask why.",
      "Thank customers who upgrade their subscription with an in-app message straight away.",
      "When a customer's lifetime value goes above 1000, upgrade them to VIP and send an email.",
      "Send a push notification to customers who view a product three times without buying.",
      "When someone signs up, send a welcome email and stop as soon as they place their first order.",
    ];
    for (const goal of goals) {
      const first = draftResult(goal);
      expect(draftResult(goal)).toEqual(first);
      const validation = validateJourney(first.journey, SHOP_CATALOG);
      expect(
        validation.issues.filter((issue) => issue.severity === "error"),
        goal,
      ).toEqual([]);
      expect(first.explanation.length, goal).toBeGreaterThan(1);
      expect(first.resolved.length, goal).toBeGreaterThan(0);
    }
  });
});
