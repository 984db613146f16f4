import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspaceWithCatalog } from "../../db/catalog-testing.ts";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { checkoutJourney, storeCatalog } from "../../journeys/format/test-fixtures.ts";
import { FakeClock } from "../../journeys/runtime/testing.ts";
import type { DraftedBy } from "../../journeys/versions.ts";
import { activateVersion, createJourney, getVersion } from "../../journeys/versions.ts";
import { verifyAuditChain } from "../audit/verify.ts";
import { savePolicyConfig } from "../config-store.ts";
import { approvalStack, insertKey } from "./testing.ts";
import type { ApprovalItem } from "./types.ts";
import { ApprovalError } from "./types.ts";

let database: Database;
const clock = new FakeClock("2026-03-02T09:00:00Z");
let stack: ReturnType<typeof approvalStack>;

beforeAll(async () => {
  database = await openTestDb();
  stack = approvalStack(database, clock);
});
afterAll(async () => {
  await database?.close();
});

async function workspace() {
  const workspaceId = await createWorkspaceWithCatalog(database.db, storeCatalog);
  await savePolicyConfig(database.db, {
    workspaceId,
    actor: "test",
    now: clock.now(),
    config: { approvals: { expiry: "P1D" }, offer_ceilings: { max_percent: 30, action: "deny" } },
  });
  return {
    workspaceId,
    admin: await insertKey(database.db, workspaceId, "admin"),
    cxLead: await insertKey(database.db, workspaceId, "cx_lead"),
    reviewer: await insertKey(database.db, workspaceId, "reviewer"),
  };
}

async function draft(workspaceId: string, author: string, draftedBy: DraftedBy = "human") {
  const { journey } = await createJourney(database.db, {
    workspaceId,
    definition: checkoutJourney(),
    author,
    draftedBy,
  });
  return journey.id;
}

function activate(workspaceId: string, journeyId: string, actor: string) {
  return activateVersion(
    database.db,
    { workspaceId, journeyId, version: 1, actor },
    { now: clock.now, onStatusChange: stack.onStatusChange, gate: stack.queue.gate },
  );
}

async function item(
  id: string,
): Promise<ApprovalItem & { request: { action_request: { args: Record<string, unknown> } } }> {
  const [row] = await rows<{
    status: string;
    request: { action_request: { args: Record<string, unknown> } };
  }>(database.db, sql`select status, request from approvals where id = ${id}`);
  return row as never;
}

async function refusal(promise: Promise<unknown>): Promise<ApprovalError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApprovalError);
  return error as ApprovalError;
}

