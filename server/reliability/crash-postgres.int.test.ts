import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/open.ts";
import { openDb } from "../../db/open.ts";
import { postgresAvailableForTest, startTestPostgres, type TestPostgres } from "../../db/testing-postgres.ts";
import type { RecordingSmtpServer } from "../../tools/channels/testing.ts";
import { startRecordingSmtpServer } from "../../tools/channels/testing.ts";
import { loadConfig } from "../config.ts";
import { seededRandom } from "../seeded-random.ts";
import { createServices } from "../services.ts";
import { feedCrashWorkload, holdSmtpReplies, seedCrashWorkspace } from "./crash-journey.ts";
import {
  countCrashRun,
  crashRunProgress,
  describeCrashReport,
  exactCounts,
  expectedExactCounts,
} from "./crash-report.ts";
import { type OvertureProcess, startOvertureProcess } from "./processes.ts";

/**
 * Crash test (a): worker processes (server/worker-cli.ts: journey workers + outbox dispatcher) share
 * one real PostgreSQL server while 2,000 customers sign up and run a journey with waits, a
 * wait-for-event and sends over real SMTP and the sandbox. Workers are SIGKILLed at random moments
 * (seeded) and replaced, many times. Afterwards, counted at the receivers: every expected send
 * arrived, none under two idempotency keys, and the SMTP server's same-key redeliveries stay within
 * the documented crash window (at most the in-flight deliveries of each killed process).
 */

const CUSTOMERS = Number(process.env.OVERTURE_CRASH_CUSTOMERS ?? 2000);
const KILLS = Number(process.env.OVERTURE_CRASH_KILLS ?? 20);
const SEED = Number(process.env.OVERTURE_CRASH_SEED ?? 20_260_302);
const WORKERS = 3;
const LEASE_MS = 5000;
/** concurrent external deliveries per dispatcher (createDispatcher's default) */
const DISPATCH_CONCURRENCY = 8;
const available = postgresAvailableForTest();

let server: TestPostgres;
let smtp: RecordingSmtpServer;
beforeAll(async () => {
  smtp = await startRecordingSmtpServer();
  if (available) server = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await Promise.all([server?.stop(), smtp?.close()]);
});

