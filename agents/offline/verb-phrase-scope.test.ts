import { describe, expect, it } from "vitest";
import { loadEvalCatalog } from "../../evals/cases.ts";
import { sharedPathForTest } from "../../evals/shared-data.ts";
import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import { customerPath, draftJourney, nodeById, TELCO_CATALOG } from "./test-fixtures.ts";

/**
 * A condition or a time belongs to the verb phrase it is said in, not to every action of its
 * sentence: "push them now and email a voucher if the delay is over 3 hours" holds back only the
 * email; "thank them and, a week later, ask for feedback" waits only before the second message;
 * "unless X, in which case Y" / "except for X, who get Y instead" is a branch for X, not an
 * audience of X; "only to those who opted in to SMS; others get an email" is the SMS's consent
 * fallback. Wordings are this file's own, on the shop, telco and shared eval workspaces.
 */

const catalogPath = sharedPathForTest("evals", "catalog.json");

type Node = JourneyInput["nodes"][number];

/** The nodes from `id` on, following `next` (a branch's otherwise), as `type:detail` words. */
function pathFrom(journey: JourneyInput, id: string): string[] {
  const seen: string[] = [];
  let node: Node | undefined = nodeById(journey, id);
  while (node && seen.length < 12) {
    if (node.type === "send") seen.push(`send:${node.channel}`);
    else if (node.type === "wait") seen.push(`wait:${node.duration ?? "until"}`);
    else seen.push(node.type);
    const next: string | undefined =
      node.type === "branch" ? node.otherwise : "next" in node ? node.next : undefined;
    node = next ? nodeById(journey, next) : undefined;
  }
  return seen;
}

/** The one branch of the journey, with where its first condition leads and where everyone else goes. */
function soleBranch(journey: JourneyInput) {
  const branches = journey.nodes.filter((node) => node.type === "branch");
  expect(branches).toHaveLength(1);
  const branch = branches[0]!;
  if (branch.type !== "branch") throw new Error("not a branch");
  expect(branch.branches).toHaveLength(1);
  const [taken] = branch.branches;
  return {
    id: branch.id,
    condition: taken!.condition,
    taken: pathFrom(journey, taken!.next),
    otherwise: pathFrom(journey, branch.otherwise),
  };
}

/** The journey's first node that sends on `channel`. */
function sendOn(journey: JourneyInput, channel: string): Extract<Node, { type: "send" }> {
  const send = journey.nodes.find(
    (node): node is Extract<Node, { type: "send" }> => node.type === "send" && node.channel === channel,
  );
  if (!send) throw new Error(`no ${channel} send`);
  return send;
}

function expectConditionOnOneAction(journey: JourneyInput, first: string, second: string) {
  // everyone gets the first message, and only then is the condition checked for the second
  expect(nodeById(journey, journey.start)).toMatchObject({ type: "send", channel: first });
  const branch = soleBranch(journey);
  expect(sendOn(journey, first).next).toBe(branch.id);
  expect(branch.taken).toEqual([`send:${second}`, "exit"]);
  expect(branch.otherwise).toEqual(["exit"]);
  return branch.condition;
}

function expectWaitBetween(journey: JourneyInput, first: string, wait: string, second: string) {
  expect(customerPath(journey)).toEqual([`send:${first}`, `wait:${wait}`, `send:${second}`, "exit"]);
}

function expectException(journey: JourneyInput, condition: object, exception: string[], others: string[]) {
  // nobody is filtered out at entry: the condition only chooses between the two actions
  expect(journey.audience).toBeUndefined();
  expect(nodeById(journey, journey.start).type).toBe("branch");
  const branch = soleBranch(journey);
  expect(branch.condition).toEqual(condition);
  expect(branch.taken).toEqual(exception);
  expect(branch.otherwise).toEqual(others);
}

function expectConsentFallback(journey: JourneyInput, primary: string, fallback: string) {
  const send = sendOn(journey, primary);
  expect(send.on_skip).toBeDefined();
  expect(nodeById(journey, send.on_skip!)).toMatchObject({ type: "send", channel: fallback });
  // the fallback is not also sent to those who got the first message
  expect(customerPath(journey).filter((step) => step.startsWith("send:"))).toEqual([`send:${primary}`]);
}

