import { describe, expect, it } from "vitest";
import { findHandoffs, findProfileUpdates, findSends } from "./actions.ts";
import { findOffers, findSplit, splitWeights } from "./offers.ts";
import { normaliseGoal } from "./text.ts";

const norm = normaliseGoal;

describe("offers", () => {
  it("types percent, amount and free-shipping offers", () => {
    expect(findOffers(norm("email them a 10% discount code")).map((o) => o.offer)).toEqual([
      { kind: "percent_off", value: 10, code: "SAVE10" },
    ]);
    expect(findOffers(norm("an offer of 15% off a laptop bag")).map((o) => o.offer)).toEqual([
      { kind: "percent_off", value: 15, applies_to: "laptop bag" },
    ]);
    expect(findOffers(norm("with €5 off")).map((o) => o.offer)).toEqual([
      { kind: "amount_off", value: 5, currency: "EUR" },
    ]);
    expect(findOffers(norm("a $20 voucher")).map((o) => o.offer)).toEqual([
      { kind: "amount_off", value: 20, currency: "USD", code: "USD20OFF" },
    ]);
    expect(findOffers(norm("with free shipping on their next order")).map((o) => o.offer)).toEqual([
      { kind: "free_shipping" },
    ]);
    expect(findOffers(norm("a discount of 25%")).map((o) => o.offer)).toEqual([
      { kind: "percent_off", value: 25 },
    ]);
  });

  it("does not read holdouts or score thresholds as offers", () => {
    expect(findOffers(norm("keep a 10% holdout group"))).toEqual([]);
    expect(findOffers(norm("when churn risk is above 70%"))).toEqual([]);
  });

  it("reads an amount with a describing word, 'worth', or given outright as money off", () => {
    const offers = (goal: string) =>
      findOffers(norm(goal)).map((o) => [o.offer.kind, "value" in o.offer ? o.offer.value : null]);
    expect(offers("push them a €20 meal voucher")).toEqual([["amount_off", 20]]);
    expect(offers("send a coupon worth $15 the next day")).toEqual([["amount_off", 15]]);
    expect(offers("VIP customers get £25 instead")).toEqual([["amount_off", 25]]);
    // a spend threshold followed by an unnamed discount is not money off
    expect(offers("orders over €100 get a discount")).toEqual([["percent_off", 10]]);
  });

  it("does not read a share kept as a control group as an offer", () => {
    expect(findOffers(norm("keep the other 20% as a control group"))).toEqual([]);
  });

  it("drafts 10% when a discount has no amount, and says so", () => {
    expect(findOffers(norm("send them a coupon"))).toMatchObject([
      { offer: { kind: "percent_off", value: 10 }, assumed: true },
    ]);
  });
});

describe("A/B splits", () => {
  it("scales variant weights around the holdout", () => {
    const split = findSplit(
      norm("A/B test two different welcome emails 50/50, and keep a 10% holdout group"),
    );
    expect(split).toMatchObject({ variants: 2, holdout: 10 });
    expect(splitWeights(split!)).toEqual([45, 45]);
    const uneven = findSplit(norm("split test 70/30"));
    expect(splitWeights(uneven!)).toEqual([70, 30]);
    expect(findSplit(norm("send them an email"))).toBeNull();
  });

  it("drafts one variant beside a holdout when only a control group is named", () => {
    const split = findSplit(norm("show 70% of them the banner and keep the other 30% as a control group"));
    expect(split).toMatchObject({ variants: 1, holdout: 30 });
    expect(splitWeights(split!)).toEqual([70]);
  });
});

