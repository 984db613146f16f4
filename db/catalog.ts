import { and, asc, count, eq } from "drizzle-orm";
import { z } from "zod";
import type { WorkspaceCatalog } from "../journeys/format/catalog.ts";
import { newId } from "./ids.ts";
import type { Executor } from "./open.ts";
import { segmentMemberships } from "./schema/profiles.ts";
import {
  catalogEvents,
  catalogTraits,
  channelSettings,
  segments,
  templates,
  workspaces,
} from "./schema/workspaces.ts";

/**
 * The workspace catalog as the validator, the designer and the console read it, assembled from the
 * catalog tables: events and traits, enabled channels, segment names, template ids and the tools a
 * `tool` node may call (besides the built-in ones).
 */
const WorkspaceSettings = z
  .object({
    /** extra tool names (data adapters a workspace added) */
    tools: z.array(z.string()).optional(),
  })
  .passthrough();

export async function loadWorkspaceCatalog(
  executor: Executor,
  workspaceId: string,
): Promise<WorkspaceCatalog> {
  const [eventRows, traitRows, channelRows, segmentRows, templateRows, workspaceRows] = await Promise.all([
    executor
      .select({
        name: catalogEvents.name,
        description: catalogEvents.description,
        properties: catalogEvents.properties,
      })
      .from(catalogEvents)
      .where(eq(catalogEvents.workspaceId, workspaceId))
      .orderBy(asc(catalogEvents.name)),
    executor
      .select({ name: catalogTraits.name, type: catalogTraits.type })
      .from(catalogTraits)
      .where(eq(catalogTraits.workspaceId, workspaceId))
      .orderBy(asc(catalogTraits.name)),
    executor
      .select({ channel: channelSettings.channel })
      .from(channelSettings)
      .where(and(eq(channelSettings.workspaceId, workspaceId), eq(channelSettings.enabled, true)))
      .orderBy(asc(channelSettings.channel)),
    executor
      .select({ name: segments.name })
      .from(segments)
      .where(eq(segments.workspaceId, workspaceId))
      .orderBy(asc(segments.name)),
    executor
      .select({ id: templates.id })
      .from(templates)
      .where(eq(templates.workspaceId, workspaceId))
      .orderBy(asc(templates.id)),
    executor.select({ settings: workspaces.settings }).from(workspaces).where(eq(workspaces.id, workspaceId)),
  ]);
  const settings = WorkspaceSettings.safeParse(workspaceRows[0]?.settings ?? {});
  return {
    events: Object.fromEntries(
      eventRows.map((row) => [row.name, { description: row.description, properties: row.properties }]),
    ),
    traits: Object.fromEntries(traitRows.map((row) => [row.name, row.type])),
    channels: channelRows.map((row) => row.channel),
    segments: segmentRows.map((row) => row.name),
    // Templates are always checked: a workspace with none makes every template reference an error.
    templates: templateRows.map((row) => row.id),
    tools: settings.success ? (settings.data.tools ?? []) : [],
  };
}

// ─── Writes (the catalog API and the demo seed use these) ───────────────────────────────────────

export interface CatalogEventInput {
  name: string;
  description?: string;
  properties?: Record<string, string>;
}

export async function upsertCatalogEvent(executor: Executor, workspaceId: string, input: CatalogEventInput) {
  const values = {
    workspaceId,
    name: input.name,
    description: input.description ?? "",
    properties: input.properties ?? {},
  };
  const [row] = await executor
    .insert(catalogEvents)
    .values(values)
    .onConflictDoUpdate({
      target: [catalogEvents.workspaceId, catalogEvents.name],
      set: { description: values.description, properties: values.properties },
    })
    .returning();
  return row!;
}

export interface CatalogTraitInput {
  name: string;
  type: string;
  description?: string;
}

export async function upsertCatalogTrait(executor: Executor, workspaceId: string, input: CatalogTraitInput) {
  const values = { workspaceId, name: input.name, type: input.type, description: input.description ?? "" };
  const [row] = await executor
    .insert(catalogTraits)
    .values(values)
    .onConflictDoUpdate({
      target: [catalogTraits.workspaceId, catalogTraits.name],
      set: { type: values.type, description: values.description },
    })
    .returning();
  return row!;
}

export async function upsertChannelSetting(
  executor: Executor,
  workspaceId: string,
  input: { channel: string; adapter: string; enabled?: boolean; config?: Record<string, unknown> },
) {
  const values = {
    workspaceId,
    channel: input.channel,
    adapter: input.adapter,
    enabled: input.enabled ?? true,
    config: input.config ?? {},
  };
  const [row] = await executor
    .insert(channelSettings)
    .values(values)
    .onConflictDoUpdate({
      target: [channelSettings.workspaceId, channelSettings.channel],
      set: { adapter: values.adapter, enabled: values.enabled, config: values.config },
    })
    .returning();
  return row!;
}

