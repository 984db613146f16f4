import { sql } from "drizzle-orm";
import type { Executor } from "../db/open.ts";
import { rows } from "../db/open.ts";
import { JOURNEY_COUNTER_NODE } from "./runtime/types.ts";
import type { VersionRecord } from "./versions.ts";

/**
 * Per-node counts of a version, read from `node_counters` (kept by the runtime in each step's
 * transaction, so no log scan), plus instance totals and goal conversion from `journey_instances`.
 */
export const NODE_METRICS = ["entered", "waiting", "sent", "held", "skipped", "exited", "converted"] as const;

export interface NodeStats {
  id: string;
  type: string;
  label?: string | undefined;
  /** the standard metrics (zero when never counted) and any other metric the runtime records */
  metrics: Record<string, number>;
}

/** How many of a version's instances are in each state, and how many converted. */
export interface InstanceCounts {
  total: number;
  running: number;
  parked: number;
  completed: number;
  exited: number;
  converted: number;
}

export interface VersionStats {
  versionId: string;
  version: number;
  status: string;
  nodes: NodeStats[];
  /** journey-level counters the runtime keeps (entered, completed, exited, converted, …) */
  journey: Record<string, number>;
  instances: InstanceCounts;
  goal: { event: string; within: string; conversions: number; conversionRate: number | null } | null;
}

export async function versionStats(executor: Executor, version: VersionRecord): Promise<VersionStats> {
  const counters = await rows<{ node_id: string; metric: string; count: number }>(
    executor,
    sql`select node_id, metric, count from node_counters where version_id = ${version.id}`,
  );
  const [totals] = await rows<InstanceCounts>(
    executor,
    sql`select count(*)::int8 as total,
               count(*) filter (where status = 'running')::int8 as running,
               count(*) filter (where status = 'parked')::int8 as parked,
               count(*) filter (where status = 'completed')::int8 as completed,
               count(*) filter (where status = 'exited')::int8 as exited,
               count(converted_at)::int8 as converted
          from journey_instances where version_id = ${version.id}`,
  );
  const byNode = new Map<string, Record<string, number>>();
  for (const counter of counters) {
    const metrics = byNode.get(counter.node_id) ?? {};
    metrics[counter.metric] = (metrics[counter.metric] ?? 0) + Number(counter.count);
    byNode.set(counter.node_id, metrics);
  }
  const zero = () => Object.fromEntries(NODE_METRICS.map((metric) => [metric, 0])) as Record<string, number>;
  const nodes: NodeStats[] = version.definition.nodes.map((node) => ({
    id: node.id,
    type: node.type,
    label: node.label,
    metrics: { ...zero(), ...(byNode.get(node.id) ?? {}) },
  }));
  const journeyMetrics = byNode.get(JOURNEY_COUNTER_NODE) ?? {};
  const instances: InstanceCounts = {
    total: Number(totals?.total ?? 0),
    running: Number(totals?.running ?? 0),
    parked: Number(totals?.parked ?? 0),
    completed: Number(totals?.completed ?? 0),
    exited: Number(totals?.exited ?? 0),
    converted: Number(totals?.converted ?? 0),
  };
  const goal = version.definition.goal;
  return {
    versionId: version.id,
    version: version.version,
    status: version.status,
    nodes,
    journey: journeyMetrics,
    instances,
    goal: goal
      ? {
          event: goal.event,
          within: goal.within,
          conversions: instances.converted,
          conversionRate: instances.total > 0 ? instances.converted / instances.total : null,
        }
      : null,
  };
}
