import { describe, expect, it } from "vitest";
import { loadEvalCatalog } from "../../evals/cases.ts";
import { sharedPathForTest } from "../../evals/shared-data.ts";
import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import { planJourney } from "./planner.ts";
import { draftResult, nodeById, nodesOfType, SHOP_CATALOG, TELCO_CATALOG } from "./test-fixtures.ts";
import { unplacedActions } from "./unplaced-actions.ts";

/**
 * Actions the planner used to drop without a word: a person of ours made to act with a verb the
 * hand-off patterns did not list ("have their account manager introduce themselves"), a customer
 * sent to a person ("ask them to talk to a supervisor"), "everyone else" joined to the first clause
 * by "and", and the group of a two-way split that gets nothing; and the guard that asks about any
 * instruction naming a channel or a person that still produced no step. Wordings are this file's own, on
 * the shop and telco workspaces and on the shared eval workspace.
 */

const catalogPath = sharedPathForTest("evals", "catalog.json");

/** The workspaces with a VIP tier and a survey event: the shop, and the eval workspace when present. */
function shopLike(): Array<[string, () => WorkspaceCatalog]> {
  const shared: Array<[string, () => WorkspaceCatalog]> = catalogPath
    ? [["eval", () => loadEvalCatalog(catalogPath).catalog]]
    : [];
  return [["shop", () => SHOP_CATALOG], ...shared];
}

describe.skipIf(!catalogPath)("the shared eval workspace is present", () => {
  it("runs the eval-workspace cases of this file", () => {
    expect(shopLike().map(([name]) => name)).toContain("eval");
  });
});

describe.each(shopLike())(
  "a person of ours made to act, whatever the verb (%s workspace)",
  (_name, catalog) => {
    it.each([
      [
        "When a customer becomes a VIP, send them a welcome email from the VIP team and have their account manager introduce themselves within a day.",
        "account_manager",
      ],
      [
        "When a customer becomes a VIP, email them and get our success team to reach out within a day.",
        "customer_success",
      ],
      ["When a customer becomes a VIP, email them, then have someone from our VIP team say hello.", "vip"],
      [
        "When a customer becomes a VIP, send a welcome email and let their account manager get in touch the next day.",
        "account_manager",
      ],
    ])("drafts the email and the hand-off: %s", (goal, queue) => {
      const { journey } = draftResult(goal, catalog());
      expect(nodesOfType(journey, "handoff").map((node) => node.queue)).toEqual([queue]);
      expect(nodesOfType(journey, "send").map((node) => node.channel)).toEqual(["email"]);
    });

    it("reads 'customers who have an open support ticket' as what they have, not as a task for us", () => {
      const { journey } = draftResult(
        "Three hours after someone starts checkout without completing the order, send them an SMS, but never to customers who have an open support ticket.",
        catalog(),
      );
      expect(nodesOfType(journey, "handoff")).toEqual([]);
    });
  },
);

describe("a person of ours made to act, on the telco workspace", () => {
  it("drafts the hand-off beside the welcome email", () => {
    const { journey } = draftResult(
      "When a contract is signed, send a welcome email and have their account manager introduce themselves within a day.",
      TELCO_CATALOG,
    );
    const [handoff] = nodesOfType(journey, "handoff");
    expect(handoff?.queue).toBe("account_manager");
    expect(handoff?.instructions).toContain("Introduce themselves");
    expect(nodesOfType(journey, "send").map((node) => node.channel)).toEqual(["email"]);
  });
});

describe.each(shopLike())(
  "a customer sent to a person, everyone else messaged (%s workspace)",
  (_name, catalog) => {
    it.each([
      "Ask every customer who submits a survey with a score of 3 or less to talk to a supervisor, and thank everyone else by email.",
      "When someone submits a survey scoring 3 or below, offer them a call with a supervisor, and email everyone else a thank-you.",
      "When someone submits a survey scoring 3 or below, connect them with a supervisor. Others get a thank-you email.",
      "When a survey comes in with a score of 3 or less, put them through to a supervisor while all the others get a thank-you email.",
    ])("branches on the score: a low one goes to a supervisor, the rest get an email: %s", (goal) => {
      const { journey } = draftResult(goal, catalog());
      // The score picks the path; it does not keep everyone else out of the journey.
      expect(journey.trigger).toEqual({ type: "event", event: "Survey Submitted" });
      const [branch] = nodesOfType(journey, "branch");
      expect(branch?.branches).toHaveLength(1);
      expect(branch?.branches[0]?.condition).toEqual({
        field: "trigger.properties.score",
        op: "lte",
        value: 3,
      });
      expect(nodeById(journey, branch!.branches[0]!.next)).toMatchObject({
        type: "handoff",
        queue: "supervisor",
      });
      expect(nodeById(journey, branch!.otherwise)).toMatchObject({ type: "send", channel: "email" });
    });
  },
);

