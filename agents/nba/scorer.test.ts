import { describe, expect, it } from "vitest";
import { createScorerNba, offerCost } from "./scorer.ts";
import { customerSignals, objectiveFocus } from "./signals.ts";
import { ago, HOUR, NOW, nbaRequest, OPTIONS } from "./testing.ts";

/** The deterministic scorer on crafted customers: each case is a decision a CX lead would expect. */

const scorer = createScorerNba();
const choose = async (input: Parameters<typeof nbaRequest>[0]) => scorer.choose(nbaRequest(input));

describe("the deterministic next-best-action scorer", () => {
  it("gives a customer likely to leave and unlikely to buy the bigger incentive", async () => {
    const choice = await choose({
      options: [OPTIONS.plainEmail, OPTIONS.email10, OPTIONS.email25],
      traits: { churn_risk: 0.9, purchase_propensity: 0.1 },
    });
    expect(choice.optionId).toBe("email_25");
    expect(choice.chosenBy).toBe("scorer");
    expect(choice.reason).toContain("an incentive pays off (churn 0.90, propensity 0.10)");
  });

  it("gives away no margin to a loyal customer who would buy anyway, wherever the offer is listed", async () => {
    const choice = await choose({
      objective: "get them to order again",
      options: [OPTIONS.email25, OPTIONS.email10, OPTIONS.plainEmail],
      traits: { churn_risk: 0.05, purchase_propensity: 0.9 },
    });
    expect(choice.optionId).toBe("plain_email");
    expect(choice.reason).toContain("a nudge without a discount suffices");
  });

  it("hands a customer whose own chat message sounds furious to a person instead of an offer", async () => {
    const text = "This is the third time my order is late. I'm furious, fix it now or I'm leaving.";
    const choice = await choose({
      objective: "keep the customer",
      options: [OPTIONS.email10, OPTIONS.handoff],
      trigger: { name: "Chat Message Received", properties: { conversation_id: "k1", text }, timestamp: NOW },
    });
    expect(choice.optionId).toBe("call_them");
    expect(choice.reason).toContain("frustration 1.00 in their own words");
  });

  it("sends nothing promotional while a support ticket is open (from the recent events)", async () => {
    const choice = await choose({
      options: [OPTIONS.email25, OPTIONS.nothing],
      events: [
        {
          name: "Support Ticket Opened",
          properties: { ticket_id: "t1", topic: "refund" },
          timestamp: ago(5 * HOUR),
        },
      ],
    });
    expect(choice.optionId).toBe("nothing");
    const closed = await choose({
      options: [OPTIONS.email25, OPTIONS.nothing],
      events: [
        {
          name: "Support Ticket Opened",
          properties: { ticket_id: "t1", topic: "refund" },
          timestamp: ago(5 * HOUR),
        },
        { name: "Support Ticket Closed", properties: { ticket_id: "t1" }, timestamp: ago(HOUR) },
      ],
    });
    expect(closed.optionId).toBe("email_25");
  });

  it("prefers a channel the customer opted in to over one they never agreed to", async () => {
    const choice = await choose({
      options: [OPTIONS.sms, OPTIONS.plainEmail],
      consent: { email: true },
    });
    expect(choice.optionId).toBe("plain_email");
  });

  it("follows the objective's channel and the customer's recent activity", async () => {
    const choice = await choose({
      objective: "bring app users back with a push",
      options: [OPTIONS.plainEmail, OPTIONS.push],
      events: [{ name: "App Opened", properties: { platform: "ios" }, timestamp: ago(48 * HOUR) }],
    });
    expect(choice.optionId).toBe("push_nudge");
    expect(choice.reason).toContain("the objective names push");
  });

  it("keeps offers small when the objective asks to protect margin", async () => {
    const choice = await choose({
      objective: "recover abandoned carts without giving away margin",
      options: [OPTIONS.email25, OPTIONS.email10, OPTIONS.plainEmail],
      traits: { churn_risk: 0.6, purchase_propensity: 0.3 },
    });
    expect(choice.optionId).toBe("plain_email");
  });

  it("breaks ties by the journey's order and says so", async () => {
    const first = { ...OPTIONS.plainEmail, id: "first" };
    const second = { ...OPTIONS.plainEmail, id: "second" };
    const forward = await choose({ options: [first, second] });
    const backward = await choose({ options: [second, first] });
    expect(forward.optionId).toBe("first");
    expect(backward.optionId).toBe("second");
    expect(forward.reason).toContain('tied with "second"');
  });

  it("does nothing when nothing is eligible", async () => {
    const choice = await choose({ options: [] });
    expect(choice.optionId).toBeNull();
    expect(choice.reason).toBe("no option is eligible for this customer");
  });
});

describe("signals", () => {
  it("read the objective's intent, channels and thrift", () => {
    expect(objectiveFocus("Win back lapsed customers by SMS without a discount")).toEqual({
      retain: true,
      convert: false,
      support: false,
      engage: false,
      thrift: true,
      channels: ["sms"],
    });
  });

  it("count only the customer's own recent words towards frustration", () => {
    const angryLongAgo = customerSignals(
      nbaRequest({
        options: [],
        events: [
          {
            name: "Chat Message Received",
            properties: { text: "I'm furious, this is unacceptable!" },
            timestamp: ago(10 * 24 * HOUR),
          },
          // a product name is not the customer's words
          {
            name: "Product Viewed",
            properties: { name: "Furious Five action figure" },
            timestamp: ago(HOUR),
          },
        ],
      }),
    );
    expect(angryLongAgo.frustration).toBe(0);
    expect(angryLongAgo.texts.map((text) => text.source)).toEqual(["Chat Message Received.text"]);
  });

  it("price offers as a share of an order", () => {
    expect(offerCost({ kind: "percent_off", value: 10 })).toBe(0.1);
    expect(offerCost({ kind: "amount_off", value: 15, currency: "EUR" })).toBe(0.15);
    expect(offerCost({ kind: "free_shipping" })).toBe(0.08);
    expect(offerCost(undefined)).toBe(0);
  });
});
