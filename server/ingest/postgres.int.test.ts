import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openDb, rows } from "../../db/open.ts";
import type { TestPostgres } from "../../db/testing-postgres.ts";
import { postgresAvailableForTest, startTestPostgres } from "../../db/testing-postgres.ts";
import { ingestBatch } from "./pipeline.ts";
import { createTestWorkspace } from "./test-server.ts";

/**
 * The pipeline on a real PostgreSQL server with concurrent writers (what several API processes do):
 * overlapping identities must not create duplicate profiles, deadlock, or lose trait updates, and
 * concurrent replays must still be stored once.
 */

const available = postgresAvailableForTest();
let postgres: TestPostgres;
let database: Database;

beforeAll(async () => {
  if (!available) return;
  postgres = await startTestPostgres();
  database = await openDb({ url: await postgres.createDatabase(), maxConnections: 12 });
}, 120_000);
afterAll(async () => {
  await database?.close();
  await postgres?.stop();
});

const USERS = 12;

describe.skipIf(!available)("ingestion with concurrent writers on PostgreSQL", () => {
  it("keeps one profile per person and every trait when requests sharing identities run at once", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    const requests = Array.from({ length: 24 }, (_, request) =>
      Array.from({ length: USERS }, (_, offset) => {
        const user = (request + offset) % USERS;
        // even requests meet the person anonymously first; all identify with a trait of their own
        return request % 2 === 0
          ? [
              {
                type: "track",
                anonymousId: `anon-${user}-${request % 3}`,
                event: "Product Viewed",
                messageId: `r${request}-u${user}-a`,
              },
              {
                type: "identify",
                userId: `user-${user}`,
                anonymousId: `anon-${user}-${request % 3}`,
                traits: { [`seen_${request}`]: true },
                messageId: `r${request}-u${user}-b`,
              },
            ]
          : [
              {
                type: "identify",
                userId: `user-${user}`,
                traits: { [`seen_${request}`]: true },
                messageId: `r${request}-u${user}-b`,
              },
            ];
      }).flat(),
    );
    await Promise.all(requests.map((batch) => ingestBatch(database.db, workspaceId, batch)));

    const live = await rows<{ user_id: string | null; traits: Record<string, unknown> }>(
      database.db,
      sql`select user_id, traits from profiles where workspace_id = ${workspaceId} and merged_into is null order by user_id`,
    );
    expect(live.map((profile) => profile.user_id)).toEqual(
      Array.from({ length: USERS }, (_, user) => `user-${user}`).sort(),
    );
    for (const profile of live) {
      expect(Object.keys(profile.traits).sort(), profile.user_id ?? "").toEqual(
        Array.from({ length: 24 }, (_, request) => `seen_${request}`).sort(),
      );
    }
    const identities = await rows<{ n: number; distinct_profiles: number }>(
      database.db,
      sql`select count(*)::int as n, count(distinct i.profile_id)::int as distinct_profiles
          from profile_identities i join profiles p on p.id = i.profile_id
          where i.workspace_id = ${workspaceId} and p.merged_into is null`,
    );
    expect(identities[0]).toEqual({ n: USERS + USERS * 3, distinct_profiles: USERS });
    const [events] = await rows<{ n: number; on_merged: number }>(
      database.db,
      sql`select count(*)::int as n, count(*) filter (where p.merged_into is not null)::int as on_merged
          from events e join profiles p on p.id = e.profile_id where e.workspace_id = ${workspaceId}`,
    );
    expect(events).toEqual({ n: requests.reduce((sum, batch) => sum + batch.length, 0), on_merged: 0 });
  });

  it("stores a batch once when the same batch is sent by several processes at the same moment", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    const batch = Array.from({ length: 50 }, (_, index) => ({
      type: "track",
      userId: `replay-${index % 5}`,
      event: "Order Completed",
      messageId: `replay-${index}`,
    }));
    const results = await Promise.all(
      Array.from({ length: 6 }, () => ingestBatch(database.db, workspaceId, batch)),
    );
    expect(results.reduce((sum, result) => sum + result.stored, 0)).toBe(50);
    const [count] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from events where workspace_id = ${workspaceId}`,
    );
    expect(count?.n).toBe(50);
  });

  it("stores a messageId raced by requests about different customers once; the losers leave no profile", async () => {
    const { workspaceId } = await createTestWorkspace(database.db);
    // No identity in common, so nothing serialises the requests until the events' unique index does;
    // half of them send the calls in reverse order, which can deadlock (and is redone too).
    const requests = Array.from({ length: 6 }, (_, request) => {
      const batch = Array.from({ length: 40 }, (_, index) => ({
        type: "identify",
        userId: `racer-${request}-${index}`,
        traits: { request },
        messageId: `raced-${index}`,
      }));
      return request % 2 === 0 ? batch : batch.reverse();
    });
    const results = await Promise.all(requests.map((batch) => ingestBatch(database.db, workspaceId, batch)));
    expect(results.reduce((sum, result) => sum + result.stored, 0)).toBe(40);
    const [counts] = await rows<{
      events: number;
      message_ids: number;
      profiles: number;
      with_event: number;
    }>(
      database.db,
      sql`select (select count(*)::int from events where workspace_id = ${workspaceId}) as events,
                 (select count(distinct message_id)::int from events where workspace_id = ${workspaceId}) as message_ids,
                 (select count(*)::int from profiles where workspace_id = ${workspaceId}) as profiles,
                 (select count(distinct profile_id)::int from events where workspace_id = ${workspaceId}) as with_event`,
    );
    expect(counts).toEqual({ events: 40, message_ids: 40, profiles: 40, with_event: 40 });
  });
});