describe("a condition said after one of several actions binds that action only (shop, the default workspace)", () => {
  it.each([
    "When a flight is delayed, push the traveller straight away and email them a €20 voucher if the delay is over 3 hours.",
    "When a flight is delayed, send a push now and email them €20 off if the delay is more than 3 hours.",
    "Once a flight is delayed, push them at once and then email a €20 voucher when the delay exceeds 3 hours.",
  ])("%s", (goal) => {
    const condition = expectConditionOnOneAction(draftJourney(goal), "push", "email");
    expect(condition).toEqual({ field: "trigger.properties.delay_minutes", op: "gt", value: 180 });
  });

  it("keeps a condition on every object of one verb", () => {
    const journey = draftJourney(
      "When a flight is delayed, send an email and an SMS if the delay is over 3 hours.",
    );
    expect(nodeById(journey, journey.start).type).toBe("branch");
    expect(soleBranch(journey).taken).toEqual(["send:email", "send:sms", "exit"]);
  });
});

describe("a time set off by commas in the middle leads into the next verb phrase (shop)", () => {
  it.each([
    [
      "After someone upgrades to pro, thank them by email and, a week later, ask for feedback by email.",
      "P7D",
    ],
    ["When a trial starts, send a welcome email, then, two days after that, text them some tips.", "P2D"],
    ["When an order ships, push them the tracking link and, 3 days later, email a review request.", "P3D"],
  ])("%s", (goal, wait) => {
    const path = customerPath(draftJourney(goal));
    expect(path[1]).toBe(`wait:${wait}`);
    expect(path[0]).toMatch(/^send:/);
    expect(path[2]).toMatch(/^send:/);
    expect(path).toHaveLength(4);
  });
});

describe("'unless X, in which case Y' and 'except X, who get Y instead' branch on X (shop)", () => {
  const vip = { field: "traits.tier", op: "eq", value: "vip" };

  it.each([
    "When a customer cancels their subscription, email a win-back offer of 30% off after 1 week unless they are VIP, in which case have their account manager call them.",
    "When a subscription is cancelled, send a 30% off win-back email a week later, unless the customer is a VIP, in which case hand them to their account manager.",
    "When a customer cancels their subscription, email them 30% off after 7 days except for VIPs, who get a call from their account manager instead.",
  ])("%s", (goal) => {
    const journey = draftJourney(goal);
    expectException(journey, vip, ["handoff", "exit"], ["wait:P7D", "send:email", "exit"]);
    expect(sendOn(journey, "email").offer).toMatchObject({ kind: "percent_off", value: 30 });
  });

  it("gives the exception its own time when it says one", () => {
    const journey = draftJourney(
      "When a customer views a product, email them after 2 days unless they are VIP, in which case text them after 1 hour.",
    );
    expectException(journey, vip, ["wait:PT1H", "send:sms", "exit"], ["wait:P2D", "send:email", "exit"]);
  });

  it("still times an 'instead' said as a sentence of its own like the step it replaces", () => {
    const journey = draftJourney(
      "When a customer cancels their subscription, email them 30% off after 1 week. VIPs get a call from their account manager instead.",
    );
    expectException(journey, vip, ["wait:P7D", "handoff", "exit"], ["wait:P7D", "send:email", "exit"]);
  });
});

describe("'only to those who opted in; others get …' is a consent fallback (shop)", () => {
  it.each([
    "Text them 30 minutes after checkout starts if no order was placed, but only to customers who have opted in to SMS; others get an email.",
    "When a customer starts checkout and hasn't ordered after 30 minutes, send an SMS, as long as they have consented to texts. Everyone else gets an email.",
    "When a customer starts checkout but hasn't ordered 30 minutes later, text them, only if they allow SMS; the rest get an email reminder.",
  ])("%s", (goal) => {
    const journey = draftJourney(goal);
    expect(customerPath(journey)[0]).toBe("guard:Order Completed:PT30M");
    expectConsentFallback(journey, "sms", "email");
  });

  it("keeps 'everyone else' a path of its own when the first message was for a group, not for consent", () => {
    const journey = draftJourney(
      "When an order ships, send a push notification to VIP customers; everyone else gets an email.",
    );
    expect(sendOn(journey, "push").on_skip).toBeUndefined();
    const branch = soleBranch(journey);
    expect(branch.taken).toEqual(["send:push", "exit"]);
    expect(branch.otherwise).toEqual(["send:email", "exit"]);
  });
});

