import { bigint, index, jsonb, pgTable, text, timestamp, vector } from "drizzle-orm/pg-core";

export const EMBEDDING_DIMENSIONS = 512;

/**
 * Semantic memory (needs pgvector; applied by its own migration only where the extension exists):
 * content templates, past journeys with their goals and outcomes, and notes.
 */
export const memoryItems = pgTable(
  "memory_items",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: text("workspace_id").notNull(),
    kind: text("kind").$type<"template" | "journey" | "note">().notNull(),
    /** the template id, journey id, … this item describes */
    refId: text("ref_id"),
    title: text("title").notNull(),
    body: text("body").notNull(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    embedding: vector("embedding", { dimensions: EMBEDDING_DIMENSIONS }).notNull(),
    /** which embedder produced the vector ("hashing-v1", "openai:text-embedding-3-small") */
    embedder: text("embedder").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [
    index("memory_items_embedding_idx").using("hnsw", table.embedding.op("vector_cosine_ops")),
    index("memory_items_workspace_idx").on(table.workspaceId, table.kind),
  ],
);
