/**
 * `npm run bench -- <name> [options]`: runs one benchmark. Each prints its figures and the ratio to
 * its baseline; `--json` prints one JSON object instead. See docs/benchmarks.md.
 */
const BENCHES: Record<
  string,
  { describe: string; load: () => Promise<{ main(argv: readonly string[]): Promise<void> }> }
> = {
  ingest: {
    describe: "end-to-end ingestion (ingest → trigger match → decide → outbox) vs a bare batched INSERT",
    load: () => import("./ingest.ts"),
  },
  runtime: {
    describe: "the runtime's share of ingestion: steps inline vs left to a worker, vs a bare batched INSERT",
    load: () => import("./runtime.ts"),
  },
  audit: {
    describe: "the policy gateway with and without the audit log; hash-chain sealing and audit:verify",
    load: () => import("./audit.ts"),
  },
};

export {};

const [benchName, ...rest] = process.argv.slice(2);
const bench = benchName ? BENCHES[benchName] : undefined;
if (!bench) {
  const list = Object.entries(BENCHES)
    .map(([key, entry]) => `  ${key.padEnd(10)} ${entry.describe}`)
    .join("\n");
  console.error(
    `${benchName ? `unknown benchmark "${benchName}"` : "name a benchmark"}; available:\n${list}`,
  );
  process.exit(2);
}
await (await bench.load()).main(rest);
