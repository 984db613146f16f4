import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { TemplateRecord } from "../../db/catalog.ts";
import {
  createSegment,
  deleteSegment,
  deleteTemplate,
  getSegment,
  getTemplate,
  loadWorkspaceCatalog,
  putTemplate,
  readCatalogDetails,
  segmentMemberCounts,
  updateSegment,
  upsertCatalogEvent,
  upsertCatalogTrait,
} from "../../db/catalog.ts";
import { rows } from "../../db/open.ts";
import { MESSAGE_CHANNELS } from "../../journeys/format/schema.ts";
import { validateCondition } from "../../journeys/format/validate.ts";
import type { RouteModule } from "../app.ts";
import { ApiError, conflict, notFound } from "../errors.ts";
import { defineRoute } from "../route.ts";
import { ErrorResponseSchema, errorResponses, issuesJson, registerFormatSchemas } from "./api-schemas.ts";
import { liveReferences } from "./catalog-references.ts";
import { jsonBodyGuard } from "./json-body.ts";

/**
 * The workspace catalog: events and traits (name, description, property types), channels, segments
 * (named audience conditions) and content templates, plus the workspace itself. The validator and
 * the designer read the same catalog through `loadWorkspaceCatalog`.
 */

const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });
const READERS = ["viewer", "cx_lead", "reviewer"] as const;
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
  channel: z.enum(MESSAGE_CHANNELS, { error: () => `channel must be one of ${MESSAGE_CHANNELS.join(", ")}` }),
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

function templateJson(template: TemplateRecord) {
  return {
    ...template,
    createdAt: template.createdAt.toISOString(),
    updatedAt: template.updatedAt.toISOString(),
  };
}

type SegmentRow = NonNullable<Awaited<ReturnType<typeof getSegment>>>;
function segmentJson(segment: SegmentRow, members: number) {
  return {
    id: segment.id,
    name: segment.name,
    description: segment.description,
    condition: segment.condition,
    members,
    createdAt: segment.createdAt.toISOString(),
  };
}

