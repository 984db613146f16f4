import { describe, expect, it } from "vitest";
import { loadEvalCatalog } from "../../evals/cases.ts";
import { sharedPathForTest } from "../../evals/shared-data.ts";
import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import { buildEventIndex, settlingEvents } from "./events.ts";
import { planJourney } from "./planner.ts";
import { customerPath, draftResult, SHOP_CATALOG, TELCO_CATALOG } from "./test-fixtures.ts";

/**
 * A negated condition that names nothing the workspace has ("unless they've updated their card")
 * is never dropped in silence: it is read as the one event that settles the trigger, with a note
 * in the explanation saying so, or the planner asks about it by quoting it. Wordings are this
 * file's own, on the shared eval workspace and on the shop and telco workspaces.
 */

const catalogPath = sharedPathForTest("evals", "catalog.json");

function asked(goal: string, catalog: WorkspaceCatalog) {
  const result = planJourney(goal, { catalog });
  if (result.kind !== "clarify") throw new Error(`expected a question, got a journey for: ${goal}`);
  return result;
}

describe("the events that settle a trigger", () => {
  it("pairs an open outcome with the settling event about the same thing, on any workspace", () => {
    const shop = buildEventIndex(SHOP_CATALOG);
    expect(settlingEvents("Payment Failed", shop)).toEqual(["Payment Succeeded"]);
    expect(settlingEvents("Support Ticket Opened", shop)).toEqual(["Support Ticket Closed"]);
    expect(settlingEvents("Delivery Delayed", shop)).toEqual(["Order Delivered"]);
    const telco = buildEventIndex(TELCO_CATALOG);
    expect(settlingEvents("Invoice Overdue", telco)).toEqual(["Invoice Paid"]);
  });

  it("finds none for an event that leaves nothing open or has no counterpart", () => {
    const shop = buildEventIndex(SHOP_CATALOG);
    expect(settlingEvents("Payment Succeeded", shop)).toEqual([]);
    expect(settlingEvents("Order Completed", shop)).toEqual([]);
    expect(settlingEvents("Trial Started", shop)).toEqual([]);
    expect(settlingEvents("Data Limit Reached", buildEventIndex(TELCO_CATALOG))).toEqual([]);
  });
});

describe.skipIf(!catalogPath)("an unplaced negated condition (eval workspace)", () => {
  const catalog = () => loadEvalCatalog(catalogPath!).catalog;

  it.each([
    [
      "Failed payments should get an email immediately and an SMS 24h later unless they've updated their card.",
      "unless they've updated their card",
    ],
    [
      "When a payment fails, email them right away, and text them a day later if they haven't fixed their billing details.",
      "if they haven't fixed their billing details",
    ],
    [
      "Declined payments: email now, and an SMS 1 day later only if they still owe us money.",
      "only if they still owe us money",
    ],
  ])("reads it as the payment that settles the failure, and says so: %s", (goal, clause) => {
    const result = draftResult(goal, catalog());
    expect(result.journey.trigger).toMatchObject({ type: "event", event: "Payment Failed" });
    expect(customerPath(result.journey)).toEqual([
      "send:email",
      "guard:Payment Succeeded:P1D",
      "send:sms",
      "exit",
    ]);
    const note = result.explanation.find((line) => line.includes(`"${clause}"`));
    expect(note).toContain("Payment Succeeded");
    expect(result.resolved).toContainEqual({ phrase: clause, kind: "event", value: "Payment Succeeded" });
  });

  it.each([
    [
      "When a loan application is started, email them 3 days later unless they've sent everything in.",
      "Loan Application Submitted",
      "P3D",
    ],
    [
      "When a support ticket is opened, send a follow-up email 2 days later unless the customer has been helped.",
      "Support Ticket Closed",
      "P2D",
    ],
  ])("reads it as the settling event of another trigger: %s", (goal, event, timeout) => {
    const result = draftResult(goal, catalog());
    expect(customerPath(result.journey)).toEqual([`guard:${event}:${timeout}`, "send:email", "exit"]);
    expect(result.explanation.some((line) => line.startsWith("Note:") && line.includes(event))).toBe(true);
  });

  it.each([
    [
      "When someone starts a trial, email tips on day 3 unless they've set up their workspace.",
      "unless they've set up their workspace",
    ],
    [
      "When a checkout is started, text them an hour later unless they've spoken to sales.",
      "unless they've spoken to sales",
    ],
    [
      "When churn risk rises above 0.7, email them 10% off if they haven't contacted support lately.",
      "if they haven't contacted support lately",
    ],
    // the clause is about the amount, not something the customer does: nothing to settle it with
    [
      "When a payment fails, email them now and text them 2 days later unless it's a small amount.",
      "unless it's a small amount",
    ],
  ])("asks, quoting the clause, when nothing settles the trigger: %s", (goal, clause) => {
    const result = asked(goal, catalog());
    expect(result.missing).toContain("condition");
    expect(result.question).toContain(`"${clause}"`);
  });

  it("leaves recognised conditions, consent fallbacks and ellipses alone", () => {
    for (const goal of [
      "When a payment fails, email them now and text them 2 days later unless they've paid.",
      "When a payment fails, push them now; if they haven't allowed push notifications, email them instead.",
      "When a loan application is started, email them after 2 days if they haven't uploaded their documents, and if they still haven't after 5 days, text them.",
      "When a payment fails, email them now and text them 2 days later unless they're a VIP.",
    ]) {
      const result = draftResult(goal, catalog());
      expect(result.explanation.filter((line) => line.includes("names no event, trait or property"))).toEqual(
        [],
      );
    }
  });
});

describe("an unplaced negated condition on workspaces the planner has never seen", () => {
  it("reads it as the invoice being paid after an overdue invoice (telco)", () => {
    const result = draftResult(
      "When an invoice is overdue, text them right away and email them 3 days later unless they've sorted out their bill.",
      TELCO_CATALOG,
    );
    expect(customerPath(result.journey)).toEqual([
      "send:sms",
      "guard:Invoice Paid:P3D",
      "send:email",
      "exit",
    ]);
    expect(result.explanation.some((line) => line.includes('"unless they\'ve sorted out their bill"'))).toBe(
      true,
    );
  });

  it("asks when the trigger has nothing that settles it (telco)", () => {
    const result = asked(
      "When the data limit is reached, text them now and again a day later unless they've changed tariff.",
      TELCO_CATALOG,
    );
    expect(result.question).toContain('"unless they\'ve changed tariff"');
  });

  it("reads it the same on the shop workspace", () => {
    const result = draftResult(
      "When a payment fails, email them immediately and an SMS 2 days later if they haven't updated their card.",
      SHOP_CATALOG,
    );
    expect(customerPath(result.journey)).toEqual([
      "send:email",
      "guard:Payment Succeeded:P2D",
      "send:sms",
      "exit",
    ]);
  });
});
