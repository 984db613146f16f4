import type { Executor } from "../../db/open.ts";
import type { ToolArgs } from "../../journeys/format/tool-args.ts";
import { RESULT_LIMITS } from "./bounds.ts";
import type { SemanticMemory } from "./memory.ts";

/**
 * memory.search for journeys: the workspace's semantic memory (templates, past journeys, notes)
 * nearest to a query, bodies shortened. Without pgvector there is no memory: the call fails as an
 * expected outcome with the reason, so the journey takes its `on_error` path.
 */
export interface MemorySearchResult {
  count: number;
  items: Array<{ kind: string; ref_id: string | null; title: string; body: string; similarity: number }>;
}

export async function searchMemory(
  memory: SemanticMemory,
  executor: Executor,
  workspaceId: string,
  args: ToolArgs<"memory.search">,
): Promise<{ ok: true; value: MemorySearchResult } | { ok: false; error: string }> {
  const found = await memory.search(workspaceId, args.query, {
    kinds: args.kind ? [args.kind] : undefined,
    limit: args.limit,
    executor,
  });
  if (!found.available) return { ok: false, error: found.reason };
  const items = found.hits.map((hit) => ({
    kind: hit.kind,
    ref_id: hit.refId,
    title: hit.title.slice(0, 200),
    body:
      hit.body.length > RESULT_LIMITS.maxString ? `${hit.body.slice(0, RESULT_LIMITS.maxString)}…` : hit.body,
    similarity: hit.similarity,
  }));
  return { ok: true, value: { count: items.length, items } };
}
