import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/open.ts";
import { rows } from "../db/open.ts";
import { openTestDb } from "../db/testing.ts";
import { createCustomer, createWorkspace, FakeClock } from "../journeys/runtime/testing.ts";
import { parsePolicyConfig } from "./config.ts";
import { createDecide } from "./engine.ts";
import { createGateway } from "./gateway.ts";
import type { ActionProposal, CustomerContext, Decide, PolicyVerdict } from "./types.ts";

let database: Database;
const clock = new FakeClock("2026-03-02T09:00:00Z");

beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database?.close();
});

function proposal(workspaceId: string, profileId: number, key: string, channel = "email"): ActionProposal {
  return {
    workspaceId,
    profileId,
    kind: channel === "handoff" ? "handoff" : "message",
    channel,
    journeyId: "jrn_test",
    versionId: `ver_${workspaceId}`,
    nodeId: "mail",
    idempotencyKey: key,
    payload: { content: { subject: "Hi", body: "Hello" }, to: "ada@example.com" },
  };
}

async function customer() {
  const workspaceId = await createWorkspace(database.db);
  const profileId = await createCustomer(database.db, workspaceId, { userId: "u1" });
  return { workspaceId, profileId };
}

const allow: Decide = () => ({
  outcome: "allow",
  verdicts: [{ policy: "consent", verdict: "allow", reason: "ok" }],
});

