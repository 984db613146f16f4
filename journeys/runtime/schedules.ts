import { CronExpressionParser } from "cron-parser";
import { sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { isValidTimeZone } from "../format/zoned-time.ts";
import type { BatchDeps } from "./batch.ts";
import { RuntimeBatch } from "./batch.ts";
import { enterMany, workspaceContext } from "./router.ts";
import { parseTimestamp } from "./store.ts";

/**
 * Schedule triggers. `journey_schedules` holds the next run of every active schedule-triggered
 * version (kept by `syncSchedule` on each status change). A worker claims a due schedule with
 * FOR UPDATE SKIP LOCKED and enters the workspace's audience in pages of profiles, one transaction
 * per page with a cursor in the row, so a crash resumes where it stopped and entry keys
 * (`sched:<run>:<profile>`) make a repeated page harmless. Runs missed while nothing was running
 * are not replayed: the next run is the next cron time after now.
 */

/** The next cron time strictly after `after`, read in `timezone`. */
export function nextCronRun(cron: string, timezone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timezone }).next().toDate();
}

export async function syncSchedule(executor: Executor, versionId: string, now: Date): Promise<void> {
  const [version] = await rows<{
    workspace_id: string;
    status: string;
    definition: unknown;
    timezone: string;
  }>(
    executor,
    sql`select v.workspace_id, v.status, v.definition, w.timezone from journey_versions v
        join workspaces w on w.id = v.workspace_id where v.id = ${versionId}`,
  );
  const trigger = (
    version?.definition as { trigger?: { type?: string; cron?: string; timezone?: string } } | undefined
  )?.trigger;
  if (version?.status !== "active" || trigger?.type !== "schedule" || typeof trigger.cron !== "string") {
    await executor.execute(sql`delete from journey_schedules where version_id = ${versionId}`);
    return;
  }
  const zone = trigger.timezone && isValidTimeZone(trigger.timezone) ? trigger.timezone : version.timezone;
  const [existing] = await rows<{ cron: string; timezone: string }>(
    executor,
    sql`select cron, timezone from journey_schedules where version_id = ${versionId}`,
  );
  if (existing && existing.cron === trigger.cron && existing.timezone === zone) return;
  const next = nextCronRun(trigger.cron, zone, now);
  await executor.execute(sql`
    insert into journey_schedules (version_id, workspace_id, cron, timezone, next_run_at)
    values (${versionId}, ${version.workspace_id}, ${trigger.cron}, ${zone}, ${next.toISOString()}::timestamptz)
    on conflict (version_id) do update set cron = excluded.cron, timezone = excluded.timezone,
      next_run_at = excluded.next_run_at, running_at = null, cursor = null`);
}

/**
 * Processes one page of one due schedule. Returns false when no schedule is due (or every due one
 * is being processed by another worker).
 */
export async function runSchedulePage(
  database: Database,
  deps: BatchDeps,
  pageSize: number,
): Promise<boolean> {
  return database.db.transaction(async (tx) => {
    const now = deps.now();
    const [schedule] = await rows<{
      version_id: string;
      workspace_id: string;
      cron: string;
      timezone: string;
      next_run_at: unknown;
      running_at: unknown;
      cursor: number | null;
    }>(
      tx,
      sql`select version_id, workspace_id, cron, timezone, next_run_at, running_at, cursor from journey_schedules
          where next_run_at <= ${now.toISOString()}::timestamptz
          order by next_run_at limit 1 for update skip locked`,
    );
    if (!schedule) return false;
    const batch = new RuntimeBatch(tx, deps);
    const context = await workspaceContext(batch, schedule.workspace_id);
    const compiled = context.index.active.find((version) => version.versionId === schedule.version_id);
    if (!compiled) {
      // The version is no longer active (a status change without a sync): drop its schedule.
      await tx.execute(sql`delete from journey_schedules where version_id = ${schedule.version_id}`);
      return true;
    }
    const runAt = parseTimestamp(schedule.running_at) ?? parseTimestamp(schedule.next_run_at)!;
    const cursor = Number(schedule.cursor ?? 0);
    const page = await rows<{ id: number }>(
      tx,
      sql`select id from profiles where workspace_id = ${schedule.workspace_id} and merged_into is null and id > ${cursor}
          order by id limit ${pageSize}`,
    );
    const ids = page.map((row) => Number(row.id));
    await batch.loadProfiles(ids);
    const trigger = { name: "schedule", properties: { scheduled_at: runAt.toISOString() }, timestamp: runAt };
    await enterMany(
      batch,
      ids.map((profileId) => ({
        compiled,
        profileId,
        trigger,
        entryKey: `sched:${runAt.toISOString()}:${profileId}`,
      })),
    );
    // Entered instances are due now; workers step them (in parallel, each with its own isolation).
    await batch.flush();
    if (ids.length < pageSize) {
      const next = nextCronRun(
        schedule.cron,
        schedule.timezone,
        new Date(Math.max(now.getTime(), runAt.getTime())),
      );
      await tx.execute(sql`
        update journey_schedules set last_run_at = ${runAt.toISOString()}::timestamptz,
          next_run_at = ${next.toISOString()}::timestamptz, running_at = null, cursor = null
        where version_id = ${schedule.version_id}`);
    } else {
      await tx.execute(sql`
        update journey_schedules set running_at = ${runAt.toISOString()}::timestamptz, cursor = ${ids[ids.length - 1]!}
        where version_id = ${schedule.version_id}`);
    }
    return true;
  });
}

export async function earliestSchedule(executor: Executor): Promise<Date | null> {
  const [row] = await rows<{ next: unknown }>(
    executor,
    sql`select min(next_run_at) as next from journey_schedules`,
  );
  return parseTimestamp(row?.next);
}
