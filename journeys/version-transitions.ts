import { and, desc, eq, inArray } from "drizzle-orm";
import { loadWorkspaceCatalog } from "../db/catalog.ts";
import type { Executor } from "../db/open.ts";
import type { VersionStatus } from "../db/schema/journeys.ts";
import { journeys, journeyVersions } from "../db/schema/journeys.ts";
import type { ValidationIssue } from "./format/validate.ts";
import { validateJourney } from "./format/validate.ts";
import { exitInFlightInstances } from "./version-instances.ts";
import type {
  ActivationGate,
  JourneyRow,
  LifecycleOptions,
  StatusChange,
  StatusChangeHook,
  VersionRecord,
  VersionRow,
} from "./version-records.ts";
import { hooksOf, JourneyVersionError, lockJourney, toVersion } from "./version-records.ts";

/**
 * Status changes of journey versions (see journeys/versions.ts for the lifecycle): activation with
 * its approval gate, pause, resume, archive, stop, and withdrawal from approval. Each runs in one
 * transaction that locks the journey, checks the transition, stamps the time and runs the hooks.
 */

interface TransitionContext {
  tx: Executor;
  journey: JourneyRow;
  version: VersionRow;
  at: Date;
  hooks: readonly StatusChangeHook[];
}

/**
 * The frame every transition shares: one transaction, the journey locked (so two status changes of
 * one journey never interleave), the version loaded, the time read once from the injected clock.
 */
async function inTransition<T>(
  executor: Executor,
  input: TransitionInput,
  options: LifecycleOptions,
  body: (context: TransitionContext) => Promise<T>,
): Promise<T> {
  const at = (options.now ?? (() => new Date()))();
  return executor.transaction(async (tx) => {
    const journey = await lockJourney(tx, input.workspaceId, input.journeyId);
    const [version] = await tx
      .select()
      .from(journeyVersions)
      .where(and(eq(journeyVersions.journeyId, input.journeyId), eq(journeyVersions.version, input.version)));
    if (!version) {
      throw new JourneyVersionError(
        "version_not_found",
        `journey "${input.journeyId}" has no version ${input.version}`,
      );
    }
    return body({ tx, journey, version, at, hooks: hooksOf(options) });
  });
}

async function setStatus(
  context: TransitionContext,
  target: VersionRow,
  to: VersionStatus,
  actor: string,
): Promise<VersionRow> {
  const { tx, at, hooks } = context;
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

/** Moves the loaded version itself to `to` and returns it as callers see versions. */
async function moveVersion(
  context: TransitionContext,
  to: VersionStatus,
  actor: string,
): Promise<VersionRecord> {
  return toVersion(await setStatus(context, context.version, to, actor));
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
  return inTransition(executor, input, options, async (context) => {
    const { tx, version } = context;
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
            : await setStatus(context, version, "pending_approval", input.actor);
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
    const archived = previous ? await setStatus(context, previous, "archived", input.actor) : null;
    const activated = await setStatus(context, version, "active", input.approval?.approvedBy ?? input.actor);
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
  return inTransition(executor, input, options, async (context) => {
    if (context.version.status !== "pending_approval") {
      refuse(context.version, "withdrawn from approval", "Only a version awaiting approval can be.");
    }
    const [newest] = await context.tx
      .select({ version: journeyVersions.version })
      .from(journeyVersions)
      .where(eq(journeyVersions.journeyId, input.journeyId))
      .orderBy(desc(journeyVersions.version))
      .limit(1);
    const to = newest && newest.version > context.version.version ? "archived" : "draft";
    return moveVersion(context, to, input.actor);
  });
}

/** Active → paused: no new entries; in-flight instances are held where they are until resumed. */
export async function pauseVersion(
  executor: Executor,
  input: TransitionInput,
  options: LifecycleOptions = {},
): Promise<VersionRecord> {
  return inTransition(executor, input, options, async (context) => {
    if (context.version.status !== "active")
      refuse(context.version, "paused", "Only an active version can be paused.");
    return moveVersion(context, "paused", input.actor);
  });
}

/** Paused → active: entries reopen and held instances continue. */
export async function resumeVersion(
  executor: Executor,
  input: TransitionInput,
  options: LifecycleOptions = {},
): Promise<VersionRecord> {
  return inTransition(executor, input, options, async (context) => {
    if (context.version.status !== "paused")
      refuse(context.version, "resumed", "Only a paused version can be resumed.");
    return moveVersion(context, "active", input.actor);
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
  return inTransition(executor, input, options, async (context) => {
    if (context.version.status === "archived") refuse(context.version, "archived", "It already is.");
    return moveVersion(context, "archived", input.actor);
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
  return inTransition(executor, input, options, async (context) => {
    const { tx, version } = context;
    if (version.status === "draft" || version.status === "pending_approval") {
      refuse(version, "stopped", "Nobody is in it; archive it to discard it.");
    }
    const stopped =
      version.status === "archived" ? version : await setStatus(context, version, "archived", input.actor);
    const { exited, cancelledActions } = await exitInFlightInstances(tx, {
      versionId: version.id,
      reason: input.reason,
      actor: input.actor,
      at: context.at,
    });
    return { version: toVersion(stopped), exited, cancelledActions };
  });
}
