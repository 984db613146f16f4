import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./open.ts";
import { rows } from "./open.ts";
import { openTestDb } from "./testing.ts";

/** The client drizzle talks to on PGlite (db/pglite-client.ts) gives the same answers, cheaper. */

let database: Database;
beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database?.close();
});

describe("the PGlite client", () => {
  it("passes large text, json and jsonb parameters intact (sent as bytes), non-ASCII included", async () => {
    const value = {
      text: 'Grüße 😀 — "quoted" \\ back\nslash '.repeat(400),
      list: Array.from({ length: 300 }, (_, i) => i),
    };
    const text = JSON.stringify(value);
    expect(text.length).toBeGreaterThan(4_096);
    const [row] = await rows<{ as_text: string; as_json: unknown; as_jsonb: unknown; length: number }>(
      database.db,
      sql`select ${text}::text as as_text, ${text}::json as as_json, ${text}::jsonb as as_jsonb,
                 length(${text}::text) as length`,
    );
    expect(row?.as_text).toBe(text);
    expect(row?.as_json).toEqual(value);
    expect(row?.as_jsonb).toEqual(value);
    expect(row?.length).toBe([...text].length);
    const small = await rows<{ v: unknown }>(
      database.db,
      sql`select ${JSON.stringify({ a: "ü" })}::jsonb as v`,
    );
    expect(small[0]?.v).toEqual({ a: "ü" });
  });

  it("keeps timestamps as text and int8 as numbers, as drizzle's own parsers did", async () => {
    await database.db.transaction(async (tx) => {
      const [row] = await rows<{ at: unknown; n: unknown; at_list: unknown }>(
        tx,
        sql`select '2026-03-02 09:00:00+00'::timestamptz as at, 9007199254740991::int8 as n,
                   array['2026-03-02 09:00:00+00'::timestamptz] as at_list`,
      );
      expect(typeof row?.at).toBe("string");
      expect(new Date(String(row?.at).replace(" ", "T").replace(/\+00$/, "Z")).toISOString()).toBe(
        "2026-03-02T09:00:00.000Z",
      );
      expect(row?.n).toBe(9007199254740991);
      expect(typeof row?.at_list).toBe("string");
    });
  });
});
