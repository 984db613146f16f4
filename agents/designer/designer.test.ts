import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import { checkoutJourney } from "../../journeys/format/test-fixtures.ts";
import { createCustomer, createJourney, FakeClock, ingest } from "../../journeys/runtime/testing.ts";
import { liveVersion } from "../../journeys/versions.ts";
import { approvalStack } from "../../policies/approvals/testing.ts";
import { savePolicyConfig } from "../../policies/config-store.ts";
import { ScriptedChatModel } from "../testing.ts";
import { ASK_CLARIFICATION, SUBMIT_JOURNEY } from "./answer-tools.ts";
import type { DesignerService } from "./service.ts";
import { designEventsAfter } from "./store.ts";
import type { DesignerTestbed } from "./testing.ts";
import { designerTestbed } from "./testing.ts";

/**
 * The designer graph's paths, driven by a scripted chat model on the real stack (PGlite, the
 * versions lifecycle, the approval queue, semantic memory): clarify, repair (exhausted and
 * successful), policy warning, conflicts, approve, reject, revise.
 */

let database: Database;
const clock = new FakeClock("2026-03-10T10:00:00Z");

beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database?.close();
});

const submit = (
  journey: unknown,
  explanation = ["Starts on checkout; SMS after an hour; email with 10 % off a day later."],
) => ({
  name: SUBMIT_JOURNEY,
  args: { journey, explanation },
});

function brokenJourney(): JourneyInput {
  const journey = checkoutJourney();
  return {
    ...journey,
    nodes: journey.nodes.map((node) => (node.id === "sms" ? { ...node, next: "nowhere" } : node)),
  };
}

function offerJourney(value: number): JourneyInput {
  const journey = checkoutJourney();
  return {
    ...journey,
    nodes: journey.nodes.map((node) =>
      node.id === "email" ? { ...node, offer: { kind: "percent_off" as const, value } } : node,
    ),
  };
}

async function started(
  bed: DesignerTestbed,
  service: DesignerService,
  goal = "Win back abandoned checkouts",
) {
  const design = await service.create({ workspaceId: bed.workspaceId, goal, createdBy: bed.author.keyId });
  await service.settled();
  return service.get(bed.workspaceId, design.id);
}

async function eventTypes(designId: string): Promise<string[]> {
  return (await designEventsAfter(database.db, designId, 0)).map((event) => event.type);
}

function lastMessageText(model: ScriptedChatModel, call: number): string {
  const message = model.calls[call]!.messages.at(-1)!;
  return typeof message.content === "string" ? message.content : JSON.stringify(message.content);
}

