import { describe, expect, it } from "vitest";
import { config, customer, message } from "../test-fixtures.ts";
import { suppressionPolicy } from "./suppression.ts";

const now = new Date("2026-03-02T10:00:00Z");
const openTickets = config({
  suppression: {
    rules: [
      {
        name: "open-support-ticket",
        when: { field: "traits.open_support_tickets", op: "gt", value: 0 },
        reason: "the customer has an open support ticket",
      },
    ],
  },
});

describe("suppression rules as conditions", () => {
  it("denies a promotional email while a support ticket is open, with the rule's reason", () => {
    const context = customer({ traits: { open_support_tickets: 2 } });
    const verdict = suppressionPolicy(
      message("email", { category: "promotional" }),
      context,
      openTickets,
      now,
    );
    expect(verdict.verdict).toBe("deny");
    expect(verdict.reason).toContain("open support ticket");
    expect(verdict.details?.rules).toEqual(["open-support-ticket"]);
  });

  it("lets transactional messages through while a ticket is open", () => {
    const context = customer({ traits: { open_support_tickets: 2 } });
    const verdict = suppressionPolicy(
      message("email", { category: "transactional" }),
      context,
      openTickets,
      now,
    );
    expect(verdict.verdict).toBe("allow");
  });

  it("allows promotions once no ticket is open (0, absent, or a CRM string '0')", () => {
    for (const traits of [{ open_support_tickets: 0 }, {}, { open_support_tickets: "0" }]) {
      const verdict = suppressionPolicy(
        message("email", { category: "promotional" }),
        customer({ traits }),
        openTickets,
        now,
      );
      expect(verdict.verdict).toBe("allow");
    }
  });

  it("treats an uncategorised message as promotional, and one with an offer too", () => {
    const context = customer({ traits: { open_support_tickets: 1 } });
    expect(
      suppressionPolicy(message("sms", { category: undefined }), context, openTickets, now).verdict,
    ).toBe("deny");
    const withOffer = message("email", { category: undefined, offer: { kind: "percent_off", value: 10 } });
    expect(suppressionPolicy(withOffer, context, openTickets, now).verdict).toBe("deny");
  });

  it("does not apply to hand-offs or webhooks", () => {
    const context = customer({ traits: { open_support_tickets: 1 } });
    expect(
      suppressionPolicy(message("handoff", { category: undefined }), context, openTickets, now).verdict,
    ).toBe("allow");
    expect(
      suppressionPolicy(message("webhook", { category: undefined }), context, openTickets, now).verdict,
    ).toBe("allow");
  });

  it("limits a rule to its channels and segments, and sends to review when the rule says so", () => {
    const cfg = config({
      suppression: {
        rules: [
          { name: "churners-no-sms", segments: ["likely-churners"], channels: ["sms"], action: "review" },
        ],
      },
    });
    const churner = customer({ segments: ["likely-churners"] });
    expect(suppressionPolicy(message("sms", { category: "promotional" }), churner, cfg, now).verdict).toBe(
      "review",
    );
    expect(suppressionPolicy(message("email", { category: "promotional" }), churner, cfg, now).verdict).toBe(
      "allow",
    );
    expect(suppressionPolicy(message("sms", { category: "promotional" }), customer(), cfg, now).verdict).toBe(
      "allow",
    );
  });

  it("needs both the segment and the condition when a rule names both", () => {
    const cfg = config({
      suppression: {
        rules: [
          {
            name: "vip-quiet",
            segments: ["vip"],
            when: { field: "traits.do_not_disturb", op: "eq", value: true },
          },
        ],
      },
    });
    const promo = message("email", { category: "promotional" });
    expect(suppressionPolicy(promo, customer({ segments: ["vip"], traits: {} }), cfg, now).verdict).toBe(
      "allow",
    );
    expect(
      suppressionPolicy(promo, customer({ segments: ["vip"], traits: { do_not_disturb: true } }), cfg, now)
        .verdict,
    ).toBe("deny");
  });

  it("can read the customer's local clock (no promotions on Sundays)", () => {
    const cfg = config({
      suppression: {
        rules: [{ name: "no-sunday-promos", when: { field: "local.weekday", op: "eq", value: 0 } }],
      },
    });
    const promo = message("email", { category: "promotional" });
    expect(suppressionPolicy(promo, customer(), cfg, new Date("2026-03-01T10:00:00Z")).verdict).toBe("deny");
    expect(suppressionPolicy(promo, customer(), cfg, now).verdict).toBe("allow");
  });

  it("prefers deny over review when several rules match and lists only the denying ones", () => {
    const cfg = config({
      suppression: {
        rules: [
          {
            name: "soft",
            when: { field: "traits.tier", op: "eq", value: "vip" },
            action: "review",
            reason: "VIP",
          },
          {
            name: "hard",
            when: { field: "traits.blocked", op: "eq", value: true },
            reason: "blocked customer",
          },
        ],
      },
    });
    const verdict = suppressionPolicy(
      message("email", { category: "promotional" }),
      customer({ traits: { tier: "vip", blocked: true } }),
      cfg,
      now,
    );
    expect(verdict.verdict).toBe("deny");
    expect(verdict.reason).toContain("blocked customer");
    expect(verdict.reason).not.toContain("VIP");
  });
});

describe("never promote a product the customer is returning", () => {
  const returning = customer({ returningProductIds: ["p3", "p9"] });

  it("denies a promotion that features a product being returned and names it", () => {
    const promo = message("email", { category: "promotional", productIds: ["p1", "p3"] });
    const verdict = suppressionPolicy(promo, returning, config({}), now);
    expect(verdict.verdict).toBe("deny");
    expect(verdict.reason).toContain("p3");
    expect(verdict.reason).not.toContain("p1");
  });

  it("allows a promotion of other products, and a transactional message about the returned one", () => {
    expect(
      suppressionPolicy(
        message("email", { category: "promotional", productIds: ["p4"] }),
        returning,
        config({}),
        now,
      ).verdict,
    ).toBe("allow");
    expect(
      suppressionPolicy(
        message("email", { category: "transactional", productIds: ["p3"] }),
        returning,
        config({}),
        now,
      ).verdict,
    ).toBe("allow");
  });

  it("can be switched off", () => {
    const cfg = config({ suppression: { returning_products: false } });
    const promo = message("email", { category: "promotional", productIds: ["p3"] });
    expect(suppressionPolicy(promo, returning, cfg, now).verdict).toBe("allow");
  });
});
