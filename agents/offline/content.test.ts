import { describe, expect, it } from "vitest";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import { draftJourney, nodesOfType, TELCO_CATALOG } from "./test-fixtures.ts";

/**
 * Drafted copy is read in the approval preview: it must follow the message's own words and what
 * started the journey, and never speak of another topic (an abandoned cart after a booking).
 * Wordings are this file's own.
 */

/** Each send's subject (or title, or body when the channel has neither), in node order. */
function headlines(journey: JourneyInput): string[] {
  return nodesOfType(journey, "send").map((send) => {
    if (!send.content) throw new Error(`send ${send.id} has no drafted copy`);
    return send.content.subject ?? send.content.title ?? send.content.body;
  });
}

const ABANDONMENT = /left something behind/i;

describe("copy that fits the event", () => {
  it.each([
    "After a booking is confirmed, email the itinerary straight away and text them a reminder 2 days later.",
    "When a payment fails, text them a reminder an hour later.",
    "When someone signs up, send a welcome email and a nudge by push 3 days later.",
    "When a support ticket is closed, email them a survey the next day.",
    "When an order is delivered, send a review request by email 2 days later.",
    "When a flight is delayed, push an apology right away.",
  ])("speaks of no abandoned cart when nothing was abandoned: %s", (goal) => {
    for (const line of headlines(draftJourney(goal))) expect(line).not.toMatch(ABANDONMENT);
  });

  it("keeps the abandoned-cart copy for a goal about abandonment", () => {
    const journey = draftJourney(
      "When a customer adds a product to the cart but hasn't completed the order 2 hours later, send them a reminder email.",
    );
    expect(headlines(journey)).toEqual(["You left something behind"]);
  });

  it("gives each message of one clause its own words: an itinerary, then a reminder about the booking", () => {
    const journey = draftJourney(
      "After a booking is confirmed, email the itinerary immediately and send an SMS reminder 1 day later.",
    );
    expect(headlines(journey)).toEqual(["Your itinerary", "Just a reminder about your booking."]);
  });

  it.each([
    ["When a payment fails, email them a reminder.", "A reminder about your payment"],
    ["When a trial starts, email them a reminder 5 days later.", "A reminder about your trial"],
    ["When a support ticket is closed, email them a thank you note.", "Thank you"],
    ["When a support ticket is closed, email them an apology.", "We're sorry"],
    ["When an order is delivered, email them a survey 2 days later.", "How did we do?"],
  ])("follows the message's words: %s", (goal, subject) => {
    expect(headlines(draftJourney(goal))).toEqual([subject]);
  });

  it.each([
    ["When a booking is confirmed, email them.", "Your booking is confirmed"],
    ["When a payment fails, email them.", "Your payment didn't go through"],
    ["When a payment succeeds, email them.", "About your payment"],
    ["When someone signs up, email them.", "Welcome aboard"],
    ["When a support ticket is opened, email them 2 hours later.", "About your support ticket"],
  ])("falls back to what started the journey, then to a neutral line: %s", (goal, subject) => {
    expect(headlines(draftJourney(goal))).toEqual([subject]);
  });

  it("names the trigger's topic on a workspace it was never tuned on (telco)", () => {
    const journey = draftJourney(
      "When a router is installed, email them a reminder a week later.",
      TELCO_CATALOG,
    );
    expect(headlines(journey)).toEqual(["A reminder about your router"]);
    const overdue = draftJourney("When an invoice is overdue, email them.", TELCO_CATALOG);
    expect(headlines(overdue)).toEqual(["Your payment didn't go through"]);
  });

  it("leaves the category of copy chosen only from the trigger to the workspace", () => {
    const [send] = nodesOfType(draftJourney("When a payment fails, email them."), "send");
    expect(send?.category).toBeUndefined();
    const [card] = nodesOfType(
      draftJourney("When a payment fails, email them to update their card."),
      "send",
    );
    expect(card?.category).toBe("transactional");
  });
});
