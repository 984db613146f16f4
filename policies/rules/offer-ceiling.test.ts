import { describe, expect, it } from "vitest";
import type { Offer } from "../../journeys/format/schema.ts";
import { config, customer, message } from "../test-fixtures.ts";
import { offerCeilingPolicy } from "./offer-ceiling.ts";

const now = new Date("2026-03-02T10:00:00Z");
const withOffer = (offer: Offer) => message("email", { category: "promotional", offer });
const ceilings = config({
  offer_ceilings: {
    max_percent: 15,
    max_amount: 20,
    currency: "EUR",
    action: "deny",
    rules: [
      { name: "vip", segments: ["vip"], max_percent: 30, action: "review" },
      { name: "new-customers", when: { field: "traits.orders_count", op: "eq", value: 0 }, max_percent: 10 },
    ],
  },
});

describe("offer ceilings", () => {
  it("allows an action without an offer, and free shipping", () => {
    expect(offerCeilingPolicy(message("email"), customer(), ceilings, now).verdict).toBe("allow");
    expect(offerCeilingPolicy(withOffer({ kind: "free_shipping" }), customer(), ceilings, now).verdict).toBe(
      "allow",
    );
  });

  it("allows exactly the ceiling and denies one point above it", () => {
    expect(
      offerCeilingPolicy(withOffer({ kind: "percent_off", value: 15 }), customer(), ceilings, now).verdict,
    ).toBe("allow");
    const over = offerCeilingPolicy(withOffer({ kind: "percent_off", value: 16 }), customer(), ceilings, now);
    expect(over.verdict).toBe("deny");
    expect(over.reason).toBe("Offer denied: 16% off is above the workspace ceiling of 15%.");
  });

  it("caps amounts in the ceiling's currency and sends other currencies to review", () => {
    expect(
      offerCeilingPolicy(
        withOffer({ kind: "amount_off", value: 20, currency: "EUR" }),
        customer(),
        ceilings,
        now,
      ).verdict,
    ).toBe("allow");
    expect(
      offerCeilingPolicy(withOffer({ kind: "amount_off", value: 25 }), customer(), ceilings, now).verdict,
    ).toBe("deny");
    const usd = offerCeilingPolicy(
      withOffer({ kind: "amount_off", value: 5, currency: "USD" }),
      customer(),
      ceilings,
      now,
    );
    expect(usd.verdict).toBe("review");
    expect(usd.reason).toContain("cannot be compared");
  });

  it("uses the first matching segment rule: VIPs may get up to 30%, above that a person decides", () => {
    const vip = customer({ segments: ["vip"] });
    expect(
      offerCeilingPolicy(withOffer({ kind: "percent_off", value: 25 }), vip, ceilings, now).verdict,
    ).toBe("allow");
    const over = offerCeilingPolicy(withOffer({ kind: "percent_off", value: 35 }), vip, ceilings, now);
    expect(over.verdict).toBe("review");
    expect(over.reason).toContain('rule "vip"');
  });

  it("lowers the ceiling for customers matching a condition rule", () => {
    const first = customer({ traits: { orders_count: 0 } });
    expect(
      offerCeilingPolicy(withOffer({ kind: "percent_off", value: 12 }), first, ceilings, now).verdict,
    ).toBe("deny");
  });

  it("allows any value when no ceiling is configured", () => {
    expect(
      offerCeilingPolicy(withOffer({ kind: "percent_off", value: 90 }), customer(), config({}), now).verdict,
    ).toBe("allow");
  });
});
