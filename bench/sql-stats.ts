import type { PGlite } from "@electric-sql/pglite";

/**
 * Per-statement timing of an in-process PGlite, for finding what limits a benchmark: wraps `query`
 * on the instance and on every transaction it opens (which is how drizzle runs everything), and
 * groups statements by their text with literal id lists and parameters folded. Wall time, so run it
 * on a quiet machine or read it as shares.
 */

interface Entry {
  count: number;
  ms: number;
  rows: number;
}

type Query = (text: string, ...rest: unknown[]) => Promise<{ rows?: unknown[] }>;

function normalise(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/\(([0-9]+, ?)*[0-9]+\)/g, "(…)")
    .replace(/\$[0-9]+/g, "$n")
    .trim();
}

export function recordStatements(pglite: PGlite) {
  const stats = new Map<string, Entry>();
  let recording = false;
  const wrap = (target: { query: Query }) => {
    const original = target.query.bind(target);
    target.query = async (text, ...rest) => {
      const started = performance.now();
      const result = await original(text, ...rest);
      if (recording) {
        const key = normalise(text);
        const entry = stats.get(key) ?? { count: 0, ms: 0, rows: 0 };
        entry.count += 1;
        entry.ms += performance.now() - started;
        entry.rows += result.rows?.length ?? 0;
        stats.set(key, entry);
      }
      return result;
    };
  };
  const client = pglite as unknown as {
    query: Query;
    transaction: (callback: (tx: { query: Query }) => Promise<unknown>) => Promise<unknown>;
  };
  wrap(client);
  const transaction = client.transaction.bind(client);
  client.transaction = (callback) =>
    transaction(async (tx) => {
      wrap(tx);
      return callback(tx);
    });
  return {
    start() {
      stats.clear();
      recording = true;
    },
    stop() {
      recording = false;
    },
    /** the `limit` statements that took longest, with their share of `totalMs` */
    report(totalMs: number, limit = 25): string[] {
      const all = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
      const sqlMs = all.reduce((sum, [, entry]) => sum + entry.ms, 0);
      return [
        `SQL ${Math.round(sqlMs)} ms of ${Math.round(totalMs)} ms (${Math.round((100 * sqlMs) / totalMs)} %), the rest is JavaScript:`,
        ...all
          .slice(0, limit)
          .map(
            ([text, entry]) =>
              `${String(Math.round(entry.ms)).padStart(7)} ms ${((100 * entry.ms) / totalMs).toFixed(1).padStart(5)} % ` +
              `${String(entry.count).padStart(5)}× ${String(entry.rows).padStart(7)} rows  ${text.slice(0, 110)}`,
          ),
      ];
    },
  };
}
