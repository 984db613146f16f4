import { diffJourneys } from "../../journeys/version-diff.ts";
import type { DraftedBy, LifecycleOptions } from "../../journeys/versions.ts";
import {
  activateVersion,
  archiveVersion,
  createJourney,
  getJourney,
  getVersion,
  listJourneys,
  listVersions,
  pauseVersion,
  resumeVersion,
  saveDraft,
  stopVersion,
  validateAgainstWorkspace,
} from "../../journeys/versions.ts";
import type { RouteModule } from "../app.ts";
import type { AppContext } from "../context.ts";
import { ApiError, forbidden } from "../errors.ts";
import {
  ErrorResponseSchema,
  issuesJson,
  journeyJson,
  journeySummaryJson,
  registerFormatSchemas,
  versionJson,
  versionSummaryJson,
} from "./api-schemas.ts";
import { lifecycle } from "./journey-errors.ts";
import { journeySpec as routes } from "./journeys-spec.ts";
import { jsonBodyGuard } from "./json-body.ts";

/**
 * Journeys and their versions: create, edit drafts, validate, activate / pause / resume / archive /
 * stop, version history and diffs. The lifecycle rules live in journeys/versions.ts; these handlers
 * only translate HTTP to it. Roles: viewer reads, cx_lead drafts, validates and asks for activation
 * (the approval gate parks it for a reviewer), admin changes what is live.
 */

/** The lifecycle's clock and seams (schedule sync, audit, approval gate) as this process wired them. */
export function lifecycleOptions(ctx: AppContext): LifecycleOptions {
  return { now: ctx.now, onStatusChange: ctx.services.journeyLifecycle?.onStatusChange ?? [] };
}

/** `definition` is typed `unknown` for the validator's sake, so its presence is checked here. */
function requireBodyDefinition(definition: unknown): unknown {
  if (definition === undefined) {
    throw new ApiError(
      400,
      "invalid_request",
      "definition: required (a journey definition object)",
      "definition",
    );
  }
  return definition;
}

