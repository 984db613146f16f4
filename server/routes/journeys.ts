import { z } from "@hono/zod-openapi";
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
import { defineRoute } from "../route.ts";
import {
  DraftedBySchema,
  ErrorResponseSchema,
  errorResponses,
  issuesJson,
  JourneyDefinitionRef,
  JourneyIdParam,
  JourneySchema,
  JourneySummarySchema,
  journeyJson,
  journeySummaryJson,
  registerFormatSchemas,
  ValidationIssueSchema,
  VersionNumber,
  VersionParams,
  VersionSchema,
  VersionSummarySchema,
  versionJson,
  versionSummaryJson,
} from "./api-schemas.ts";
import { lifecycle } from "./journey-errors.ts";
import { jsonBodyGuard } from "./json-body.ts";

/**
 * Journeys and their versions: create, edit drafts, validate, activate / pause / resume / archive /
 * stop, version history and diffs. The lifecycle rules live in journeys/versions.ts; these handlers
 * only translate HTTP to it. Roles: viewer reads, cx_lead drafts and validates, admin changes what
 * is live (issue 3 inserts the reviewer approval through the activation gate).
 */

const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

const DraftBody = z
  .object({
    definition: JourneyDefinitionRef,
    draftedBy: DraftedBySchema.optional(),
    designId: z.string().min(1).max(100).optional(),
  })
  .strict()
  .openapi("JourneyDraftRequest");

const DraftResponse = z
  .object({
    journey: JourneySchema,
    version: VersionSchema,
    issues: z.array(ValidationIssueSchema),
    created: z.boolean(),
  })
  .openapi("JourneyDraftResponse");

const TransitionResponse = z.object({ version: VersionSummarySchema }).openapi("JourneyTransitionResponse");

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

