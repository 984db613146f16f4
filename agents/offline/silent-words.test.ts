import { describe, expect, it } from "vitest";
import { loadEvalCatalog } from "../../evals/cases.ts";
import { sharedPathForTest } from "../../evals/shared-data.ts";
import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import { planJourney } from "./planner.ts";
import { draftResult, nodesOfType, SHOP_CATALOG, TELCO_CATALOG } from "./test-fixtures.ts";

/**
 * Words the planner used to drop or misread without a word: a mood said with any copular verb
 * ("seems happy"), the channel a customer wrote on ("writes in chat" is not a chat message of
 * ours), and a score said as a level ("a high churn risk"). Wordings are this file's own, on the
 * shop and telco workspaces and on the shared eval workspace.
 */

const catalogPath = sharedPathForTest("evals", "catalog.json");
const POSITIVE = { field: "event.properties.text", op: "gte", value: 0.3, transform: "sentiment" };
const NEGATIVE = { field: "event.properties.text", op: "lte", value: -0.3, transform: "sentiment" };

function workspaces(): Array<[string, () => WorkspaceCatalog]> {
  const shared: Array<[string, () => WorkspaceCatalog]> = catalogPath
    ? [["eval", () => loadEvalCatalog(catalogPath).catalog]]
    : [];
  return [["shop", () => SHOP_CATALOG], ...shared];
}

describe.skipIf(!catalogPath)("the shared eval workspace is present", () => {
  it("runs the eval-workspace cases of this file", () => {
    expect(workspaces().map(([name]) => name)).toContain("eval");
  });
});

describe.each(workspaces())("a mood said with any copular verb (%s workspace)", (_name, catalog) => {
  it.each([
    [
      "After a chat conversation where the customer seems happy, ask them to leave a review by email the next day.",
      POSITIVE,
    ],
    ["If the customer looks really pleased in chat, email them a review request the next day.", POSITIVE],
    ["When a chat message comes across as content, send them a survey by email a day later.", POSITIVE],
    ["When a customer who appears sad writes in chat, hand them to a human agent.", NEGATIVE],
    ["If a customer in chat is displeased, have a senior agent call them.", NEGATIVE],
  ])("conditions the chat message on its sentiment: %s", (goal, condition) => {
    const { journey } = draftResult(goal, catalog());
    expect(journey.trigger).toEqual({ type: "event", event: "Chat Message Received", condition });
  });

  it("reads a copular verb before an angry word as frustration, as it read 'sounds'", () => {
    const { journey } = draftResult(
      "When a chat message comes across as annoyed, hand it to a senior agent right away.",
      catalog(),
    );
    expect(journey.trigger).toMatchObject({
      condition: { field: "event.properties.text", transform: "frustration", op: "gte", value: 0.5 },
    });
  });

  it("takes 'very frustrated' as the upper band of frustration and says which threshold it used", () => {
    const { journey, explanation } = draftResult(
      "When a customer who is very frustrated writes in chat, hand them to a senior agent.",
      catalog(),
    );
    expect(journey.trigger).toMatchObject({
      condition: { field: "event.properties.text", transform: "frustration", op: "gte", value: 0.8 },
    });
    expect(explanation.some((line) => line.startsWith("Note:") && line.includes("frustration ≥ 0.8"))).toBe(
      true,
    );
  });

  it("leaves 'happy' in the copy asked for alone: it is no condition on the customer's text", () => {
    const { journey } = draftResult(
      "When a customer writes in chat, email them a happy note with our opening hours.",
      catalog(),
    );
    expect(journey.trigger).toEqual({ type: "event", event: "Chat Message Received" });
  });
});

describe.each(workspaces())("the channel a customer wrote on (%s workspace)", (_name, catalog) => {
  it.each([
    "If a customer writes in chat that they want to cancel, have their account manager call them right away.",
    "When a customer says in the chat that they want to cancel, hand them to their account manager.",
    "If the customer tells us over chat they want to cancel, get their account manager to call them.",
    "When someone who seems upset messages us in chat, hand them to a senior agent.",
  ])("is context, not a chat message of ours: %s", (goal) => {
    const { journey } = draftResult(goal, catalog());
    expect(journey.trigger).toMatchObject({ type: "event", event: "Chat Message Received" });
    expect(nodesOfType(journey, "handoff")).toHaveLength(1);
    expect(nodesOfType(journey, "send")).toEqual([]);
  });

  it("keeps a chat reply we are asked to send in the same goal", () => {
    const { journey } = draftResult(
      "If a customer writes in chat that they want a refund, reply in chat with our refund policy.",
      catalog(),
    );
    expect(nodesOfType(journey, "send").map((node) => node.channel)).toEqual(["chat"]);
  });

  it("keeps the email we are asked to send beside the chat the customer wrote in", () => {
    const { journey } = draftResult(
      "When a customer writes in chat they want a refund, hand them to the billing team and email them a confirmation.",
      catalog(),
    );
    expect(nodesOfType(journey, "send").map((node) => node.channel)).toEqual(["email"]);
    expect(nodesOfType(journey, "handoff")).toHaveLength(1);
  });
});

