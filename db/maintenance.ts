import { sql } from "drizzle-orm";
import type { Database } from "./open.ts";
import { rows } from "./open.ts";

/**
 * Autovacuum for the embedded database. PGlite runs Postgres in single-user mode: `autovacuum`
 * reads "on" but no launcher exists, so dead rows (every profile touch, instance step and outbox
 * status change leaves one) are never vacuumed and no table is ever analyzed — the planner keeps
 * guessing row counts and index bloat grows for as long as the server runs. This does what the
 * autovacuum daemon would: per table, VACUUM once dead rows pass 50 + 20 % of the live ones and
 * ANALYZE once changes since the last analyze pass 50 + 10 %, the server's default thresholds.
 * PostgreSQL servers have their own daemon; this is for `database.kind === "pglite"` only.
 */

export interface MaintenanceReport {
  vacuumed: string[];
  analyzed: string[];
}

const VACUUM_BASE = 50;
const VACUUM_SCALE = 0.2;
const ANALYZE_BASE = 50;
const ANALYZE_SCALE = 0.1;

/** One pass over the tables of the current database; returns what it did. */
export async function maintainEmbedded(database: Database): Promise<MaintenanceReport> {
  // Counters reach the statistics views with a delay; this statement's end flushes them.
  await database.db.execute(sql`select pg_stat_force_next_flush()`);
  const tables = await rows<{ schema: string; name: string; live: number; dead: number; changed: number }>(
    database.db,
    sql`select schemaname as schema, relname as name, n_live_tup as live, n_dead_tup as dead,
               n_mod_since_analyze as changed
        from pg_stat_user_tables`,
  );
  const report: MaintenanceReport = { vacuumed: [], analyzed: [] };
  for (const table of tables) {
    const live = Number(table.live);
    const vacuum = Number(table.dead) > VACUUM_BASE + VACUUM_SCALE * live;
    const analyze = Number(table.changed) > ANALYZE_BASE + ANALYZE_SCALE * live;
    if (!vacuum && !analyze) continue;
    const name = `"${table.schema.replaceAll('"', '""')}"."${table.name.replaceAll('"', '""')}"`;
    // VACUUM cannot run inside a transaction block; each statement here runs on its own.
    await database.db.execute(sql.raw(vacuum ? `vacuum (analyze) ${name}` : `analyze ${name}`));
    if (vacuum) report.vacuumed.push(table.name);
    report.analyzed.push(table.name);
  }
  return report;
}

/** The loop registered by server/services.ts on PGlite: a pass every `intervalMs` (default 5 min). */
export function embeddedMaintenanceLoop(database: Database, options: { intervalMs?: number } = {}) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = maintainEmbedded(database)
      .catch((error: unknown) => {
        // a skipped pass only delays the cleanup; the next tick retries
        console.error("[db] embedded maintenance failed:", (error as Error).message);
      })
      .finally(() => {
        running = null;
      });
  };
  return {
    start() {
      if (timer) return;
      timer = setInterval(tick, options.intervalMs ?? 300_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
