import { z } from "zod";
import { openDb } from "../../db/open.ts";
import { createDispatcher } from "./dispatcher.ts";
import { nextDueAt } from "./outbox-store.ts";
import { createStandardAdapters } from "./routing.ts";

/**
 * A standalone outbox dispatcher process: `tsx tools/channels/dispatch-cli.ts [--until-idle]`.
 * Several may run against one PostgreSQL (DATABASE_URL) next to the API processes, to scale delivery
 * separately; `--until-idle` exits once nothing is pending or sending (batch use, crash tests).
 * Reads the same variables as the server: DATABASE_URL / OVERTURE_DATA_DIR, SMTP_URL, SMTP_FROM,
 * WEBHOOK_SECRET, OVERTURE_OUTBOX_MAX_ATTEMPTS, plus OVERTURE_OUTBOX_LEASE_MS (how long a claimed external
 * delivery is protected; the per-delivery deadline is half of it) and OVERTURE_OUTBOX_RETRY_BASE_MS.
 */
const Env = z.object({
  DATABASE_URL: z.string().optional(),
  OVERTURE_DATA_DIR: z.string().optional(),
  SMTP_URL: z.string().optional(),
  SMTP_FROM: z.string().default("Overture <no-reply@overture.local>"),
  WEBHOOK_SECRET: z.string().default("overture-dev-webhook-secret"),
  OVERTURE_OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  OVERTURE_OUTBOX_LEASE_MS: z.coerce.number().int().min(100).default(120_000),
  OVERTURE_OUTBOX_RETRY_BASE_MS: z.coerce.number().int().min(1).default(30_000),
});

const parsed = Env.safeParse(
  Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== undefined && value !== "")),
);
if (!parsed.success) {
  console.error(
    `invalid configuration:\n${parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n")}`,
  );
  process.exit(2);
}
const env = parsed.data;
const untilIdle = process.argv.includes("--until-idle");
const now = () => new Date();

const database = await openDb({ url: env.DATABASE_URL, dataDir: env.OVERTURE_DATA_DIR });
const dispatcher = createDispatcher({
  database,
  now,
  adapters: createStandardAdapters({
    smtpUrl: env.SMTP_URL,
    smtpFrom: env.SMTP_FROM,
    webhookSecret: env.WEBHOOK_SECRET,
    now,
  }),
  retry: { maxAttempts: env.OVERTURE_OUTBOX_MAX_ATTEMPTS, baseDelayMs: env.OVERTURE_OUTBOX_RETRY_BASE_MS },
  leaseMs: env.OVERTURE_OUTBOX_LEASE_MS,
  deliveryTimeoutMs: Math.max(50, Math.floor(env.OVERTURE_OUTBOX_LEASE_MS / 2)),
});

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  await dispatcher.stop();
  await database.close();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

console.log(`dispatcher ready (database: ${database.kind}, pid ${process.pid})`);
if (untilIdle) {
  // Deliver until nothing is pending or sending; a row not yet due is waited for.
  for (;;) {
    const summary = await dispatcher.runOnce();
    if (summary.claimed > 0) {
      console.log(`batch ${JSON.stringify(summary)}`);
      continue;
    }
    const dueAt = await nextDueAt(database.db);
    if (!dueAt) break;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(20, Math.min(1_000, dueAt.getTime() - Date.now()))),
    );
  }
  console.log("idle");
  await shutdown(0);
} else {
  await dispatcher.start();
}
