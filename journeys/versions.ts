import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { loadWorkspaceCatalog } from "../db/catalog.ts";
import { newId } from "../db/ids.ts";
import type { Executor } from "../db/open.ts";
import { rows } from "../db/open.ts";
import type { VersionStatus } from "../db/schema/journeys.ts";
import { journeys, journeyVersions } from "../db/schema/journeys.ts";
import type { Journey } from "./format/schema.ts";
import { Journey as JourneySchema } from "./format/schema.ts";
import type { ValidationIssue } from "./format/validate.ts";
import { schemaIssues, validateJourney } from "./format/validate.ts";
import type {
  DraftInput,
  DraftResult,
  JourneyRecord,
  JourneySummary,
  LifecycleOptions,
  VersionRecord,
  VersionRow,
} from "./version-records.ts";
import { DraftedBy, JourneyVersionError, lockJourney, toJourney, toVersion } from "./version-records.ts";

/**
 * The lifecycle of journey versions, as data functions over an Executor (no HTTP):
 *
 *   draft ──activate──► active ⇄ paused          (pause / resume)
 *     │  └─(gate)──► pending_approval ──activate(approved)──► active
 *     └──────────────────────────────► archived  (archive: closed to entries, in-flight finish;
 *                                                  stop: archived and every in-flight instance exits)
 *
 * Only drafts are mutable. Editing a journey whose newest version is not a draft creates a new draft
 * (N+1); activating version N+1 archives the journey's previously live version, whose customers
 * finish where they are (Adobe Journey Optimizer's model). An active version's definition is never
 * rewritten: every definition update is guarded by `status = 'draft'` in the UPDATE itself.
 */

export * from "./version-records.ts";
export * from "./version-transitions.ts";

export function parseDefinition(definition: unknown): Journey {
  const parsed = JourneySchema.safeParse(definition);
  if (!parsed.success) {
    const issues = schemaIssues(parsed.error);
    throw new JourneyVersionError(
      "invalid_definition",
      `the journey definition is not valid: ${issues.length} problem${issues.length === 1 ? "" : "s"}, first ${issues[0]?.path}: ${issues[0]?.message}`,
      issues,
    );
  }
  return parsed.data;
}

/** Full validation against the workspace's catalog (schema, graph and catalog checks). */
export async function validateAgainstWorkspace(
  executor: Executor,
  workspaceId: string,
  definition: unknown,
): Promise<{ ok: boolean; journey?: Journey | undefined; issues: ValidationIssue[] }> {
  const catalog = await loadWorkspaceCatalog(executor, workspaceId);
  return validateJourney(definition, catalog);
}

function parseDraftedBy(value: DraftedBy | undefined): DraftedBy {
  const parsed = DraftedBy.safeParse(value ?? "human");
  if (!parsed.success) {
    throw new JourneyVersionError(
      "invalid_definition",
      'drafted_by must be "human", "offline-planner" or "model:<name>"',
      [
        {
          path: "$.drafted_by",
          code: "schema",
          message: "must be human, offline-planner or model:<name>",
          severity: "error",
        },
      ],
    );
  }
  return parsed.data;
}

/** Creates a journey with its first version, a draft. */
export async function createJourney(executor: Executor, input: DraftInput): Promise<DraftResult> {
  const definition = parseDefinition(input.definition);
  const draftedBy = parseDraftedBy(input.draftedBy);
  const { issues } = await validateAgainstWorkspace(executor, input.workspaceId, definition);
  return executor.transaction(async (tx) => {
    const journeyId = newId("jrn");
    const [journey] = await tx
      .insert(journeys)
      .values({
        id: journeyId,
        workspaceId: input.workspaceId,
        name: definition.name,
        description: definition.description ?? "",
        createdBy: input.author,
      })
      .returning();
    const [version] = await tx
      .insert(journeyVersions)
      .values({
        id: newId("jrv"),
        journeyId,
        workspaceId: input.workspaceId,
        version: 1,
        status: "draft",
        definition,
        draftedBy,
        author: input.author,
        designId: input.designId ?? null,
      })
      .returning();
    return { journey: toJourney(journey!), version: toVersion(version!), issues, created: true };
  });
}

