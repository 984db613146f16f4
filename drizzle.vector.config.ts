import { defineConfig } from "drizzle-kit";

/** Semantic-memory tables: applied only where pgvector is available (always in PGlite). */
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema-vector/memory.ts",
  out: "./db/migrations/vector",
});
