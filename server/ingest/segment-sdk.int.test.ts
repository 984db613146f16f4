import { Analytics } from "@segment/analytics-node";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import type { EventSink, IngestedEvent } from "../../journeys/runtime/contract.ts";
import { JourneyRuntime } from "../../journeys/runtime/runtime.ts";
import { createJourney, testGateway } from "../../journeys/runtime/testing.ts";
import type { TestServer, TestWorkspace } from "./test-server.ts";
import { createTestWorkspace, RecordingSink, startTestServer } from "./test-server.ts";

/**
 * The official Segment Node client (@segment/analytics-node 3.1.0), unpatched, pointed at our server.
 * It reuses a messageId when the call passes one (`messageId` is a documented call option: the
 * event factory keeps `options.messageId` and only generates `node-next-…` ids when it is absent),
 * which is how the duplicates are produced, exactly as a retrying producer would.
 */

let database: Database;
let server: TestServer;
let workspace: TestWorkspace;
let journeyId: string;
const sink = new RecordingSink();

/** Hands every batch to the real journey runtime and records what it handed over. */
class RuntimeAndRecorder implements EventSink {
  constructor(
    private readonly runtime: JourneyRuntime,
    private readonly recorder: RecordingSink,
  ) {}
  async onEvents(tx: Executor, events: readonly IngestedEvent[]) {
    await this.runtime.onEvents(tx, events);
    await this.recorder.onEvents(tx, events);
  }
  async onProfilesMerged(tx: Executor, from: number, into: number) {
    await this.runtime.onProfilesMerged(tx, from, into);
    await this.recorder.onProfilesMerged(tx, from, into);
  }
}

beforeAll(async () => {
  database = await openTestDb();
  const now = () => new Date();
  const runtime = new JourneyRuntime({ database, now, gateway: testGateway(now) });
  server = await startTestServer({ database, sink: new RuntimeAndRecorder(runtime, sink) });
  workspace = await createTestWorkspace(database.db);
  // Every order starts a visit (re-entry "always"), and the visit hands the customer to a person at once.
  ({ journeyId } = await createJourney(database.db, workspace.workspaceId, {
    name: "Thank every order",
    trigger: { type: "event", event: "Order Completed" },
    reentry: { mode: "always" },
    start: "thank",
    nodes: [
      { id: "thank", type: "handoff", queue: "support", instructions: "Call to say thanks.", next: "done" },
      { id: "done", type: "exit" },
    ],
  }));
});
afterAll(async () => {
  await server?.close();
  await database?.close();
});

const USERS = 50;

type Call =
  | { kind: "track"; messageId: string; userId?: string; anonymousId?: string; event: string }
  | { kind: "page"; messageId: string; anonymousId: string; name: string }
  | {
      kind: "identify";
      messageId: string;
      userId: string;
      anonymousId: string;
      traits: Record<string, unknown>;
    }
  | { kind: "alias"; messageId: string; userId: string; previousId: string };

/** 900 distinct calls: anonymous browsing, then identify (even users) or alias (odd users), then use. */
function scenario(): Call[] {
  const calls: Call[] = [];
  let sequence = 0;
  const id = () => `sdk-test-${++sequence}`;
  for (let user = 0; user < USERS; user++) {
    const anonymousId = `anon-${user}`;
    const userId = `user-${user}`;
    calls.push({ kind: "page", messageId: id(), anonymousId, name: "Home" });
    for (let step = 0; step < 5; step++) {
      calls.push({ kind: "track", messageId: id(), anonymousId, event: "Product Viewed" });
    }
    if (user % 2 === 0) {
      calls.push({
        kind: "identify",
        messageId: id(),
        userId,
        anonymousId,
        traits: { email: `${userId}@example.com` },
      });
    } else {
      calls.push({
        kind: "identify",
        messageId: id(),
        userId,
        anonymousId: `server-${user}`,
        traits: { plan: "pro" },
      });
      calls.push({ kind: "alias", messageId: id(), userId, previousId: anonymousId });
    }
  }
  while (calls.length < 900) {
    const user = calls.length % USERS;
    calls.push({ kind: "track", messageId: id(), userId: `user-${user}`, event: "Order Completed" });
  }
  return calls;
}

