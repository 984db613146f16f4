import { z } from "@hono/zod-openapi";
import { MESSAGE_CHANNELS } from "../../journeys/format/schema.ts";
import { READERS } from "../auth.ts";
import { defineRoute } from "../route.ts";
import { errorResponses, jsonContent, oneOf } from "./api-schemas.ts";

/**
 * The catalog API's contract: request and response schemas and the route definitions with their
 * roles (handlers in catalog.ts).
 */

const WRITERS = ["cx_lead"] as const;

const CatalogName = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(200, `${what} is at most 200 characters`)
    .refine((name) => name.trim() === name, `${what} has leading or trailing spaces`);

const PropertyTypeName = z.string().min(1, "a property type must not be empty").max(200);

const EventBody = z
  .object({
    description: z.string().max(2000).optional(),
    properties: z
      .record(z.string().min(1).max(200), PropertyTypeName)
      .optional()
      .openapi({ example: { cart_id: "string", value: "number" } }),
  })
  .strict()
  .openapi("CatalogEventRequest");

const EventSchema = z
  .object({ name: z.string(), description: z.string(), properties: z.record(z.string(), z.string()) })
  .openapi("CatalogEvent");

const TraitBody = z
  .object({
    type: z.string().min(1, "type must not be empty").max(200).openapi({ example: "vip|regular" }),
    description: z.string().max(2000).optional(),
  })
  .strict()
  .openapi("CatalogTraitRequest");

const TraitSchema = z
  .object({ name: z.string(), type: z.string(), description: z.string() })
  .openapi("CatalogTrait");

const SegmentBody = z
  .object({
    name: CatalogName("name"),
    description: z.string().max(2000).optional(),
    condition: z.unknown().openapi({ $ref: "#/components/schemas/Condition" } as never),
  })
  .strict()
  .openapi("SegmentRequest");

const SegmentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    condition: z.unknown(),
    members: z.number().int(),
    createdAt: z.string(),
  })
  .openapi("Segment");

const TemplateId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.-]+$/, "template ids use letters, digits, _, . and -");

const TemplateFields = {
  channel: oneOf("channel", MESSAGE_CHANNELS),
  name: z.string().min(1).max(200),
  subject: z.string().max(500).nullable().optional(),
  title: z.string().max(200).nullable().optional(),
  body: z.string().min(1, "body must not be empty").max(20_000),
  tags: z.array(z.string().min(1).max(50)).max(30).optional(),
};

const TemplateCreateBody = z
  .object({ id: TemplateId, ...TemplateFields })
  .strict()
  .openapi("TemplateCreateRequest");
const TemplateUpdateBody = z.object(TemplateFields).strict().openapi("TemplateUpdateRequest");

const TemplateSchema = z
  .object({
    id: z.string(),
    channel: z.string(),
    name: z.string(),
    subject: z.string().nullable(),
    title: z.string().nullable(),
    body: z.string(),
    tags: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Template");

const NameParam = (name: string) =>
  z.object({
    name: CatalogName(name).openapi({ param: { name: "name", in: "path" }, example: "Checkout Started" }),
  });
const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});
const TemplateIdParam = z.object({ id: TemplateId.openapi({ param: { name: "id", in: "path" } }) });

