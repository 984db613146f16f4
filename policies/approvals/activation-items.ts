import { and, eq, sql } from "drizzle-orm";
import { loadWorkspaceCatalog } from "../../db/catalog.ts";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { approvals } from "../../db/schema/policies.ts";
import { apiKeys } from "../../db/schema/workspaces.ts";
import { addDuration } from "../../journeys/format/duration.ts";
import type { Journey } from "../../journeys/format/schema.ts";
import { validateJourney } from "../../journeys/format/validate.ts";
import type {
  ActivationGate,
  ActivationRequest,
  DraftedBy,
  LifecycleOptions,
  VersionRecord,
} from "../../journeys/versions.ts";
import {
  activateVersion,
  JourneyVersionError,
  updateVersionDefinition,
  withdrawActivation,
} from "../../journeys/versions.ts";
import type { PolicyConfig } from "../config.ts";
import type { LintWarning } from "../lint.ts";
import { lintJourney } from "../lint.ts";
import { createApprovalItem } from "./store.ts";
import type { ApprovalEffect, ApprovalItem, Approver, HumanInterrupt } from "./types.ts";
import { ApprovalError } from "./types.ts";

/**
 * Journey activations through the queue. A cx_lead's (or the designer's) request to activate parks
 * the version in `pending_approval` with an item; a reviewer's accept activates it, an edit changes
 * the definition (validated, and refused if it adds policy lint warnings) and activates that, and
 * ignore, a response (a note for the author) or expiry return it to draft.
 *
 * Admins activate human-written drafts directly (they hold every role). A draft a model wrote always
 * waits for a reviewer, whoever asks: the agent only proposes.
 */

export const ACTIVATE_ACTION = "activate_journey";

export interface ActivationDeps {
  lifecycle: LifecycleOptions;
  policyConfig: (executor: Executor, workspaceId: string) => Promise<PolicyConfig>;
  now: Date;
}

interface VersionRow {
  id: string;
  journey_id: string;
  workspace_id: string;
  version: number;
  status: string;
  definition: Journey;
  drafted_by: string;
  author: string;
  design_id: string | null;
}

export async function readVersion(executor: Executor, versionId: string): Promise<VersionRow | null> {
  const [row] = await rows<VersionRow>(
    executor,
    sql`select id, journey_id, workspace_id, version, status, definition, drafted_by, author, design_id
        from journey_versions where id = ${versionId}`,
  );
  return row ?? null;
}

export function versionIsWaiting(version: VersionRow | null): boolean {
  return version?.status === "pending_approval";
}

export function expiryOf(config: PolicyConfig, now: Date): Date {
  return addDuration(now, config.approvals.expiry);
}

function lintSummary(warnings: readonly LintWarning[]): string {
  if (warnings.length === 0) return "Policy lint: no warnings.";
  const shown = warnings.slice(0, 5).map((warning) => `- ${warning.path}: ${warning.message}`);
  return [
    `Policy lint: ${warnings.length} warning${warnings.length === 1 ? "" : "s"}`,
    ...shown,
    ...(warnings.length > 5 ? [`- … and ${warnings.length - 5} more`] : []),
  ].join("\n");
}

export function activationRequest(
  version: VersionRecord,
  actor: string,
  lint: readonly LintWarning[],
  validationWarnings: number,
): HumanInterrupt {
  const definition = version.definition;
  return {
    action_request: {
      action: ACTIVATE_ACTION,
      args: { journey_id: version.journeyId, version: version.version, definition },
    },
    config: { allow_accept: true, allow_edit: true, allow_respond: true, allow_ignore: true },
    description: [
      `${actor} asks to put journey "${definition.name}" version ${version.version} live` +
        ` (drafted by ${version.draftedBy === "human" ? `${version.author}` : `${version.draftedBy} for ${version.author}`}).`,
      `Trigger: ${definition.trigger.type}${definition.trigger.type === "event" ? ` "${definition.trigger.event}"` : ""}; ${definition.nodes.length} steps; ${validationWarnings} validation warning${validationWarnings === 1 ? "" : "s"}.`,
      lintSummary(lint),
    ].join("\n"),
  };
}

