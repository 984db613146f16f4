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

function lean(options: QueryOptions | undefined): QueryOptions | undefined {
  if (!options?.parsers || !redundant(options.parsers as Parsers)) return options;
  const { parsers: _dropped, ...rest } = options;
  return rest;
}

function leanTransaction(tx: Transaction): Transaction {
  // Everything else (exec, rollback, listen, closed) is the transaction's own.
  const facade = Object.create(tx) as Transaction;
  facade.query = (query, params, options) => tx.query(query, params, lean(options));
  return facade;
}

/**
 * Installs the kept-as-text parsers on `client` (so its own results match drizzle's) and returns the
 * object to hand to drizzle: `query` and `transaction` without the per-statement parser merge.
 */
export function drizzleClient(client: PGlite): PGlite {
  const parsers = (client as unknown as { parsers: Parsers }).parsers;
  for (const oid of KEPT_AS_TEXT) parsers[oid] = keepText;
  const facade = {
    query: (query: string, params?: unknown[], options?: QueryOptions) =>
      client.query(query, params, lean(options)),
    transaction: <T>(callback: (tx: Transaction) => Promise<T>) =>
      client.transaction((tx) => callback(leanTransaction(tx))),
    exec: (query: string, options?: QueryOptions) => client.exec(query, options),
  };
  return facade as unknown as PGlite;
}
