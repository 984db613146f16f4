import { sql } from "drizzle-orm";
import { rows } from "../../db/open.ts";
import type { Condition } from "../format/condition.ts";
import { Condition as ConditionSchema } from "../format/condition.ts";
import { evaluateCondition, historyNeeds } from "../format/evaluate.ts";
import type { RuntimeBatch } from "./batch.ts";
import { entryScope } from "./scope.ts";
import { idList } from "./store.ts";
import type { RuntimeEvent } from "./types.ts";

/**
 * Segment membership, kept current as events arrive: a customer is re-evaluated against the
 * workspace's segments when their traits change (identify, update_profile) or when they perform an
 * event a segment's `performed` condition counts. Entering a segment can start `segment_entered`
 * journeys. Segments that depend on the passing of time alone (days_since, local.hour) are
 * re-evaluated only with the customer's next event.
 */

export interface SegmentDefinition {
  id: string;
  name: string;
  condition: Condition;
  needs: ReadonlyMap<string, string | null>;
}

const parsed = new Map<string, Condition | null>();

function parseCondition(raw: unknown): Condition | null {
  const key = JSON.stringify(raw);
  if (parsed.has(key)) return parsed.get(key)!;
  const result = ConditionSchema.safeParse(raw);
  if (!result.success)
    console.warn(`[runtime] a segment condition is invalid and is ignored: ${result.error.message}`);
  const condition = result.success ? result.data : null;
  parsed.set(key, condition);
  return condition;
}

export async function loadSegments(batch: RuntimeBatch, workspaceId: string): Promise<SegmentDefinition[]> {
  const found = await rows<{ id: string; name: string; condition: unknown }>(
    batch.tx,
    sql`select id, name, condition from segments where workspace_id = ${workspaceId} order by id`,
  );
  const result: SegmentDefinition[] = [];
  for (const row of found) {
    const condition = parseCondition(row.condition);
    if (condition) result.push({ id: row.id, name: row.name, condition, needs: historyNeeds([condition]) });
  }
  return result;
}

/** Whether the event can change the customer's memberships (traits changed, or an event a segment counts). */
export function touchesSegments(event: RuntimeEvent, segments: readonly SegmentDefinition[]): boolean {
  if (event.traitsBefore || event.traitsAfter || event.type === "identify") return true;
  return event.name !== null && segments.some((segment) => segment.needs.has(event.name!));
}

/**
 * Re-evaluates the customers these events concern; returns, per customer, the segments entered
 * (by id and by name, since journeys may name either). One membership read per call.
 */
export async function updateMemberships(
  batch: RuntimeBatch,
  workspaceId: string,
  segments: readonly SegmentDefinition[],
  events: readonly RuntimeEvent[],
  memberships: Map<number, Set<string>>,
): Promise<Map<number, string[]>> {
  const entered = new Map<number, string[]>();
  if (segments.length === 0) return entered;
  const relevant = events.filter((event) => touchesSegments(event, segments));
  if (relevant.length === 0) return entered;
  const unknown = [...new Set(relevant.map((event) => event.profileId))].filter((id) => !memberships.has(id));
  if (unknown.length > 0) {
    for (const id of unknown) memberships.set(id, new Set());
    const found = await rows<{ segment_id: string; profile_id: number }>(
      batch.tx,
      sql`select segment_id, profile_id from segment_memberships where profile_id in (${idList(unknown)})`,
    );
    for (const row of found) memberships.get(Number(row.profile_id))!.add(row.segment_id);
  }
  const allNeeds = new Map<string, string | null>();
  for (const segment of segments)
    for (const [name, lookBack] of segment.needs) allNeeds.set(name, lookBack ?? null);
  const now = batch.now();
  for (const event of relevant) {
    const customer = batch.customers.get(event.profileId);
    if (!customer) continue;
    const history = allNeeds.size > 0 ? await batch.historyFor(event.profileId, allNeeds) : undefined;
    const trigger = {
      name: event.name ?? event.type,
      properties: event.properties,
      timestamp: event.timestamp,
    };
    const scope = entryScope(customer, now, trigger, { history });
    const current = memberships.get(event.profileId)!;
    for (const segment of segments) {
      const member = evaluateCondition(segment.condition, scope);
      if (member && !current.has(segment.id)) {
        current.add(segment.id);
        batch.addMembership(segment.id, event.profileId, workspaceId);
        const list = entered.get(event.profileId) ?? [];
        list.push(segment.id, segment.name);
        entered.set(event.profileId, list);
      } else if (!member && current.has(segment.id)) {
        current.delete(segment.id);
        batch.removeMembership(segment.id, event.profileId);
      }
    }
  }
  return entered;
}
