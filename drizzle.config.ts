import { defineConfig } from "drizzle-kit";

/** Core tables: run on any PostgreSQL 14+ (no extensions). */
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations/core",
});
