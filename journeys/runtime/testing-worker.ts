import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { openDb } from "../../db/open.ts";
import { createGateway } from "../../policies/gateway.ts";
import { JourneyRuntime } from "./runtime.ts";
import { consentDecide } from "./testing.ts";
import { earliestDue } from "./worker.ts";

/**
 * A worker process for the multi-process tests: steps due instances against DATABASE_URL under a
 * fixed clock (OVERTURE_TEST_NOW) until nothing is due, then prints what it stepped as one JSON line.
 * OVERTURE_TEST_DELAY_MS slows every decision inside the transaction, so a SIGKILL lands mid-step.
 * OVERTURE_TEST_GATE names a file: the worker connects, prints "ready" and starts only once the file
 * exists, so a test can release several workers together (process start-up takes seconds under load,
 * long enough for the first worker to finish everything alone).
 */
const url = process.env.DATABASE_URL;
const nowText = process.env.OVERTURE_TEST_NOW;
if (!url || !nowText) throw new Error("DATABASE_URL and OVERTURE_TEST_NOW are required");
const now = new Date(nowText);
const delayMs = Number(process.env.OVERTURE_TEST_DELAY_MS ?? 0);
const batchSize = Number(process.env.OVERTURE_TEST_BATCH ?? 25);

const database = await openDb({ url, migrate: false, maxConnections: 2 });
const runtime = new JourneyRuntime({
  database,
  now: () => now,
  batchSize,
  gateway: createGateway({
    now: () => now,
    decideFor: async () => {
      if (delayMs > 0) await sleep(delayMs);
      return consentDecide;
    },
  }),
});
const gate = process.env.OVERTURE_TEST_GATE;
if (gate) {
  process.stdout.write("ready\n");
  while (!existsSync(gate)) await sleep(5);
}
let stepped = 0;
for (;;) {
  const count = await runtime.runDue({ limit: batchSize });
  stepped += count;
  if (count > 0) continue;
  const due = await earliestDue(database.db);
  if (!due || due.getTime() > now.getTime()) break;
  await sleep(10); // due work whose customers another worker holds right now
}
process.stdout.write(`${JSON.stringify({ pid: process.pid, stepped })}\n`);
await database.close();