describe("journey activations through the queue", () => {
  it("a cx_lead's activation parks the version with an item; a reviewer's accept puts it live", async () => {
    const { workspaceId, cxLead, reviewer } = await workspace();
    const journeyId = await draft(workspaceId, cxLead.keyId);
    const pending = await activate(workspaceId, journeyId, cxLead.keyId);
    expect(pending.outcome).toBe("pending_approval");
    if (pending.outcome !== "pending_approval") return;
    const created = await item(pending.approvalId);
    expect(created).toMatchObject({
      status: "pending",
      request: {
        action_request: { action: "activate_journey", args: { journey_id: journeyId, version: 1 } },
        config: { allow_accept: true, allow_edit: true, allow_respond: true, allow_ignore: true },
      },
    });
    // asking again returns the same open item
    const again = await activate(workspaceId, journeyId, cxLead.keyId);
    expect(again).toMatchObject({ outcome: "pending_approval", approvalId: pending.approvalId });
    const event = await stack.queue.respondToApproval(
      database.db,
      pending.approvalId,
      { type: "accept" },
      reviewer,
    );
    expect(event.effect).toMatchObject({ kind: "journey_activation", versionStatus: "active" });
    expect((await getVersion(database.db, workspaceId, journeyId, 1)).status).toBe("active");
    const audit = await rows<{ kind: string; data: Record<string, unknown> }>(
      database.db,
      sql`select kind, data from audit_log where workspace_id = ${workspaceId} order by seq`,
    );
    expect(audit.map((row) => row.kind)).toEqual([
      "policy_config.saved",
      "approval.requested",
      "journey.status",
      "journey.status",
      "approval.decided",
    ]);
    expect(audit[2]!.data).toMatchObject({ from: "draft", to: "pending_approval" });
    expect(audit[3]!.data).toMatchObject({ from: "pending_approval", to: "active" });
    expect((await verifyAuditChain(database.db, { workspaceId })).ok).toBe(true);
  });

  it("an admin activates a human draft directly, but a model's draft waits for a reviewer", async () => {
    const { workspaceId, admin, cxLead } = await workspace();
    const human = await draft(workspaceId, cxLead.keyId);
    expect((await activate(workspaceId, human, admin.keyId)).outcome).toBe("activated");
    const ai = await draft(workspaceId, cxLead.keyId, "offline-planner");
    const result = await activate(workspaceId, ai, admin.keyId);
    expect(result.outcome).toBe("pending_approval");
    if (result.outcome === "pending_approval") expect(result.reason).toMatch(/offline-planner drafted it/);
  });

  it("the draft's author — or the key that asked the designer — cannot approve it", async () => {
    const { workspaceId, admin, cxLead, reviewer } = await workspace();
    const journeyId = await draft(workspaceId, admin.keyId);
    const pending = await activate(workspaceId, journeyId, cxLead.keyId);
    if (pending.outcome !== "pending_approval") throw new Error("expected a pending activation");
    const own = await refusal(
      stack.queue.respondToApproval(database.db, pending.approvalId, { type: "accept" }, admin),
    );
    expect(own).toMatchObject({ code: "self_approval", status: 403 });
    // an AI draft: the version's author is the designer's caller
    const designId = `dsg_${journeyId}`;
    await database.db.execute(
      sql`insert into designs (id, workspace_id, goal, model, created_by) values (${designId}, ${workspaceId}, 'win back', 'offline-planner', ${reviewer.keyId})`,
    );
    const { journey } = await createJourney(database.db, {
      workspaceId,
      definition: checkoutJourney(),
      author: "designer",
      draftedBy: "offline-planner",
      designId,
    });
    const submitted = await stack.queue.requestActivation(database.db, {
      workspaceId,
      journeyId: journey.id,
      version: 1,
      requestedBy: "designer",
    });
    if (submitted.outcome !== "pending_approval") throw new Error("expected a pending activation");
    const asker = await refusal(
      stack.queue.respondToApproval(database.db, submitted.approvalId, { type: "accept" }, reviewer),
    );
    expect(asker.code).toBe("self_approval");
    expect((await getVersion(database.db, workspaceId, journey.id, 1)).status).toBe("pending_approval");
  });

  it("ignore and a response return the version to draft; the response keeps the note for the author", async () => {
    const { workspaceId, cxLead, reviewer } = await workspace();
    const first = await draft(workspaceId, cxLead.keyId);
    const a = await activate(workspaceId, first, cxLead.keyId);
    if (a.outcome !== "pending_approval") throw new Error("expected a pending activation");
    await stack.queue.respondToApproval(
      database.db,
      a.approvalId,
      { type: "ignore", reason: "not now" },
      reviewer,
    );
    expect((await getVersion(database.db, workspaceId, first, 1)).status).toBe("draft");
    const second = await draft(workspaceId, cxLead.keyId);
    const b = await activate(workspaceId, second, cxLead.keyId);
    if (b.outcome !== "pending_approval") throw new Error("expected a pending activation");
    const event = await stack.queue.respondToApproval(
      database.db,
      b.approvalId,
      { type: "response", args: "Lower the discount to 5% and wait a day before the SMS." },
      reviewer,
    );
    expect(event.item).toMatchObject({
      status: "responded",
      reason: "Lower the discount to 5% and wait a day before the SMS.",
      response: { type: "response" },
    });
    expect((await getVersion(database.db, workspaceId, second, 1)).status).toBe("draft");
  });

  it("an edit is validated, refused when it adds a policy warning, and otherwise activated as edited", async () => {
    const { workspaceId, cxLead, reviewer } = await workspace();
    const journeyId = await draft(workspaceId, cxLead.keyId);
    const pending = await activate(workspaceId, journeyId, cxLead.keyId);
    if (pending.outcome !== "pending_approval") throw new Error("expected a pending activation");
    const edit = (definition: unknown) => ({
      type: "edit",
      args: { action: "activate_journey", args: { journey_id: journeyId, version: 1, definition } },
    });
    const broken = { ...checkoutJourney(), start: "nowhere" };
    const invalid = await refusal(
      stack.queue.respondToApproval(database.db, pending.approvalId, edit(broken), reviewer),
    );
    expect(invalid).toMatchObject({ code: "invalid_journey", status: 422 });
    const greedy = checkoutJourney();
    (greedy.nodes[3] as { offer: { kind: string; value: number } }).offer = {
      kind: "percent_off",
      value: 60,
    };
    const violation = await refusal(
      stack.queue.respondToApproval(database.db, pending.approvalId, edit(greedy), reviewer),
    );
    expect(violation).toMatchObject({ code: "edit_violates_policy", status: 422 });
    expect(violation.details.issues?.[0]).toMatchObject({ code: "offer_above_ceiling" });
    expect((await getVersion(database.db, workspaceId, journeyId, 1)).status).toBe("pending_approval");
    const gentler = checkoutJourney();
    (gentler.nodes[3] as { offer: { kind: string; value: number } }).offer = {
      kind: "percent_off",
      value: 5,
    };
    const event = await stack.queue.respondToApproval(
      database.db,
      pending.approvalId,
      edit(gentler),
      reviewer,
    );
    expect(event.item.status).toBe("edited");
    const live = await getVersion(database.db, workspaceId, journeyId, 1);
    expect(live.status).toBe("active");
    expect(live.author).toBe(cxLead.keyId);
    expect(live.definition.nodes[3]).toMatchObject({ offer: { kind: "percent_off", value: 5 } });
  });

  it("an unanswered activation expires back to draft", async () => {
    const { workspaceId, cxLead } = await workspace();
    const journeyId = await draft(workspaceId, cxLead.keyId);
    const pending = await activate(workspaceId, journeyId, cxLead.keyId);
    if (pending.outcome !== "pending_approval") throw new Error("expected a pending activation");
    clock.advance("P1DT1M");
    try {
      expect(await stack.queue.expireDue({ workspaceId })).toBe(1);
    } finally {
      clock.set("2026-03-02T09:00:00Z");
    }
    expect((await item(pending.approvalId)).status).toBe("expired");
    expect((await getVersion(database.db, workspaceId, journeyId, 1)).status).toBe("draft");
  });
});
