import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { EventRecord } from "../../journeys/format/evaluate.ts";
import { parseTimestamp } from "../../journeys/runtime/store.ts";

/**
 * The one customer a data tool answers about. It is bound by the caller (the runtime's instance,
 * an agent's request), never taken from a model's or a journey's arguments, so no call can read
 * another customer or another workspace.
 */
export interface CustomerScope {
  workspaceId: string;
  profileId: number;
  now: Date;
}

/** Newest events kept per tool call: a customer with a decade of page views stays one small read. */
export const MAX_CUSTOMER_EVENTS = 1000;

/** The customer's track events with these names between `since` and the scope's now, oldest first. */
export async function loadCustomerEvents(
  executor: Executor,
  scope: CustomerScope,
  names: readonly string[],
  since: Date,
): Promise<EventRecord[]> {
  if (names.length === 0) return [];
  const found = await rows<{ name: string; properties: unknown; timestamp: unknown }>(
    executor,
    sql`select name, properties, timestamp from events
        where profile_id = ${scope.profileId} and workspace_id = ${scope.workspaceId}
          and name in (${sql.join(
            names.map((name) => sql`${name}`),
            sql`, `,
          )})
          and timestamp >= ${since.toISOString()}::timestamptz
          and timestamp <= ${scope.now.toISOString()}::timestamptz
        order by timestamp desc, id desc
        limit ${MAX_CUSTOMER_EVENTS}`,
  );
  return found.reverse().map((row) => ({
    name: row.name,
    properties:
      row.properties !== null && typeof row.properties === "object" && !Array.isArray(row.properties)
        ? (row.properties as Record<string, unknown>)
        : {},
    timestamp: parseTimestamp(row.timestamp) ?? new Date(0),
  }));
}

export const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);
