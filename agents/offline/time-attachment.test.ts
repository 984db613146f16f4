import { describe, expect, it } from "vitest";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import { draftJourney, nodeById, TELCO_CATALOG } from "./test-fixtures.ts";
import { normaliseGoal } from "./text.ts";
import { conditionBinds } from "./time-attachment.ts";
import { findTimeExpressions } from "./time-expressions.ts";

/**
 * A time said inside one clause of two verb phrases joined by "and" belongs to its own verb phrase:
 * "email them now and text them 2 days later" is email → wait → SMS, as the same goal with a comma
 * is. Wordings are this file's own, on the shop and telco workspaces.
 */

/** What a customer meets from the start, following each node's `next`. */
function sequence(journey: JourneyInput): string[] {
  const seen: string[] = [];
  let id: string | undefined = journey.start;
  while (id && seen.length < 20) {
    const node = nodeById(journey, id);
    if (node.type === "send") seen.push(`send:${node.channel}`);
    else if (node.type === "wait") seen.push(`wait:${node.duration ?? "until"}`);
    else seen.push(node.type);
    id = "next" in node ? node.next : undefined;
  }
  return seen;
}

describe("a time attaches to the verb phrase it is said in", () => {
  it.each([
    [
      "When a trial starts, email them now and text them 3 days later.",
      ["send:email", "wait:P3D", "send:sms"],
    ],
    [
      "When a trial starts, text them now and email them a day later.",
      ["send:sms", "wait:P1D", "send:email"],
    ],
    [
      "When an order ships, push them right away and email them 4 hours later.",
      ["send:push", "wait:PT4H", "send:email"],
    ],
    [
      "When an order ships, push right away and email 4 hours later.",
      ["send:push", "wait:PT4H", "send:email"],
    ],
    [
      "When someone signs up, text them at once and then email after 2 days.",
      ["send:sms", "wait:P2D", "send:email"],
    ],
    [
      "When someone signs up, email immediately and then SMS after a day.",
      ["send:email", "wait:P1D", "send:sms"],
    ],
    ["When a trial starts, email them instantly and send a push straight away.", ["send:email", "send:push"]],
    [
      "When a payment fails, email them straight away and hand them to billing 5 hours later.",
      ["send:email", "wait:PT5H", "handoff"],
    ],
    ["When someone signs up, email them and text them 2 days later.", ["send:email", "wait:P2D", "send:sms"]],
    [
      "When someone signs up, email them and wait 2 days and then text them.",
      ["send:email", "wait:P2D", "send:sms"],
    ],
  ])("%s", (goal, expected) => {
    expect(sequence(draftJourney(goal))).toEqual([...expected, "exit"]);
  });

  it.each([
    [
      "When a trial starts, email them now and text them 3 days later.",
      "When a trial starts, email them now, and text them 3 days later.",
    ],
    [
      "When someone signs up, send an SMS after 1 hour and an email after 1 day.",
      "When someone signs up, send an SMS after 1 hour, and an email after 1 day.",
    ],
    [
      "When an order ships, push them right away and email them 4 hours later.",
      "When an order ships, push them right away, then email them 4 hours later.",
    ],
  ])("reads '%s' as the same goal said with a comma", (joined, separated) => {
    expect(sequence(draftJourney(joined))).toEqual(sequence(draftJourney(separated)));
  });

  it("chains two delays of one clause, as the comma-separated list does ('after N' counts from the step before)", () => {
    expect(
      sequence(draftJourney("When someone signs up, send an SMS after 1 hour and an email after 1 day.")),
    ).toEqual(["wait:PT1H", "send:sms", "wait:P1D", "send:email", "exit"]);
  });

  it("gives two objects of one verb the one time said after them", () => {
    expect(sequence(draftJourney("When a trial starts, send an email and a push 2 days later."))).toEqual([
      "wait:P2D",
      "send:email",
      "send:push",
      "exit",
    ]);
  });

  it("reads the same on a workspace the planner was never tuned on (telco)", () => {
    expect(
      sequence(
        draftJourney("When an invoice is overdue, text them now and email them 2 days later.", TELCO_CATALOG),
      ),
    ).toEqual(["send:sms", "wait:P2D", "send:email", "exit"]);
  });
});

describe("a bare 'now'", () => {
  const immediates = (text: string) =>
    findTimeExpressions(normaliseGoal(text))
      .filter((time) => time.kind === "immediate")
      .map((time) => time.text);

  it("is the moment of the action it follows", () => {
    expect(immediates("email them now and text them later")).toEqual(["now"]);
  });

  it("is not a moment in 'from now on', 'by now', 'is now', 'now that' or 'every now and then'", () => {
    for (const text of [
      "from now on, email them weekly",
      "if they haven't paid by now",
      "when their plan is now pro",
      "now that they have signed up, email them",
      "text them every now and then",
    ])
      expect(immediates(text), text).toEqual([]);
  });
});

describe("a condition said inside a clause binds the verb phrase it is said in", () => {
  /** Which of the clause's actions (given by their words) the condition at `said` binds. */
  function bound(text: string, actionWords: readonly string[], said: string): string[] {
    const clause = { start: 0, end: text.length };
    const actions = actionWords.map((words) => text.indexOf(words));
    const condition = text.indexOf(said);
    return actionWords.filter((_, index) =>
      conditionBinds(condition, actions[index]!, text, clause, actions),
    );
  }

  it("binds only the action a trailing condition follows", () => {
    expect(
      bound(
        "push them now and email them a voucher if the delay is over 3 hours",
        ["push", "email"],
        "the delay",
      ),
    ).toEqual(["email"]);
    expect(
      bound("email them a receipt if they are vip and text them later", ["email", "text"], "they are vip"),
    ).toEqual(["email"]);
  });

  it("binds its own and the later actions when said before them", () => {
    expect(bound("if they are vip email them and text them", ["email", "text"], "they are vip")).toEqual([
      "email",
      "text",
    ]);
  });

  it("binds every object of one verb", () => {
    // offsets are where the channel words start, as the message recogniser reports them
    expect(bound("send an email and an sms if the delay is long", ["email", "sms"], "the delay")).toEqual([
      "email",
      "sms",
    ]);
  });
});
