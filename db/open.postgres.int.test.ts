import { count, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./open.ts";
import { openDb, rows } from "./open.ts";
import { workspaces } from "./schema/workspaces.ts";
import { postgresAvailableForTest, startTestPostgres, type TestPostgres } from "./testing-postgres.ts";

/**
 * The node-postgres path answers like PGlite: int8 and numeric as numbers, timestamps as text.
 * drizzle's node-postgres session passes its own per-query type parsers (to keep timestamps as text)
 * which fall back to pg's global ones, so the pool's `types` alone never applied to drizzle queries.
 */

const available = postgresAvailableForTest();
let server: TestPostgres;
let database: Database;
beforeAll(async () => {
  if (!available) return;
  server = await startTestPostgres();
  database = await openDb({ url: await server.createDatabase() });
}, 120_000);
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

describe.runIf(available)("openDb on PostgreSQL", () => {
  it("returns int8 and numeric from raw SQL as numbers and timestamps as text, in and out of transactions", async () => {
    const query = sql`select count(*) as counted, 9007199254740991::int8 as big, 2.5::numeric as fraction,
                             '2026-03-02 09:00:00+00'::timestamptz as at
                        from (values (1), (2)) as v(x)`;
    const check = (row: Record<string, unknown> | undefined) => {
      expect(row?.counted).toBe(2);
      expect(row?.big).toBe(9007199254740991);
      expect(row?.fraction).toBe(2.5);
      expect(typeof row?.at).toBe("string");
      expect(new Date(String(row?.at)).toISOString()).toBe("2026-03-02T09:00:00.000Z");
    };
    check((await rows<Record<string, unknown>>(database.db, query))[0]);
    await database.db.transaction(async (tx) => {
      check((await rows<Record<string, unknown>>(tx, query))[0]);
    });
  });

  it("keeps drizzle's typed count() and int4 values numbers", async () => {
    const [counted] = await database.db.select({ n: count() }).from(workspaces);
    expect(counted?.n).toBe(0);
    const [row] = await rows<{ n: unknown }>(database.db, sql`select 1::int4 as n`);
    expect(row?.n).toBe(1);
  });
});
