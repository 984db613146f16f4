import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/open.ts";
import { openDb } from "../db/open.ts";
import { postgresAvailableForTest, startTestPostgres, type TestPostgres } from "../db/testing-postgres.ts";
import { createCustomer, createWorkspace, FakeClock } from "../journeys/runtime/testing.ts";
import { parsePolicyConfig } from "./config.ts";
import { createDecide } from "./engine.ts";
import { createGateway } from "./gateway.ts";
import type { ActionProposal } from "./types.ts";

/**
 * The cap race on a real server, where transactions truly run at once (PGlite runs them one after
 * another): the profile row lock serializes proposals for one customer, so the cap holds.
 */
const available = postgresAvailableForTest();
let server: TestPostgres;
let database: Database;

beforeAll(async () => {
  if (!available) return;
  server = await startTestPostgres();
  database = await openDb({ url: await server.createDatabase(), maxConnections: 20 });
}, 120_000);
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

describe.skipIf(!available)("the gateway on PostgreSQL", () => {
  it("50 concurrent proposals for one customer with a cap of 2 per day queue exactly 2", async () => {
    const clock = new FakeClock("2026-03-02T09:00:00Z");
    const workspaceId = await createWorkspace(database.db);
    const profileId = await createCustomer(database.db, workspaceId, { userId: "u1" });
    const decide = createDecide(
      parsePolicyConfig({ frequency_cap: { per_local_day: 2, channels: ["sms"] } }),
    );
    const gateway = createGateway({ decideFor: async () => decide, now: clock.now });
    const proposal = (index: number): ActionProposal => ({
      workspaceId,
      profileId,
      kind: "message",
      channel: "sms",
      idempotencyKey: `race-${index}`,
      payload: { content: { body: "hello" } },
    });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        database.db.transaction((tx) => gateway.propose(tx, proposal(index))),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === "queued")).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome.status === "denied")).toHaveLength(48);
  }, 60_000);
});