describe("messages", () => {
  it("finds the channel of every message the goal asks for", () => {
    const channels = (goal: string) => findSends(norm(goal)).map((send) => send.channel);
    expect(channels("text customers a 10% coupon")).toEqual(["sms"]);
    expect(channels("send them an SMS reminder")).toEqual(["sms"]);
    expect(channels("ask for a review by email")).toEqual(["email"]);
    expect(channels("send a push notification with tips")).toEqual(["push"]);
    expect(channels("show them an in-app message")).toEqual(["in_app"]);
    expect(channels("reply in chat with an apology")).toEqual(["chat"]);
    expect(channels("email them the next day, and a week later email them again")).toEqual([
      "email",
      "email",
    ]);
  });

  it("reads 'in the app' and 'in chat' after a verb of telling as those channels", () => {
    const channels = (goal: string) => findSends(norm(goal)).map((send) => send.channel);
    expect(channels("ask in the app whether it arrived")).toEqual(["in_app"]);
    expect(channels("remind them in the app")).toEqual(["in_app"]);
    expect(channels("message the customer in chat to offer a new date")).toEqual(["chat"]);
    // the customer's own words in chat and opening the app are not our messages
    expect(channels("when a customer asks about a refund in chat")).toEqual([]);
    expect(channels("if they open the app")).toEqual([]);
  });

  it("does not read consent to a channel as a message on it", () => {
    const channels = (goal: string) => findSends(norm(goal)).map((send) => send.channel);
    expect(channels("anyone who hasn't allowed push notifications gets an SMS")).toEqual(["sms"]);
    expect(channels("if they opted out of texts, email them")).toEqual(["email"]);
  });

  it("skips channel words that refer to an earlier message or to no message", () => {
    const channels = (goal: string) => findSends(norm(goal)).map((send) => send.channel);
    expect(channels("24 hours after the sms")).toEqual([]);
    expect(channels("a holdout group that gets no email")).toEqual([]);
    expect(channels("if they don't open the email")).toEqual([]);
    expect(channels("if a customer writes in a chat message")).toEqual([]);
  });
});

describe("hand-offs", () => {
  it("routes to the queue the role names, with a priority from the urgency", () => {
    const handoffs = (goal: string) => findHandoffs(norm(goal)).map((h) => [h.queue, h.priority]);
    expect(handoffs("hand the conversation to a senior human agent immediately")).toEqual([
      ["senior_support", "high"],
    ]);
    expect(handoffs("have their account manager call them")).toEqual([["account_manager", "normal"]]);
    expect(handoffs("create a task for a human agent to call them")).toEqual([["support", "normal"]]);
    expect(handoffs("open a follow-up task for the support team")).toEqual([["support", "normal"]]);
    expect(handoffs("escalate to a supervisor")).toEqual([["supervisor", "high"]]);
    expect(handoffs("route the conversation to the billing team right away")).toEqual([["billing", "high"]]);
    expect(handoffs("pro customers get a call from sales")).toEqual([["sales", "normal"]]);
  });

  it("reads hand-offs said as what the person does or where the customer goes", () => {
    const handoffs = (goal: string) => findHandoffs(norm(goal)).map((h) => [h.queue, h.task]);
    expect(handoffs("have a sales rep give them a call")).toEqual([["sales", "give them a call"]]);
    expect(handoffs("get a senior agent on it")).toEqual([["senior_support", null]]);
    expect(handoffs("let their account manager know")).toEqual([["account_manager", null]]);
    expect(handoffs("they go straight to a supervisor")).toEqual([["supervisor", null]]);
    expect(handoffs("enterprise customers get routed to a human agent")).toEqual([["support", null]]);
    expect(handoffs("their account manager calls them instead")).toEqual([["account_manager", "calls them"]]);
    expect(handoffs("hand it to collections")).toEqual([["billing", null]]);
    expect(handoffs("we go to the store")).toEqual([]);
  });

  it("does not read a customer's own ticket as a task for us", () => {
    expect(findHandoffs(norm("when a vip opens a high-priority support ticket"))).toEqual([]);
    expect(findHandoffs(norm("customers who have an open support ticket"))).toEqual([]);
  });
});

describe("profile updates", () => {
  it("sets an enumerated trait when the goal says so", () => {
    const traits = [{ name: "tier", values: ["vip", "regular"] }];
    expect(findProfileUpdates(norm("upgrade them to VIP and send an email"), traits)).toMatchObject([
      { trait: "tier", value: "vip" },
    ]);
    expect(findProfileUpdates(norm("upgrade them to the new app"), traits)).toEqual([]);
  });
});
