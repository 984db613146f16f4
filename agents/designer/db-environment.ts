import { and, desc, eq } from "drizzle-orm";
import { loadWorkspaceCatalog } from "../../db/catalog.ts";
import type { Database } from "../../db/open.ts";
import { journeyVersions } from "../../db/schema/journeys.ts";
import { templates } from "../../db/schema/workspaces.ts";
import type { DraftedBy, LifecycleOptions } from "../../journeys/versions.ts";
import { createJourney, saveDraft } from "../../journeys/versions.ts";
import type { ApprovalQueue } from "../../policies/approvals/queue.ts";
import { currentPolicyConfig } from "../../policies/config-store.ts";
import { sampleCustomerHistories, summarizeTraits } from "../../tools/data/customers.ts";
import type { SemanticMemory } from "../../tools/data/memory.ts";
import { liveJourneys, workspaceReadTools, workspaceTimezone } from "../../tools/data/workspace.ts";
import type { DesignerEnvironment } from "./environment.ts";

/**
 * The designer's environment over the project's database: reads through tools/data, drafts through
 * the versions lifecycle (journeys/versions.ts), and submissions through the approval queue's
 * `requestActivation` (policies/approvals), whose strict gate parks every AI draft for a reviewer.
 * Activation itself happens inside the reviewer's accept, never here.
 */

export interface DbEnvironmentOptions {
  database: Database;
  /** the approval queue (only its designer entry point is used) */
  approvals: Pick<ApprovalQueue, "requestActivation">;
  /** semantic memory; null or unavailable (no pgvector) → the designer works without it */
  memory: SemanticMemory | null;
  /** the lifecycle's seams (status-change hooks), as the server wired them */
  lifecycle: () => LifecycleOptions;
  now: () => Date;
}

export class DesignSubmissionError extends Error {
  readonly code = "design_submission";
}

export function dbEnvironment(options: DbEnvironmentOptions): DesignerEnvironment {
  const { database } = options;
  const db = database.db;
  return {
    async loadContext({ workspaceId, goal }) {
      const catalog = await loadWorkspaceCatalog(db, workspaceId);
      const [timezone, policies, live, customers] = await Promise.all([
        workspaceTimezone(db, workspaceId),
        currentPolicyConfig(db, workspaceId),
        liveJourneys(db, workspaceId),
        summarizeTraits(db, workspaceId, Object.keys(catalog.traits)),
      ]);
      const memory = options.memory;
      let memoryContext: Awaited<ReturnType<SemanticMemory["search"]>>;
      if (memory?.available) {
        await memory.syncTemplates(workspaceId);
        memoryContext = await memory.search(workspaceId, goal, { limit: 5 });
      } else {
        memoryContext = {
          available: false,
          reason: "semantic memory is unavailable (no pgvector); drafting without it",
        };
      }
      return {
        timezone,
        catalog,
        policies: { ...policies.config },
        policyVersion: policies.version,
        liveJourneys: live,
        memory: memoryContext,
        customers,
      };
    },

    readTools(workspaceId) {
      return workspaceReadTools({ db, workspaceId, memory: options.memory, now: options.now });
    },

    async sampleCustomers({ workspaceId, designId, size, now }) {
      const [sample, templateRows] = await Promise.all([
        sampleCustomerHistories(db, { workspaceId, seed: designId, size, now }),
        db
          .select({
            id: templates.id,
            channel: templates.channel,
            subject: templates.subject,
            title: templates.title,
            body: templates.body,
          })
          .from(templates)
          .where(eq(templates.workspaceId, workspaceId)),
      ]);
      return { ...sample, templates: templateRows };
    },

    async submitForApproval(request) {
      const draftedBy: DraftedBy = request.draftedBy;
      const lifecycle = { ...options.lifecycle(), now: options.now };
      // A revision (or a retry after a crash) saves into the design's journey instead of a new one.
      const journeyId =
        request.previous?.journeyId ??
        (
          await db
            .select({ journeyId: journeyVersions.journeyId })
            .from(journeyVersions)
            .where(
              and(
                eq(journeyVersions.workspaceId, request.workspaceId),
                eq(journeyVersions.designId, request.designId),
              ),
            )
            .orderBy(desc(journeyVersions.createdAt))
            .limit(1)
        )[0]?.journeyId;
      const draft = journeyId
        ? await saveDraft(
            db,
            {
              workspaceId: request.workspaceId,
              journeyId,
              definition: request.journey,
              author: request.createdBy,
              draftedBy,
              designId: request.designId,
            },
            lifecycle,
          )
        : await createJourney(db, {
            workspaceId: request.workspaceId,
            definition: request.journey,
            author: request.createdBy,
            draftedBy,
            designId: request.designId,
          });
      const result = await options.approvals.requestActivation(db, {
        workspaceId: request.workspaceId,
        journeyId: draft.journey.id,
        version: draft.version.version,
        requestedBy: request.createdBy,
      });
      if (result.outcome !== "pending_approval") {
        // The strict gate parks every request; anything else means the wiring is wrong.
        throw new DesignSubmissionError(
          `version ${draft.version.version} was ${result.outcome} without review; the designer must never activate by itself`,
        );
      }
      return {
        journeyId: draft.journey.id,
        versionId: draft.version.id,
        version: draft.version.version,
        approvalId: result.approvalId,
      };
    },

    async confirmActivation({ submission }) {
      const [row] = await db
        .select({
          id: journeyVersions.id,
          status: journeyVersions.status,
          definition: journeyVersions.definition,
        })
        .from(journeyVersions)
        .where(eq(journeyVersions.id, submission.versionId));
      if (!row) throw new DesignSubmissionError(`journey version ${submission.versionId} is gone`);
      return { versionId: row.id, status: row.status, definition: row.definition };
    },

    async recordOutcome(record) {
      const memory = options.memory;
      // Past journeys worth learning from: what went live and what a reviewer turned down.
      if (!memory?.available || (record.outcome !== "activated" && record.outcome !== "rejected")) return;
      const name = record.journey?.name ?? record.goal.slice(0, 80);
      await memory.upsert(record.workspaceId, [
        {
          kind: "journey",
          refId: record.designId,
          title: name,
          body: [
            `Goal: ${record.goal}`,
            ...record.explanation.map((line) => line.trim()),
            `Outcome: ${record.outcome}${record.note ? ` (${record.note})` : ""}`,
          ].join("\n"),
          metadata: { outcome: record.outcome, designId: record.designId },
        },
      ]);
    },
  };
}
