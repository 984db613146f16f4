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
import { KeyNames } from "./key-names.ts";

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
      const workspaceId = c.get("principal").workspaceId;
      const journeys = await listJourneys(db, workspaceId);
      const names = await KeyNames.load(
        db,
        workspaceId,
        journeys.map((journey) => journey.createdBy),
      );
      return c.json({ journeys: journeys.map((journey) => journeySummaryJson(journey, names)) }, 200);
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
      const names = await KeyNames.load(db, principal.workspaceId, [
        result.journey.createdBy,
        result.version.author,
      ]);
      return c.json(
        {
          journey: journeyJson(result.journey, names),
          version: versionJson(result.version, names),
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
      const names = await KeyNames.load(db, workspaceId, [
        journey.createdBy,
        ...versions.map((v) => v.author),
      ]);
      return c.json(
        {
          journey: journeySummaryJson(
            {
              ...journey,
              latestVersion: latest.version,
              latestStatus: latest.status,
              liveVersion: live?.version ?? null,
              liveStatus: (live?.status as "active" | "paused" | undefined) ?? null,
            },
            names,
          ),
          versions: versions.map((v) => versionSummaryJson(v, names)),
          live: live ? versionJson(live, names) : null,
          latest: versionJson(latest, names),
        },
        200,
      );
    });

    app.openapi(routes.versions, async (c) => {
      const { id } = c.req.valid("param");
      const workspaceId = c.get("principal").workspaceId;
      const versions = await lifecycle(() => listVersions(db, workspaceId, id));
      const names = await KeyNames.load(
        db,
        workspaceId,
        versions.map((v) => v.author),
      );
      return c.json({ versions: versions.map((v) => versionSummaryJson(v, names)) }, 200);
    });

    app.openapi(routes.version, async (c) => {
      const { id, version } = c.req.valid("param");
      const workspaceId = c.get("principal").workspaceId;
      const found = await lifecycle(() => getVersion(db, workspaceId, id, version));
      return c.json(
        { version: versionJson(found, await KeyNames.load(db, workspaceId, [found.author])) },
        200,
      );
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
      const names = await KeyNames.load(db, principal.workspaceId, [
        result.journey.createdBy,
        result.version.author,
      ]);
      return c.json(
        {
          journey: journeyJson(result.journey, names),
          version: versionJson(result.version, names),
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
      const names = await KeyNames.load(db, principal.workspaceId, [
        result.version.author,
        ...(result.outcome === "pending_approval" ? [] : [result.archived?.author]),
      ]);
      if (result.outcome === "pending_approval") {
        return c.json(
          {
            outcome: result.outcome,
            version: versionSummaryJson(result.version, names),
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
          version: versionSummaryJson(result.version, names),
          archived: result.archived ? versionSummaryJson(result.archived, names) : null,
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
        const names = await KeyNames.load(db, principal.workspaceId, [changed.author]);
        return c.json({ version: versionSummaryJson(changed, names) }, 200);
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
          version: versionSummaryJson(
            result.version,
            await KeyNames.load(db, principal.workspaceId, [result.version.author]),
          ),
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