/** Everything the catalog holds, with descriptions, for the API and the console. */
export async function readCatalogDetails(executor: Executor, workspaceId: string) {
  const [eventRows, traitRows, channelRows, segmentRows, templateRows, catalog] = await Promise.all([
    executor
      .select()
      .from(catalogEvents)
      .where(eq(catalogEvents.workspaceId, workspaceId))
      .orderBy(asc(catalogEvents.name)),
    executor
      .select()
      .from(catalogTraits)
      .where(eq(catalogTraits.workspaceId, workspaceId))
      .orderBy(asc(catalogTraits.name)),
    executor
      .select()
      .from(channelSettings)
      .where(eq(channelSettings.workspaceId, workspaceId))
      .orderBy(asc(channelSettings.channel)),
    executor.select().from(segments).where(eq(segments.workspaceId, workspaceId)).orderBy(asc(segments.name)),
    executor
      .select()
      .from(templates)
      .where(eq(templates.workspaceId, workspaceId))
      .orderBy(asc(templates.id)),
    loadWorkspaceCatalog(executor, workspaceId),
  ]);
  return {
    events: eventRows.map((row) => ({
      name: row.name,
      description: row.description,
      properties: row.properties,
    })),
    traits: traitRows.map((row) => ({ name: row.name, type: row.type, description: row.description })),
    channels: channelRows.map((row) => ({
      channel: row.channel,
      adapter: row.adapter,
      enabled: row.enabled,
    })),
    segments: segmentRows.map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      condition: row.condition,
      createdAt: row.createdAt,
    })),
    templates: templateRows.map(toTemplate),
    tools: catalog.tools,
  };
}

export interface SegmentInput {
  name: string;
  description?: string;
  /** an audience condition, already validated by the caller */
  condition: unknown;
}

export async function createSegment(executor: Executor, workspaceId: string, input: SegmentInput) {
  const [row] = await executor
    .insert(segments)
    .values({
      id: newId("seg"),
      workspaceId,
      name: input.name,
      description: input.description ?? "",
      condition: input.condition,
    })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

export async function getSegment(executor: Executor, workspaceId: string, segmentId: string) {
  const [row] = await executor
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, segmentId)));
  return row ?? null;
}

export async function updateSegment(
  executor: Executor,
  workspaceId: string,
  segmentId: string,
  input: SegmentInput,
) {
  const [row] = await executor
    .update(segments)
    .set({ name: input.name, description: input.description ?? "", condition: input.condition })
    .where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, segmentId)))
    .returning();
  return row ?? null;
}

/** Deletes a segment and its memberships. */
export async function deleteSegment(
  executor: Executor,
  workspaceId: string,
  segmentId: string,
): Promise<boolean> {
  return executor.transaction(async (tx) => {
    const [row] = await tx
      .delete(segments)
      .where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, segmentId)))
      .returning({ id: segments.id });
    if (!row) return false;
    await tx.delete(segmentMemberships).where(eq(segmentMemberships.segmentId, segmentId));
    return true;
  });
}

export async function segmentMemberCounts(
  executor: Executor,
  workspaceId: string,
): Promise<Map<string, number>> {
  const found = await executor
    .select({ segmentId: segmentMemberships.segmentId, members: count() })
    .from(segmentMemberships)
    .where(eq(segmentMemberships.workspaceId, workspaceId))
    .groupBy(segmentMemberships.segmentId);
  return new Map(found.map((row) => [row.segmentId, Number(row.members)]));
}

export interface TemplateInput {
  id: string;
  channel: string;
  name: string;
  subject?: string | null;
  title?: string | null;
  body: string;
  tags?: string[];
}

type TemplateRow = typeof templates.$inferSelect;

function toTemplate(row: TemplateRow) {
  return {
    id: row.id,
    channel: row.channel,
    name: row.name,
    subject: row.subject,
    title: row.title,
    body: row.body,
    tags: row.tags,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type TemplateRecord = ReturnType<typeof toTemplate>;

/** Creates or replaces a template; `created` tells which. */
export async function putTemplate(
  executor: Executor,
  workspaceId: string,
  input: TemplateInput,
  now: Date = new Date(),
): Promise<{ template: TemplateRecord; created: boolean }> {
  const existing = await getTemplate(executor, workspaceId, input.id);
  const values = {
    channel: input.channel,
    name: input.name,
    subject: input.subject ?? null,
    title: input.title ?? null,
    body: input.body,
    tags: input.tags ?? [],
    updatedAt: now,
  };
  const [row] = await executor
    .insert(templates)
    .values({ workspaceId, id: input.id, ...values })
    .onConflictDoUpdate({ target: [templates.workspaceId, templates.id], set: values })
    .returning();
  return { template: toTemplate(row!), created: existing === null };
}

export async function getTemplate(executor: Executor, workspaceId: string, templateId: string) {
  const [row] = await executor
    .select()
    .from(templates)
    .where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, templateId)));
  return row ? toTemplate(row) : null;
}

export async function deleteTemplate(
  executor: Executor,
  workspaceId: string,
  templateId: string,
): Promise<boolean> {
  const found = await executor
    .delete(templates)
    .where(and(eq(templates.workspaceId, workspaceId), eq(templates.id, templateId)))
    .returning({ id: templates.id });
  return found.length > 0;
}
