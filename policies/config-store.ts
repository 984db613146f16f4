import { and, desc, eq, sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import type { Executor } from "../db/open.ts";
import { rows } from "../db/open.ts";
import { policyConfigs } from "../db/schema/policies.ts";
import { appendAudit } from "./audit/log.ts";
import type { PolicyConfig } from "./config.ts";
import { DEFAULT_POLICY_CONFIG, PolicyConfigError, parsePolicyConfig } from "./config.ts";
import { createDecide } from "./engine.ts";
import type { Decide } from "./types.ts";

/**
 * Workspace policy configs as stored: versioned (the highest version is current, every version is
 * kept), each save audited in its transaction. A workspace without any saved version runs on the
 * safe baseline (`DEFAULT_POLICY_CONFIG`), reported as version 0.
 *
 * The stored JSON is the parsed config with every default filled in, so a version means the same
 * thing after the code's defaults change.
 */

export interface StoredPolicyConfig {
  workspaceId: string;
  /** 0 = nothing saved yet (the baseline applies) */
  version: number;
  config: PolicyConfig;
  createdBy: string | null;
  createdAt: Date | null;
}

export interface PolicyConfigVersion {
  version: number;
  createdBy: string;
  createdAt: Date;
}

function baseline(workspaceId: string): StoredPolicyConfig {
  return { workspaceId, version: 0, config: DEFAULT_POLICY_CONFIG, createdBy: null, createdAt: null };
}

/** A stored version; throws PolicyConfigError when the stored JSON no longer validates (fail closed). */
function fromRow(row: typeof policyConfigs.$inferSelect): StoredPolicyConfig {
  return {
    workspaceId: row.workspaceId,
    version: row.version,
    config: parsePolicyConfig(row.config),
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}

export async function currentPolicyConfig(
  executor: Executor,
  workspaceId: string,
): Promise<StoredPolicyConfig> {
  const [row] = await executor
    .select()
    .from(policyConfigs)
    .where(eq(policyConfigs.workspaceId, workspaceId))
    .orderBy(desc(policyConfigs.version))
    .limit(1);
  return row ? fromRow(row) : baseline(workspaceId);
}

export async function policyConfigVersion(
  executor: Executor,
  workspaceId: string,
  version: number,
): Promise<StoredPolicyConfig | null> {
  if (version === 0) return baseline(workspaceId);
  const [row] = await executor
    .select()
    .from(policyConfigs)
    .where(and(eq(policyConfigs.workspaceId, workspaceId), eq(policyConfigs.version, version)));
  return row ? fromRow(row) : null;
}

/** The newest `limit` saved versions, newest first (metadata only). */
export async function policyConfigHistory(
  executor: Executor,
  workspaceId: string,
  limit = 100,
): Promise<PolicyConfigVersion[]> {
  return executor
    .select({
      version: policyConfigs.version,
      createdBy: policyConfigs.createdBy,
      createdAt: policyConfigs.createdAt,
    })
    .from(policyConfigs)
    .where(eq(policyConfigs.workspaceId, workspaceId))
    .orderBy(desc(policyConfigs.version))
    .limit(limit);
}

export interface SavePolicyConfigInput {
  workspaceId: string;
  /** the config as written (zod-validated here; defaults are filled in) */
  config: unknown;
  /** the key id saving it */
  actor: string;
  /** why, in a sentence (kept in the audit entry) */
  note?: string | undefined;
  now: Date;
}

/**
 * Validates and stores a new version (previous + 1) with its audit entry, in one transaction.
 * Throws PolicyConfigError (every bad path) without storing anything when it does not validate.
 */
export async function savePolicyConfig(
  executor: Executor,
  input: SavePolicyConfigInput,
): Promise<StoredPolicyConfig> {
  const config = parsePolicyConfig(input.config);
  return executor.transaction(async (tx) => {
    // Two saves at once get consecutive versions instead of a primary-key collision.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`policy_config:${input.workspaceId}`}))`);
    const [latest] = await rows<{ version: number | null }>(
      tx,
      sql`select max(version) as version from policy_configs where workspace_id = ${input.workspaceId}`,
    );
    const previous = Number(latest?.version ?? 0);
    const version = previous + 1;
    const [row] = await tx
      .insert(policyConfigs)
      .values({
        workspaceId: input.workspaceId,
        version,
        config: config as unknown as Record<string, unknown>,
        createdBy: input.actor,
        createdAt: input.now,
      })
      .returning();
    await appendAudit(tx, [
      {
        workspaceId: input.workspaceId,
        actor: input.actor,
        kind: "policy_config.saved",
        subject: `policy_config:${version}`,
        data: { version, previousVersion: previous, note: input.note ?? null, config },
        at: input.now,
      },
    ]);
    return fromRow(row!);
  });
}

type CacheEntry = { version: number; stored: StoredPolicyConfig; decide: Decide };

/**
 * The running process's compiled policies: one Decide per workspace, rebuilt when the workspace's
 * newest version changes. A lookup costs one index-only `max(version)` query per workspace per
 * transaction (inside a transaction the answer is remembered: a runtime batch decides all its actions
 * with the version it saw first), so a save made by any process takes effect on the next batch
 * everywhere; `invalidate` drops the entry at once in the saving process.
 */
export class PolicyCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** per open transaction (keyed by its drizzle object, so it goes with it), per workspace */
  private readonly inTransaction = new WeakMap<object, Map<string, CacheEntry>>();
  /** bumped by `invalidate`: what a transaction remembered before a save in this process is dropped */
  private generation = 0;
  private readonly generations = new WeakMap<object, number>();

  async current(
    executor: Executor,
    workspaceId: string,
  ): Promise<{ stored: StoredPolicyConfig; decide: Decide }> {
    if (!(executor instanceof PgTransaction)) return this.load(executor, workspaceId);
    let seen = this.inTransaction.get(executor);
    if (!seen || this.generations.get(executor) !== this.generation) {
      seen = new Map();
      this.inTransaction.set(executor, seen);
      this.generations.set(executor, this.generation);
    }
    const known = seen.get(workspaceId);
    if (known) return known;
    const entry = await this.load(executor, workspaceId);
    seen.set(workspaceId, entry);
    return entry;
  }

  private async load(executor: Executor, workspaceId: string): Promise<CacheEntry> {
    const [latest] = await rows<{ version: number | null }>(
      executor,
      sql`select max(version) as version from policy_configs where workspace_id = ${workspaceId}`,
    );
    const version = Number(latest?.version ?? 0);
    const cached = this.entries.get(workspaceId);
    if (cached && cached.version === version) return cached;
    const stored =
      version === 0 ? baseline(workspaceId) : await policyConfigVersion(executor, workspaceId, version);
    if (!stored)
      throw new PolicyConfigError([{ path: "$", message: `version ${version} vanished while loading` }]);
    const entry = { version, stored, decide: createDecide(stored.config) };
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(workspaceId, entry);
    return entry;
  }

  /** For GatewayOptions.decideFor. */
  readonly decideFor = async (executor: Executor, workspaceId: string): Promise<Decide> =>
    (await this.current(executor, workspaceId)).decide;

  async config(executor: Executor, workspaceId: string): Promise<PolicyConfig> {
    return (await this.current(executor, workspaceId)).stored.config;
  }

  invalidate(workspaceId: string): void {
    this.entries.delete(workspaceId);
    this.generation += 1;
  }
}
