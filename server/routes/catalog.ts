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
import { validateCondition } from "../../journeys/format/validate.ts";
import type { RouteModule } from "../app.ts";
import { ApiError, conflict, notFound } from "../errors.ts";
import { ErrorResponseSchema, issuesJson, registerFormatSchemas } from "./api-schemas.ts";
import { liveReferences } from "./catalog-references.ts";
import { catalogSpec as routes } from "./catalog-spec.ts";
import { jsonBodyGuard } from "./json-body.ts";

/**
 * The workspace catalog: events and traits (name, description, property types), channels, segments
 * (named audience conditions) and content templates, plus the workspace itself. The validator and
 * the designer read the same catalog through `loadWorkspaceCatalog`.
 */

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
