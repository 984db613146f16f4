import { describe, expect, it } from "vitest";
import { loadEvalCatalog } from "../../evals/cases.ts";
import { sharedPathForTest } from "../../evals/shared-data.ts";
import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import { planJourney } from "./planner.ts";
import { customerPath, draftResult, SHOP_CATALOG, TELCO_CATALOG } from "./test-fixtures.ts";
import { normaliseGoal, stem } from "./text.ts";

/**
 * A negated bare verb ("doesn't order", "if they don't book", "fails to pay", "never upgrades") is
 * the same event as its participle ("hasn't ordered"), with the same wait_for_event guard; one that
 * names nothing the workspace has is asked about, quoting it, never dropped. Wordings are this
 * file's own, on the shop, telco and shared eval workspaces.
 */

const catalogPath = sharedPathForTest("evals", "catalog.json");

/** The draft (or the question) as one comparable line. */
function reading(goal: string, catalog: WorkspaceCatalog): string {
  const result = planJourney(goal, { catalog });
  if (result.kind === "clarify") return `clarify:${result.missing.join(",")}`;
  const trigger = result.journey.trigger;
  return [trigger.type === "event" ? trigger.event : trigger.type, ...customerPath(result.journey)].join(" ");
}

describe("negated bare verbs share their inflected forms' vocabulary", () => {
  it("stems the bare verb and its participle alike", () => {
    for (const [bare, participle] of [
      ["buy", "bought"],
      ["purchase", "purchased"],
      ["pay", "paid"],
      ["book", "booked"],
      ["return", "returned"],
      ["upload", "uploaded"],
      ["subscribe", "subscribed"],
      ["upgrade", "upgraded"],
      ["cancel", "cancelled"],
      ["open", "opened"],
      ["submit", "submitted"],
    ] as const) {
      expect(stem(bare)).toBe(stem(participle));
    }
  });

  it("reads 'order' after a negation as completing one, like 'hasn't ordered'", () => {
    expect(normaliseGoal("and doesn't order within 2 hours")).toBe(
      "and doesn't complete an order within 2 hours",
    );
    expect(normaliseGoal("if they never order again")).toBe("if they never complete an order again");
    expect(normaliseGoal("but never orders")).toBe("but never completes an order");
    // the noun stays a noun
    expect(normaliseGoal("if they don't check their order status")).toContain("order status");
  });

  it("reads a person failing to do something as not doing it, and a thing failing as a failure", () => {
    expect(normaliseGoal("and fails to pay")).toBe("and doesn't pay");
    expect(normaliseGoal("if they failed to upload")).toBe("if they didn't upload");
    expect(normaliseGoal("when a payment fails to go through")).toContain("payment fails");
  });
});

describe("a negated bare verb guards the step like its participle (shop)", () => {
  const guarded = "Checkout Started guard:Order Completed:PT2H send:email exit";
  it.each([
    "When someone starts checkout and hasn't ordered after 2 hours, email them 15% off.",
    "When a shopper starts checkout and doesn't order within 2 hours, email them 15% off.",
    "When a shopper starts checkout, if they don't order within 2 hours, email them 15% off.",
    "When a shopper starts checkout but never orders within 2 hours, email them 15% off.",
    "When a shopper starts checkout and does not buy within 2 hours, email them 15% off.",
    "When a shopper starts checkout and fails to purchase within 2 hours, email them 15% off.",
    "When a shopper starts checkout and they did not order within 2 hours, email them 15% off.",
  ])("%s", (goal) => {
    expect(reading(goal, SHOP_CATALOG)).toBe(guarded);
  });

  it("does the same for other verbs that are also nouns", () => {
    expect(
      reading("When an order is delivered and they don't return it within 5 days, email them.", SHOP_CATALOG),
    ).toBe("Order Delivered guard:Product Returned:P5D send:email exit");
    expect(
      reading("When someone views a product but doesn't book within 1 day, email them.", SHOP_CATALOG),
    ).toBe("Product Viewed guard:Booking Confirmed:P1D send:email exit");
    expect(
      reading("When someone signs up and never opens the app within 3 days, push them.", SHOP_CATALOG),
    ).toBe("Signed Up guard:App Opened:P3D send:push exit");
  });
});

