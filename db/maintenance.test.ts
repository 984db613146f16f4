import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maintainEmbedded } from "./maintenance.ts";
import type { Database } from "./open.ts";
import { openDb, rows } from "./open.ts";

/** PGlite has no autovacuum daemon; maintainEmbedded stands in for it with the server's thresholds. */

let database: Database;
beforeAll(async () => {
  database = await openDb({ dataDir: "memory://", migrate: false });
});
afterAll(async () => {
  await database.close();
});

async function stats(table: string) {
  await database.db.execute(sql`select pg_stat_force_next_flush()`);
  const [row] = await rows<{ dead: number; analyzed: string | null; vacuumed: string | null }>(
    database.db,
    sql`select n_dead_tup as dead, last_analyze as analyzed, last_vacuum as vacuumed
        from pg_stat_user_tables where relname = ${table}`,
  );
  return { dead: Number(row!.dead), analyzed: row!.analyzed !== null, vacuumed: row!.vacuumed !== null };
}

describe("maintainEmbedded", () => {
  it("vacuums and analyzes a table whose dead rows pass the threshold, and leaves a quiet one alone", async () => {
    await database.db.execute(sql`create table churned (id int primary key, v int)`);
    await database.db.execute(sql`insert into churned select g, 0 from generate_series(1, 2000) g`);
    await database.db.execute(sql`update churned set v = 1`);
    await database.db.execute(sql`create table quiet (id int primary key)`);
    await database.db.execute(sql`insert into quiet values (1), (2)`);
    expect(await stats("churned")).toEqual({ dead: 2000, analyzed: false, vacuumed: false });

    const report = await maintainEmbedded(database);

    expect(report.vacuumed).toEqual(["churned"]);
    expect(report.analyzed).toEqual(["churned"]);
    expect(await stats("churned")).toEqual({ dead: 0, analyzed: true, vacuumed: true });
    expect(await stats("quiet")).toEqual({ dead: 0, analyzed: false, vacuumed: false });
    // Nothing changed since: a second pass does nothing.
    expect(await maintainEmbedded(database)).toEqual({ vacuumed: [], analyzed: [] });
  });

  it("analyzes a table that only grew", async () => {
    await database.db.execute(sql`create table grown (id int primary key)`);
    await database.db.execute(sql`insert into grown select g from generate_series(1, 500) g`);
    const report = await maintainEmbedded(database);
    expect(report).toEqual({ vacuumed: [], analyzed: ["grown"] });
    expect(await stats("grown")).toEqual({ dead: 0, analyzed: true, vacuumed: false });
  });
});
