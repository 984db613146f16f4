import { z } from "@hono/zod-openapi";
import { READERS } from "../auth.ts";
import { defineRoute } from "../route.ts";
import {
  DraftedBySchema,
  errorResponses,
  JourneyDefinitionRef,
  JourneyIdParam,
  JourneySchema,
  JourneySummarySchema,
  ValidationIssueSchema,
  VersionNumber,
  VersionParams,
  VersionSchema,
  VersionSummarySchema,
} from "./api-schemas.ts";

/**
 * The journey API's contract: request and response schemas and the route definitions with their
 * roles (handlers in journeys.ts).
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

export const journeySpec = {
  list: defineRoute({
    method: "get",
    path: "/journeys",
    tags: ["journeys"],
    summary: "List journeys with their newest and live versions",
    roles: [...READERS],
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
    roles: [...READERS],
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
    roles: [...READERS],
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
    roles: [...READERS],
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
    roles: [...READERS],
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