describe("the designer graph", () => {
  it("asks a clarifying question, waits, and drafts with the answer", async () => {
    const bed = await designerTestbed(database, clock);
    const model = new ScriptedChatModel()
      .respondWithTools([
        { name: ASK_CLARIFICATION, args: { question: "Which event should start it?", missing: ["trigger"] } },
      ])
      .respondWithTools([submit(checkoutJourney())]);
    const service = bed.service(model);
    const asking = await started(bed, service, "Make our customers happier");
    expect(asking).toMatchObject({
      status: "clarifying",
      question: "Which event should start it?",
      llmCalls: 1,
    });

    await service.answer(
      bed.workspaceId,
      asking.id,
      "When someone starts checkout and does not buy",
      bed.author.keyId,
    );
    await service.settled();
    const drafted = await service.get(bed.workspaceId, asking.id);
    expect(drafted).toMatchObject({ status: "awaiting_approval", question: null, llmCalls: 2, revision: 1 });
    expect(drafted.approvalId).toMatch(/^apr_/);
    expect(lastMessageText(model, 1)).toContain(
      "<answer>\nWhen someone starts checkout and does not buy\n</answer>",
    );
    await expect(service.answer(bed.workspaceId, asking.id, "again", bed.author.keyId)).rejects.toMatchObject(
      {
        code: "design_not_waiting",
      },
    );
    expect(await eventTypes(asking.id)).toEqual(
      expect.arrayContaining([
        "created",
        "model_call",
        "interrupt",
        "answer",
        "validation_round",
        "simulation",
        "submitted",
        "status",
      ]),
    );
  });

  it("feeds validator issues back with their JSONPaths and fails after three repair rounds", async () => {
    const bed = await designerTestbed(database, clock);
    const model = new ScriptedChatModel();
    for (let call = 0; call < 4; call++) model.respondWithTools([submit(brokenJourney())]);
    const design = await started(bed, bed.service(model));
    expect(design.status).toBe("failed");
    expect(design.error).toMatch(/after 3 repair rounds; first \$\.nodes\[1\]\.next/);
    expect(model.callCount).toBe(4);
    const feedback = lastMessageText(model, 1);
    expect(feedback).toContain("repair round 1 of 3");
    expect(feedback).toContain("$.nodes[1].next:");
    expect(lastMessageText(model, 3)).toContain("repair round 3 of 3");
    expect(design.approvalId).toBeNull();
    const versions = await rows(
      database.db,
      sql`select id from journey_versions where design_id = ${design.id}`,
    );
    expect(versions).toEqual([]);
  });

  it("submits the repaired draft once the validator accepts it", async () => {
    const bed = await designerTestbed(database, clock);
    const model = new ScriptedChatModel()
      .respondWithTools([submit(brokenJourney())])
      .respondWithTools([submit(checkoutJourney())]);
    const design = await started(bed, bed.service(model));
    expect(design).toMatchObject({ status: "awaiting_approval", llmCalls: 2, issues: [] });
  });

  it("lints the draft with the workspace's policies and shows the warning to the reviewer's side", async () => {
    const bed = await designerTestbed(database, clock);
    await savePolicyConfig(database.db, {
      workspaceId: bed.workspaceId,
      config: { offer_ceilings: { max_percent: 5, action: "deny" } },
      actor: bed.author.keyId,
      now: clock.now(),
    });
    const model = new ScriptedChatModel().respondWithTools([submit(offerJourney(10))]);
    const design = await started(bed, bed.service(model));
    expect(design.status).toBe("awaiting_approval");
    expect(design.lint).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "offer_above_ceiling", path: expect.stringContaining("$.nodes[3]") }),
      ]),
    );
  });

  it("finds live journeys on the same trigger with a contradictory offer", async () => {
    const bed = await designerTestbed(database, clock);
    await createJourney(database.db, bed.workspaceId, { ...offerJourney(20), name: "Live checkout rescue" });
    const model = new ScriptedChatModel().respondWithTools([submit(offerJourney(10))]);
    const design = await started(bed, bed.service(model));
    expect(design.conflicts.map((conflict) => conflict.kind)).toEqual([
      "same_trigger",
      "contradictory_offers",
    ]);
    expect(String(design.conflicts[1]!.message)).toContain('"Live checkout rescue" offers 20 % off');
  });

  it("simulates real customers of the workspace and says what would happen", async () => {
    const bed = await designerTestbed(database, clock);
    for (const userId of ["ann", "bob", "cem"]) {
      await createCustomer(database.db, bed.workspaceId, { userId });
      await ingest(database, bed.stack.runtime, clock.now, {
        workspaceId: bed.workspaceId,
        userId,
        name: "Checkout Started",
        properties: { cart_id: `c-${userId}` },
        timestamp: new Date("2026-03-05T12:00:00Z"),
      });
    }
    await ingest(database, bed.stack.runtime, clock.now, {
      workspaceId: bed.workspaceId,
      userId: "cem",
      name: "Order Completed",
      properties: { order_id: "o1", total: 40 },
      timestamp: new Date("2026-03-05T12:20:00Z"),
    });
    const model = new ScriptedChatModel().respondWithTools([submit(checkoutJourney())]);
    const design = await started(bed, bed.service(model));
    expect(design.summary).toMatchObject({ customers: 3, entered: 3 });
    expect((design.summary as { sentences: string[] }).sentences).toEqual(
      expect.arrayContaining([
        "Of 3 customers (their last 30 days replayed), 3 would enter.",
        "2 reach the SMS; 2 reach the email with 10 % off.",
        "Would be sent: 2 SMS, 2 emails.",
        "1 customer reaches the goal.",
      ]),
    );
  });
});

