import { tool } from "@langchain/core/tools";
import { and, asc, cosineDistance, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Database, Executor } from "../../db/open.ts";
import { templates } from "../../db/schema/workspaces.ts";
import { memoryItems } from "../../db/schema-vector/memory.ts";
import { quarantine } from "../../policies/injection/quarantine.ts";
import type { Embedder } from "./embedder.ts";

/**
 * Semantic memory (pgvector): content templates, past journeys with their goals and outcomes, and
 * notes, embedded at 512 dimensions and searched by cosine distance through the HNSW index of the
 * vector migration. Without pgvector (plain PostgreSQL) the memory tables do not exist: every read
 * answers `{ available: false }` and the designer proceeds without memory.
 */

export const MEMORY_KINDS = ["template", "journey", "note"] as const;
export type MemoryKind = (typeof MEMORY_KINDS)[number];

export interface MemoryItemInput {
  kind: MemoryKind;
  /** the template id, design id, … the item describes; an item with the same kind and ref is replaced */
  refId?: string | null;
  title: string;
  body: string;
  metadata?: Record<string, unknown>;
}

export interface MemoryHit {
  id: number;
  kind: MemoryKind;
  refId: string | null;
  title: string;
  body: string;
  metadata: Record<string, unknown>;
  /** 1 = same direction, 0 = unrelated (1 - cosine distance) */
  similarity: number;
}

export type MemorySearch =
  | { available: true; embedder: string; hits: MemoryHit[] }
  | { available: false; reason: string };

export const MEMORY_UNAVAILABLE =
  "semantic memory is unavailable: this database has no pgvector extension (memory needs pgvector; the designer works without it)";

export class SemanticMemory {
  constructor(
    private readonly database: Database,
    readonly embedder: Embedder,
  ) {}

  get available(): boolean {
    return this.database.vector;
  }

  /** Stores items; an item with the same (kind, refId) as an existing one replaces it. */
  async upsert(workspaceId: string, items: readonly MemoryItemInput[]): Promise<number> {
    if (!this.available || items.length === 0) return 0;
    const vectors = await this.embedder.embed(items.map(textOf));
    await this.database.db.transaction(async (tx) => {
      for (const [index, item] of items.entries()) {
        if (item.refId) {
          await tx
            .delete(memoryItems)
            .where(
              and(
                eq(memoryItems.workspaceId, workspaceId),
                eq(memoryItems.kind, item.kind),
                eq(memoryItems.refId, item.refId),
              ),
            );
        }
        await tx.insert(memoryItems).values({
          workspaceId,
          kind: item.kind,
          refId: item.refId ?? null,
          title: item.title,
          body: item.body,
          metadata: item.metadata ?? {},
          embedding: vectors[index]!,
          embedder: this.embedder.name,
        });
      }
    });
    return items.length;
  }

  async search(
    workspaceId: string,
    query: string,
    /** `executor`: search inside the caller's transaction (the runtime steps in one) */
    options: { kinds?: readonly MemoryKind[]; limit?: number; executor?: Executor } = {},
  ): Promise<MemorySearch> {
    if (!this.available) return { available: false, reason: MEMORY_UNAVAILABLE };
    const [vector] = await this.embedder.embed([query]);
    const distance = cosineDistance(memoryItems.embedding, vector!);
    const found = await (options.executor ?? this.database.db)
      .select({
        id: memoryItems.id,
        kind: memoryItems.kind,
        refId: memoryItems.refId,
        title: memoryItems.title,
        body: memoryItems.body,
        metadata: memoryItems.metadata,
        distance,
      })
      .from(memoryItems)
      .where(
        and(
          eq(memoryItems.workspaceId, workspaceId),
          eq(memoryItems.embedder, this.embedder.name),
          options.kinds && options.kinds.length > 0
            ? inArray(memoryItems.kind, [...options.kinds])
            : undefined,
        ),
      )
      .orderBy(distance, asc(memoryItems.id))
      .limit(options.limit ?? 5);
    return {
      available: true,
      embedder: this.embedder.name,
      hits: found.map((row) => ({
        id: row.id,
        kind: row.kind,
        refId: row.refId,
        title: row.title,
        body: row.body,
        metadata: row.metadata,
        similarity: Math.round((1 - Number(row.distance)) * 1000) / 1000,
      })),
    };
  }

