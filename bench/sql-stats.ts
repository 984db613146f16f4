import type { PGlite } from "@electric-sql/pglite";

/**
 * Per-statement timing of an in-process PGlite, for finding what limits a benchmark: wraps `query`
 * on the instance and on every transaction it opens (which is how drizzle runs everything), and
 * groups statements by their text with literal id lists and parameters folded. Both wall time and
 * CPU time of the process (PGlite runs in it, and nothing else runs during a statement), so the
 * CPU figures hold on a busy machine too. Includes PGlite's protocol work (encoding parameters,
 * decoding rows), not the caller's JavaScript.
 */

interface Entry {
  count: number;
  ms: number;
  cpuMs: number;
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
      const cpu = process.cpuUsage();
      const result = await original(text, ...rest);
      if (recording) {
        const used = process.cpuUsage(cpu);
        const key = normalise(text);
        const entry = stats.get(key) ?? { count: 0, ms: 0, cpuMs: 0, rows: 0 };
        entry.count += 1;
        entry.ms += performance.now() - started;
        entry.cpuMs += (used.user + used.system) / 1000;
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
    /** the `limit` statements that took the most CPU, with their share of the pass's `totalCpuMs` */
    report(totalMs: number, totalCpuMs: number, limit = 25): string[] {
      const all = [...stats.entries()].sort((a, b) => b[1].cpuMs - a[1].cpuMs);
      const sqlMs = all.reduce((sum, [, entry]) => sum + entry.ms, 0);
      const sqlCpuMs = all.reduce((sum, [, entry]) => sum + entry.cpuMs, 0);
      const statements = all.reduce((sum, [, entry]) => sum + entry.count, 0);
      return [
        `${statements} statements: SQL ${Math.round(sqlCpuMs)} of ${Math.round(totalCpuMs)} CPU-ms ` +
          `(${Math.round((100 * sqlCpuMs) / totalCpuMs)} %; wall ${Math.round(sqlMs)} of ${Math.round(totalMs)} ms), ` +
          "the rest is JavaScript:",
        "    CPU-ms  share  count    rows  statement",
        ...all
          .slice(0, limit)
          .map(
            ([text, entry]) =>
              `${String(Math.round(entry.cpuMs)).padStart(8)} ${((100 * entry.cpuMs) / totalCpuMs).toFixed(1).padStart(5)} % ` +
              `${String(entry.count).padStart(5)}× ${String(entry.rows).padStart(7)}  ${text.slice(0, 110)}`,
          ),
      ];
    },
  };
}