export const catalogSpec = {
  catalog: defineRoute({
    method: "get",
    path: "/catalog",
    tags: ["catalog"],
    summary: "Events, traits, channels, segments, templates and tools of the workspace",
    roles: [...READERS],
    responses: {
      200: {
        description: "the catalog",
        content: jsonContent(
          z
            .object({
              events: z.array(EventSchema),
              traits: z.array(TraitSchema),
              channels: z.array(z.object({ channel: z.string(), adapter: z.string(), enabled: z.boolean() })),
              segments: z.array(SegmentSchema),
              templates: z.array(TemplateSchema),
              tools: z.array(z.string()),
            })
            .openapi("Catalog"),
        ),
      },
      ...errorResponses(),
    },
  }),
  putEvent: defineRoute({
    method: "put",
    path: "/catalog/events/{name}",
    tags: ["catalog"],
    summary: "Create or replace an event in the catalog",
    roles: [...WRITERS],
    request: { params: NameParam("event name"), body: { required: true, content: jsonContent(EventBody) } },
    responses: {
      200: { description: "stored", content: jsonContent(z.object({ event: EventSchema })) },
      ...errorResponses(),
    },
  }),
  putTrait: defineRoute({
    method: "put",
    path: "/catalog/traits/{name}",
    tags: ["catalog"],
    summary: "Create or replace a trait in the catalog",
    roles: [...WRITERS],
    request: { params: NameParam("trait name"), body: { required: true, content: jsonContent(TraitBody) } },
    responses: {
      200: { description: "stored", content: jsonContent(z.object({ trait: TraitSchema })) },
      ...errorResponses(),
    },
  }),
  listSegments: defineRoute({
    method: "get",
    path: "/segments",
    tags: ["segments"],
    summary: "Segments with their member counts",
    roles: [...READERS],
    responses: {
      200: { description: "segments", content: jsonContent(z.object({ segments: z.array(SegmentSchema) })) },
      ...errorResponses(),
    },
  }),
  createSegment: defineRoute({
    method: "post",
    path: "/segments",
    tags: ["segments"],
    summary: "Create a segment: a named audience condition over traits, consent and event history",
    roles: [...WRITERS],
    request: { body: { required: true, content: jsonContent(SegmentBody) } },
    responses: {
      201: { description: "created", content: jsonContent(z.object({ segment: SegmentSchema })) },
      ...errorResponses(409),
    },
  }),
  getSegment: defineRoute({
    method: "get",
    path: "/segments/{id}",
    tags: ["segments"],
    summary: "One segment",
    roles: [...READERS],
    request: { params: IdParam },
    responses: {
      200: { description: "the segment", content: jsonContent(z.object({ segment: SegmentSchema })) },
      ...errorResponses(404),
    },
  }),
  updateSegment: defineRoute({
    method: "put",
    path: "/segments/{id}",
    tags: ["segments"],
    summary: "Replace a segment's name, description and condition",
    description: "Renaming a segment that a live journey triggers on is refused (409).",
    roles: [...WRITERS],
    request: { params: IdParam, body: { required: true, content: jsonContent(SegmentBody) } },
    responses: {
      200: { description: "updated", content: jsonContent(z.object({ segment: SegmentSchema })) },
      ...errorResponses(404, 409),
    },
  }),
  deleteSegment: defineRoute({
    method: "delete",
    path: "/segments/{id}",
    tags: ["segments"],
    summary: "Delete a segment (refused while a live journey triggers on it)",
    roles: [...WRITERS],
    request: { params: IdParam },
    responses: {
      200: { description: "deleted", content: jsonContent(z.object({ deleted: z.literal(true) })) },
      ...errorResponses(404, 409),
    },
  }),
  listTemplates: defineRoute({
    method: "get",
    path: "/templates",
    tags: ["templates"],
    summary: "Content templates",
    roles: [...READERS],
    responses: {
      200: {
        description: "templates",
        content: jsonContent(z.object({ templates: z.array(TemplateSchema) })),
      },
      ...errorResponses(),
    },
  }),
  createTemplate: defineRoute({
    method: "post",
    path: "/templates",
    tags: ["templates"],
    summary: "Create a template; bodies use {{traits.first_name}}-style placeholders",
    roles: [...WRITERS],
    request: { body: { required: true, content: jsonContent(TemplateCreateBody) } },
    responses: {
      201: { description: "created", content: jsonContent(z.object({ template: TemplateSchema })) },
      ...errorResponses(409),
    },
  }),
  getTemplate: defineRoute({
    method: "get",
    path: "/templates/{id}",
    tags: ["templates"],
    summary: "One template",
    roles: [...READERS],
    request: { params: TemplateIdParam },
    responses: {
      200: { description: "the template", content: jsonContent(z.object({ template: TemplateSchema })) },
      ...errorResponses(404),
    },
  }),
  updateTemplate: defineRoute({
    method: "put",
    path: "/templates/{id}",
    tags: ["templates"],
    summary: "Replace a template's content",
    roles: [...WRITERS],
    request: { params: TemplateIdParam, body: { required: true, content: jsonContent(TemplateUpdateBody) } },
    responses: {
      200: { description: "updated", content: jsonContent(z.object({ template: TemplateSchema })) },
      ...errorResponses(404),
    },
  }),
  deleteTemplate: defineRoute({
    method: "delete",
    path: "/templates/{id}",
    tags: ["templates"],
    summary: "Delete a template (refused while a live journey or pending draft uses it)",
    roles: [...WRITERS],
    request: { params: TemplateIdParam },
    responses: {
      200: { description: "deleted", content: jsonContent(z.object({ deleted: z.literal(true) })) },
      ...errorResponses(404, 409),
    },
  }),
  workspace: defineRoute({
    method: "get",
    path: "/workspace",
    tags: ["workspace"],
    summary: "The workspace of the calling key, with counts and the current policy version",
    roles: [...READERS],
    responses: {
      200: {
        description: "the workspace",
        content: jsonContent(
          z
            .object({
              id: z.string(),
              name: z.string(),
              timezone: z.string(),
              createdAt: z.string(),
              role: z.string(),
              channels: z.array(z.string()),
              policyVersion: z.number().int().nullable(),
              counts: z.object({
                profiles: z.number().int(),
                events: z.number().int(),
                journeys: z.number().int(),
                liveJourneys: z.number().int(),
              }),
            })
            .openapi("Workspace"),
        ),
      },
      ...errorResponses(),
    },
  }),
};