describe("the action gateway", () => {
  it("an allowed action is stored with its verdicts and an outbox row, in the caller's transaction", async () => {
    const { workspaceId, profileId } = await customer();
    const gateway = createGateway({ decideFor: async () => allow, now: clock.now });
    const outcome = await database.db.transaction((tx) =>
      gateway.propose(tx, proposal(workspaceId, profileId, "k1")),
    );
    expect(outcome.status).toBe("queued");
    if (outcome.status !== "queued") return;
    const [action] = await rows<{ status: string; verdict: string | null; queued_at: unknown }>(
      database.db,
      sql`select status, verdict, queued_at from actions where id = ${outcome.actionId}`,
    );
    expect(action!.status).toBe("queued");
    expect(action!.queued_at).not.toBeNull();
    const [outbox] = await rows<{ id: number; channel: string; payload: Record<string, unknown> }>(
      database.db,
      sql`select id, channel, payload from outbox where action_id = ${outcome.actionId}`,
    );
    expect(outbox).toMatchObject({
      id: outcome.outboxId,
      channel: "email",
      payload: { to: "ada@example.com" },
    });
    const decisions = await rows<{ round: number; policy: string }>(
      database.db,
      sql`select round, policy from decisions where action_id = ${outcome.actionId}`,
    );
    expect(decisions).toEqual([{ round: 1, policy: "consent" }]);
  });

  it("the same idempotency key is never decided twice: the stored outcome comes back", async () => {
    const { workspaceId, profileId } = await customer();
    let calls = 0;
    const gateway = createGateway({
      decideFor: async () => (action, context, now) => {
        calls++;
        return allow(action, context, now);
      },
      now: clock.now,
    });
    const first = await database.db.transaction((tx) =>
      gateway.propose(tx, proposal(workspaceId, profileId, "same")),
    );
    const second = await database.db.transaction((tx) =>
      gateway.proposeMany(tx, [
        proposal(workspaceId, profileId, "same"),
        proposal(workspaceId, profileId, "same"),
      ]),
    );
    expect(calls).toBe(1);
    expect(second.map((outcome) => outcome.actionId)).toEqual([first.actionId, first.actionId]);
    expect(second[0]!.status).toBe("queued");
    const [count] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int8 as n from outbox where workspace_id = ${workspaceId}`,
    );
    expect(Number(count!.n)).toBe(1);
  });

  it("a denied action gets no outbox row; its verdict and reason are stored", async () => {
    const { workspaceId, profileId } = await customer();
    await database.db.execute(
      sql`update profiles set consent = '{"email": false}'::jsonb where id = ${profileId}`,
    );
    const decide = createDecide(parsePolicyConfig({ consent_required: ["email"] }));
    const gateway = createGateway({ decideFor: async () => decide, now: clock.now });
    const outcome = await database.db.transaction((tx) =>
      gateway.propose(tx, proposal(workspaceId, profileId, "d1")),
    );
    expect(outcome.status).toBe("denied");
    const [action] = await rows<{ status: string; verdict: string; reason: string }>(
      database.db,
      sql`select status, verdict, reason from actions where id = ${outcome.actionId}`,
    );
    expect(action).toMatchObject({ status: "denied", verdict: "consent" });
    const outbox = await rows(database.db, sql`select id from outbox where action_id = ${outcome.actionId}`);
    expect(outbox).toHaveLength(0);
  });

  it("a deferred action is decided again when proposed again, as round 2 of the same action", async () => {
    const { workspaceId, profileId } = await customer();
    const until = new Date("2026-03-02T10:00:00Z");
    const decide: Decide = (_action, _context, now) => {
      if (now < until) {
        const verdict: PolicyVerdict = { policy: "quiet_hours", verdict: "defer", reason: "night", until };
        return { outcome: "defer", until, verdicts: [verdict], deciding: verdict };
      }
      return allow(_action, _context, now);
    };
    const gateway = createGateway({ decideFor: async () => decide, now: clock.now });
    clock.set("2026-03-02T09:00:00Z");
    const first = await database.db.transaction((tx) =>
      gateway.propose(tx, proposal(workspaceId, profileId, "q1")),
    );
    expect(first).toMatchObject({ status: "deferred", until });
    clock.set("2026-03-02T10:00:00Z");
    const second = await database.db.transaction((tx) =>
      gateway.propose(tx, proposal(workspaceId, profileId, "q1")),
    );
    expect(second).toMatchObject({ status: "queued", actionId: first.actionId });
    const rounds = await rows<{ round: number; verdict: string }>(
      database.db,
      sql`select round, verdict from decisions where action_id = ${first.actionId} order by round`,
    );
    expect(rounds).toEqual([
      { round: 1, verdict: "defer" },
      { round: 2, verdict: "allow" },
    ]);
  });

  it("review creates an approval item that expires after the configured time", async () => {
    const { workspaceId, profileId } = await customer();
    const decide: Decide = () => {
      const verdict: PolicyVerdict = { policy: "approval", verdict: "review", reason: "AI-written content" };
      return { outcome: "review", verdicts: [verdict], deciding: verdict };
    };
    const gateway = createGateway({
      decideFor: async () => decide,
      now: clock.now,
      approvalExpiryMs: 3_600_000,
    });
    const outcome = await database.db.transaction((tx) =>
      gateway.propose(tx, proposal(workspaceId, profileId, "r1")),
    );
    expect(outcome.status).toBe("review");
    if (outcome.status !== "review") return;
    const [approval] = await rows<{
      id: string;
      expires_at: unknown;
      request: Record<string, unknown>;
      status: string;
    }>(
      database.db,
      sql`select id, expires_at, request, status from approvals where action_id = ${outcome.actionId}`,
    );
    expect(approval!.id).toBe(outcome.approvalId);
    expect(new Date(String(approval!.expires_at).replace(" ", "T").replace(/\+00$/, "Z")).getTime()).toBe(
      clock.now().getTime() + 3_600_000,
    );
    expect(approval!.request).toMatchObject({
      action_request: { action: "send_email", args: { idempotency_key: "r1" } },
      description: "approval: AI-written content",
    });
    // Replaying the same key returns the pending review, not a second item.
    const again = await database.db.transaction((tx) =>
      gateway.propose(tx, proposal(workspaceId, profileId, "r1")),
    );
    expect(again).toMatchObject({ status: "review", approvalId: outcome.approvalId });
  });

  it("gives policies the customer's context: zone, recent sends (not failed ones), segments, first send", async () => {
    const { workspaceId, profileId } = await customer();
    const seen: CustomerContext[] = [];
    const gateway = createGateway({
      decideFor: async () => (action, context, now) => {
        seen.push({ ...context, recentSends: [...context.recentSends] });
        return allow(action, context, now);
      },
      now: clock.now,
    });
    await database.db.execute(
      sql`insert into segments (id, workspace_id, name, condition) values (${`s-${workspaceId}`}, ${workspaceId}, 'VIP', '{}'::jsonb)`,
    );
    await database.db.execute(
      sql`insert into segment_memberships (segment_id, profile_id, workspace_id) values (${`s-${workspaceId}`}, ${profileId}, ${workspaceId})`,
    );
    const first = await database.db.transaction((tx) =>
      gateway.propose(tx, proposal(workspaceId, profileId, "c1")),
    );
    await database.db.execute(sql`update actions set status = 'failed' where id = ${first.actionId}`);
    await database.db.transaction((tx) => gateway.propose(tx, proposal(workspaceId, profileId, "c2")));
    await database.db.transaction((tx) => gateway.propose(tx, proposal(workspaceId, profileId, "c3", "sms")));
    expect(seen.map((context) => context.firstSendOfVersion)).toEqual([true, true, false]);
    expect(seen[0]).toMatchObject({ timezone: "Europe/Berlin", segments: ["VIP"], recentSends: [] });
    // the failed send does not count; the queued one does
    expect(seen[1]!.recentSends).toEqual([]);
    expect(seen[2]!.recentSends.map((send) => send.channel)).toEqual(["email"]);
  });

  it("caps hold inside one batch: 50 proposals for one customer with a cap of 2 send 2", async () => {
    const { workspaceId, profileId } = await customer();
    const decide = createDecide(
      parsePolicyConfig({ frequency_cap: { per_local_day: 2, channels: ["email"] } }),
    );
    const gateway = createGateway({ decideFor: async () => decide, now: clock.now });
    const outcomes = await database.db.transaction((tx) =>
      gateway.proposeMany(
        tx,
        Array.from({ length: 50 }, (_, index) => proposal(workspaceId, profileId, `cap-${index}`)),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === "queued")).toHaveLength(2);
  });

  it("caps hold across transactions: 50 concurrent proposals with a cap of 2 send 2", async () => {
    const { workspaceId, profileId } = await customer();
    const decide = createDecide(
      parsePolicyConfig({ frequency_cap: { per_local_day: 2, channels: ["email"] } }),
    );
    const gateway = createGateway({ decideFor: async () => decide, now: clock.now });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        database.db.transaction((tx) =>
          gateway.propose(tx, proposal(workspaceId, profileId, `race-${index}`)),
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === "queued")).toHaveLength(2);
  });
});
