import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
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
import { exitInFlightInstances } from "./version-instances.ts";

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

export const DraftedBy = z.union([
  z.literal("human"),
  z.literal("offline-planner"),
  z.string().regex(/^model:\S+$/, 'drafted_by is "human", "offline-planner" or "model:<name>"'),
]);
export type DraftedBy = z.infer<typeof DraftedBy>;

export const VERSION_ERROR_CODES = [
  "journey_not_found",
  "version_not_found",
  /** the definition does not parse as a journey (schema issues) */
  "invalid_definition",
  /** it parses but has errors against the workspace catalog; activation is refused */
  "invalid_journey",
  /** an attempt to rewrite a version that is no longer a draft */
  "immutable_version",
  /** the requested status change is not allowed from the version's current status */
  "invalid_transition",
] as const;
export type VersionErrorCode = (typeof VERSION_ERROR_CODES)[number];

/** A lifecycle request the caller can fix; never retryable as is. */
export class JourneyVersionError extends Error {
  constructor(
    readonly code: VersionErrorCode,
    message: string,
    readonly issues: ValidationIssue[] = [],
  ) {
    super(message);
    this.name = "JourneyVersionError";
  }
}

export interface VersionRecord {
  id: string;
  journeyId: string;
  workspaceId: string;
  version: number;
  status: VersionStatus;
  definition: Journey;
  draftedBy: string;
  author: string;
  designId: string | null;
  createdAt: Date;
  activatedAt: Date | null;
  pausedAt: Date | null;
  archivedAt: Date | null;
}