/** The ActivationGate the versions lifecycle consults (services set it on journeyLifecycle.gate). */
export function createActivationGate(deps: {
  policyConfig: ActivationDeps["policyConfig"];
  now: () => Date;
  /** ask a reviewer even when an admin activates a human draft (the designer's submissions) */
  always?: boolean;
}): ActivationGate {
  return {
    async review(tx: Executor, request: ActivationRequest) {
      const { version } = request;
      const [key] = await tx
        .select({ role: apiKeys.role })
        .from(apiKeys)
        .where(and(eq(apiKeys.id, request.actor), eq(apiKeys.workspaceId, request.workspaceId)));
      if (!deps.always && key?.role === "admin" && version.draftedBy === "human") return { proceed: true };
      const [open] = await tx
        .select({ id: approvals.id })
        .from(approvals)
        .where(
          and(
            eq(approvals.journeyVersionId, version.id),
            eq(approvals.kind, "journey_activation"),
            eq(approvals.status, "pending"),
          ),
        );
      const reason =
        version.draftedBy === "human"
          ? "a reviewer must approve this activation"
          : `a reviewer must approve this activation: ${version.draftedBy} drafted it`;
      if (open) return { proceed: false, approvalId: open.id, reason };
      const now = deps.now();
      const config = await deps.policyConfig(tx, request.workspaceId);
      const catalog = await loadWorkspaceCatalog(tx, request.workspaceId);
      const item = await createApprovalItem(tx, {
        workspaceId: request.workspaceId,
        kind: "journey_activation",
        request: activationRequest(
          version,
          request.actor,
          lintJourney(version.definition, config, catalog),
          request.warnings.length,
        ),
        author: version.author,
        requestedBy: request.actor === version.author ? null : request.actor,
        expiresAt: expiryOf(config, now),
        journeyVersionId: version.id,
        designId: version.designId,
        now,
      });
      return { proceed: false, approvalId: item.id, reason };
    },
  };
}

function countByCode(warnings: readonly LintWarning[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const warning of warnings) counts.set(warning.code, (counts.get(warning.code) ?? 0) + 1);
  return counts;
}

/**
 * An edited definition: it must validate against the catalog, and it may not add policy findings the
 * submitted draft did not have (more warnings of any lint code: a reviewer cannot slip in a bigger
 * discount or an SMS without a consent fallback while approving).
 */
async function checkEditedDefinition(
  tx: Executor,
  version: VersionRow,
  definition: unknown,
  deps: ActivationDeps,
): Promise<Journey> {
  const catalog = await loadWorkspaceCatalog(tx, version.workspace_id);
  const validation = validateJourney(definition, catalog);
  const errors = validation.issues.filter((issue) => issue.severity === "error");
  if (!validation.ok || !validation.journey || errors.length > 0) {
    throw new ApprovalError(
      "invalid_journey",
      `the edited journey does not validate: ${errors.length} error${errors.length === 1 ? "" : "s"}, first ${errors[0]?.path}: ${errors[0]?.message}`,
      {
        issues: validation.issues.map((issue) => ({ ...issue, path: issue.path })),
        field: "args.args.definition",
      },
    );
  }
  const config = await deps.policyConfig(tx, version.workspace_id);
  const before = countByCode(lintJourney(version.definition, config, catalog));
  const after = lintJourney(validation.journey, config, catalog);
  const added = after.filter((warning, index) => {
    const rank = after.slice(0, index + 1).filter((other) => other.code === warning.code).length;
    return rank > (before.get(warning.code) ?? 0);
  });
  if (added.length > 0) {
    throw new ApprovalError(
      "edit_violates_policy",
      `the edit adds ${added.length} policy warning${added.length === 1 ? "" : "s"} the submitted draft did not have; first ${added[0]!.path}: ${added[0]!.message}`,
      {
        issues: added.map((warning) => ({
          path: warning.path,
          message: warning.message,
          code: warning.code,
        })),
      },
    );
  }
  return validation.journey;
}