describe("the same scopes on a workspace the planner was not written for (telco)", () => {
  const draft = (goal: string) => draftJourney(goal, TELCO_CATALOG);

  it("checks the amount only before the message it was said of", () => {
    const journey = draft(
      "When an invoice is overdue, text the customer right away and email them a payment plan if the amount is over 100.",
    );
    expect(expectConditionOnOneAction(journey, "sms", "email")).toEqual({
      field: "trigger.properties.amount",
      op: "gt",
      value: 100,
    });
  });

  it("waits only before the verb phrase a comma-set time opens", () => {
    expectWaitBetween(
      draft(
        "When a customer hits their data limit, send a push now and, 2 days later, email them about bigger plans.",
      ),
      "push",
      "P2D",
      "email",
    );
    expectWaitBetween(
      draft("When a contract is signed, email a welcome, then, three days after that, text them setup tips."),
      "email",
      "P3D",
      "sms",
    );
  });

  it("branches business customers to their exception", () => {
    const business = { field: "traits.segment", op: "eq", value: "business" };
    expectException(
      draft(
        "When an invoice is overdue, email a reminder after 2 days unless they are a business customer, in which case hand them to the billing team.",
      ),
      business,
      ["handoff", "exit"],
      ["wait:P2D", "send:email", "exit"],
    );
    expectException(
      draft(
        "When a customer reaches their data limit, email them a top-up offer after 1 hour except for business customers, who get a call from their account team instead.",
      ),
      business,
      ["handoff", "exit"],
      ["wait:PT1H", "send:email", "exit"],
    );
  });

  it("falls back from a consent-restricted message to the others' one", () => {
    expectConsentFallback(
      draft(
        "When a customer reaches their data limit, send an SMS right away, but only to customers who have opted in to texts; everyone else gets an email.",
      ),
      "sms",
      "email",
    );
    expectConsentFallback(
      draft(
        "When a router is installed, send a push within an hour, as long as they allow push. The rest get an email.",
      ),
      "push",
      "email",
    );
  });
});

describe.skipIf(!catalogPath)("the four probed goals (eval workspace)", () => {
  const catalog = (): WorkspaceCatalog => loadEvalCatalog(catalogPath!).catalog;

  it("pushes every delayed passenger and emails the voucher only past 3 hours", () => {
    const journey = draftJourney(
      "Once a flight is delayed, push the passenger straight away and email them a €20 voucher if the delay is over 3 hours.",
      catalog(),
    );
    expect(expectConditionOnOneAction(journey, "push", "email")).toEqual({
      field: "trigger.properties.delay_minutes",
      op: "gt",
      value: 180,
    });
  });

  it("thanks the subscriber at once and asks for feedback a week later", () => {
    expectWaitBetween(
      draftJourney(
        "After someone subscribes to the pro plan, thank them by email and, a week later, ask for feedback by email.",
        catalog(),
      ),
      "email",
      "P7D",
      "email",
    );
  });

  it("hands VIPs to their account manager at once and wins back everyone else after a week", () => {
    expectException(
      draftJourney(
        "When a customer cancels their subscription, email a win-back offer of 30% off after 1 week unless they are VIP, in which case have their account manager call them.",
        catalog(),
      ),
      { field: "traits.tier", op: "eq", value: "vip" },
      ["handoff", "exit"],
      ["wait:P7D", "send:email", "exit"],
    );
  });

  it("texts consenting shoppers after the 30-minute guard and emails the others", () => {
    const journey = draftJourney(
      "Send an SMS 30 minutes after checkout starts if no order was placed, but only to customers who have opted in to SMS; others get an email.",
      catalog(),
    );
    expect(customerPath(journey)[0]).toBe("guard:Order Completed:PT30M");
    expectConsentFallback(journey, "sms", "email");
  });
});
