import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, test, vi } from "vitest";
import type { Database } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { DbCheckpointSaver } from "./checkpointer.ts";

/**
 * The project's checkpoint saver against LangGraph's own conformance suite
 * (@langchain/langgraph-checkpoint-validation: put, putWrites, getTuple, list, deleteThread), on
 * the embedded database. The suite is written for vitest globals, so they are provided here.
 */
Object.assign(globalThis, { describe, it, test, expect, beforeAll, afterAll, beforeEach, afterEach, vi });
const { specTest } = await import("@langchain/langgraph-checkpoint-validation");

let database: Database;

specTest({
  checkpointerName: "DbCheckpointSaver (PGlite)",
  beforeAllTimeout: 60_000,
  async beforeAll() {
    database = await openTestDb();
  },
  async afterAll() {
    await database?.close();
  },
  async createCheckpointer() {
    // one saver at a time: a fresh, empty store for each (the suite's isolation rule)
    await database.db.execute(sql`delete from design_checkpoint_writes`);
    await database.db.execute(sql`delete from design_checkpoint_blobs`);
    await database.db.execute(sql`delete from design_checkpoints`);
    return new DbCheckpointSaver(database.db);
  },
});