  /**
   * Brings the workspace's templates into memory: new and edited templates are embedded, deleted
   * ones forgotten, unchanged ones left alone (so this is cheap to call before every design).
   */
  async syncTemplates(workspaceId: string): Promise<{ embedded: number; removed: number }> {
    if (!this.available) return { embedded: 0, removed: 0 };
    const [current, stored] = await Promise.all([
      this.database.db.select().from(templates).where(eq(templates.workspaceId, workspaceId)),
      this.database.db
        .select({ refId: memoryItems.refId, metadata: memoryItems.metadata, embedder: memoryItems.embedder })
        .from(memoryItems)
        .where(and(eq(memoryItems.workspaceId, workspaceId), eq(memoryItems.kind, "template"))),
    ]);
    const storedVersion = new Map(
      stored
        .filter((row) => row.embedder === this.embedder.name)
        .map((row) => [row.refId, String(row.metadata.updated_at ?? "")]),
    );
    const changed = current.filter((row) => storedVersion.get(row.id) !== row.updatedAt.toISOString());
    await this.upsert(
      workspaceId,
      changed.map((row) => ({
        kind: "template" as const,
        refId: row.id,
        title: row.name,
        body: [row.subject, row.title, row.body].filter(Boolean).join("\n"),
        metadata: { channel: row.channel, tags: row.tags, updated_at: row.updatedAt.toISOString() },
      })),
    );
    const live = new Set(current.map((row) => row.id));
    const gone = [...new Set(stored.map((row) => row.refId))].filter(
      (refId): refId is string => refId !== null && !live.has(refId),
    );
    if (gone.length > 0) {
      await this.database.db
        .delete(memoryItems)
        .where(
          and(
            eq(memoryItems.workspaceId, workspaceId),
            eq(memoryItems.kind, "template"),
            inArray(memoryItems.refId, gone),
          ),
        );
    }
    return { embedded: changed.length, removed: gone.length };
  }
}

function textOf(item: MemoryItemInput): string {
  const tags = Array.isArray(item.metadata?.tags) ? (item.metadata.tags as unknown[]).join(" ") : "";
  return [item.title, tags, item.body].filter(Boolean).join("\n");
}

/** Memory hits as the model sees them: each inside a quarantine block (retrieved text is data). */
export function memoryHitsForPrompt(search: MemorySearch): string {
  if (!search.available) return search.reason;
  if (search.hits.length === 0) return "no similar items in memory";
  return search.hits
    .map((hit) => {
      const header = `${hit.kind} ${JSON.stringify(hit.refId)} "${hit.title}" similarity=${hit.similarity}${
        hit.metadata.outcome ? ` outcome=${String(hit.metadata.outcome)}` : ""
      }${hit.metadata.channel ? ` channel=${String(hit.metadata.channel)}` : ""}`;
      return quarantine(`${header}\n${hit.body}`, `memory.${hit.kind}`).block;
    })
    .join("\n");
}

/** The read-only retrieval tool the designer may call for more than its pre-loaded memory context. */
export function memorySearchTool(memory: SemanticMemory, workspaceId: string) {
  return tool(
    async ({ query, kinds, limit }) =>
      memoryHitsForPrompt(await memory.search(workspaceId, query, { kinds, limit })),
    {
      name: "search_memory",
      description:
        "Search the workspace's semantic memory for content templates, past journeys (with their goals and outcomes) and notes similar to a query.",
      schema: z.object({
        query: z.string().min(1).max(500),
        kinds: z.array(z.enum(MEMORY_KINDS)).optional(),
        limit: z.number().int().min(1).max(10).optional(),
      }),
    },
  );
}
