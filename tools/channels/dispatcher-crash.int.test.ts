import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, rows } from "../../db/open.ts";
import type { RecordingSmtpServer } from "./testing.ts";
import { enqueue, seedProfile, seedWorkspace, startRecordingSmtpServer } from "./testing.ts";

/**
 * The whole embedded process (PGlite on disk) is SIGKILLed at random moments while it dispatches,
 * then restarted on the same data directory. Afterwards every row is sent; every sandbox message
 * exists exactly once (its write and the 'sent' mark share one transaction); every email reached the
 * SMTP server at least once, and any repeat carries the same Message-ID (at-least-once with a stable
 * idempotency key, the documented guarantee for external adapters).
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const SANDBOX_ROWS = 160;
const EMAIL_ROWS = 80;
const KILLS = 4;

let smtp: RecordingSmtpServer;
let dataDir: string;

beforeAll(async () => {
  smtp = await startRecordingSmtpServer();
  dataDir = mkdtempSync(path.join(tmpdir(), "overture-dispatch-crash-"));
});
afterAll(async () => {
  await smtp?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface Worker {
  child: ChildProcess;
  /** resolves once the worker has committed its first batch: it is in the middle of its work */
  working: Promise<void>;
  exited: Promise<number | null>;
}

function runWorker(): Worker {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "tools/channels/dispatch-cli.ts", "--until-idle"],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: "",
        OVERTURE_DATA_DIR: dataDir,
        SMTP_URL: smtp.url,
        OVERTURE_OUTBOX_LEASE_MS: "4000",
        OVERTURE_OUTBOX_RETRY_BASE_MS: "200",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const working = new Promise<void>((resolve) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("batch ")) resolve();
    });
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  // A worker that cannot reopen the data directory must fail the test with its output, not hang it.
  const watchdog = setTimeout(() => {
    console.error(
      `[crash test] worker ${child.pid} made no progress for 180 s; killing it. Output:\n${output}`,
    );
    child.kill("SIGKILL");
  }, 180_000);
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code, signal) => {
      clearTimeout(watchdog);
      if (code !== 0 && code !== null) {
        console.error(
          `[crash test] worker exited ${code} (signal ${signal}); output:\n${output || "(none)"}`,
        );
      }
      resolve(code);
    });
  });
  return { child, working, exited };
}

describe("dispatcher under SIGKILL (embedded PGlite)", () => {
  it("sends every sandbox message exactly once and every email at least once with one Message-ID", async () => {
    const setup = await openDb({ dataDir });
    const workspaceId = await seedWorkspace(setup.db);
    const emailIds = new Set<number>();
    const sandboxIds = new Set<number>();
    for (let index = 0; index < Math.max(SANDBOX_ROWS, EMAIL_ROWS); index += 1) {
      const profileId = await seedProfile(setup.db, workspaceId, {
        traits: { email: `c${index}@example.com` },
      });
      if (index < SANDBOX_ROWS) {
        const row = await enqueue(setup.db, {
          workspaceId,
          profileId,
          channel: index % 2 === 0 ? "sms" : "push",
          payload: { content: { body: `message ${index}` } },
        });
        sandboxIds.add(row.outboxId);
      }
      if (index < EMAIL_ROWS) {
        const row = await enqueue(setup.db, {
          workspaceId,
          profileId,
          channel: "email",
          payload: { content: { subject: `Hello ${index}`, body: `email ${index}` } },
        });
        emailIds.add(row.outboxId);
      }
    }
    await setup.close();

    let kills = 0;
    for (let round = 0; round < KILLS; round += 1) {
      const worker = runWorker();
      await Promise.race([worker.working, worker.exited]);
      // It is delivering now; kill it without warning at a random moment of its work.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 400)));
      if (worker.child.exitCode === null) {
        worker.child.kill("SIGKILL");
        kills += 1;
      }
      const code = await worker.exited;
      // Killed (null) or finished (0); anything else means the restarted process failed on its own.
      expect(code === null || code === 0, `worker of round ${round} exited with ${code}`).toBe(true);
    }
    const final = runWorker();
    expect(await final.exited).toBe(0);
    expect(kills).toBeGreaterThan(0);

    const check = await openDb({ dataDir });
    try {
      const statuses = await rows<{ status: string; count: number }>(
        check.db,
        sql`select status, count(*)::int as count from outbox group by status`,
      );
      expect(statuses).toEqual([{ status: "sent", count: SANDBOX_ROWS + EMAIL_ROWS }]);
      const sandbox = await rows<{ outbox_id: number; copies: number }>(
        check.db,
        sql`select outbox_id, count(*)::int as copies from sandbox_messages group by outbox_id`,
      );
      expect(sandbox).toHaveLength(SANDBOX_ROWS);
      expect(sandbox.every((row) => row.copies === 1 && sandboxIds.has(row.outbox_id))).toBe(true);

      const received = new Map<string, Set<string | null>>();
      for (const mail of smtp.messages) {
        const key = mail.idempotencyKey ?? "?";
        const ids = received.get(key) ?? new Set();
        ids.add(mail.messageId);
        received.set(key, ids);
      }
      const lost = [...emailIds].filter((id) => !received.has(String(id)));
      expect(lost).toEqual([]);
      expect([...received.values()].every((ids) => ids.size === 1)).toBe(true);
      const duplicates = smtp.messages.length - received.size;
      console.log(
        `[crash test] ${kills} SIGKILLs; sandbox: ${SANDBOX_ROWS} rows, ${sandbox.length} messages, 0 duplicates; ` +
          `email: ${EMAIL_ROWS} rows, ${received.size} distinct received, ${duplicates} redelivered with the same Message-ID`,
      );
    } finally {
      await check.close();
    }
  }, 600_000);
});
