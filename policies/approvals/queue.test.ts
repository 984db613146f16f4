import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import type { JourneyInput } from "../../journeys/format/schema.ts";
import {
  actionsOf,
  createCustomer,
  createJourney,
  createWorkspace,
  FakeClock,
  ingest,
  instancesOf,
} from "../../journeys/runtime/testing.ts";
import { verifyAuditChain } from "../audit/verify.ts";
import { savePolicyConfig } from "../config-store.ts";
import { approvalStack, insertKey } from "./testing.ts";
import type { ApprovalDecidedEvent } from "./types.ts";
import { ApprovalError } from "./types.ts";

let database: Database;
const clock = new FakeClock("2026-03-02T09:00:00Z"); // 10:00 in Berlin
let stack: ReturnType<typeof approvalStack>;

beforeAll(async () => {
  database = await openTestDb();
  stack = approvalStack(database, clock);
});
afterAll(async () => {
  await database?.close();
});

const nudge = (channel: "email" | "sms" = "email"): JourneyInput => ({
  name: "Checkout nudge",
  trigger: { type: "event", event: "Checkout Started" },
  exit_on: [{ event: "Order Completed" }],
  start: "mail",
  nodes: [
    {
      id: "mail",
      type: "send",
      channel,
      ai_generated: true,
      content: { subject: "Your cart", body: "Hi {{traits.first_name}}, your cart is waiting." },
      next: "sent",
      on_skip: "skipped",
    },
    { id: "sent", type: "exit", reason: "went on after the message" },
    { id: "skipped", type: "exit", reason: "took the skip path" },
  ],
});

/** A workspace whose policies send AI-written content to review, with a customer parked on it. */
async function parkedCustomer(channel: "email" | "sms" = "email", at = "2026-03-02T09:00:00Z") {
  clock.set(at);
  const workspaceId = await createWorkspace(database.db);
  await savePolicyConfig(database.db, {
    workspaceId,
    actor: "test",
    now: clock.now(),
    config: {
      approvals: { ai_generated: true, expiry: "PT1H" },
      offer_ceilings: { max_percent: 30, action: "deny" },
    },
  });
  const reviewer = await insertKey(database.db, workspaceId, "reviewer");
  const profileId = await createCustomer(database.db, workspaceId, { userId: "u1" });
  const { journeyId, versionId } = await createJourney(database.db, workspaceId, nudge(channel));
  await ingest(database, stack.runtime, clock.now, { workspaceId, userId: "u1", name: "Checkout Started" });
  const [approval] = await rows<{ id: string; action_id: number }>(
    database.db,
    sql`select id, action_id from approvals where workspace_id = ${workspaceId}`,
  );
  return {
    workspaceId,
    reviewer,
    profileId,
    journeyId,
    versionId,
    approvalId: approval!.id,
    actionId: approval!.action_id,
  };
}

async function outboxOf(workspaceId: string) {
  return rows<{ id: number; payload: Record<string, unknown>; next_attempt_at: string }>(
    database.db,
    sql`select id, payload, next_attempt_at::text from outbox where workspace_id = ${workspaceId}`,
  );
}

async function finish(profileId: number) {
  await stack.runtime.runDue();
  return (await instancesOf(database.db, profileId))[0]!;
}

async function refusal(promise: Promise<unknown>): Promise<ApprovalError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApprovalError);
  return error as ApprovalError;
}

