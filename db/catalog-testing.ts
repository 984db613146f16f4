import type { WorkspaceCatalog } from "../journeys/format/catalog.ts";
import { putTemplate, upsertCatalogEvent, upsertCatalogTrait, upsertChannelSetting } from "./catalog.ts";
import { newId } from "./ids.ts";
import type { Executor } from "./open.ts";
import { segments, workspaces } from "./schema/workspaces.ts";

/**
 * For tests: a fresh workspace whose catalog tables hold `catalog` (templates get a one-line body,
 * segments a trivial condition), so tests isolate by workspace inside one shared test database.
 */
export async function createWorkspaceWithCatalog(
  executor: Executor,
  catalog: WorkspaceCatalog,
  options: { name?: string; timezone?: string } = {},
): Promise<string> {
  const workspaceId = newId("ws");
  await executor.insert(workspaces).values({
    id: workspaceId,
    name: options.name ?? "Test workspace",
    timezone: options.timezone ?? "UTC",
    settings: { tools: catalog.tools },
  });
  for (const [name, event] of Object.entries(catalog.events)) {
    await upsertCatalogEvent(executor, workspaceId, {
      name,
      description: event.description,
      properties: event.properties,
    });
  }
  for (const [name, type] of Object.entries(catalog.traits)) {
    await upsertCatalogTrait(executor, workspaceId, { name, type });
  }
  for (const channel of catalog.channels) {
    await upsertChannelSetting(executor, workspaceId, { channel, adapter: "sandbox" });
  }
  for (const name of catalog.segments) {
    await executor.insert(segments).values({
      id: newId("seg"),
      workspaceId,
      name,
      condition: { field: "traits.tier", op: "exists" },
    });
  }
  for (const id of catalog.templates ?? []) {
    await putTemplate(executor, workspaceId, { id, channel: "email", name: id, body: `Template ${id}` });
  }
  return workspaceId;
}