describe("a negated bare verb on a workspace the planner has never seen (telco)", () => {
  it("reads 'pay' after 'did not' as the invoice being paid, not as the overdue invoice's description", () => {
    for (const goal of [
      "When an invoice is overdue and they did not pay within 3 days, text them.",
      "When an invoice is overdue, if they don't pay within 3 days, text them.",
      "When an invoice is overdue and fails to pay within 3 days, text them.",
      "When an invoice is overdue and hasn't been paid after 3 days, text them.",
    ]) {
      expect(reading(goal, TELCO_CATALOG)).toBe("Invoice Overdue guard:Invoice Paid:P3D send:sms exit");
    }
  });

  it.each([
    [
      "When the data limit is reached and they don't top up within 1 day, email them.",
      "they don't top up within 1 day",
    ],
    [
      "When the data limit is reached but they never top up within 1 day, email them.",
      "they never top up within 1 day",
    ],
    [
      "When the data limit is reached and doesn't top up within 1 day, email them.",
      "doesn't top up within 1 day",
    ],
  ])("asks, quoting it, when the verb names no event: %s", (goal, clause) => {
    const result = planJourney(goal, { catalog: TELCO_CATALOG });
    if (result.kind !== "clarify") throw new Error(`expected a question, got a journey for: ${goal}`);
    expect(result.missing).toContain("condition");
    expect(result.question).toContain(`"${clause}"`);
  });
});

describe.skipIf(!catalogPath)("a negated bare verb (eval workspace)", () => {
  const catalog = () => loadEvalCatalog(catalogPath!).catalog;

  it.each([
    "When someone starts checkout and hasn't ordered after 2 hours, email them 15% off.",
    "When a customer starts checkout and doesn't order within 2 hours, send them an email with 15% off.",
    "When a customer starts checkout, if they don't order within 2 hours, send them an email with 15% off.",
    "When a customer starts checkout but never orders within 2 hours, email them 15% off.",
    "When a customer starts checkout and did not order within 2 hours, email them 15% off.",
    "When a customer starts checkout and fails to complete the purchase within 2 hours, email them 15% off.",
  ])("waits for the order and emails on the timeout: %s", (goal) => {
    const result = draftResult(goal, catalog());
    expect(result.journey.trigger).toMatchObject({ type: "event", event: "Checkout Started" });
    expect(customerPath(result.journey)).toEqual(["guard:Order Completed:PT2H", "send:email", "exit"]);
  });

  it.each([
    [
      "When a loan application is started and the applicant fails to upload their documents within 2 days, text them.",
      "guard:Documents Uploaded:P2D",
    ],
    [
      "When a loan application is started, if they don't submit it within 3 days, text them.",
      "guard:Loan Application Submitted:P3D",
    ],
    [
      "When someone starts a trial and doesn't subscribe within 7 days, text them.",
      "guard:Subscription Upgraded:P7D",
    ],
    [
      "When someone starts a trial but never upgrades within 7 days, text them.",
      "guard:Subscription Upgraded:P7D",
    ],
  ])("guards with the event the participle names: %s", (goal, guard) => {
    expect(customerPath(draftResult(goal, catalog()).journey)).toEqual([guard, "send:sms", "exit"]);
  });

  it("asks about a negated bare verb the workspace has no event for, quoting it", () => {
    const result = planJourney(
      "When an order is delivered and they don't review it within 5 days, email them.",
      {
        catalog: catalog(),
      },
    );
    if (result.kind !== "clarify") throw new Error("expected a question");
    expect(result.question).toContain('"they don\'t review it within 5 days"');
  });

  it("leaves our own instructions and a thing that fails alone", () => {
    expect(reading("When a payment fails, email them, but don't text VIPs.", catalog())).not.toMatch(
      /^clarify/,
    );
    expect(
      reading("When someone signs up, email them a welcome, and never text them at night.", catalog()),
    ).not.toMatch(/^clarify/);
    expect(reading("When a payment fails to go through, text them.", catalog())).toMatch(/^Payment Failed /);
  });
});
