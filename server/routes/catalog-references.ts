import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { journeys, journeyVersions } from "../../db/schema/journeys.ts";
import type { Journey } from "../../journeys/format/schema.ts";

/**
 * Which live (active, paused) or about-to-go-live (pending approval) versions use a segment or a
 * template, so the catalog API can refuse to pull them from under a running journey.
 */
export async function liveReferences(
  executor: Executor,
  workspaceId: string,
  target: { segment?: string; template?: string },
): Promise<string[]> {
  const found = await executor
    .select({ name: journeys.name, version: journeyVersions.version, definition: journeyVersions.definition })
    .from(journeyVersions)
    .innerJoin(journeys, eq(journeys.id, journeyVersions.journeyId))
    .where(
      and(
        eq(journeyVersions.workspaceId, workspaceId),
        inArray(journeyVersions.status, ["active", "paused", "pending_approval"]),
      ),
    );
  return found.filter((row) => uses(row.definition, target)).map((row) => `"${row.name}" v${row.version}`);
}

function uses(definition: Journey, target: { segment?: string; template?: string }): boolean {
  if (target.segment !== undefined) {
    if (definition.trigger.type === "segment_entered" && definition.trigger.segment === target.segment)
      return true;
  }
  if (target.template !== undefined) {
    for (const node of definition.nodes) {
      if (node.type === "send" && node.template === target.template) return true;
      if (node.type === "agent" && node.actions.some((option) => option.template === target.template))
        return true;
    }
  }
  return false;
}
