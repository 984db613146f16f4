import { describe, expect, it } from "vitest";
import { loadEvalCatalog } from "../../evals/cases.ts";
import { sharedPathForTest } from "../../evals/shared-data.ts";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import { customerPath, draftJourney, nodeById, SHOP_CATALOG, TELCO_CATALOG } from "./test-fixtures.ts";

/**
 * Events said in the passive ("a checkout is abandoned", "the trial has expired") and goals
 * written as headlines ("Abandoned baskets: push after 30 minutes, stop if they order") must read
 * like the active sentences they restate. Wordings are this file's own, on the shared eval
 * workspace and on the shop and telco workspaces.
 */

const catalogPath = sharedPathForTest("evals", "catalog.json");

function exits(journey: JourneyInput): string[] {
  return (journey.exit_on ?? []).map((match) => match.event);
}

describe.skipIf(!catalogPath)(
  "passive and adjectival events read as the active ones (eval workspace)",
  () => {
    const catalog = () => loadEvalCatalog(catalogPath!).catalog;

    it.each([
      "When a checkout is abandoned, text them after an hour.",
      "If a checkout gets abandoned, send them an SMS an hour later.",
      "Once their checkout has been abandoned, wait 1 hour and text them.",
      "When a customer abandons checkout, text them after an hour.",
    ])("an abandoned checkout waits for the order, so buyers are not texted: %s", (goal) => {
      const journey = draftJourney(goal, catalog());
      expect(journey.trigger).toMatchObject({ type: "event", event: "Checkout Started" });
      expect(customerPath(journey)).toEqual(["guard:Order Completed:PT1H", "send:sms", "exit"]);
    });

    it("keeps the purchase check on every later step of a passive abandoned checkout", () => {
      const journey = draftJourney(
        "When a checkout is abandoned, text them after an hour; if they still haven't ordered a day later, email them 10% off.",
        catalog(),
      );
      expect(journey.trigger).toMatchObject({ type: "event", event: "Checkout Started" });
      expect(customerPath(journey).filter((step) => step.startsWith("guard:"))).toEqual([
        "guard:Order Completed:PT1H",
        "guard:Order Completed:P1D",
      ]);
    });

    it.each([
      ["When a basket has been abandoned, push them after 30 minutes.", "Product Added"],
      ["When an order is placed, email a receipt.", "Order Completed"],
      ["As soon as an order is shipped, text them.", "Order Shipped"],
      ["When an order has been cancelled, email them.", "Order Cancelled"],
      ["Once an order was delivered, email them.", "Order Delivered"],
      ["When a card payment is declined, text them.", "Payment Failed"],
      ["When a support ticket gets opened, email them.", "Support Ticket Opened"],
      ["When a ticket has been closed, email them.", "Support Ticket Closed"],
      ["When the documents have been uploaded, email them.", "Documents Uploaded"],
      ["When a trip is booked, email them.", "Booking Confirmed"],
      ["When their flight has been delayed, text them.", "Flight Delayed"],
    ])("%s → %s", (goal, event) => {
      expect(draftJourney(goal, catalog()).trigger).toMatchObject({ type: "event", event });
    });

    it.each([
      "When the trial has expired, email them 20% off.",
      "Once a customer's trial has ended, email them 20% off.",
      "When their trial expired, email them 20% off.",
      "Expired trials: email 20% off.",
    ])("an expired trial waits for the trial's end date: %s", (goal) => {
      const journey = draftJourney(goal, catalog());
      expect(journey.trigger).toMatchObject({ type: "event", event: "Trial Started" });
      const [first] = journey.nodes.filter((node) => node.id === journey.start);
      expect(first).toMatchObject({ type: "wait", until: { field: "trigger.properties.trial_ends_at" } });
    });
  },
);

describe.skipIf(!catalogPath)("headline goals name their trigger with a noun phrase (eval workspace)", () => {
  const catalog = () => loadEvalCatalog(catalogPath!).catalog;

  it.each([
    "Abandoned baskets: push after 30 minutes, stop if they order.",
    "Abandoned carts - push after 30 minutes; exit when they buy.",
    "Abandoned shopping carts → push after 30 minutes; as soon as they purchase, stop.",
  ])("an abandoned cart headline starts on the cart and ends on the order: %s", (goal) => {
    const journey = draftJourney(goal, catalog());
    expect(journey.trigger).toMatchObject({ type: "event", event: "Product Added" });
    expect(exits(journey)).toEqual(["Order Completed"]);
    expect(customerPath(journey)).toEqual(["guard:Order Completed:PT30M", "send:push", "exit"]);
  });

  it.each([
    ["Abandoned checkouts: SMS after 1 hour, stop if they order.", "Checkout Started", ["Order Completed"]],
    [
      "Failed payments: email right away; as soon as they pay, stop.",
      "Payment Failed",
      ["Payment Succeeded"],
    ],
    ["Declined cards - email right away, stop once they pay.", "Payment Failed", ["Payment Succeeded"]],
    [
      "New trial users: email tips on day 1, and stop if they upgrade.",
      "Trial Started",
      ["Subscription Upgraded"],
    ],
    ["Cancelled subscriptions → win-back email after a week with 20% off.", "Subscription Cancelled", []],
    ["Delayed flights: apologise by SMS right away.", "Flight Delayed", []],
    ["Late deliveries: apologise by email right away.", "Delivery Delayed", []],
    ["Failed uploads: text them right away.", "Document Upload Failed", []],
    ["Returned products - survey email the next day.", "Product Returned", []],
  ])("%s → %s", (goal, event, exitEvents) => {
    const journey = draftJourney(goal, catalog());
    expect(journey.trigger).toMatchObject({ type: "event", event });
    expect(exits(journey)).toEqual(exitEvents);
  });
});

describe("passives and headlines on workspaces the planner has never seen", () => {
  it("reads a passive abandoned checkout and a headline basket on the shop workspace", () => {
    const passive = draftJourney(
      "Once a checkout has been abandoned, email them after 2 hours.",
      SHOP_CATALOG,
    );
    expect(passive.trigger).toMatchObject({ type: "event", event: "Checkout Started" });
    expect(customerPath(passive)).toEqual(["guard:Order Completed:PT2H", "send:email", "exit"]);
    const headline = draftJourney(
      "Abandoned baskets: email after 2 hours, stop if they order.",
      SHOP_CATALOG,
    );
    expect(headline.trigger).toMatchObject({ type: "event", event: "Product Added" });
    expect(exits(headline)).toEqual(["Order Completed"]);
  });

  it("reads a headline whose adjective is the event's action without -ed (telco)", () => {
    const journey = draftJourney(
      "Overdue invoices: SMS right away and an email 2 days later; as soon as they pay, stop.",
      TELCO_CATALOG,
    );
    expect(journey.trigger).toMatchObject({ type: "event", event: "Invoice Overdue" });
    expect(exits(journey)).toEqual(["Invoice Paid"]);
    expect(customerPath(journey)).toEqual(["send:sms", "wait:P2D", "send:email", "exit"]);
  });

  it("reads a passive and a perfect on a date the telco workspace carries", () => {
    expect(
      draftJourney("When a contract is signed, email a welcome the next day.", TELCO_CATALOG).trigger,
    ).toMatchObject({
      event: "Contract Signed",
    });
    const ended = draftJourney("When a contract has ended, email them 10% off a renewal.", TELCO_CATALOG);
    expect(ended.trigger).toMatchObject({ type: "event", event: "Contract Ending" });
    expect(nodeById(ended, ended.start)).toMatchObject({
      type: "wait",
      until: { field: "trigger.properties.ends_at" },
    });
  });
});
