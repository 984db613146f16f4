import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { designs } from "../../db/schema/designs.ts";
import { openTestDb } from "../../db/testing.ts";
import { checkoutJourney } from "../../journeys/format/test-fixtures.ts";
import { FakeClock } from "../../journeys/runtime/testing.ts";
import { ScriptedChatModel } from "../testing.ts";
import { SUBMIT_JOURNEY } from "./answer-tools.ts";
import type { DesignEventInput } from "./design-run.ts";
import { designEventsOf, runDesign } from "./design-run.ts";
import { appendDesignEvents, claimLease, designById, insertDesign } from "./store.ts";
import { designerTestbed } from "./testing.ts";

let database: Database;
const clock = new FakeClock("2026-03-10T10:00:00Z");

beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database?.close();
});

describe("designEventsOf", () => {
  it("turns custom progress, node updates and interrupts into design events", () => {
    expect(designEventsOf(["custom", { type: "validated", errors: 0 }])).toEqual([
      { type: "validated", data: { errors: 0 } },
    ]);
    expect(designEventsOf(["updates", { draft: { journey: {}, explanation: [] } }])).toEqual([
      { type: "step", data: { node: "draft", updated: ["journey", "explanation"] } },
    ]);
    expect(designEventsOf(["updates", { __interrupt__: [{ value: { kind: "clarification" } }] }])).toEqual([
      { type: "interrupt", data: { waitingFor: [{ kind: "clarification" }] } },
    ]);
  });
});

describe("runDesign", () => {
  it("stops, without failing the design, when another process took its lease over mid-run", async () => {
    const bed = await designerTestbed(database, clock);
    const model = new ScriptedChatModel()
      .respondWithTools([{ name: "read_catalog", args: { section: "events" } }])
      .respondWithTools([{ name: SUBMIT_JOURNEY, args: { journey: checkoutJourney(), explanation: [] } }]);
    const service = bed.service(model);
    const leaseMs = 5 * 60_000;
    const design = await insertDesign(database.db, {
      workspaceId: bed.workspaceId,
      goal: "Nudge customers who abandon checkout",
      createdBy: bed.author.keyId,
      model: "openai:scripted",
      now: clock.now(),
    });
    expect(await claimLease(database.db, design.id, "this-process", clock.now(), leaseMs)).toBe(true);

    // After the first streamed chunk, this process stalls past a third of its lease while another
    // process takes the design over (its lease runs an hour from now).
    let leaseLost = false;
    const recordedAfterLoss: DesignEventInput[] = [];
    await runDesign(
      {
        db: database.db,
        graph: service.graph,
        now: clock.now,
        owner: "this-process",
        leaseMs,
        async record(designId, events) {
          if (leaseLost) recordedAfterLoss.push(...events);
          await appendDesignEvents(database.db, designId, events, clock.now());
          if (leaseLost) return;
          leaseLost = true;
          await database.db
            .update(designs)
            .set({ leaseOwner: "other-process", leaseUntil: new Date(clock.now().getTime() + 3_600_000) })
            .where(eq(designs.id, designId));
          clock.advance(leaseMs / 2);
        },
      },
      design.id,
      new AbortController().signal,
    );

    expect(leaseLost).toBe(true);
    expect(recordedAfterLoss).toEqual([]);
    const after = await designById(database.db, design.id);
    expect(after?.status).toBe("running");
    expect(after?.leaseOwner).toBe("other-process");
  });
});