const SCORE_WORKSPACES: Array<[string, () => WorkspaceCatalog, string]> = [
  ["shop", () => SHOP_CATALOG, "churn_risk"],
  ["telco", () => TELCO_CATALOG, "churn_score"],
  ...(catalogPath
    ? [
        ["eval", () => loadEvalCatalog(catalogPath).catalog, "churn_risk"] as [
          string,
          () => WorkspaceCatalog,
          string,
        ],
      ]
    : []),
];

describe.each(SCORE_WORKSPACES)("a churn score said as a level (%s workspace)", (_name, catalog, trait) => {
  const start = (catalog: WorkspaceCatalog) =>
    catalog.events["App Opened"] ? "opens the app" : "signs a contract";
  it.each([
    ["with a high churn risk", "gte", 0.7],
    ["with an elevated churn risk", "gte", 0.7],
    ["who is likely to churn", "gte", 0.7],
    ["at risk of churning", "gte", 0.7],
    ["with a very high churn score", "gte", 0.9],
    ["with a low churn risk", "lte", 0.3],
    ["who is unlikely to leave", "lte", 0.3],
  ])("a customer %s becomes a comparison with its threshold, stated in a note", (who, op, value) => {
    const goal = `When a customer ${who} ${start(catalog())}, send them an email with 10% off.`;
    const { journey, explanation } = draftResult(goal, catalog());
    expect(journey.audience).toEqual({ field: `traits.${trait}`, op, value });
    const note = explanation.find((line) => line.startsWith("Note:") && line.includes(trait));
    expect(note).toContain(`${op === "gte" ? "≥" : "≤"} ${value}`);
  });
});

describe.each(workspaces())("a purchase propensity said as a level (%s workspace)", (_name, catalog) => {
  it.each([
    ["with high purchase propensity", "gte", 0.7],
    ["who is likely to buy", "gte", 0.7],
    ["with a very low purchase propensity", "lte", 0.1],
  ])("a customer %s is compared with the default threshold", (who, op, value) => {
    const { journey } = draftResult(
      `When a customer ${who} views a product, push them a reminder an hour later.`,
      catalog(),
    );
    expect(journey.audience).toEqual({ field: "traits.purchase_propensity", op, value });
  });

  it("keeps 'high' an enum value where it is one ('a high-priority ticket')", () => {
    const { journey, explanation } = draftResult(
      "When a high-priority support ticket is opened, hand it to a senior agent.",
      catalog(),
    );
    expect(journey.trigger).toMatchObject({
      condition: { field: "event.properties.priority", op: "eq", value: "high" },
    });
    expect(explanation.some((line) => line.includes("0.7"))).toBe(false);
  });
});

describe("a mood we ask about", () => {
  it.each(workspaces())(
    "is the message's content, not a condition on the chat (%s workspace)",
    (_name, catalog) => {
      const { journey } = draftResult(
        "When a customer writes in chat, email them the next day asking if they were happy with the help.",
        catalog(),
      );
      expect(journey.trigger).toEqual({ type: "event", event: "Chat Message Received" });
      expect(nodesOfType(journey, "branch")).toEqual([]);
    },
  );
});

function question(goal: string, catalog: WorkspaceCatalog) {
  const result = planJourney(goal, { catalog });
  if (result.kind !== "clarify") throw new Error(`expected a question, got a journey for: ${goal}`);
  return result;
}

const ALL_WORKSPACES: Array<[string, () => WorkspaceCatalog, string]> = [
  ...SCORE_WORKSPACES.filter(([name]) => name !== "telco").map(
    ([name, catalog]) => [name, catalog, "opens the app"] as [string, () => WorkspaceCatalog, string],
  ),
  ["telco", () => TELCO_CATALOG, "signs a contract"],
];

describe.each(ALL_WORKSPACES)(
  "a positive condition that names nothing (%s workspace)",
  (_name, catalog, event) => {
    it.each([
      [
        `When a customer who is a football fan ${event}, send them an email with 10% off.`,
        "who is a football fan",
      ],
      [
        `When a customer whose favourite colour is blue ${event}, email them a lookbook the next day.`,
        "whose favourite colour is blue",
      ],
      [
        `When a customer ${event}, if the customer supports Arsenal, text them a welcome.`,
        "if the customer supports arsenal",
      ],
      [`When a customer who lives abroad ${event}, text them our roaming tips.`, "who lives abroad"],
    ])("is asked about, quoting it (as normalised, in lower case): %s", (goal, clause) => {
      const result = question(goal, catalog());
      expect(result.missing).toEqual(["condition"]);
      expect(result.question).toContain(`"${clause}"`);
    });

    it.each([
      `If possible, email them a welcome when a customer ${event}.`,
      `When a customer ${event}, email them a welcome, and if they opened the email, text them tips 2 days later.`,
      `When a customer ${event}, email a welcome, and when it's convenient, text them tips.`,
      `When a customer ${event}, text them tips when it makes sense.`,
    ])("leaves instructions to us, channels and timing alone: %s", (goal) => {
      expect(planJourney(goal, { catalog: catalog() }).kind).toBe("journey");
    });
  },
);
