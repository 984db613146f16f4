/** `npm run db:migrate`: applies migrations to DATABASE_URL, or to the embedded database under .overture/. */
import { openDb } from "./open.ts";

const database = await openDb({ url: process.env.DATABASE_URL });
console.log(
  `migrations applied (${database.kind}${database.kind === "pglite" ? "" : `, ${new URL(process.env.DATABASE_URL!).host}`}); ` +
    `semantic memory tables: ${database.vector ? "yes (pgvector)" : "no — pgvector is not available, retrieval features are off"}`,
);
await database.close();