export const journeyRoutes: RouteModule = {
  api(app, ctx) {
    registerFormatSchemas(app.openAPIRegistry);
    app.openAPIRegistry.register("Error", ErrorResponseSchema);
    const db = ctx.database.db;
    // the routes that take a body (activate, pause, … take none)
    for (const path of [
      "/journeys",
      "/journeys/validate",
      "/journeys/:id/draft",
      "/journeys/:id/simulate",
      "/journeys/:id/enter",
      "/journeys/:id/versions/:version/stop",
    ]) {
      app.use(path, jsonBodyGuard());
    }

    app.openapi(routes.list, async (c) => {
      const journeys = await listJourneys(db, c.get("principal").workspaceId);
      return c.json({ journeys: journeys.map(journeySummaryJson) }, 200);
    });

    app.openapi(routes.create, async (c) => {
      const body = c.req.valid("json");
      const principal = c.get("principal");
      const result = await lifecycle(() =>
        createJourney(db, {
          workspaceId: principal.workspaceId,
          definition: requireBodyDefinition(body.definition),
          author: principal.keyId,
          draftedBy: (body.draftedBy ?? "human") as DraftedBy,
          designId: body.designId ?? null,
        }),
      );
      return c.json(
        {
          journey: journeyJson(result.journey),
          version: versionJson(result.version),
          issues: issuesJson(result.issues),
          created: true,
        },
        201,
      );
    });

    app.openapi(routes.validate, async (c) => {
      const body = c.req.valid("json");
      const result = await validateAgainstWorkspace(
        db,
        c.get("principal").workspaceId,
        requireBodyDefinition(body.definition),
      );
      return c.json({ ok: result.ok, issues: issuesJson(result.issues) }, 200);
    });

    app.openapi(routes.get, async (c) => {
      const { id } = c.req.valid("param");
      const workspaceId = c.get("principal").workspaceId;
      const journey = await lifecycle(() => getJourney(db, workspaceId, id));
      const versions = await listVersions(db, workspaceId, id);
      const latest = versions.at(-1)!;
      const live = versions.filter((v) => v.status === "active" || v.status === "paused").at(-1) ?? null;
      return c.json(
        {
          journey: journeySummaryJson({
            ...journey,
            latestVersion: latest.version,
            latestStatus: latest.status,
            liveVersion: live?.version ?? null,
            liveStatus: (live?.status as "active" | "paused" | undefined) ?? null,
          }),
          versions: versions.map(versionSummaryJson),
          live: live ? versionJson(live) : null,
          latest: versionJson(latest),
        },
        200,
      );
    });

    app.openapi(routes.versions, async (c) => {
      const { id } = c.req.valid("param");
      const versions = await lifecycle(() => listVersions(db, c.get("principal").workspaceId, id));
      return c.json({ versions: versions.map(versionSummaryJson) }, 200);
    });

    app.openapi(routes.version, async (c) => {
      const { id, version } = c.req.valid("param");
      const found = await lifecycle(() => getVersion(db, c.get("principal").workspaceId, id, version));
      return c.json({ version: versionJson(found) }, 200);
    });

    app.openapi(routes.draft, async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const principal = c.get("principal");
      const result = await lifecycle(() =>
        saveDraft(
          db,
          {
            workspaceId: principal.workspaceId,
            journeyId: id,
            definition: requireBodyDefinition(body.definition),
            author: principal.keyId,
            draftedBy: (body.draftedBy ?? "human") as DraftedBy,
            designId: body.designId ?? null,
          },
          lifecycleOptions(ctx),
        ),
      );
      return c.json(
        {
          journey: journeyJson(result.journey),
          version: versionJson(result.version),
          issues: issuesJson(result.issues),
          created: result.created,
        },
        200,
      );
    });

    app.openapi(routes.activate, async (c) => {
      const { id, version } = c.req.valid("param");
      const principal = c.get("principal");
      const gate = ctx.services.journeyLifecycle?.gate;
      // cx_lead may only *ask*: without an approval queue to park the request, only admins activate
      if (!gate && principal.role !== "admin") {
        throw forbidden(
          "only an admin can activate here: this process runs no approval queue to ask a reviewer",
        );
      }
      const result = await lifecycle(() =>
        activateVersion(
          db,
          { workspaceId: principal.workspaceId, journeyId: id, version, actor: principal.keyId },
          { ...lifecycleOptions(ctx), ...(gate ? { gate } : {}) },
        ),
      );
      if (result.outcome === "pending_approval") {
        return c.json(
          {
            outcome: result.outcome,
            version: versionSummaryJson(result.version),
            approvalId: result.approvalId,
            reason: result.reason,
            warnings: issuesJson(result.warnings),
          },
          202,
        );
      }
      return c.json(
        {
          outcome: result.outcome,
          version: versionSummaryJson(result.version),
          archived: result.archived ? versionSummaryJson(result.archived) : null,
          warnings: issuesJson(result.warnings),
        },
        200,
      );
    });

    const transitions = [
      [routes.pause, pauseVersion],
      [routes.resume, resumeVersion],
      [routes.archive, archiveVersion],
    ] as const;
    for (const [route, transition] of transitions) {
      app.openapi(route, async (c) => {
        const { id, version } = c.req.valid("param");
        const principal = c.get("principal");
        const changed = await lifecycle(() =>
          transition(
            db,
            { workspaceId: principal.workspaceId, journeyId: id, version, actor: principal.keyId },
            lifecycleOptions(ctx),
          ),
        );
        return c.json({ version: versionSummaryJson(changed) }, 200);
      });
    }

    app.openapi(routes.stop, async (c) => {
      const { id, version } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const principal = c.get("principal");
      const result = await lifecycle(() =>
        stopVersion(
          db,
          { workspaceId: principal.workspaceId, journeyId: id, version, actor: principal.keyId, reason },
          lifecycleOptions(ctx),
        ),
      );
      return c.json(
        {
          version: versionSummaryJson(result.version),
          exited: result.exited,
          cancelledActions: result.cancelledActions,
        },
        200,
      );
    });

    app.openapi(routes.diff, async (c) => {
      const { id, a, b } = c.req.valid("param");
      const workspaceId = c.get("principal").workspaceId;
      const [from, to] = await lifecycle(() =>
        Promise.all([getVersion(db, workspaceId, id, a), getVersion(db, workspaceId, id, b)]),
      );
      const diff = diffJourneys(from.definition, to.definition);
      return c.json({ from: a, to: b, ...diff }, 200);
    });
  },
};