describe.skipIf(!available)("worker processes on PostgreSQL, SIGKILLed at random moments", () => {
  it("deliver every expected send: none lost, none under two keys, SMTP repeats only inside the crash window", async () => {
    // Separate streams, so the kill schedule does not depend on how much the feeder drew.
    const random = seededRandom(SEED);
    const feedRandom = seededRandom(SEED + 1);
    const smtpRandom = seededRandom(SEED + 2);
    const url = await server.createDatabase();
    const database: Database = await openDb({ url });
    const workers: OvertureProcess[] = [];
    try {
      const crash = await seedCrashWorkspace(database.db);
      // This process plays the API: ingestion with the real services (inline steps, wait-for-event
      // resumes); only the worker processes run loops.
      const config = loadConfig({ DATABASE_URL: url, OVERTURE_WORKERS: "0", SMTP_URL: smtp.url });
      const services = await createServices(config, database, () => new Date());
      const ingest = (calls: Array<Record<string, unknown>>) =>
        services.ingest.ingest(crash.workspaceId, calls, { mode: "batch" });

      // Some emails wait a little at the server, so kills land while deliveries are in flight.
      const smtpReplies = holdSmtpReplies(smtp, smtpRandom);
      const spawnWorker = () => {
        const worker = startOvertureProcess(
          "server/worker-cli.ts",
          {
            DATABASE_URL: url,
            SMTP_URL: smtp.url,
            OVERTURE_OUTBOX_LEASE_MS: String(LEASE_MS),
            OVERTURE_OUTBOX_RETRY_BASE_MS: "500",
            OVERTURE_DEMO: "0",
          },
          /worker ready/,
        );
        workers.push(worker);
        return worker;
      };
      for (let index = 0; index < WORKERS; index += 1) spawnWorker();
      await Promise.all(workers.map((worker) => worker.ready));

      // Sign-ups arrive in batches of 100 over ~15 s; half the customers order (several times).
      let fed: { orderingCustomers: number; orders: number } | null = null;
      const feeding = feedCrashWorkload({
        customers: CUSTOMERS,
        batchSize: 100,
        pauseMs: Math.floor(15_000 / (CUSTOMERS / 100)),
        random: feedRandom,
        send: async (calls) => {
          await ingest(calls);
        },
      }).then((result) => {
        fed = result;
        fedAfterMs = Date.now() - startedAt;
      });
      const startedAt = Date.now();
      let fedAfterMs = 0;

      // Until the feed is through (and at least KILLS times): at a random moment — half of the time
      // one at which an accepted email still waits for its reply — SIGKILL a random worker and start
      // a replacement.
      let kills = 0;
      let midWorkKills = 0;
      /** kills while some accepted email still waited for its 250 (it may have been the victim's) */
      let killsWhileSmtpAccepted = 0;
      while (!fed || kills < KILLS) {
        await sleep(400 + Math.floor(random() * 2400));
        if (random() < 0.5) {
          await smtpReplies.awaitPendingReply(3000);
        }
        const live = workers.filter((worker) => worker.alive());
        const victim = live[Math.floor(random() * live.length)];
        const replyPending = smtpReplies.replyPending();
        if (!victim?.kill()) continue;
        kills += 1;
        if (replyPending) killsWhileSmtpAccepted += 1;
        const progress = await crashRunProgress(database.db, crash.versionId, crash.workspaceId);
        if (progress.finished < CUSTOMERS || progress.undelivered > 0) midWorkKills += 1;
        await victim.exited;
        spawnWorker();
      }
      await feeding;
      expect(fed).not.toBeNull();

      // Let the survivors finish: every instance done, nothing left in the outbox.
      const deadline = Date.now() + 240_000;
      let progress = await crashRunProgress(database.db, crash.versionId, crash.workspaceId);
      while ((progress.finished < CUSTOMERS || progress.undelivered > 0) && Date.now() < deadline) {
        await sleep(250);
        progress = await crashRunProgress(database.db, crash.versionId, crash.workspaceId);
      }
      const doneAfterMs = Date.now() - startedAt;
      for (const worker of workers) worker.child.kill("SIGTERM");
      await Promise.all(workers.map((worker) => worker.exited));

      const report = await countCrashRun(database.db, {
        workspaceId: crash.workspaceId,
        versionId: crash.versionId,
        customers: CUSTOMERS,
        smtp: smtp.messages,
      });
      console.log(
        `[crash test (a), PostgreSQL] seed ${SEED}, ${WORKERS} worker processes, ${kills} SIGKILLs ` +
          `(${midWorkKills} with work outstanding, ${killsWhileSmtpAccepted} while an accepted email awaited its reply); ` +
          `${JSON.stringify(fed)} fed in ${fedAfterMs} ms, all done after ${doneAfterMs} ms\n  ${describeCrashReport(report)}`,
      );
      expect(midWorkKills).toBeGreaterThanOrEqual(KILLS / 2);
      expect(exactCounts(report)).toEqual(expectedExactCounts(CUSTOMERS));
      // Both exits of the wait-for-event were exercised.
      expect(report.outcomes.thanks).toBeGreaterThan(0);
      expect(report.outcomes.nudge).toBeGreaterThan(0);
      // A repeat needs the provider to accept a message and the process to die before recording it:
      // at most the deliveries one dispatcher has in flight, per kill.
      expect(report.smtpRedeliveries).toBeLessThanOrEqual(kills * DISPATCH_CONCURRENCY);
    } finally {
      for (const worker of workers) worker.kill();
      await database.close();
    }
  }, 600_000);
});
