import { z } from "zod";

/**
 * Configuration from the environment, validated once at start-up so a typo fails loudly with the
 * variable's name instead of misbehaving later. Every variable is documented in .env.example.
 */
const booleanish = z
  .enum(["1", "0", "true", "false", "yes", "no"])
  .transform((value) => value === "1" || value === "true" || value === "yes");

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** postgres://… selects node-postgres; absent = embedded PGlite under OVERTURE_DATA_DIR */
  DATABASE_URL: z.string().url().optional(),
  OVERTURE_DATA_DIR: z.string().optional(),
  /** "public" URL printed at start and used in links (default http://localhost:PORT) */
  PUBLIC_URL: z.string().url().optional(),
  /** seed the demo workspace on an empty database (default on) */
  OVERTURE_DEMO: booleanish.default(true),
  /** run journey workers and the outbox dispatcher in this process (default on) */
  OVERTURE_WORKERS: booleanish.default(true),
  /** how long messageIds are remembered for dedupe, in days (Segment: at least 1) */
  OVERTURE_DEDUPE_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** smtp://user:pass@host:port — email goes over real SMTP; absent = sandbox outbox */
  SMTP_URL: z.string().optional(),
  SMTP_FROM: z.string().default("Overture <no-reply@overture.local>"),
  /** delivery attempts before a retryable outbox failure becomes a dead letter */
  OVERTURE_OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /**
   * how long a claimed SMTP/webhook delivery is protected before another dispatcher may retry it
   * (after a crash); one delivery's deadline is half of it
   */
  OVERTURE_OUTBOX_LEASE_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  /** first retry delay of a failed delivery in ms; it doubles per attempt, with jitter */
  OVERTURE_OUTBOX_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(30_000),
  /** HMAC-SHA256 secret for the X-Overture-Signature header on webhooks */
  WEBHOOK_SECRET: z.string().default("overture-dev-webhook-secret"),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OVERTURE_MODEL: z.string().optional(),
  /** designer: per-attempt model timeout and attempts per call (retries on 429/5xx/timeouts only) */
  OVERTURE_MODEL_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
  OVERTURE_MODEL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** next-best-action step of agent nodes: "off" = always the deterministic scorer; a model name = that model (default OVERTURE_MODEL) */
  OVERTURE_NBA_MODEL: z.string().optional(),
  /** its deadline per decision in ms, model call and retry included; past it the scorer decides */
  OVERTURE_NBA_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** semantic memory embeddings: openai (text-embedding-3-small, 512 dims) or hashing (local); default openai with OPENAI_API_KEY and no base URL */
  OVERTURE_EMBEDDINGS: z.enum(["openai", "hashing"]).optional(),
  /** designer: customers replayed by the population simulation of a draft */
  OVERTURE_DESIGN_SAMPLE: z.coerce.number().int().min(0).max(10_000).default(500),
});

export type Config = z.output<typeof EnvSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `  ${issue.path.join(".")}: ${issue.message}`)
      .join("\n");
    throw new Error(`invalid configuration:\n${problems}`);
  }
  return parsed.data;
}
