import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import { checkoutJourney, storeCatalog } from "../../journeys/format/test-fixtures.ts";
import { consoleConflictRoutes } from "./console-conflicts.ts";
import { journeyRoutes } from "./journeys.ts";
import type { ApiHarness } from "./test-harness.ts";
import { createApiHarness } from "./test-harness.ts";

let database: Database;
let harness: ApiHarness;

beforeAll(async () => {
  database = await openTestDb();
  harness = await createApiHarness(database, [journeyRoutes, consoleConflictRoutes]);
});
afterAll(async () => {
  await database?.close();
});

function withOffer(name: string, percent: number): JourneyInput {
  const journey = checkoutJourney();
  journey.name = name;
  const email = journey.nodes.find((node) => node.id === "email");
  if (email?.type !== "send") throw new Error("fixture changed: no email send node");
  email.offer = { kind: "percent_off", value: percent };
  return journey;
}

function orderFollowUp(): JourneyInput {
  return {
    name: "Order follow-up",
    trigger: { type: "event", event: "Order Completed" },
    start: "thanks",
    nodes: [
      { id: "thanks", type: "send", channel: "email", template: "cart-discount-email", next: "done" },
      { id: "done", type: "exit" },
    ],
  };
}

interface ConflictView {
  kind: string;
  subject: { journeyId: string; name: string; status: string };
  other: { journeyId: string; name: string; status: string };
  trigger: string;
  audienceOverlap: string;
}

describe("GET /api/conflicts", () => {
  it("lists drafts that collide with live journeys, and each pair of colliding live journeys once", async () => {
    const ws = await harness.workspace(storeCatalog);
    const create = async (definition: JourneyInput, activate: boolean) => {
      const created = await ws.call("cx_lead", "POST", "/api/journeys", { definition });
      expect(created.status).toBe(201);
      const id = (created.body.journey as { id: string }).id;
      if (activate) {
        const activated = await ws.call("admin", "POST", `/api/journeys/${id}/versions/1/activate`);
        expect(activated.status).toBe(200);
      }
      return id;
    };
    const liveTen = await create(withOffer("Live ten percent", 10), true);
    const liveTwenty = await create(withOffer("Live twenty percent", 20), true);
    const draftTen = await create(withOffer("Draft ten percent", 10), false);
    await create(orderFollowUp(), true);

    const answer = await ws.call("viewer", "GET", "/api/conflicts");
    expect(answer.status).toBe(200);
    expect(answer.body.checked).toEqual({ drafts: 1, live: 3 });
    const conflicts = answer.body.conflicts as ConflictView[];
    const pairs = conflicts.map(
      (conflict) => `${conflict.kind}:${conflict.subject.name}→${conflict.other.name}`,
    );

    // the draft collides with both live checkout journeys; only the 20 % one contradicts its offer
    expect(pairs.filter((pair) => pair.includes("Draft ten percent→")).sort()).toEqual([
      "contradictory_offers:Draft ten percent→Live twenty percent",
      "same_trigger:Draft ten percent→Live ten percent",
      "same_trigger:Draft ten percent→Live twenty percent",
    ]);
    // the two live checkout journeys: one pair, reported once, whichever is the subject
    const livePairs = conflicts.filter(
      (conflict) => conflict.subject.journeyId !== draftTen && conflict.kind === "same_trigger",
    );
    expect(livePairs).toHaveLength(1);
    expect(new Set([livePairs[0]?.subject.journeyId, livePairs[0]?.other.journeyId])).toEqual(
      new Set([liveTen, liveTwenty]),
    );
    // the order follow-up starts on another event: in no conflict
    expect(pairs.some((pair) => pair.includes("Order follow-up"))).toBe(false);
    expect(conflicts.every((conflict) => conflict.trigger === 'event "Checkout Started"')).toBe(true);
    expect(conflicts.find((c) => c.subject.journeyId === draftTen)?.subject.status).toBe("draft");
  });

  it("is empty for a workspace without overlapping journeys", async () => {
    const ws = await harness.workspace(storeCatalog);
    const answer = await ws.call("reviewer", "GET", "/api/conflicts");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ conflicts: [], checked: { drafts: 0, live: 0 } });
  });
});