describe("the reviewer's decision", () => {
  it("activates the version on accept, through the approval queue; the author cannot approve", async () => {
    const bed = await designerTestbed(database, clock);
    const model = new ScriptedChatModel().respondWithTools([submit(checkoutJourney())]);
    const service = bed.service(model);
    const design = await started(bed, service);
    await expect(
      bed.stack.queue.respondToApproval(database.db, design.approvalId!, { type: "accept" }, bed.author),
    ).rejects.toMatchObject({ code: "self_approval" });
    await bed.stack.queue.respondToApproval(
      database.db,
      design.approvalId!,
      { type: "accept", reason: "looks right" },
      bed.reviewer,
    );
    await service.settled();
    const done = await service.get(bed.workspaceId, design.id);
    expect(done).toMatchObject({ status: "activated", error: null });
    const live = await liveVersion(database.db, bed.workspaceId, done.journeyId!);
    expect(live).toMatchObject({
      status: "active",
      designId: design.id,
      draftedBy: "model:openai:scripted",
      author: bed.author.keyId,
    });
    const remembered = await bed.memory.search(bed.workspaceId, "checkout", { kinds: ["journey"] });
    expect(remembered.available && remembered.hits[0]).toMatchObject({
      refId: design.id,
      metadata: { outcome: "activated" },
    });
  });

  it("activates the reviewer's edit of the draft, and the design reports the edited journey as live", async () => {
    const bed = await designerTestbed(database, clock);
    const service = bed.service(new ScriptedChatModel().respondWithTools([submit(checkoutJourney())]));
    const design = await started(bed, service);
    const edited = { ...checkoutJourney(), name: "Checkout rescue (edited)" };
    await bed.stack.queue.respondToApproval(
      database.db,
      design.approvalId!,
      { type: "edit", args: { action: "activate_journey", args: { definition: edited } } },
      bed.reviewer,
    );
    await service.settled();
    expect(await service.get(bed.workspaceId, design.id)).toMatchObject({ status: "activated" });
    const live = await liveVersion(database.db, bed.workspaceId, design.journeyId!);
    expect(live?.definition.name).toBe("Checkout rescue (edited)");
    const state = await service.graph.getState({ configurable: { thread_id: design.id } });
    expect((state.values.journey as { name: string }).name).toBe("Checkout rescue (edited)");
  });

  it("stops on ignore: nothing goes live and the draft returns to its author", async () => {
    const bed = await designerTestbed(database, clock);
    const service = bed.service(new ScriptedChatModel().respondWithTools([submit(checkoutJourney())]));
    const design = await started(bed, service);
    await bed.stack.queue.respondToApproval(
      database.db,
      design.approvalId!,
      { type: "ignore", reason: "not now" },
      bed.reviewer,
    );
    await service.settled();
    expect(await service.get(bed.workspaceId, design.id)).toMatchObject({ status: "rejected" });
    expect(await liveVersion(database.db, bed.workspaceId, design.journeyId!)).toBeNull();
    const [version] = await rows<{ status: string }>(
      database.db,
      sql`select status from journey_versions where design_id = ${design.id}`,
    );
    expect(version!.status).toBe("draft");
  });

  it("stops when the approval expires unanswered: nothing goes live", async () => {
    const bed = await designerTestbed(database, clock);
    const service = bed.service(new ScriptedChatModel().respondWithTools([submit(checkoutJourney())]));
    const design = await started(bed, service);
    const later = new FakeClock(new Date(clock.now().getTime() + 3 * 24 * 60 * 60 * 1000));
    const expiring = approvalStack(database, later);
    expiring.queue.onApprovalDecided.push((event) => service.onApprovalDecided(event));
    expect(await expiring.queue.expireDue({ workspaceId: bed.workspaceId })).toBe(1);
    await service.settled();
    expect(await service.get(bed.workspaceId, design.id)).toMatchObject({
      status: "stopped",
      error: "the approval request ended without a decision (expired)",
    });
    expect(await liveVersion(database.db, bed.workspaceId, design.journeyId!)).toBeNull();
  });

  it("revises on a reviewer's note: the note reaches the model and the new draft goes back to review", async () => {
    const bed = await designerTestbed(database, clock);
    const model = new ScriptedChatModel()
      .respondWithTools([submit(offerJourney(10))])
      .respondWithTools([submit(offerJourney(5))]);
    const service = bed.service(model);
    const first = await started(bed, service);
    await bed.stack.queue.respondToApproval(
      database.db,
      first.approvalId!,
      { type: "response", args: "Make the discount 5 %" },
      bed.reviewer,
    );
    await service.settled();
    const revised = await service.get(bed.workspaceId, first.id);
    expect(revised).toMatchObject({
      status: "awaiting_approval",
      revision: 2,
      journeyId: first.journeyId,
      llmCalls: 2,
    });
    expect(revised.approvalId).not.toBe(first.approvalId);
    expect(lastMessageText(model, 1)).toContain("<reviewer_note>\nMake the discount 5 %\n</reviewer_note>");
    const [version] = await rows<{ definition: { nodes: Array<{ id: string; offer?: { value: number } }> } }>(
      database.db,
      sql`select definition from journey_versions where design_id = ${first.id} and status = 'pending_approval'`,
    );
    expect(version!.definition.nodes.find((node) => node.id === "email")!.offer).toMatchObject({ value: 5 });
  });
});
