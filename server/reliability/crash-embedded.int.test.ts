import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/open.ts";
import type { RecordingSmtpServer } from "../../tools/channels/testing.ts";
import { startRecordingSmtpServer } from "../../tools/channels/testing.ts";
import { seededRandom } from "../seeded-random.ts";
import type { CrashWorkspace } from "./crash-journey.ts";
import { feedCrashWorkload, holdSmtpReplies, seedCrashWorkspace } from "./crash-journey.ts";
import { countCrashRun, describeCrashReport, exactCounts, expectedExactCounts } from "./crash-report.ts";
import { type OvertureProcess, startOvertureProcess } from "./processes.ts";

/**
 * Crash test (b): the whole embedded server (`server/main.ts` on PGlite, data directory on disk) is
 * SIGKILLed at random moments — while it ingests sign-ups over HTTP, steps journeys, delivers, or
 * is still starting up — and started again on the same directory, many times. The sender retries a
 * batch until it is answered (same messageIds, so a batch stored just before a kill is not stored
 * twice). Afterwards, counted at the receivers: every expected send arrived exactly once in the
 * sandbox, every email under one idempotency key.
 */

const CUSTOMERS = Number(process.env.OVERTURE_CRASH_CUSTOMERS ?? 2000);
const KILLS = Number(process.env.OVERTURE_CRASH_KILLS ?? 12);
const SEED = Number(process.env.OVERTURE_CRASH_SEED ?? 20_260_303);
const LEASE_MS = 8000;
const DISPATCH_CONCURRENCY = 8;

let smtp: RecordingSmtpServer;
let dataDir: string;
beforeAll(async () => {
  smtp = await startRecordingSmtpServer();
  dataDir = mkdtempSync(path.join(tmpdir(), "overture-crash-embedded-"));
});
afterAll(async () => {
  await smtp?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("the embedded server (PGlite on disk), SIGKILLed at random moments and restarted", () => {
  it("delivers every expected send once: no sandbox duplicates, no email under two keys, nothing lost", async () => {
    // Separate streams, so the kill schedule does not depend on how much the feeder drew.
    const random = seededRandom(SEED);
    const feedRandom = seededRandom(SEED + 1);
    const smtpRandom = seededRandom(SEED + 2);
    const setup = await openDb({ dataDir });
    let crash: CrashWorkspace;
    try {
      crash = await seedCrashWorkspace(setup.db);
    } finally {
      await setup.close();
    }
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const startServer = () =>
      startOvertureProcess(
        "server/main.ts",
        {
          DATABASE_URL: "",
          OVERTURE_DATA_DIR: dataDir,
          PORT: String(port),
          HOST: "127.0.0.1",
          OVERTURE_DEMO: "0",
          SMTP_URL: smtp.url,
          OVERTURE_OUTBOX_LEASE_MS: String(LEASE_MS),
          OVERTURE_OUTBOX_RETRY_BASE_MS: "500",
        },
        /Overture listening/,
      );
    const smtpReplies = holdSmtpReplies(smtp, smtpRandom);

    /** POSTs until the server answers; a 4xx/5xx answer fails the test (the input is valid). */
    let retries = 0;
    const post = async (calls: Array<Record<string, unknown>>) => {
      for (;;) {
        try {
          const response = await fetch(`${base}/v1/batch`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              authorization: `Basic ${Buffer.from(`${crash.writeKey}:`).toString("base64")}`,
            },
            body: JSON.stringify({ batch: calls }),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await response.text();
          if (response.status !== 200) throw new Error(`ingestion answered ${response.status}: ${text}`);
          return;
        } catch (error) {
          if (error instanceof Error && error.message.startsWith("ingestion answered")) throw error;
          retries += 1;
          await sleep(100);
        }
      }
    };

    // Sign-ups in batches of 50 customers, 400 ms apart while the server is up; half of them order.
    let feedingDone = false;
    const feeding = feedCrashWorkload({
      customers: CUSTOMERS,
      batchSize: 50,
      pauseMs: 400,
      random: feedRandom,
      send: post,
    }).then((result) => {
      feedingDone = true;
      return result;
    });

    let kills = 0;
    let killedStarting = 0;
    /** kills while an accepted email still waited for its 250 */
    let killsWhileSmtpAccepted = 0;
    let server: OvertureProcess | null = null;
    try {
      while (kills < KILLS) {
        server = startServer();
        // One kill in five lands while the server is still opening the data directory (recovery).
        if (random() < 0.2) {
          await Promise.race([sleep(Math.floor(random() * 2000)), server.ready]);
          const starting = !server.isReady();
          const replyPending = smtpReplies.replyPending();
          if (server.kill()) {
            kills += 1;
            if (starting) killedStarting += 1;
            if (replyPending) killsWhileSmtpAccepted += 1;
          }
        } else {
          await Promise.race([server.ready, server.exited]);
          await sleep(300 + Math.floor(random() * 2500));
          // Half of these kills wait for an accepted email whose reply is still on its way.
          if (random() < 0.5) {
            await smtpReplies.awaitPendingReply(3000);
          }
          const replyPending = smtpReplies.replyPending();
          if (server.kill()) {
            kills += 1;
            if (replyPending) killsWhileSmtpAccepted += 1;
          }
        }
        const code = await server.exited;
        if (code !== null && code !== 0)
          throw new Error(`the server failed on its own (${code}):\n${server.output()}`);
      }

      // The last life runs until every customer is through and the outbox is empty.
      server = startServer();
      await Promise.race([server.ready, server.exited]);
      if (!server.alive()) throw new Error(`the server did not start after the kills:\n${server.output()}`);
      await feeding;
      const viewer = { authorization: `Bearer ${crash.viewerKey}` };
      const deadline = Date.now() + 240_000;
      for (;;) {
        const stats = (await (
          await fetch(`${base}/api/journeys/${crash.journeyId}/stats`, { headers: viewer })
        ).json()) as { instances: { total: number; completed: number } };
        const open = await Promise.all(
          ["pending", "sending"].map(async (status) => {
            const page = (await (
              await fetch(`${base}/api/outbox?status=${status}&limit=1`, { headers: viewer })
            ).json()) as { items: unknown[] };
            return page.items.length;
          }),
        );
        if (stats.instances.completed >= CUSTOMERS && open.every((count) => count === 0)) break;
        if (Date.now() > deadline) break;
        await sleep(500);
      }
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    } finally {
      server?.kill();
    }
    expect(feedingDone).toBe(true);

    const check = await openDb({ dataDir });
    try {
      const report = await countCrashRun(check.db, {
        workspaceId: crash.workspaceId,
        versionId: crash.versionId,
        customers: CUSTOMERS,
        smtp: smtp.messages,
      });
      console.log(
        `[crash test (b), embedded PGlite] seed ${SEED}, ${kills} SIGKILLs of the whole server ` +
          `(${killedStarting} during start-up, ${killsWhileSmtpAccepted} while an accepted email awaited its reply), ${retries} ingestion retries by the sender\n  ${describeCrashReport(report)}`,
      );
      expect(kills).toBe(KILLS);
      expect(exactCounts(report)).toEqual(expectedExactCounts(CUSTOMERS));
      expect(report.outcomes.thanks).toBeGreaterThan(0);
      expect(report.outcomes.nudge).toBeGreaterThan(0);
      expect(report.smtpRedeliveries).toBeLessThanOrEqual(kills * DISPATCH_CONCURRENCY);
    } finally {
      await check.close();
    }
  }, 900_000);
});