/**
 * Saves an edit. The newest version is updated in place while it is a draft; otherwise (active,
 * paused, pending approval or archived) a new draft N+1 is created and the live version is untouched.
 * The draft's `author` becomes the editor: the person answerable for its current content.
 */
export async function saveDraft(
  executor: Executor,
  input: DraftInput & { journeyId: string },
  options: LifecycleOptions = {},
): Promise<DraftResult> {
  const definition = parseDefinition(input.definition);
  const draftedBy = parseDraftedBy(input.draftedBy);
  const now = (options.now ?? (() => new Date()))();
  const { issues } = await validateAgainstWorkspace(executor, input.workspaceId, definition);
  return executor.transaction(async (tx) => {
    await lockJourney(tx, input.workspaceId, input.journeyId);
    const [latest] = await tx
      .select()
      .from(journeyVersions)
      .where(eq(journeyVersions.journeyId, input.journeyId))
      .orderBy(desc(journeyVersions.version))
      .limit(1);
    let version: VersionRow | undefined;
    let created = false;
    if (latest?.status === "draft") {
      [version] = await tx
        .update(journeyVersions)
        .set({ definition, draftedBy, author: input.author, designId: input.designId ?? latest.designId })
        // the status guard makes a concurrent activation win: a live definition is never rewritten
        .where(and(eq(journeyVersions.id, latest.id), eq(journeyVersions.status, "draft")))
        .returning();
      if (!version) {
        throw new JourneyVersionError(
          "immutable_version",
          `version ${latest.version} is no longer a draft; retry the edit`,
        );
      }
    } else {
      created = true;
      [version] = await tx
        .insert(journeyVersions)
        .values({
          id: newId("jrv"),
          journeyId: input.journeyId,
          workspaceId: input.workspaceId,
          version: (latest?.version ?? 0) + 1,
          status: "draft",
          definition,
          draftedBy,
          author: input.author,
          designId: input.designId ?? null,
        })
        .returning();
    }
    const [journey] = await tx
      .update(journeys)
      .set({ name: definition.name, description: definition.description ?? "", updatedAt: now })
      .where(eq(journeys.id, input.journeyId))
      .returning();
    return { journey: toJourney(journey!), version: toVersion(version!), issues, created };
  });
}

/**
 * Rewrites a specific version's definition. Only drafts may change; anything else raises
 * `immutable_version`. (saveDraft is the everyday entry point; this exists so the rule has one home.)
 */
export async function updateVersionDefinition(
  executor: Executor,
  input: DraftInput & { journeyId: string; version: number },
): Promise<VersionRecord> {
  const definition = parseDefinition(input.definition);
  const draftedBy = parseDraftedBy(input.draftedBy);
  const current = await getVersion(executor, input.workspaceId, input.journeyId, input.version);
  if (current.status !== "draft") {
    throw new JourneyVersionError(
      "immutable_version",
      `version ${current.version} is ${current.status} and cannot change; save a draft to create version ${current.version + 1}`,
    );
  }
  const [row] = await executor
    .update(journeyVersions)
    .set({ definition, draftedBy, author: input.author })
    .where(and(eq(journeyVersions.id, current.id), eq(journeyVersions.status, "draft")))
    .returning();
  if (!row)
    throw new JourneyVersionError("immutable_version", `version ${current.version} is no longer a draft`);
  return toVersion(row);
}

// ─── Reads ───────────────────────────────────────────────────────────────────────────────────────

export async function getJourney(
  executor: Executor,
  workspaceId: string,
  journeyId: string,
): Promise<JourneyRecord> {
  const [row] = await executor
    .select()
    .from(journeys)
    .where(and(eq(journeys.id, journeyId), eq(journeys.workspaceId, workspaceId)));
  if (!row) throw new JourneyVersionError("journey_not_found", `journey "${journeyId}" was not found`);
  return toJourney(row);
}

export async function listVersions(
  executor: Executor,
  workspaceId: string,
  journeyId: string,
): Promise<VersionRecord[]> {
  await getJourney(executor, workspaceId, journeyId);
  const found = await executor
    .select()
    .from(journeyVersions)
    .where(and(eq(journeyVersions.journeyId, journeyId), eq(journeyVersions.workspaceId, workspaceId)))
    .orderBy(asc(journeyVersions.version));
  return found.map(toVersion);
}

