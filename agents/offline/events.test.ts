import { describe, expect, it } from "vitest";
import { buildEventIndex, findDatetimeProperty, findEventMentions } from "./events.ts";
import { SHOP_CATALOG, TELCO_CATALOG } from "./test-fixtures.ts";
import { normaliseGoal } from "./text.ts";

const shop = buildEventIndex(SHOP_CATALOG);

function events(goal: string, preferred: string[] = []): string[] {
  return findEventMentions(normaliseGoal(goal), shop, preferred).map((mention) => mention.event);
}

describe("event resolution against the catalog", () => {
  it("resolves an action and its object to the event that has both", () => {
    expect(events("when a customer starts checkout")).toEqual(["Checkout Started"]);
    expect(events("if a payment fails")).toEqual(["Payment Failed"]);
    expect(events("when a support ticket is closed")).toEqual(["Support Ticket Closed"]);
    expect(events("when a delivery is delayed")).toEqual(["Delivery Delayed"]);
    expect(events("when a flight is delayed")).toEqual(["Flight Delayed"]);
  });

  it("uses descriptions: card declined is a failed payment, the basket is the cart", () => {
    expect(events("when a card is declined")).toEqual(["Payment Failed"]);
    expect(events("adds a product to their basket")).toEqual(["Product Added"]);
    expect(events("when a support ticket is resolved")).toEqual(["Support Ticket Closed"]);
  });

  it("uses verb synonyms: buys, purchases and places an order complete an order", () => {
    expect(events("a week after someone buys a laptop")).toEqual(["Order Completed"]);
    expect(events("after their purchase")).toEqual(["Order Completed"]);
    expect(events("within 14 days of placing an order")).toEqual(["Order Completed"]);
    expect(events("if they still haven't ordered")).toEqual(["Order Completed"]);
    expect(events("when someone books a trip")).toEqual(["Booking Confirmed"]);
    expect(events("if they rate us 2 or lower")).toEqual(["Survey Submitted"]);
    expect(events("for new sign-ups")).toEqual(["Signed Up"]);
  });

  it("keeps two events apart when they share an object", () => {
    expect(events("views a product without adding anything to their cart")).toEqual([
      "Product Viewed",
      "Product Added",
    ]);
  });

  it("breaks a tie in favour of an event the goal already named", () => {
    const mentions = findEventMentions("everyone else who cancels", shop, []);
    expect(mentions[0]!.ties.length).toBeGreaterThan(0);
    expect(events("everyone else who cancels", ["Subscription Cancelled"])).toEqual([
      "Subscription Cancelled",
    ]);
    expect(events("everyone else who cancels", ["Order Cancelled"])).toEqual(["Order Cancelled"]);
  });

  it("finds nothing where nothing is named", () => {
    expect(events("make our customers happier")).toEqual([]);
    expect(events("send them free shipping on their next order right away")).toEqual(["Order Shipped"]);
  });

  it("resolves another workspace's events the same way", () => {
    const telco = buildEventIndex(TELCO_CATALOG);
    const resolve = (goal: string) =>
      findEventMentions(normaliseGoal(goal), telco).map((mention) => mention.event);
    expect(resolve("when a customer reaches their data limit")).toEqual(["Data Limit Reached"]);
    expect(resolve("if the invoice still isn't paid")).toEqual(["Invoice Paid"]);
    expect(resolve("when an invoice is overdue")).toEqual(["Invoice Overdue"]);
    expect(resolve("after the router is installed")).toEqual(["Router Installed"]);
  });
});

describe("date properties", () => {
  it("finds the event that carries a date named in the goal", () => {
    expect(findDatetimeProperty("their trial ends", SHOP_CATALOG)).toMatchObject({
      event: "Trial Started",
      property: "trial_ends_at",
    });
    expect(findDatetimeProperty("departure", SHOP_CATALOG)).toMatchObject({
      event: "Booking Confirmed",
      property: "departure_at",
    });
    expect(findDatetimeProperty("their contract ends", TELCO_CATALOG)).toMatchObject({
      event: "Contract Ending",
      property: "ends_at",
    });
    expect(findDatetimeProperty("lunch", SHOP_CATALOG)).toBeNull();
  });
});
