import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../db/open.ts";
import type { VersionStatus } from "../db/schema/journeys.ts";
import { journeys, type journeyVersions } from "../db/schema/journeys.ts";
import type { Journey } from "./format/schema.ts";
import type { ValidationIssue } from "./format/validate.ts";

/**
 * The vocabulary of the version lifecycle (journeys/versions.ts): records, errors, hooks and the
 * approval seam, shared by the draft functions and the status transitions.
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

export type VersionRow = typeof journeyVersions.$inferSelect;
export type JourneyRow = typeof journeys.$inferSelect;

export function toVersion(row: VersionRow): VersionRecord {
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

export function toJourney(row: JourneyRow): JourneyRecord {
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

export function hooksOf(options: LifecycleOptions): readonly StatusChangeHook[] {
  const hooks = options.onStatusChange;
  if (!hooks) return [];
  return typeof hooks === "function" ? [hooks] : hooks;
}

/** Locks the journey row: status changes and edits of one journey happen one at a time. */
export async function lockJourney(tx: Executor, workspaceId: string, journeyId: string): Promise<JourneyRow> {
  const [row] = await tx
    .select()
    .from(journeys)
    .where(and(eq(journeys.id, journeyId), eq(journeys.workspaceId, workspaceId)))
    .for("update");
  if (!row) throw new JourneyVersionError("journey_not_found", `journey "${journeyId}" was not found`);
  return row;
}