const routes = {
  list: defineRoute({
    method: "get",
    path: "/journeys",
    tags: ["journeys"],
    summary: "List journeys with their newest and live versions",
    roles: ["viewer", "cx_lead", "reviewer"],
    responses: {
      200: {
        description: "the workspace's journeys",
        content: json(z.object({ journeys: z.array(JourneySummarySchema) })),
      },
      ...errorResponses(),
    },
  }),
  create: defineRoute({
    method: "post",
    path: "/journeys",
    tags: ["journeys"],
    summary: "Create a journey; its definition becomes draft version 1",
    description:
      "The definition must parse as a journey (400 with every schema issue otherwise). Catalog problems do not block a draft; they are returned as `issues`.",
    roles: ["cx_lead"],
    request: { body: { required: true, content: json(DraftBody) } },
    responses: {
      201: { description: "created", content: json(DraftResponse) },
      ...errorResponses(),
    },
  }),
  validate: defineRoute({
    method: "post",
    path: "/journeys/validate",
    tags: ["journeys"],
    summary: "Validate a definition against the workspace catalog without storing it",
    description: "Always 200 for a JSON body with a definition: `ok` is false when any issue is an error.",
    roles: ["cx_lead", "viewer", "reviewer"],
    request: {
      body: { required: true, content: json(z.object({ definition: JourneyDefinitionRef }).strict()) },
    },
    responses: {
      200: {
        description: "every issue with its JSONPath and a sentence",
        content: json(
          z.object({ ok: z.boolean(), issues: z.array(ValidationIssueSchema) }).openapi("ValidationResult"),
        ),
      },
      ...errorResponses(),
    },
  }),
  get: defineRoute({
    method: "get",
    path: "/journeys/{id}",
    tags: ["journeys"],
    summary: "A journey with its version history, the live version and the newest version",
    roles: ["viewer", "cx_lead", "reviewer"],
    request: { params: JourneyIdParam },
    responses: {
      200: {
        description: "the journey",
        content: json(
          z
            .object({
              journey: JourneySummarySchema,
              versions: z.array(VersionSummarySchema),
              live: VersionSchema.nullable(),
              latest: VersionSchema,
            })
            .openapi("JourneyDetail"),
        ),
      },
      ...errorResponses(404),
    },
  }),
  versions: defineRoute({
    method: "get",
    path: "/journeys/{id}/versions",
    tags: ["journeys"],
    summary: "Every version of a journey, oldest first",
    roles: ["viewer", "cx_lead", "reviewer"],
    request: { params: JourneyIdParam },
    responses: {
      200: { description: "versions", content: json(z.object({ versions: z.array(VersionSummarySchema) })) },
      ...errorResponses(404),
    },
  }),
  version: defineRoute({
    method: "get",
    path: "/journeys/{id}/versions/{version}",
    tags: ["journeys"],
    summary: "One version with its definition",
    roles: ["viewer", "cx_lead", "reviewer"],
    request: { params: VersionParams },
    responses: {
      200: { description: "the version", content: json(z.object({ version: VersionSchema })) },
      ...errorResponses(404),
    },
  }),
  draft: defineRoute({
    method: "put",
    path: "/journeys/{id}/draft",
    tags: ["journeys"],
    summary: "Save an edit as the journey's draft",
    description:
      "Updates the newest version while it is a draft; when the newest version is active, paused, awaiting approval or archived, creates draft N+1 (`created: true`). Live versions never change.",
    roles: ["cx_lead"],
    request: { params: JourneyIdParam, body: { required: true, content: json(DraftBody) } },
    responses: {
      200: { description: "saved", content: json(DraftResponse) },
      ...errorResponses(404, 409),
    },
  }),
  activate: defineRoute({
    method: "post",
    path: "/journeys/{id}/versions/{version}/activate",
    tags: ["journey lifecycle"],
    summary: "Put a draft live; the previously live version is archived and its customers finish",
    description:
      "Validation errors block with 422 and every issue; warnings are returned. A cx_lead's request (and any model-drafted version) waits in `pending_approval` (202) with an approval item a reviewer answers (POST /approvals/{id}/respond); an admin activates a human draft directly.",
    roles: ["cx_lead"],
    request: { params: VersionParams },
    responses: {
      200: {
        description: "activated",
        content: json(
          z
            .object({
              outcome: z.literal("activated"),
              version: VersionSummarySchema,
              archived: VersionSummarySchema.nullable(),
              warnings: z.array(ValidationIssueSchema),
            })
            .openapi("ActivationResult"),
        ),
      },
      202: {
        description: "waiting for a reviewer",
        content: json(
          z
            .object({
              outcome: z.literal("pending_approval"),
              version: VersionSummarySchema,
              approvalId: z.string(),
              reason: z.string(),
              warnings: z.array(ValidationIssueSchema),
            })
            .openapi("ActivationPending"),
        ),
      },
      ...errorResponses(404, 409, 422),
    },
  }),
  pause: defineRoute({
    method: "post",
    path: "/journeys/{id}/versions/{version}/pause",
    tags: ["journey lifecycle"],
    summary: "Pause an active version: no new entries, in-flight customers are held",
    roles: [],
    request: { params: VersionParams },
    responses: {
      200: { description: "paused", content: json(TransitionResponse) },
      ...errorResponses(404, 409),
    },
  }),
  resume: defineRoute({
    method: "post",
    path: "/journeys/{id}/versions/{version}/resume",
    tags: ["journey lifecycle"],
    summary: "Resume a paused version",
    roles: [],
    request: { params: VersionParams },
    responses: {
      200: { description: "active again", content: json(TransitionResponse) },
      ...errorResponses(404, 409),
    },
  }),
  archive: defineRoute({
    method: "post",
    path: "/journeys/{id}/versions/{version}/archive",
    tags: ["journey lifecycle"],
    summary: "Close a version to new entries for good; in-flight customers finish",
    roles: [],
    request: { params: VersionParams },
    responses: {
      200: { description: "archived", content: json(TransitionResponse) },
      ...errorResponses(404, 409),
    },
  }),
  stop: defineRoute({
    method: "post",
    path: "/journeys/{id}/versions/{version}/stop",
    tags: ["journey lifecycle"],
    summary: "Emergency stop: archive and exit every in-flight customer with a reason",
    description:
      "Actions still waiting for a decision (deferred, in review) are cancelled; messages already queued are delivered.",
    roles: [],
    request: {
      params: VersionParams,
      body: {
        required: true,
        content: json(
          z
            .object({ reason: z.string().trim().min(1).max(500) })
            .strict()
            .openapi("StopRequest"),
        ),
      },
    },
    responses: {
      200: {
        description: "stopped",
        content: json(
          z.object({
            version: VersionSummarySchema,
            exited: z.number().int(),
            cancelledActions: z.number().int(),
          }),
        ),
      },
      ...errorResponses(404, 409),
    },
  }),
  diff: defineRoute({
    method: "get",
    path: "/journeys/{id}/versions/{a}/diff/{b}",
    tags: ["journeys"],
    summary: "Structural diff from version a to version b",
    roles: ["viewer", "cx_lead", "reviewer"],
    request: {
      params: JourneyIdParam.extend({
        a: VersionNumber.openapi({ param: { name: "a", in: "path" }, example: 1 }),
        b: VersionNumber.openapi({ param: { name: "b", in: "path" }, example: 2 }),
      }),
    },
    responses: {
      200: {
        description: "nodes added / removed / changed (with value paths) and envelope changes",
        content: json(
          z
            .object({
              from: z.number().int(),
              to: z.number().int(),
              identical: z.boolean(),
              envelope: z.array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() })),
              nodes: z.object({
                added: z.array(z.unknown()),
                removed: z.array(z.unknown()),
                changed: z.array(
                  z.object({
                    id: z.string(),
                    type: z.string(),
                    changes: z.array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() })),
                  }),
                ),
              }),
            })
            .openapi("JourneyDiff"),
        ),
      },
      ...errorResponses(404),
    },
  }),
};

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
