import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { VersionStatus } from "../../db/schema/journeys.ts";
import type { CompiledJourney } from "./compiled.ts";
import { compileStoredJourney } from "./compiled.ts";
import { textList } from "./store.ts";

/**
 * What the runtime knows about a workspace's journeys, cached per process.
 *
 * Definitions of live versions are immutable, so a compiled version is cached for good. Statuses
 * change (activate, pause, archive), so each batch asks for the workspace's active and paused
 * version ids — one small indexed query — and rebuilds the trigger index only when that list
 * changed. No cross-process invalidation messages to lose, and a version activated by another
 * process is live for the very next batch.
 */

export interface WorkspaceIndex {
  workspaceId: string;
  timezone: string;
  /** active and paused versions; any other version an instance belongs to is archived */
  status: ReadonlyMap<string, VersionStatus>;
  active: readonly CompiledJourney[];
  byEvent: ReadonlyMap<string, readonly CompiledJourney[]>;
  traitTriggered: readonly CompiledJourney[];
  segmentTriggered: readonly CompiledJourney[];
  /** live or past versions with a goal: their finished visits can still convert */
  goalVersions: readonly string[];
  /**
   * Event names an instance of any active, paused or archived version reacts to (wait_for_event,
   * exit_on, goal): with the trigger names, the events ingestion must show the runtime at all.
   */
  instanceEventNames: ReadonlySet<string>;
}

export function versionStatus(index: WorkspaceIndex, versionId: string): VersionStatus {
  return index.status.get(versionId) ?? "archived";
}

/** Versions whose instances may step: active ones and archived ones (in-flight customers finish). */
export function mayStep(index: WorkspaceIndex, versionId: string): boolean {
  const status = versionStatus(index, versionId);
  return status === "active" || status === "archived";
}

export class VersionCache {
  private readonly compiled = new Map<string, CompiledJourney>();
  private readonly workspaces = new Map<string, { stamp: string; index: WorkspaceIndex }>();

  /** Compiled versions by id (any status), loading the ones not seen yet. */
  async versions(tx: Executor, versionIds: Iterable<string>): Promise<Map<string, CompiledJourney>> {
    const wanted = [...new Set(versionIds)];
    const missing = wanted.filter((id) => !this.compiled.has(id));
    if (missing.length > 0) {
      const found = await rows<{ id: string; journey_id: string; workspace_id: string; definition: unknown }>(
        tx,
        sql`select id, journey_id, workspace_id, definition from journey_versions where id in (${textList(missing)})`,
      );
      for (const row of found) {
        this.compiled.set(
          row.id,
          compileStoredJourney(row.definition, {
            versionId: row.id,
            journeyId: row.journey_id,
            workspaceId: row.workspace_id,
          }),
        );
      }
    }
    const result = new Map<string, CompiledJourney>();
    for (const id of wanted) {
      const compiled = this.compiled.get(id);
      if (compiled) result.set(id, compiled);
    }
    return result;
  }

  async workspace(tx: Executor, workspaceId: string): Promise<WorkspaceIndex> {
    const found = await rows<{ timezone: string; id: string | null; status: VersionStatus | null }>(
      tx,
      sql`select w.timezone, v.id, v.status from workspaces w
          left join journey_versions v on v.workspace_id = w.id and v.status in ('active', 'paused')
          where w.id = ${workspaceId}
          order by v.id`,
    );
    const timezone = found[0]?.timezone ?? "UTC";
    const stamp = `${timezone}|${found.map((row) => `${row.id}:${row.status}`).join(",")}`;
    const cached = this.workspaces.get(workspaceId);
    if (cached && cached.stamp === stamp) return cached.index;
    const status = new Map<string, VersionStatus>();
    for (const row of found) if (row.id && row.status) status.set(row.id, row.status);
    const compiled = await this.versions(tx, status.keys());
    const active = [...status.entries()]
      .filter(([, value]) => value === "active")
      .map(([id]) => compiled.get(id))
      .filter((entry): entry is CompiledJourney => entry !== undefined);
    const byEvent = new Map<string, CompiledJourney[]>();
    for (const version of active) {
      for (const name of version.triggerEvents) {
        const list = byEvent.get(name) ?? [];
        list.push(version);
        byEvent.set(name, list);
      }
    }
    // Versions that may have instances (archived ones keep their in-flight customers). Definitions
    // are immutable, so each is compiled once per process.
    const withInstances = await rows<{ id: string }>(
      tx,
      sql`select id from journey_versions where workspace_id = ${workspaceId}
          and status in ('active', 'paused', 'archived')`,
    );
    const reachable = await this.versions(
      tx,
      withInstances.map((row) => row.id),
    );
    const instanceEventNames = new Set<string>();
    for (const version of reachable.values())
      for (const name of version.instanceEvents) instanceEventNames.add(name);
    const index: WorkspaceIndex = {
      workspaceId,
      timezone,
      status,
      active,
      byEvent,
      traitTriggered: active.filter((version) => version.journey.trigger.type === "trait_changed"),
      segmentTriggered: active.filter((version) => version.journey.trigger.type === "segment_entered"),
      goalVersions: [...reachable.values()]
        .filter((version) => version.journey.goal !== undefined)
        .map((version) => version.versionId),
      instanceEventNames,
    };
    this.workspaces.set(workspaceId, { stamp, index });
    return index;
  }
}