function lifecycleError(error: unknown): never {
  if (error instanceof JourneyVersionError) {
    if (error.code === "invalid_journey" || error.code === "invalid_definition") {
      throw new ApprovalError("invalid_journey", error.message, {
        issues: error.issues.map((issue) => ({ ...issue })),
      });
    }
    throw new ApprovalError("approval_closed", error.message);
  }
  throw error;
}

function transition(version: VersionRow, actor: string) {
  return {
    workspaceId: version.workspace_id,
    journeyId: version.journey_id,
    version: version.version,
    actor,
  };
}

/** Back to draft (or archived when superseded): declined, answered with a note, or expired. */
export async function returnToAuthor(
  tx: Executor,
  version: VersionRow,
  actor: string,
  deps: ActivationDeps,
): Promise<ApprovalEffect> {
  if (!versionIsWaiting(version)) {
    return {
      kind: "journey_activation",
      versionStatus: version.status,
      journeyId: version.journey_id,
      version: version.version,
    };
  }
  const changed = await withdrawActivation(tx, transition(version, actor), deps.lifecycle).catch(
    lifecycleError,
  );
  return {
    kind: "journey_activation",
    versionStatus: changed.status,
    journeyId: version.journey_id,
    version: version.version,
  };
}

export async function answerActivationItem(
  tx: Executor,
  item: ApprovalItem,
  version: VersionRow,
  response: { type: "accept" | "edit" | "ignore" | "response"; args?: unknown },
  approver: Approver,
  deps: ActivationDeps,
): Promise<ApprovalEffect> {
  const approval = { approvalId: item.id, approvedBy: approver.keyId };
  switch (response.type) {
    case "accept":
    case "edit": {
      if (response.type === "edit") {
        const edit = response.args as { action: string; args: Record<string, unknown> };
        if (edit.action !== ACTIVATE_ACTION) {
          throw new ApprovalError("invalid_edit", `args.action: must stay "${ACTIVATE_ACTION}"`, {
            field: "args.action",
          });
        }
        for (const key of ["journey_id", "version"] as const) {
          if (key in edit.args && edit.args[key] !== item.request.action_request.args[key]) {
            throw new ApprovalError("invalid_edit", `args.args.${key}: cannot be changed by an edit`, {
              field: `args.args.${key}`,
            });
          }
        }
        if (edit.args.definition === undefined) {
          throw new ApprovalError("invalid_edit", "args.args.definition: required (the edited journey)", {
            field: "args.args.definition",
          });
        }
        const definition = await checkEditedDefinition(tx, version, edit.args.definition, deps);
        const withdrawn = await withdrawActivation(
          tx,
          transition(version, approver.keyId),
          deps.lifecycle,
        ).catch(lifecycleError);
        if (withdrawn.status !== "draft") {
          throw new ApprovalError(
            "approval_closed",
            "a newer draft of this journey supersedes the version under review",
          );
        }
        // The author stays the drafter (who may not approve it); the edit is the reviewer's, on record.
        await updateVersionDefinition(tx, {
          workspaceId: version.workspace_id,
          journeyId: version.journey_id,
          version: version.version,
          definition,
          author: version.author,
          draftedBy: version.drafted_by as DraftedBy,
        }).catch(lifecycleError);
      }
      const result = await activateVersion(
        tx,
        { ...transition(version, approver.keyId), approval },
        deps.lifecycle,
      ).catch(lifecycleError);
      return {
        kind: "journey_activation",
        versionStatus: result.version.status,
        journeyId: version.journey_id,
        version: version.version,
      };
    }
    case "ignore":
    case "response":
      return returnToAuthor(tx, version, approver.keyId, deps);
  }
}