function send(analytics: Analytics, call: Call) {
  switch (call.kind) {
    case "track":
      if (call.userId) {
        analytics.track({
          userId: call.userId,
          event: call.event,
          messageId: call.messageId,
          properties: { n: 1 },
        });
      } else {
        analytics.track({ anonymousId: call.anonymousId!, event: call.event, messageId: call.messageId });
      }
      return;
    case "page":
      analytics.page({ anonymousId: call.anonymousId, name: call.name, messageId: call.messageId });
      return;
    case "identify":
      analytics.identify({
        userId: call.userId,
        anonymousId: call.anonymousId,
        traits: call.traits,
        messageId: call.messageId,
      });
      return;
    case "alias":
      analytics.alias({ userId: call.userId, previousId: call.previousId, messageId: call.messageId });
      return;
  }
}

describe("@segment/analytics-node against the running server", () => {
  it("stores 900 of 1,000 events when 100 reuse a messageId, merges anonymous histories, and triggers journeys once per stored event", async () => {
    const analytics = new Analytics({
      writeKey: workspace.writeKey,
      host: server.url,
      flushAt: 20,
      flushInterval: 200,
      maxRetries: 1,
    });
    const failures: unknown[] = [];
    const responses: number[] = [];
    analytics.on("error", (error) => failures.push(error));
    analytics.on("http_response", (response) => responses.push(response.status));

    const calls = scenario();
    expect(calls).toHaveLength(900);
    for (const call of calls) send(analytics, call);
    // 100 re-sends of earlier calls with their original messageIds (a retrying producer)
    for (let index = 0; index < 100; index++) send(analytics, calls[index * 9]!);
    await analytics.closeAndFlush({ timeout: 60_000 });

    expect(failures).toEqual([]);
    expect(responses.length).toBeGreaterThanOrEqual(50);
    expect(responses.every((status) => status === 200)).toBe(true);

    const [counts] = await rows<{ events: number; distinct_ids: number }>(
      database.db,
      sql`select count(*)::int as events, count(distinct message_id)::int as distinct_ids
          from events where workspace_id = ${workspace.workspaceId}`,
    );
    expect(counts).toEqual({ events: 900, distinct_ids: 900 });

    // the sink saw every stored event exactly once
    const seen = sink.events.map((event) => event.messageId);
    expect(seen).toHaveLength(900);
    expect(new Set(seen)).toEqual(new Set(calls.map((call) => call.messageId)));

    // one live profile per user, no anonymous leftovers, every anonymous id resolves to its user
    const live = await rows<{ id: number; user_id: string | null }>(
      database.db,
      sql`select id, user_id from profiles where workspace_id = ${workspace.workspaceId} and merged_into is null`,
    );
    expect(live).toHaveLength(USERS);
    expect(live.every((profile) => profile.user_id?.startsWith("user-"))).toBe(true);
    const strays = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from profile_identities i
          join profiles p on p.id = i.profile_id
          where i.workspace_id = ${workspace.workspaceId}
            and (p.merged_into is not null or p.user_id is distinct from ('user-' || substring(i.value from '[0-9]+$')))`,
    );
    expect(strays[0]?.n).toBe(0);
    const misplaced = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from events e join profiles p on p.id = e.profile_id
          where e.workspace_id = ${workspace.workspaceId}
            and (p.merged_into is not null
                 or p.user_id is distinct from ('user-' || substring(coalesce(e.user_id, e.anonymous_id) from '[0-9]+$')))`,
    );
    expect(misplaced[0]?.n).toBe(0);
    // each user's profile holds its whole history: 1 page + 5 anonymous tracks + identify (+ alias) + orders
    const [history] = await rows<{ events: number }>(
      database.db,
      sql`select count(*)::int as events from events e join profiles p on p.id = e.profile_id
          where e.workspace_id = ${workspace.workspaceId} and p.user_id = 'user-1'`,
    );
    const expectedForUser1 = calls.filter(
      (call) =>
        ("userId" in call && call.userId === "user-1") ||
        ("anonymousId" in call && call.anonymousId === "anon-1"),
    ).length;
    expect(history?.events).toBe(expectedForUser1);

    // journeys triggered once per stored event: one visit and one hand-off action per distinct order
    const orders = new Set(
      calls
        .filter((call) => call.kind === "track" && call.event === "Order Completed")
        .map((call) => call.messageId),
    );
    const [entered] = await rows<{ instances: number; entry_keys: number; actions: number }>(
      database.db,
      sql`select count(*)::int as instances, count(distinct i.entry_key)::int as entry_keys,
                 (select count(*)::int from actions a where a.journey_id = ${journeyId}) as actions
          from journey_instances i where i.journey_id = ${journeyId}`,
    );
    expect(entered).toEqual({ instances: orders.size, entry_keys: orders.size, actions: orders.size });
  });
});