describe("a customer sent to a person, on the telco workspace", () => {
  it("sends long-overdue invoices to billing and reminds everyone else by SMS", () => {
    const { journey } = draftResult(
      "When an invoice is more than 30 days overdue, ask the customer to speak with a billing agent, and send everyone else an SMS reminder.",
      TELCO_CATALOG,
    );
    const [branch] = nodesOfType(journey, "branch");
    expect(branch?.branches[0]?.condition).toEqual({
      field: "trigger.properties.days_overdue",
      op: "gt",
      value: 30,
    });
    expect(nodeById(journey, branch!.branches[0]!.next)).toMatchObject({ type: "handoff", queue: "billing" });
    expect(nodeById(journey, branch!.otherwise)).toMatchObject({ type: "send", channel: "sms" });
  });
});

describe.each([
  ...shopLike().map(([name, catalog]): [string, () => WorkspaceCatalog, string] => [
    name,
    catalog,
    "new trial users",
  ]),
  ["telco", () => TELCO_CATALOG, "customers who sign a contract"],
])("a two-way split where one group gets nothing (%s workspace)", (_name, catalog, who) => {
  it.each([
    [`Split ${who} into two groups: one gets a daily tips email for 3 days, the other gets nothing.`, 3],
    [
      `Divide ${who} into two groups: one group gets a tips email every day for 3 days, the other group is a control.`,
      3,
    ],
    [`Split ${who} in two: one gets a tips email after a day, the rest get nothing.`, 1],
  ])("splits once, holds the other group out, repeats the sends in the variant's path: %s", (goal, sends) => {
    const { journey } = draftResult(goal, catalog());
    const splits = nodesOfType(journey, "split");
    expect(splits).toHaveLength(1);
    const variants = splits[0]!.variants;
    expect(variants.map((variant) => [variant.weight, variant.holdout ?? false])).toEqual([
      [50, false],
      [50, true],
    ]);
    expect(nodeById(journey, variants[1]!.next).type).toBe("exit");
    // Every send is on the variant's path: walking it from the split meets them all.
    const onPath: string[] = [];
    let current = nodeById(journey, variants[0]!.next);
    while (current.type !== "exit") {
      if (current.type === "send") onPath.push(current.channel);
      if (!("next" in current) || !current.next) break;
      current = nodeById(journey, current.next);
    }
    expect(onPath).toEqual(Array.from({ length: sends }, () => "email"));
    expect(nodesOfType(journey, "send")).toHaveLength(sends);
  });

  it("keeps both groups as variants when the other one gets a message too", () => {
    const { journey } = draftResult(
      `Split ${who} into two groups: one gets a tips email, the other gets an SMS.`,
      catalog(),
    );
    const [split] = nodesOfType(journey, "split");
    expect(split?.variants.map((variant) => nodeById(journey, variant.next))).toMatchObject([
      { type: "send", channel: "email" },
      { type: "send", channel: "sms" },
    ]);
  });
});

describe.each([...shopLike(), ["telco", () => TELCO_CATALOG] as [string, () => WorkspaceCatalog]])(
  "an instruction that produced no step is asked about, never dropped (%s workspace)",
  (_name, catalog) => {
    it.each([
      [
        "When a customer becomes a VIP, email them and loop in their account manager.",
        "loop in their account manager",
      ],
      [
        "When a trial starts, send a welcome email, then arrange a phone call with a specialist.",
        "arrange a phone call with a specialist",
      ],
      [
        "When an invoice is overdue, send an SMS reminder and involve the collections team.",
        "involve the collections team",
      ],
    ])("quotes the phrase: %s", (goal, phrase) => {
      const result = planJourney(goal, { catalog: catalog() });
      expect(result.kind).toBe("clarify");
      if (result.kind !== "clarify") return;
      expect(result.question).toContain(`"${phrase}"`);
      expect(result.missing).toContain("action");
    });
  },
);

describe.each(shopLike())(
  "channels and people said as context are no unplaced step (%s workspace)",
  (_name, catalog) => {
    it.each([
      // a channel said as context: where the customer wrote, what they opened
      "When a customer writes in chat, email them a short survey the next day.",
      "When a customer becomes a VIP, send them a welcome email from the VIP team.",
      // a prohibition is no step to place
      "When a customer becomes a VIP, send a welcome email and never text them at night.",
      // consent is a condition the fallbacks read
      "When a customer becomes a VIP, send a push, but only to those who allow push notifications; others get an email.",
    ])("drafts without asking when every channel and person is placed or context: %s", (goal) => {
      expect(planJourney(goal, { catalog: catalog() }).kind).toBe("journey");
    });
  },
);

describe("channels said as context on the telco workspace", () => {
  it("drafts without asking when the customer's own call and SMS are context", () => {
    const goal =
      "When a customer who reached their data limit tops up by SMS, email them a receipt and never text them at night.";
    expect(planJourney(goal, { catalog: TELCO_CATALOG }).kind).toBe("journey");
  });
});

describe("the instructions the guard reads", () => {
  it("takes a phrase from its verb to the next joined clause, and only where it is an instruction", () => {
    const text = "when a customer writes in chat, email them and loop in their account manager, then wait";
    expect(unplacedActions(text, [{ start: 32, end: 42 }]).map((phrase) => phrase.text)).toEqual([
      "loop in their account manager",
    ]);
  });

  it("leaves a phrase alone when a recognised action overlaps it", () => {
    const text = "send them a welcome email from the vip team";
    expect(unplacedActions(text, [{ start: 0, end: 25 }])).toEqual([]);
  });
});
