import { describe, expect, it } from "vitest";
import { clauseRanges, normaliseGoal, singular, splitSentences, stem, tokenize } from "./text.ts";

describe("normaliseGoal", () => {
  it("writes numbers, units, percentages and money in one form", () => {
    expect(normaliseGoal("Two days later")).toBe("2 days later");
    expect(normaliseGoal("an hour later, then a week after")).toBe("1 hour later, then 1 week after");
    expect(normaliseGoal("twenty-four hours")).toBe("24 hours");
    expect(normaliseGoal("half an hour")).toBe("30 minutes");
    expect(normaliseGoal("10 percent off")).toBe("10% off");
    expect(normaliseGoal("5 euros off")).toBe("€5 off");
    expect(normaliseGoal("5 dollars off")).toBe("$5 off");
    expect(normaliseGoal("after 24h")).toBe("after 24 hours");
    expect(normaliseGoal("Send an E-mail")).toBe("send an email");
  });

  it("reads thousands separators as one number, and states by their opposite event", () => {
    expect(normaliseGoal("a checkout worth over 1,000 EUR")).toBe("a checkout worth over €1000");
    expect(normaliseGoal("over 12,500.50")).toBe("over 12500.50");
    expect(normaliseGoal("if the ticket is still open")).toBe("if the ticket is still not closed");
    expect(normaliseGoal("while the invoice is unpaid")).toBe("while the invoice is not paid");
    expect(normaliseGoal("the store is open to everyone")).toBe("the store is open to everyone");
    expect(normaliseGoal("when a basket is abandoned")).toBe(
      "when a product is added to the cart without completing the order",
    );
  });

  it("keeps 'one' as a pronoun when it is not a quantity", () => {
    expect(normaliseGoal("no one should get two emails")).toBe("no one should get 2 emails");
    expect(normaliseGoal("one day before it ends")).toBe("1 day before it ends");
  });

  it("paraphrases abandonment idioms into events the catalog names", () => {
    expect(normaliseGoal("after they abandon checkout")).toBe(
      "after they start checkout without completing the order",
    );
    expect(normaliseGoal("when someone abandons their basket")).toBe(
      "when someone add a product to the cart without completing the order",
    );
    expect(normaliseGoal("if they still haven't ordered")).toBe("if they still haven't completed an order");
  });
});

describe("sentences and clauses", () => {
  it("does not end a sentence at a decimal point", () => {
    expect(splitSentences("when churn risk rises above 0.7, call them. then email them.")).toEqual([
      "when churn risk rises above 0.7, call them",
      "then email them",
    ]);
  });

  it("starts a sentence at ', but <another group>', not at ', but only to …'", () => {
    expect(splitSentences("email vips 30% off, but regular customers only get a survey")).toEqual([
      "email vips 30% off",
      "regular customers only get a survey",
    ]);
    expect(splitSentences("send a push, but never to customers who have an open ticket")).toHaveLength(1);
    expect(splitSentences("push them, but only to people who haven't opened the app")).toHaveLength(1);
  });

  it("splits clauses at commas but not inside numbers", () => {
    const text = "when an order over 1,000 ships, email them";
    expect(clauseRanges(text).map((range) => text.slice(range.start, range.end).trim())).toEqual([
      "when an order over 1,000 ships",
      "email them",
    ]);
  });
});

describe("stems", () => {
  it("makes the forms of one verb agree", () => {
    for (const group of [
      ["ships", "shipped", "shipping"],
      ["cancels", "cancelled", "canceled", "cancellation"],
      ["completes", "completed", "complete"],
      ["succeeds", "succeeded", "succeed"],
      ["adds", "added", "adding"],
      ["submits", "submitted"],
    ]) {
      expect(new Set(group.map(stem)).size, group.join("/")).toBe(1);
    }
  });

  it("reads phrasal verbs as one word, as catalog names write them", () => {
    expect(tokenize("when someone signs up").map((token) => token.stem)).toContain("signup");
    expect(tokenize("new sign-ups").map((token) => token.stem)).toContain("signup");
    expect(tokenize("signed up").map((token) => token.stem)).toEqual(["signup"]);
  });

  it("singularises simple nouns", () => {
    expect(singular("laptops")).toBe("laptop");
    expect(singular("batteries")).toBe("battery");
    expect(singular("glass")).toBe("glass");
  });
});