export interface JourneyRecord {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface JourneySummary extends JourneyRecord {
  latestVersion: number;
  latestStatus: VersionStatus;
  /** the version customers can enter (active) or that is held (paused); null when none */
  liveVersion: number | null;
  liveStatus: "active" | "paused" | null;
}

export interface StatusChange {
  workspaceId: string;
  journeyId: string;
  versionId: string;
  version: number;
  from: VersionStatus;
  to: VersionStatus;
  actor: string;
  at: Date;
}

/**
 * Called inside the transaction of every status change, e.g. the runtime's `syncSchedules` (a
 * schedule-triggered version gets or loses its next run) and the audit log.
 */
export type StatusChangeHook = (tx: Executor, change: StatusChange) => Promise<void>;

export interface ActivationRequest {
  workspaceId: string;
  journeyId: string;
  version: VersionRecord;
  actor: string;
  warnings: ValidationIssue[];
}

export type GateDecision = { proceed: true } | { proceed: false; approvalId: string; reason: string };

/**
 * The seam for the approval queue: consulted before a version goes live. Returning `proceed: false`
 * parks the version in `pending_approval` with the approval item's id; the approval flow later calls
 * `activateVersion` with `approval` set, which skips the gate.
 */
export interface ActivationGate {
  review(tx: Executor, request: ActivationRequest): Promise<GateDecision>;
}

export interface LifecycleOptions {
  now?: () => Date;
  onStatusChange?: StatusChangeHook | readonly StatusChangeHook[];
}

export interface DraftInput {
  workspaceId: string;
  definition: unknown;
  author: string;
  draftedBy?: DraftedBy;
  designId?: string | null;
}

export interface DraftResult {
  journey: JourneyRecord;
  version: VersionRecord;
  /** catalog problems of the draft (drafts may have them; activation may not) */
  issues: ValidationIssue[];
  /** true when the edit created a new version instead of updating the existing draft */
  created: boolean;
}

type VersionRow = typeof journeyVersions.$inferSelect;
type JourneyRow = typeof journeys.$inferSelect;

function toVersion(row: VersionRow): VersionRecord {
  return {
    id: row.id,
    journeyId: row.journeyId,
    workspaceId: row.workspaceId,
    version: row.version,
    status: row.status,
    definition: row.definition,
    draftedBy: row.draftedBy,
    author: row.author,
    designId: row.designId,
    createdAt: row.createdAt,
    activatedAt: row.activatedAt,
    pausedAt: row.pausedAt,
    archivedAt: row.archivedAt,
  };
}

function toJourney(row: JourneyRow): JourneyRecord {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    description: row.description,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function hooksOf(options: LifecycleOptions): readonly StatusChangeHook[] {
  const hooks = options.onStatusChange;
  if (!hooks) return [];
  return typeof hooks === "function" ? [hooks] : hooks;
}

/** Parses a definition (schema only) or throws `invalid_definition` listing every schema issue. */
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

async function lockJourney(tx: Executor, workspaceId: string, journeyId: string): Promise<JourneyRow> {
  const [row] = await tx
    .select()
    .from(journeys)
    .where(and(eq(journeys.id, journeyId), eq(journeys.workspaceId, workspaceId)))
    .for("update");
  if (!row) throw new JourneyVersionError("journey_not_found", `journey "${journeyId}" was not found`);
  return row;
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

// ─── Status changes ──────────────────────────────────────────────────────────────────────────────

interface TransitionContext {
  tx: Executor;
  journey: JourneyRow;
  version: VersionRow;
  at: Date;
}

async function loadForTransition(
  tx: Executor,
  workspaceId: string,
  journeyId: string,
  versionNumber: number,
  now: Date,
): Promise<TransitionContext> {
  const journey = await lockJourney(tx, workspaceId, journeyId);
  const [version] = await tx
    .select()
    .from(journeyVersions)
    .where(and(eq(journeyVersions.journeyId, journeyId), eq(journeyVersions.version, versionNumber)));
  if (!version) {
    throw new JourneyVersionError(
      "version_not_found",
      `journey "${journeyId}" has no version ${versionNumber}`,
    );
  }
  return { tx, journey, version, at: now };
}

async function setStatus(
  context: TransitionContext,
  target: VersionRow,
  to: VersionStatus,
  actor: string,
  hooks: readonly StatusChangeHook[],
): Promise<VersionRow> {
  const { tx, at } = context;
  const stamps: Partial<typeof journeyVersions.$inferInsert> =
    to === "active"
      ? { activatedAt: target.activatedAt ?? at, pausedAt: null }
      : to === "paused"
        ? { pausedAt: at }
        : to === "archived"
          ? { archivedAt: at }
          : {};
  const [updated] = await tx
    .update(journeyVersions)
    .set({ status: to, ...stamps })
    .where(and(eq(journeyVersions.id, target.id), eq(journeyVersions.status, target.status)))
    .returning();
  if (!updated) {
    throw new JourneyVersionError(
      "invalid_transition",
      `version ${target.version} changed status meanwhile; retry`,
    );
  }
  await tx.update(journeys).set({ updatedAt: at }).where(eq(journeys.id, target.journeyId));
  const change: StatusChange = {
    workspaceId: target.workspaceId,
    journeyId: target.journeyId,
    versionId: target.id,
    version: target.version,
    from: target.status,
    to,
    actor,
    at,
  };
  for (const hook of hooks) await hook(tx, change);
  return updated;
}

function refuse(version: VersionRow, action: string, hint: string): never {
  throw new JourneyVersionError(
    "invalid_transition",
    `version ${version.version} is ${version.status}; it cannot be ${action}. ${hint}`,
  );
}

export interface TransitionInput {
  workspaceId: string;
  journeyId: string;
  version: number;
  /** the key or user doing it (recorded in hooks and the audit trail) */
  actor: string;
}

export type ActivationResult =
  | {
      outcome: "activated";
      version: VersionRecord;
      /** the previously live version, now archived (its in-flight customers finish) */
      archived: VersionRecord | null;
      warnings: ValidationIssue[];
    }
  | {
      outcome: "pending_approval";
      version: VersionRecord;
      approvalId: string;
      reason: string;
      warnings: ValidationIssue[];
    };

/**
 * Puts a draft (or a version awaiting approval) live. Validation errors block with
 * `invalid_journey` and every issue; warnings are returned. Without `approval`, the gate (if any)
 * may park the version in `pending_approval` instead.
 */
export async function activateVersion(
  executor: Executor,
  input: TransitionInput & { approval?: { approvalId: string; approvedBy: string } },
  options: LifecycleOptions & { gate?: ActivationGate } = {},
): Promise<ActivationResult> {
  const now = (options.now ?? (() => new Date()))();
  const hooks = hooksOf(options);
  return executor.transaction(async (tx) => {
    const context = await loadForTransition(tx, input.workspaceId, input.journeyId, input.version, now);
    const { version } = context;
    if (version.status !== "draft" && version.status !== "pending_approval") {
      const hint =
        version.status === "paused"
          ? "Resume it instead."
          : version.status === "active"
            ? "It is already live."
            : "Archived versions stay closed; save a draft to create a new version.";
      refuse(version, "activated", hint);
    }
    const catalog = await loadWorkspaceCatalog(tx, input.workspaceId);
    const validation = validateJourney(version.definition, catalog);
    const errors = validation.issues.filter((issue) => issue.severity === "error");
    const warnings = validation.issues.filter((issue) => issue.severity === "warning");
    if (errors.length > 0) {
      throw new JourneyVersionError(
        "invalid_journey",
        `version ${version.version} cannot be activated: ${errors.length} error${errors.length === 1 ? "" : "s"}, first ${errors[0]!.path}: ${errors[0]!.message}`,
        validation.issues,
      );
    }
    if (!input.approval && options.gate) {
      const decision = await options.gate.review(tx, {
        workspaceId: input.workspaceId,
        journeyId: input.journeyId,
        version: toVersion(version),
        actor: input.actor,
        warnings,
      });
      if (!decision.proceed) {
        const parked =
          version.status === "pending_approval"
            ? version
            : await setStatus(context, version, "pending_approval", input.actor, hooks);
        return {
          outcome: "pending_approval",
          version: toVersion(parked),
          approvalId: decision.approvalId,
          reason: decision.reason,
          warnings,
        };
      }
    }
    // Close the previously live version to new entries first, so there is never a moment with two.
    const [previous] = await tx
      .select()
      .from(journeyVersions)
      .where(
        and(
          eq(journeyVersions.journeyId, input.journeyId),
          inArray(journeyVersions.status, ["active", "paused"]),
        ),
      );
    const archived = previous ? await setStatus(context, previous, "archived", input.actor, hooks) : null;
    const activated = await setStatus(
      context,
      version,
      "active",
      input.approval?.approvedBy ?? input.actor,
      hooks,
    );
    return {
      outcome: "activated",
      version: toVersion(activated),
      archived: archived ? toVersion(archived) : null,
      warnings,
    };
  });
}

/**
 * Pending approval → draft, when the reviewer declines, answers with a note, or the request expires:
 * the version is editable again. When a newer version was drafted meanwhile, the declined one is
 * archived instead (the newer draft supersedes it). Returns the version as it now is.
 */
export async function withdrawActivation(
  executor: Executor,
  input: TransitionInput,
  options: LifecycleOptions = {},
): Promise<VersionRecord> {
  const now = (options.now ?? (() => new Date()))();
  return executor.transaction(async (tx) => {
    const context = await loadForTransition(tx, input.workspaceId, input.journeyId, input.version, now);
    if (context.version.status !== "pending_approval") {
      refuse(context.version, "withdrawn from approval", "Only a version awaiting approval can be.");
    }
    const [newest] = await tx
      .select({ version: journeyVersions.version })
      .from(journeyVersions)
      .where(eq(journeyVersions.journeyId, input.journeyId))
      .orderBy(desc(journeyVersions.version))
      .limit(1);
    const to = newest && newest.version > context.version.version ? "archived" : "draft";
    return toVersion(await setStatus(context, context.version, to, input.actor, hooksOf(options)));
  });
}

/** Active → paused: no new entries; in-flight instances are held where they are until resumed. */
export async function pauseVersion(
  executor: Executor,
  input: TransitionInput,
  options: LifecycleOptions = {},
): Promise<VersionRecord> {
  const now = (options.now ?? (() => new Date()))();
  return executor.transaction(async (tx) => {
    const context = await loadForTransition(tx, input.workspaceId, input.journeyId, input.version, now);
    if (context.version.status !== "active")
      refuse(context.version, "paused", "Only an active version can be paused.");
    return toVersion(await setStatus(context, context.version, "paused", input.actor, hooksOf(options)));
  });
}

/** Paused → active: entries reopen and held instances continue. */
export async function resumeVersion(
  executor: Executor,
  input: TransitionInput,
  options: LifecycleOptions = {},
): Promise<VersionRecord> {
  const now = (options.now ?? (() => new Date()))();
  return executor.transaction(async (tx) => {
    const context = await loadForTransition(tx, input.workspaceId, input.journeyId, input.version, now);
    if (context.version.status !== "paused")
      refuse(context.version, "resumed", "Only a paused version can be resumed.");
    return toVersion(await setStatus(context, context.version, "active", input.actor, hooksOf(options)));
  });
}

/**
 * Closes a version to new entries for good; customers already in it finish their path. Archiving a
 * draft or a version awaiting approval discards it.
 */
export async function archiveVersion(
  executor: Executor,
  input: TransitionInput,
  options: LifecycleOptions = {},
): Promise<VersionRecord> {
  const now = (options.now ?? (() => new Date()))();
  return executor.transaction(async (tx) => {
    const context = await loadForTransition(tx, input.workspaceId, input.journeyId, input.version, now);
    if (context.version.status === "archived") refuse(context.version, "archived", "It already is.");
    return toVersion(await setStatus(context, context.version, "archived", input.actor, hooksOf(options)));
  });
}

/**
 * Archives the version and exits every in-flight instance with `reason` (an emergency stop). Actions
 * still waiting for a decision (deferred or in review) are cancelled so nothing more goes out;
 * messages already in the outbox are delivered. Also works on an archived version to end the
 * customers still finishing it.
 */
export async function stopVersion(
  executor: Executor,
  input: TransitionInput & { reason: string },
  options: LifecycleOptions = {},
): Promise<{ version: VersionRecord; exited: number; cancelledActions: number }> {
  const now = (options.now ?? (() => new Date()))();
  return executor.transaction(async (tx) => {
    const context = await loadForTransition(tx, input.workspaceId, input.journeyId, input.version, now);
    const { version } = context;
    if (version.status === "draft" || version.status === "pending_approval") {
      refuse(version, "stopped", "Nobody is in it; archive it to discard it.");
    }
    const stopped =
      version.status === "archived"
        ? version
        : await setStatus(context, version, "archived", input.actor, hooksOf(options));
    const { exited, cancelledActions } = await exitInFlightInstances(tx, {
      versionId: version.id,
      reason: input.reason,
      actor: input.actor,
      at: now,
    });
    return { version: toVersion(stopped), exited, cancelledActions };
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