describe("action items", () => {
  it("a review verdict parks the customer with a pending HumanInterrupt item expiring per the policy config", async () => {
    const { workspaceId, profileId, approvalId } = await parkedCustomer();
    const [instance] = await instancesOf(database.db, profileId);
    expect(instance!.status).toBe("parked");
    const [item] = await rows<{ status: string; request: Record<string, unknown>; expires_at: string }>(
      database.db,
      sql`select status, request, expires_at::text from approvals where id = ${approvalId}`,
    );
    expect(item!.status).toBe("pending");
    expect(item!.request).toMatchObject({
      action_request: { action: "send_email", args: { channel: "email" } },
      config: { allow_accept: true, allow_edit: true, allow_respond: false, allow_ignore: true },
    });
    expect(new Date(item!.expires_at.replace(" ", "T").replace(/\+00$/, "Z")).toISOString()).toBe(
      "2026-03-02T10:00:00.000Z",
    );
    expect(await outboxOf(workspaceId)).toEqual([]);
  });

  it("accept queues exactly one message, records the human's verdict in a new round and continues on next", async () => {
    const { workspaceId, reviewer, profileId, approvalId, actionId } = await parkedCustomer();
    const events: ApprovalDecidedEvent[] = [];
    const hook = (event: ApprovalDecidedEvent) => {
      events.push(event);
    };
    stack.queue.onApprovalDecided.push(hook);
    try {
      const event = await stack.queue.respondToApproval(
        database.db,
        approvalId,
        { type: "accept", args: null, reason: "copy is fine" },
        reviewer,
      );
      expect(event.item).toMatchObject({
        status: "accepted",
        decidedBy: reviewer.keyId,
        reason: "copy is fine",
      });
      expect(event.effect).toMatchObject({ kind: "action", actionStatus: "queued", resumed: true });
      expect(events.map((seen) => seen.item.id)).toEqual([approvalId]);
    } finally {
      stack.queue.onApprovalDecided.splice(stack.queue.onApprovalDecided.indexOf(hook), 1);
    }
    expect(await outboxOf(workspaceId)).toHaveLength(1);
    const rounds = await rows<{ round: number; policy: string; verdict: string }>(
      database.db,
      sql`select round, policy, verdict from decisions where action_id = ${actionId} order by round, id`,
    );
    expect(rounds.filter((row) => row.round === 1).some((row) => row.verdict === "review")).toBe(true);
    expect(rounds.filter((row) => row.round === 2).map((row) => `${row.policy}:${row.verdict}`)).toContain(
      "human_review:allow",
    );
    expect(rounds.filter((row) => row.round === 2).some((row) => row.verdict === "review")).toBe(true);
    expect((await finish(profileId)).exit_reason).toBe("went on after the message");
    // a second answer to the same item changes nothing
    const again = await refusal(
      stack.queue.respondToApproval(database.db, approvalId, { type: "accept" }, reviewer),
    );
    expect(again.code).toBe("approval_closed");
    expect(await outboxOf(workspaceId)).toHaveLength(1);
    const audit = await rows<{ kind: string }>(
      database.db,
      sql`select kind from audit_log where workspace_id = ${workspaceId} order by seq`,
    );
    expect(audit.map((row) => row.kind)).toEqual([
      "policy_config.saved",
      "policy.decision",
      "policy.decision",
      "approval.decided",
    ]);
    expect((await verifyAuditChain(database.db, { workspaceId })).ok).toBe(true);
  });

  it("ignore sends nothing, cancels the action and takes the skip path", async () => {
    const { workspaceId, reviewer, profileId, approvalId } = await parkedCustomer();
    const event = await stack.queue.respondToApproval(
      database.db,
      approvalId,
      { type: "ignore", reason: "off-brand" },
      reviewer,
    );
    expect(event.item.status).toBe("ignored");
    expect(event.effect).toMatchObject({ actionStatus: "cancelled", resumed: true });
    expect(await outboxOf(workspaceId)).toEqual([]);
    expect((await actionsOf(database.db, profileId))[0]!.status).toBe("cancelled");
    expect((await finish(profileId)).exit_reason).toBe("took the skip path");
  });

  it("an edit sends the edited content, after the policies decide it again", async () => {
    const { workspaceId, reviewer, profileId, approvalId } = await parkedCustomer();
    const [item] = await rows<{
      request: { action_request: { action: string; args: Record<string, unknown> } };
    }>(database.db, sql`select request from approvals where id = ${approvalId}`);
    const args = item!.request.action_request.args;
    const payload = args.payload as Record<string, unknown>;
    const event = await stack.queue.respondToApproval(
      database.db,
      approvalId,
      {
        type: "edit",
        args: {
          action: "send_email",
          args: {
            ...args,
            payload: { ...payload, content: { subject: "Still thinking?", body: "Your cart is saved." } },
          },
        },
      },
      reviewer,
    );
    expect(event.item.status).toBe("edited");
    const [sent] = await outboxOf(workspaceId);
    expect(sent!.payload.content).toEqual({ subject: "Still thinking?", body: "Your cart is saved." });
    expect((await actionsOf(database.db, profileId))[0]!.payload.content).toEqual(sent!.payload.content);
  });

  it("an edit that now violates a policy is refused with the verdicts and the item stays pending", async () => {
    const { workspaceId, reviewer, approvalId } = await parkedCustomer();
    const edit = {
      type: "edit",
      args: {
        action: "send_email",
        args: { payload: { offer: { kind: "percent_off", value: 50 }, category: "promotional" } },
      },
    };
    const error = await refusal(stack.queue.respondToApproval(database.db, approvalId, edit, reviewer));
    expect(error.code).toBe("edit_violates_policy");
    expect(error.status).toBe(422);
    expect(error.details.verdicts?.find((verdict) => verdict.verdict === "deny")?.policy).toBe(
      "offer_ceiling",
    );
    const [item] = await rows<{ status: string }>(
      database.db,
      sql`select status from approvals where id = ${approvalId}`,
    );
    expect(item!.status).toBe("pending");
    expect(await outboxOf(workspaceId)).toEqual([]);
  });

  it("an edit may not change who receives the message or through what", async () => {
    const { reviewer, approvalId } = await parkedCustomer();
    const recipient = await refusal(
      stack.queue.respondToApproval(
        database.db,
        approvalId,
        { type: "edit", args: { action: "send_email", args: { payload: { to: "someone@else.example" } } } },
        reviewer,
      ),
    );
    expect(recipient).toMatchObject({ code: "invalid_edit", details: { field: "args.args.payload.to" } });
    const channel = await refusal(
      stack.queue.respondToApproval(
        database.db,
        approvalId,
        { type: "edit", args: { action: "send_email", args: { channel: "sms" } } },
        reviewer,
      ),
    );
    expect(channel).toMatchObject({ code: "invalid_edit", details: { field: "args.args.channel" } });
    const content = await refusal(
      stack.queue.respondToApproval(
        database.db,
        approvalId,
        {
          type: "edit",
          args: { action: "send_email", args: { payload: { content: { subject: "no body" } } } },
        },
        reviewer,
      ),
    );
    expect(content.details.field).toBe("args.args.payload.content.body");
    const shape = await refusal(
      stack.queue.respondToApproval(database.db, approvalId, { type: "approve" }, reviewer),
    );
    expect(shape).toMatchObject({ code: "invalid_response", status: 400, details: { field: "type" } });
    const respond = await refusal(
      stack.queue.respondToApproval(
        database.db,
        approvalId,
        { type: "response", args: "shorter please" },
        reviewer,
      ),
    );
    expect(respond).toMatchObject({ code: "response_not_allowed", status: 400 });
  });

  it("an accepted action whose customer withdrew consent meanwhile is denied and skipped, not sent", async () => {
    const { workspaceId, reviewer, profileId, approvalId } = await parkedCustomer();
    await database.db.execute(
      sql`update profiles set consent = consent || '{"email": false}'::jsonb where id = ${profileId}`,
    );
    const event = await stack.queue.respondToApproval(database.db, approvalId, { type: "accept" }, reviewer);
    expect(event.item.status).toBe("accepted");
    expect(event.effect).toMatchObject({ actionStatus: "denied" });
    expect(await outboxOf(workspaceId)).toEqual([]);
    expect((await finish(profileId)).exit_reason).toBe("took the skip path");
  });

  it("an SMS accepted at night is queued for the end of the customer's quiet hours", async () => {
    const { workspaceId, reviewer, approvalId } = await parkedCustomer("sms", "2026-03-02T19:45:00Z"); // 20:45 in Berlin
    clock.set("2026-03-02T20:30:00Z"); // 21:30 in Berlin: quiet hours
    const event = await stack.queue.respondToApproval(database.db, approvalId, { type: "accept" }, reviewer);
    expect(event.effect).toMatchObject({ actionStatus: "queued", deliverAt: "2026-03-03T07:00:00.000Z" });
    const [row] = await outboxOf(workspaceId);
    expect(new Date(row!.next_attempt_at.replace(" ", "T").replace(/\+00$/, "Z")).toISOString()).toBe(
      "2026-03-03T07:00:00.000Z",
    );
  });

  it("an expired item sends nothing: the loop cancels the action and the customer takes the skip path", async () => {
    const { workspaceId, reviewer, profileId, approvalId } = await parkedCustomer();
    clock.advance("PT61M");
    expect(await stack.queue.expireDue({ workspaceId })).toBe(1);
    const [item] = await rows<{ status: string; decided_by: string }>(
      database.db,
      sql`select status, decided_by from approvals where id = ${approvalId}`,
    );
    expect(item).toEqual({ status: "expired", decided_by: "system" });
    expect(await outboxOf(workspaceId)).toEqual([]);
    expect((await finish(profileId)).exit_reason).toBe("took the skip path");
    const late = await refusal(
      stack.queue.respondToApproval(database.db, approvalId, { type: "accept" }, reviewer),
    );
    expect(late.code).toBe("approval_closed");
  });

  it("answering an expired item applies the expiry first and refuses the answer", async () => {
    const { workspaceId, reviewer, approvalId } = await parkedCustomer();
    clock.advance("PT2H");
    const error = await refusal(
      stack.queue.respondToApproval(database.db, approvalId, { type: "accept" }, reviewer),
    );
    expect(error).toMatchObject({ code: "approval_closed", status: 409 });
    expect(error.message).toMatch(/expired/);
    const [item] = await rows<{ status: string }>(
      database.db,
      sql`select status from approvals where id = ${approvalId}`,
    );
    expect(item!.status).toBe("expired");
    expect(await outboxOf(workspaceId)).toEqual([]);
  });

  it("an item whose customer left the journey is withdrawn", async () => {
    const { workspaceId, approvalId, profileId } = await parkedCustomer();
    await ingest(database, stack.runtime, clock.now, { workspaceId, userId: "u1", name: "Order Completed" });
    expect((await instancesOf(database.db, profileId))[0]!.status).toBe("exited");
    expect(await stack.queue.expireDue({ workspaceId })).toBe(1);
    const [item] = await rows<{ status: string }>(
      database.db,
      sql`select status from approvals where id = ${approvalId}`,
    );
    expect(item!.status).toBe("withdrawn");
  });

  it("the author of the journey cannot approve its sends", async () => {
    const { workspaceId, approvalId, versionId } = await parkedCustomer();
    const author = await insertKey(database.db, workspaceId, "admin");
    await database.db.execute(
      sql`update journey_versions set author = ${author.keyId} where id = ${versionId}`,
    );
    const error = await refusal(
      stack.queue.respondToApproval(database.db, approvalId, { type: "accept" }, author),
    );
    expect(error).toMatchObject({ code: "self_approval", status: 403 });
    expect(await outboxOf(workspaceId)).toEqual([]);
  });
});