const routes = {
  catalog: defineRoute({
    method: "get",
    path: "/catalog",
    tags: ["catalog"],
    summary: "Events, traits, channels, segments, templates and tools of the workspace",
    roles: [...READERS],
    responses: {
      200: {
        description: "the catalog",
        content: json(
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
    request: { params: NameParam("event name"), body: { required: true, content: json(EventBody) } },
    responses: {
      200: { description: "stored", content: json(z.object({ event: EventSchema })) },
      ...errorResponses(),
    },
  }),
  putTrait: defineRoute({
    method: "put",
    path: "/catalog/traits/{name}",
    tags: ["catalog"],
    summary: "Create or replace a trait in the catalog",
    roles: [...WRITERS],
    request: { params: NameParam("trait name"), body: { required: true, content: json(TraitBody) } },
    responses: {
      200: { description: "stored", content: json(z.object({ trait: TraitSchema })) },
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
      200: { description: "segments", content: json(z.object({ segments: z.array(SegmentSchema) })) },
      ...errorResponses(),
    },
  }),
  createSegment: defineRoute({
    method: "post",
    path: "/segments",
    tags: ["segments"],
    summary: "Create a segment: a named audience condition over traits, consent and event history",
    roles: [...WRITERS],
    request: { body: { required: true, content: json(SegmentBody) } },
    responses: {
      201: { description: "created", content: json(z.object({ segment: SegmentSchema })) },
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
      200: { description: "the segment", content: json(z.object({ segment: SegmentSchema })) },
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
    request: { params: IdParam, body: { required: true, content: json(SegmentBody) } },
    responses: {
      200: { description: "updated", content: json(z.object({ segment: SegmentSchema })) },
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
      200: { description: "deleted", content: json(z.object({ deleted: z.literal(true) })) },
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
      200: { description: "templates", content: json(z.object({ templates: z.array(TemplateSchema) })) },
      ...errorResponses(),
    },
  }),
  createTemplate: defineRoute({
    method: "post",
    path: "/templates",
    tags: ["templates"],
    summary: "Create a template; bodies use {{traits.first_name}}-style placeholders",
    roles: [...WRITERS],
    request: { body: { required: true, content: json(TemplateCreateBody) } },
    responses: {
      201: { description: "created", content: json(z.object({ template: TemplateSchema })) },
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
      200: { description: "the template", content: json(z.object({ template: TemplateSchema })) },
      ...errorResponses(404),
    },
  }),
  updateTemplate: defineRoute({
    method: "put",
    path: "/templates/{id}",
    tags: ["templates"],
    summary: "Replace a template's content",
    roles: [...WRITERS],
    request: { params: TemplateIdParam, body: { required: true, content: json(TemplateUpdateBody) } },
    responses: {
      200: { description: "updated", content: json(z.object({ template: TemplateSchema })) },
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
      200: { description: "deleted", content: json(z.object({ deleted: z.literal(true) })) },
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
        content: json(
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

function checkSegmentCondition(
  condition: unknown,
  catalog: Awaited<ReturnType<typeof loadWorkspaceCatalog>>,
) {
  if (condition === undefined) {
    throw new ApiError(400, "invalid_request", "condition: required (an audience condition)", "condition");
  }
  const result = validateCondition(condition, catalog);
  if (!result.ok) {
    const first = result.issues.find((issue) => issue.severity === "error") ?? result.issues[0]!;
    throw new ApiError(
      400,
      "invalid_condition",
      `condition${first.path.slice(1)}: ${first.message}`,
      `condition${first.path.slice(1)}`,
      { issues: issuesJson(result.issues) },
    );
  }
  return result.condition;
}

export const catalogRoutes: RouteModule = {
  api(app, ctx) {
    registerFormatSchemas(app.openAPIRegistry);
    app.openAPIRegistry.register("Error", ErrorResponseSchema);
    const db = ctx.database.db;
    app.use("/catalog/*", jsonBodyGuard());
    app.use("/segments", jsonBodyGuard());
    app.use("/segments/*", jsonBodyGuard());
    app.use("/templates", jsonBodyGuard());
    app.use("/templates/*", jsonBodyGuard());

    app.openapi(routes.catalog, async (c) => {
      const workspaceId = c.get("principal").workspaceId;
      const [details, counts] = await Promise.all([
        readCatalogDetails(db, workspaceId),
        segmentMemberCounts(db, workspaceId),
      ]);
      return c.json(
        {
          ...details,
          segments: details.segments.map((segment) => ({
            ...segment,
            createdAt: segment.createdAt.toISOString(),
            members: counts.get(segment.id) ?? 0,
          })),
          templates: details.templates.map(templateJson),
        },
        200,
      );
    });

    app.openapi(routes.putEvent, async (c) => {
      const { name } = c.req.valid("param");
      const body = c.req.valid("json");
      const row = await upsertCatalogEvent(db, c.get("principal").workspaceId, { name, ...body });
      return c.json(
        { event: { name: row.name, description: row.description, properties: row.properties } },
        200,
      );
    });

    app.openapi(routes.putTrait, async (c) => {
      const { name } = c.req.valid("param");
      const body = c.req.valid("json");
      const row = await upsertCatalogTrait(db, c.get("principal").workspaceId, { name, ...body });
      return c.json({ trait: { name: row.name, type: row.type, description: row.description } }, 200);
    });

    app.openapi(routes.listSegments, async (c) => {
      const workspaceId = c.get("principal").workspaceId;
      const [details, counts] = await Promise.all([
        readCatalogDetails(db, workspaceId),
        segmentMemberCounts(db, workspaceId),
      ]);
      return c.json(
        {
          segments: details.segments.map((segment) => ({
            ...segment,
            createdAt: segment.createdAt.toISOString(),
            members: counts.get(segment.id) ?? 0,
          })),
        },
        200,
      );
    });

    app.openapi(routes.createSegment, async (c) => {
      const workspaceId = c.get("principal").workspaceId;
      const body = c.req.valid("json");
      const condition = checkSegmentCondition(body.condition, await loadWorkspaceCatalog(db, workspaceId));
      const created = await createSegment(db, workspaceId, { ...body, condition });
      if (!created) throw conflict(`a segment named "${body.name}" already exists`, "name");
      return c.json({ segment: segmentJson(created, 0) }, 201);
    });

    app.openapi(routes.getSegment, async (c) => {
      const workspaceId = c.get("principal").workspaceId;
      const { id } = c.req.valid("param");
      const segment = await getSegment(db, workspaceId, id);
      if (!segment) throw notFound(`segment "${id}"`, "id");
      const counts = await segmentMemberCounts(db, workspaceId);
      return c.json({ segment: segmentJson(segment, counts.get(id) ?? 0) }, 200);
    });

    app.openapi(routes.updateSegment, async (c) => {
      const workspaceId = c.get("principal").workspaceId;
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const existing = await getSegment(db, workspaceId, id);
      if (!existing) throw notFound(`segment "${id}"`, "id");
      const condition = checkSegmentCondition(body.condition, await loadWorkspaceCatalog(db, workspaceId));
      if (body.name !== existing.name) {
        const users = await liveReferences(db, workspaceId, { segment: existing.name });
        if (users.length > 0) {
          throw conflict(
            `segment "${existing.name}" triggers live journey ${users.join(", ")}; archive it before renaming the segment`,
            "name",
          );
        }
      }
      const updated = await updateSegment(db, workspaceId, id, { ...body, condition }).catch(
        (error: unknown) => {
          if (isUniqueViolation(error))
            throw conflict(`a segment named "${body.name}" already exists`, "name");
          throw error;
        },
      );
      if (!updated) throw notFound(`segment "${id}"`, "id");
      const counts = await segmentMemberCounts(db, workspaceId);
      return c.json({ segment: segmentJson(updated, counts.get(id) ?? 0) }, 200);
    });

    app.openapi(routes.deleteSegment, async (c) => {
      const workspaceId = c.get("principal").workspaceId;
      const { id } = c.req.valid("param");
      const existing = await getSegment(db, workspaceId, id);
      if (!existing) throw notFound(`segment "${id}"`, "id");
      const users = await liveReferences(db, workspaceId, { segment: existing.name });
      if (users.length > 0) {
        throw conflict(
          `segment "${existing.name}" triggers live journey ${users.join(", ")}; archive it first`,
          "id",
        );
      }
      await deleteSegment(db, workspaceId, id);
      return c.json({ deleted: true as const }, 200);
    });

    app.openapi(routes.listTemplates, async (c) => {
      const details = await readCatalogDetails(db, c.get("principal").workspaceId);
      return c.json({ templates: details.templates.map(templateJson) }, 200);
    });

    app.openapi(routes.createTemplate, async (c) => {
      const workspaceId = c.get("principal").workspaceId;
      const body = c.req.valid("json");
      if (await getTemplate(db, workspaceId, body.id)) {
        throw conflict(
          `template "${body.id}" already exists; PUT /api/templates/${body.id} replaces it`,
          "id",
        );
      }
      const { template } = await putTemplate(db, workspaceId, body, ctx.now());
      return c.json({ template: templateJson(template) }, 201);
    });

    app.openapi(routes.getTemplate, async (c) => {
      const { id } = c.req.valid("param");
      const template = await getTemplate(db, c.get("principal").workspaceId, id);
      if (!template) throw notFound(`template "${id}"`, "id");
      return c.json({ template: templateJson(template) }, 200);
    });

    app.openapi(routes.updateTemplate, async (c) => {
      const workspaceId = c.get("principal").workspaceId;
      const { id } = c.req.valid("param");
      if (!(await getTemplate(db, workspaceId, id))) throw notFound(`template "${id}"`, "id");
      const { template } = await putTemplate(db, workspaceId, { id, ...c.req.valid("json") }, ctx.now());
      return c.json({ template: templateJson(template) }, 200);
    });

    app.openapi(routes.deleteTemplate, async (c) => {
      const workspaceId = c.get("principal").workspaceId;
      const { id } = c.req.valid("param");
      if (!(await getTemplate(db, workspaceId, id))) throw notFound(`template "${id}"`, "id");
      const users = await liveReferences(db, workspaceId, { template: id });
      if (users.length > 0) {
        throw conflict(`template "${id}" is used by ${users.join(", ")}; archive those versions first`, "id");
      }
      await deleteTemplate(db, workspaceId, id);
      return c.json({ deleted: true as const }, 200);
    });

    app.openapi(routes.workspace, async (c) => {
      const principal = c.get("principal");
      const [workspace] = await rows<{
        id: string;
        name: string;
        timezone: string;
        created_at: string;
        profiles: number;
        events: number;
        journeys: number;
        live_journeys: number;
        policy_version: number | null;
      }>(
        db,
        sql`select w.id, w.name, w.timezone, w.created_at,
                   (select count(*) from profiles p where p.workspace_id = w.id and p.merged_into is null)::int8 as profiles,
                   (select count(*) from events e where e.workspace_id = w.id)::int8 as events,
                   (select count(*) from journeys j where j.workspace_id = w.id)::int8 as journeys,
                   (select count(distinct v.journey_id) from journey_versions v
                     where v.workspace_id = w.id and v.status in ('active', 'paused'))::int8 as live_journeys,
                   (select max(version) from policy_configs pc where pc.workspace_id = w.id) as policy_version
              from workspaces w where w.id = ${principal.workspaceId}`,
      );
      if (!workspace) throw notFound("the key's workspace");
      const catalog = await loadWorkspaceCatalog(db, principal.workspaceId);
      return c.json(
        {
          id: workspace.id,
          name: workspace.name,
          timezone: workspace.timezone,
          createdAt: new Date(workspace.created_at).toISOString(),
          role: principal.role,
          channels: catalog.channels,
          policyVersion: workspace.policy_version === null ? null : Number(workspace.policy_version),
          counts: {
            profiles: Number(workspace.profiles),
            events: Number(workspace.events),
            journeys: Number(workspace.journeys),
            liveJourneys: Number(workspace.live_journeys),
          },
        },
        200,
      );
    });
  },
};

function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current && typeof current === "object"; depth++) {
    if ((current as { code?: unknown }).code === "23505") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
