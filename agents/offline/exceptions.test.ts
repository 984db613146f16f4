import { describe, expect, it } from "vitest";
import { splitExceptions } from "./exceptions.ts";

describe("an exception said inside a sentence becomes an 'instead' sentence of its own", () => {
  it("splits 'unless X, in which case Y' into the main action and 'if X, Y instead'", () => {
    const { sentences, exceptions } = splitExceptions([
      "when a trial starts, email them after 2 days unless they are on the pro plan, in which case text them",
    ]);
    expect(sentences).toEqual([
      "when a trial starts, email them after 2 days",
      "if they are on the pro plan, text them instead",
    ]);
    expect([...exceptions]).toEqual([1]);
  });

  it("splits 'except for X, who get Y instead' into the main action and 'X get Y instead'", () => {
    const { sentences, exceptions } = splitExceptions([
      "first sentence",
      "email them 10% off except for vip customers, who get a call instead",
    ]);
    expect(sentences).toEqual(["first sentence", "email them 10% off", "vip customers get a call instead"]);
    expect([...exceptions]).toEqual([2]);
  });

  it("leaves an 'unless' with no alternative and an 'except' with no 'instead' alone", () => {
    const untouched = [
      "email them after 2 days unless they've updated their card",
      "email an acknowledgement except customers with more than 2 open tickets, who go straight to a supervisor",
    ];
    const { sentences, exceptions } = splitExceptions(untouched);
    expect(sentences).toEqual(untouched);
    expect(exceptions.size).toBe(0);
  });
});
