import { sql } from "drizzle-orm";
import type { Executor } from "../db/open.ts";
import { rows } from "../db/open.ts";
import { JOURNEY_COUNTER_NODE } from "./runtime/types.ts";

/**
 * Ends every in-flight instance of a version (the "stop" of the lifecycle) in the caller's
 * transaction: instances exit with the reason, each gets an `exited` log entry, the per-node and
 * journey-level (`$journey`) `exited` counters grow as when the runtime exits an instance, and actions still waiting for a decision (pending, deferred, in review)
 * are cancelled so that nothing more reaches those customers.
 */
export async function exitInFlightInstances(
  tx: Executor,
  input: { versionId: string; reason: string; actor: string; at: Date },
): Promise<{ exited: number; cancelledActions: number }> {
  const at = input.at.toISOString();
  const detail = JSON.stringify({ reason: input.reason, stopped_by: input.actor });
  const [exited] = await rows<{ n: number }>(
    tx,
    sql`
      with exited as (
        update journey_instances
           set status = 'exited', exit_reason = ${input.reason}, finished_at = ${at}::timestamptz,
               due_at = null, wait_event = null, lease_until = null, updated_at = ${at}::timestamptz
         where version_id = ${input.versionId} and status in ('running', 'parked')
        returning id, workspace_id, journey_id, version_id, profile_id, node_id
      ), logged as (
        insert into instance_log (workspace_id, instance_id, journey_id, version_id, profile_id, node_id, kind, detail, at)
        select workspace_id, id, journey_id, version_id, profile_id, node_id, 'exited', ${detail}::jsonb, ${at}::timestamptz
          from exited
        returning node_id
      ), counted as (
        insert into node_counters (version_id, node_id, metric, count, updated_at)
        select ${input.versionId}, node_id, 'exited', count(*), ${at}::timestamptz from logged group by node_id
        union all
        select ${input.versionId}, ${JOURNEY_COUNTER_NODE}, 'exited', count(*), ${at}::timestamptz from logged
        having count(*) > 0
        on conflict (version_id, node_id, metric)
        do update set count = node_counters.count + excluded.count, updated_at = excluded.updated_at
      )
      select count(*)::int8 as n from exited`,
  );
  const [cancelled] = await rows<{ n: number }>(
    tx,
    sql`
      with cancelled as (
        update actions a
           set status = 'cancelled', verdict = 'journey_stopped',
               reason = ${`the journey version was stopped: ${input.reason}`}, decided_at = ${at}::timestamptz
          from journey_instances i
         where a.instance_id = i.id and i.version_id = ${input.versionId} and i.status = 'exited'
           and a.status in ('pending', 'deferred', 'review')
        returning a.id
      )
      select count(*)::int8 as n from cancelled`,
  );
  return { exited: Number(exited?.n ?? 0), cancelledActions: Number(cancelled?.n ?? 0) };
}