export async function getVersion(
  executor: Executor,
  workspaceId: string,
  journeyId: string,
  version: number,
): Promise<VersionRecord> {
  const [row] = await executor
    .select()
    .from(journeyVersions)
    .where(
      and(
        eq(journeyVersions.journeyId, journeyId),
        eq(journeyVersions.workspaceId, workspaceId),
        eq(journeyVersions.version, version),
      ),
    );
  if (!row) {
    await getJourney(executor, workspaceId, journeyId);
    throw new JourneyVersionError("version_not_found", `journey "${journeyId}" has no version ${version}`);
  }
  return toVersion(row);
}

/** The version customers currently enter or are held in (active or paused), if any. */
export async function liveVersion(
  executor: Executor,
  workspaceId: string,
  journeyId: string,
): Promise<VersionRecord | null> {
  const [row] = await executor
    .select()
    .from(journeyVersions)
    .where(
      and(
        eq(journeyVersions.journeyId, journeyId),
        eq(journeyVersions.workspaceId, workspaceId),
        inArray(journeyVersions.status, ["active", "paused"]),
      ),
    )
    .orderBy(desc(journeyVersions.version))
    .limit(1);
  return row ? toVersion(row) : null;
}

/** A version with its journey's name and its definition parsed, for code that reads many at once. */
export interface ParsedVersionRow {
  journeyId: string;
  name: string;
  version: number;
  status: VersionStatus;
  definition: Journey;
}

/**
 * A workspace's versions in `statuses`, most recently activated first. A stored definition that no
 * longer parses (the format moved on) is left out: it was validated when saved and there is nothing
 * a reader could compare or run in it.
 */
export async function workspaceVersions(
  executor: Executor,
  workspaceId: string,
  statuses: readonly VersionStatus[],
): Promise<ParsedVersionRow[]> {
  const found = await executor
    .select({
      journeyId: journeyVersions.journeyId,
      name: journeys.name,
      version: journeyVersions.version,
      status: journeyVersions.status,
      definition: journeyVersions.definition,
    })
    .from(journeyVersions)
    .innerJoin(journeys, eq(journeys.id, journeyVersions.journeyId))
    .where(and(eq(journeyVersions.workspaceId, workspaceId), inArray(journeyVersions.status, [...statuses])))
    .orderBy(desc(journeyVersions.activatedAt));
  return found.flatMap((row) => {
    const parsed = JourneySchema.safeParse(row.definition);
    return parsed.success ? [{ ...row, definition: parsed.data }] : [];
  });
}

export async function listJourneys(executor: Executor, workspaceId: string): Promise<JourneySummary[]> {
  const journeyRows = await executor
    .select()
    .from(journeys)
    .where(eq(journeys.workspaceId, workspaceId))
    .orderBy(desc(journeys.updatedAt), asc(journeys.id));
  if (journeyRows.length === 0) return [];
  const versionRows = await executor
    .select({
      journeyId: journeyVersions.journeyId,
      version: journeyVersions.version,
      status: journeyVersions.status,
    })
    .from(journeyVersions)
    .where(eq(journeyVersions.workspaceId, workspaceId))
    .orderBy(asc(journeyVersions.version));
  const byJourney = new Map<string, Array<{ version: number; status: VersionStatus }>>();
  for (const row of versionRows) {
    const list = byJourney.get(row.journeyId) ?? [];
    list.push(row);
    byJourney.set(row.journeyId, list);
  }
  return journeyRows.map((row) => {
    const versions = byJourney.get(row.id) ?? [];
    const latest = versions.at(-1);
    const live = versions.filter((v) => v.status === "active" || v.status === "paused").at(-1);
    return {
      ...toJourney(row),
      latestVersion: latest?.version ?? 0,
      latestStatus: latest?.status ?? "draft",
      liveVersion: live?.version ?? null,
      liveStatus: (live?.status as "active" | "paused" | undefined) ?? null,
    };
  });
}

/** How many instances of a version are still in flight (running or parked). */
export async function inFlightCount(executor: Executor, versionId: string): Promise<number> {
  const [found] = await rows<{ n: number }>(
    executor,
    sql`select count(*)::int8 as n from journey_instances where version_id = ${versionId} and status in ('running', 'parked')`,
  );
  return Number(found?.n ?? 0);
}
