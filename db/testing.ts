import type { Database } from "./open.ts";
import { openDb } from "./open.ts";

/**
 * A fresh, migrated in-memory PGlite for one test file. Opening costs ~3 s, so open once per file
 * (beforeAll) and isolate tests by workspace rather than by database.
 */
export async function openTestDb(): Promise<Database> {
  return openDb({ dataDir: "memory://" });
}
