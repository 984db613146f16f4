import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/open.ts";
import { openTestDb } from "../db/testing.ts";
import { createWorkspace } from "../journeys/runtime/testing.ts";
import { PolicyCache, savePolicyConfig } from "./config-store.ts";

let database: Database;

beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database?.close();
});

const quiet = (start: string) => ({ quiet_hours: { start, end: "08:00" } });

describe("PolicyCache", () => {
  it("decides a whole transaction with the version it saw first; the next transaction sees a save", async () => {
    const workspaceId = await createWorkspace(database.db);
    const cache = new PolicyCache();
    const other = new PolicyCache(); // another process: nobody invalidates its entries
    await savePolicyConfig(database.db, {
      workspaceId,
      config: quiet("21:00"),
      actor: "test",
      now: new Date(),
    });
    await database.db.transaction(async (tx) => {
      expect((await other.config(tx, workspaceId)).quiet_hours.start).toBe("21:00");
      // (PGlite runs one transaction at a time: the "concurrent" save is made inside this one, visible to it)
      await savePolicyConfig(tx, { workspaceId, config: quiet("22:00"), actor: "test", now: new Date() });
      expect((await other.config(tx, workspaceId)).quiet_hours.start).toBe("21:00");
    });
    expect((await other.config(database.db, workspaceId)).quiet_hours.start).toBe("22:00");
    await database.db.transaction(async (tx) => {
      expect((await other.config(tx, workspaceId)).quiet_hours.start).toBe("22:00");
    });
    // the saving process drops what its open transactions remembered at once
    await database.db.transaction(async (tx) => {
      expect((await cache.config(tx, workspaceId)).quiet_hours.start).toBe("22:00");
      await savePolicyConfig(tx, { workspaceId, config: quiet("23:00"), actor: "test", now: new Date() });
      cache.invalidate(workspaceId);
      expect((await cache.config(tx, workspaceId)).quiet_hours.start).toBe("23:00");
    });
  });
});
