import type { PGlite, QueryOptions, Transaction } from "@electric-sql/pglite";

/**
 * The PGlite client drizzle talks to, minus a per-statement copy. drizzle-orm/pglite passes the same
 * "keep as text" parsers (timestamps, dates, intervals and their arrays) with every query, and PGlite
 * merges a query's parsers into its own table of ~320 type parsers by object spread, per statement:
 * ~0.1 ms of CPU each, about half of what a trivial statement costs. Installing those parsers on the
 * instance once and dropping them from each call gives the same rows without the copy.
 */

type Parser = (value: string, typeId?: number) => unknown;
type Parsers = Record<number, Parser>;

/** The type OIDs drizzle-orm/pglite keeps as text: timestamp, timestamptz, interval, date, and arrays. */
const KEPT_AS_TEXT = new Set([1114, 1184, 1186, 1082, 1231, 1115, 1185, 1187, 1182]);
const keepText: Parser = (value) => value;
const PROBE = "2026-01-01 00:00:00+00";

/** Parsers a query may leave out: only the kept-as-text ones, and only if they really return their input. */
function redundant(parsers: Parsers): boolean {
  for (const key of Object.keys(parsers)) {
    const oid = Number(key);
    if (!KEPT_AS_TEXT.has(oid) || parsers[oid]!(PROBE, oid) !== PROBE) return false;
  }
  return true;
}

/**
 * Large text, json and jsonb parameters are sent in binary form (the UTF-8 bytes; jsonb's is a
 * version byte, 1, before them): PGlite measures and encodes a text parameter with a JavaScript loop
 * per character, twice, which for the JSON batches ingestion and the runtime bind (hundreds of KB)
 * costs more than the native encoder does. Smaller values, and anything that is not a string, keep
 * PGlite's own serializers.
 */
const BINARY_FROM_CHARS = 4_096;
const TEXT_OID = 25;
const JSON_OID = 114;
const JSONB_OID = 3802;
const encoder = new TextEncoder();

type Serializer = (value: unknown) => unknown;

function binarySerializers(client: PGlite): Record<number, Serializer> {
  const own = (client as unknown as { serializers: Record<number, Serializer | undefined> }).serializers;
  const fallback = (oid: number) => (value: unknown) => {
    const serializer = own[oid];
    return serializer ? serializer(value) : String(value);
  };
  const bytes = (oid: number, versionByte: boolean): Serializer => {
    const otherwise = fallback(oid);
    return (value) => {
      if (typeof value !== "string" || value.length < BINARY_FROM_CHARS) return otherwise(value);
      if (!versionByte) return encoder.encode(value);
      const encoded = encoder.encode(` ${value}`);
      encoded[0] = 1;
      return encoded;
    };
  };
  return {
    [TEXT_OID]: bytes(TEXT_OID, false),
    [JSON_OID]: bytes(JSON_OID, false),
    [JSONB_OID]: bytes(JSONB_OID, true),
  };
}

function hasLargeString(params: unknown[] | undefined): boolean {
  if (!params) return false;
  for (const param of params) if (typeof param === "string" && param.length >= BINARY_FROM_CHARS) return true;
  return false;
}

function lean(
  options: QueryOptions | undefined,
  params: unknown[] | undefined,
  serializers: Record<number, Serializer>,
): QueryOptions | undefined {
  let result = options;
  if (options?.parsers && redundant(options.parsers as Parsers)) {
    const { parsers: _dropped, ...rest } = options;
    result = rest;
  }
  // PGlite's types say a serializer returns a string; its Bind encoder sends a Uint8Array as binary.
  if (hasLargeString(params) && !result?.serializers)
    result = { ...result, serializers: serializers as unknown as QueryOptions["serializers"] };
  return result;
}

function leanTransaction(tx: Transaction, serializers: Record<number, Serializer>): Transaction {
  // Everything else (exec, rollback, listen, closed) is the transaction's own.
  const facade = Object.create(tx) as Transaction;
  facade.query = (query, params, options) => tx.query(query, params, lean(options, params, serializers));
  return facade;
}

/**
 * Installs the kept-as-text parsers on `client` (so its own results match drizzle's) and returns the
 * object to hand to drizzle: `query` and `transaction` without the per-statement parser merge, and
 * with large string parameters sent as bytes.
 */
export function drizzleClient(client: PGlite): PGlite {
  const parsers = (client as unknown as { parsers: Parsers }).parsers;
  for (const oid of KEPT_AS_TEXT) parsers[oid] = keepText;
  const serializers = binarySerializers(client);
  const facade = {
    query: (query: string, params?: unknown[], options?: QueryOptions) =>
      client.query(query, params, lean(options, params, serializers)),
    transaction: <T>(callback: (tx: Transaction) => Promise<T>) =>
      client.transaction((tx) => callback(leanTransaction(tx, serializers))),
    exec: (query: string, options?: QueryOptions) => client.exec(query, options),
  };
  return facade as unknown as PGlite;
}
