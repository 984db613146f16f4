import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { drizzleClient } from "./pglite-client.ts";
import * as schema from "./schema/index.ts";
import * as vectorSchema from "./schema-vector/memory.ts";

export const fullSchema = { ...schema, ...vectorSchema };
export type Schema = typeof fullSchema;

/** A drizzle database over either driver; code is written against this and runs on both. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction, or the database itself: what most data functions accept. */
export type Executor = Db | PgTransaction<PgQueryResultHKT, Schema>;

export interface Database {
  readonly kind: "pglite" | "postgres";
  readonly db: Db;
  /** pgvector is installed and the memory tables exist */
  readonly vector: boolean;
  /** Calls `handler` for every NOTIFY on `channel`; resolves to an unsubscribe function. */
  listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload?: string): Promise<void>;
  close(): Promise<void>;
  /** the node-postgres pool (postgres mode only), e.g. for LangGraph's PostgresSaver */
  readonly pool?: pg.Pool;
  /** the PGlite instance (pglite mode only) */
  readonly pglite?: PGlite;
}

export interface OpenDbOptions {
  /** postgres://… → node-postgres; absent → embedded PGlite */
  url?: string | undefined;
  /** PGlite data directory; "memory://" keeps it in memory. Default: .overture/pgdata */
  dataDir?: string | undefined;
  /** apply migrations (default true) */
  migrate?: boolean;
  /** pool size in postgres mode (default 10) */
  maxConnections?: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const CORE_MIGRATIONS = path.join(here, "migrations", "core");
export const VECTOR_MIGRATIONS = path.join(here, "migrations", "vector");
const MIGRATION_LOCK = 726_354_001;

const INT8_OID = 20;
const NUMERIC_OID = 1700;

export function defaultDataDir(): string {
  return process.env.OVERTURE_DATA_DIR ?? path.resolve(".overture", "pgdata");
}

/** Rows of a raw SQL query, on either driver. */
export async function rows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** Opens the database named by the options (or DATABASE_URL), applying migrations. */
export async function openDb(options: OpenDbOptions = {}): Promise<Database> {
  const url = options.url ?? process.env.DATABASE_URL;
  const database = url ? await openPostgres(url, options) : await openPglite(options);
  if (options.migrate === false) return database;
  return applyMigrations(database);
}

async function openPglite(options: OpenDbOptions): Promise<Database> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const inMemory = dataDir.startsWith("memory://");
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create({
    ...(inMemory ? {} : { dataDir }),
    extensions: { vector },
    parsers: {
      [INT8_OID]: (value: string) => Number(value),
      [NUMERIC_OID]: (value: string) => Number(value),
    },
  });
  const db = drizzlePglite({ client: drizzleClient(client), schema: fullSchema }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    vector: false,
    pglite: client,
    async listen(channel, handler) {
      const unsubscribe = await client.listen(channel, handler);
      return async () => {
        if (!client.closed) await unsubscribe();
      };
    },
    async notify(channel, payload = "") {
      await client.query("select pg_notify($1, $2)", [channel, payload]);
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

const parseNumber = (value: string) => Number(value);

/** Wraps pg's parser lookup so int8 and numeric arrive as numbers, as they do on PGlite. */
function numbersFirst(getTypeParser: typeof pg.types.getTypeParser): typeof pg.types.getTypeParser {
  return ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID || oid === NUMERIC_OID
      ? parseNumber
      : getTypeParser(oid, format)) as typeof pg.types.getTypeParser;
}

/**
 * drizzle's node-postgres session sends every query with its own `types` (to keep timestamps as
 * text) that fall back to pg's global parsers, so a pool-level `types` never reached drizzle's
 * queries and int8/numeric came back as strings there, unlike on PGlite. This client layers the
 * number parsers over whatever per-query `types` a caller passes.
 */
class NumericClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [config, ...rest] = args;
    return (super.query as (...forwarded: unknown[]) => never)(withNumberParsers(config), ...rest);
  }
}

function withNumberParsers(config: unknown): unknown {
  // strings use the client's own `types` (already number-first); Submittables (cursors) pass through
  if (config === null || typeof config !== "object" || "submit" in config) return config;
  const types = (config as { types?: pg.CustomTypesConfig }).types;
  if (typeof types?.getTypeParser !== "function") return config;
  return { ...config, types: { getTypeParser: numbersFirst(types.getTypeParser.bind(types)) } };
}

async function openPostgres(url: string, options: OpenDbOptions): Promise<Database> {
  const types = { getTypeParser: numbersFirst(pg.types.getTypeParser) };
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    types,
    Client: NumericClient,
  });
  // An idle client that loses its server must not take the process down.
  pool.on("error", (error) => console.error("[db] idle postgres client error:", error.message));
  const db = drizzlePg({ client: pool, schema: fullSchema }) as unknown as Db;
  let listener: pg.Client | null = null;
  const handlers = new Map<string, Set<(payload: string) => void>>();
  const ensureListener = async () => {
    if (listener) return listener;
    const client = new pg.Client({ connectionString: url, types });
    client.on("notification", (message) => {
      for (const handler of handlers.get(message.channel) ?? []) handler(message.payload ?? "");
    });
    client.on("error", (error) => {
      console.error("[db] listen connection error:", error.message);
      listener = null;
    });
    await client.connect();
    listener = client;
    return client;
  };
  return {
    kind: "postgres",
    db,
    vector: false,
    pool,
    async listen(channel, handler) {
      const client = await ensureListener();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
      };
    },
    async notify(channel, payload = "") {
      await pool.query("select pg_notify($1, $2)", [channel, payload]);
    },
    async close() {
      await listener?.end().catch(() => undefined);
      await pool.end();
    },
  };
}

/**
 * Core migrations always; the vector migration only when pgvector can be enabled. Several processes
 * may start at once against one server, so migrations run under an advisory lock.
 */
export async function applyMigrations(database: Database): Promise<Database> {
  const { db } = database;
  const run = async (folder: string, table: string) => {
    const config = { migrationsFolder: folder, migrationsTable: table, migrationsSchema: "drizzle" };
    if (database.kind === "pglite") {
      await migratePglite(db as never, config);
    } else {
      await migratePg(db as never, config);
    }
  };
  let hasVector = false;
  const work = async () => {
    await run(CORE_MIGRATIONS, "__overture_core");
    hasVector = await enableVector(database);
    if (hasVector) await run(VECTOR_MIGRATIONS, "__overture_vector");
  };
  if (database.kind === "postgres" && database.pool) {
    const client = await database.pool.connect();
    try {
      await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
      try {
        await work();
      } finally {
        await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  } else {
    await work();
  }
  return { ...database, vector: hasVector };
}

async function enableVector(database: Database): Promise<boolean> {
  const available = await rows<{ name: string }>(
    database.db,
    sql`select name from pg_available_extensions where name = 'vector'`,
  );
  if (available.length === 0) return false;
  try {
    await database.db.execute(sql`create extension if not exists vector`);
    return true;
  } catch (error) {
    console.warn(`[db] pgvector is available but could not be enabled: ${(error as Error).message}`);
    return false;
  }
}
