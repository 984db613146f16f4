import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { auditLog } from "../../db/schema/policies.ts";

/**
 * The audit log: an append-only, per-workspace hash chain of everything that decides what reaches a
 * customer — policy verdicts, approval decisions, journey status changes, policy-config saves and
 * API-key changes. Entries are written in the transaction of the thing they record (so a rolled back
 * change leaves no entry and a committed one always has its entry); the database seals them into the
 * chain at commit (migration 0005_audit_triggers.sql). See docs/audit.md.
 */

export const AUDIT_KINDS = [
  /** the policy engine decided an action (every verdict in `data.verdicts`) */
  "policy.decision",
  /** an item entered the approval queue (journey activations; action items are in policy.decision) */
  "approval.requested",
  /** a person answered an approval item (accept, edit, response, ignore) */
  "approval.decided",
  /** an approval item expired unanswered */
  "approval.expired",
  /** a journey version changed status (activation, pause, archive, …) */
  "journey.status",
  /** a new policy-config version was saved */
  "policy_config.saved",
  "api_key.created",
  "api_key.revoked",
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** The actor of entries the system writes on its own (the policy engine, the expiry loop). */
export const SYSTEM_ACTOR = "system";

export interface AuditEntry {
  workspaceId: string;
  /** the API key id of the person, or "system" / "policies" for automatic entries */
  actor: string;
  kind: AuditKind;
  /** what it is about: `action:17`, `approval:apr_…`, `journey_version:jrv_…`, `policy_config:3` */
  subject: string;
  data: Record<string, unknown>;
  /** defaults to the database's transaction time; pass the injected clock's time */
  at?: Date | undefined;
}

export interface AuditRecord {
  id: number;
  workspaceId: string;
  at: Date;
  actor: string;
  kind: string;
  subject: string;
  data: Record<string, unknown>;
  /** chain position; null only inside the writing transaction, before commit */
  seq: number | null;
  prevHash: string | null;
  hash: string | null;
}

/** Appends entries in one statement; they join the chain when the caller's transaction commits. */
export async function appendAudit(executor: Executor, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await executor.insert(auditLog).values(
    entries.map((entry) => ({
      workspaceId: entry.workspaceId,
      actor: entry.actor,
      kind: entry.kind,
      subject: entry.subject,
      // JSON round trip: Dates become ISO strings and undefined keys disappear, as they will be read back
      data: JSON.parse(JSON.stringify(entry.data)) as Record<string, unknown>,
      ...(entry.at ? { at: entry.at } : {}),
    })),
  );
}

export interface AuditQuery {
  kind?: string | undefined;
  /** exact subject (`action:17`) or a prefix ending in `:` (`approval:`) */
  subject?: string | undefined;
  /** return entries older than this id (the previous page's `nextCursor`) */
  before?: number | undefined;
  limit?: number | undefined;
}

/** Newest first, `limit` per page (max 500); `nextCursor` is the id to pass as `before`. */
export async function listAudit(
  executor: Executor,
  workspaceId: string,
  query: AuditQuery = {},
): Promise<{ entries: AuditRecord[]; nextCursor: number | null }> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  const conditions = [eq(auditLog.workspaceId, workspaceId)];
  if (query.kind) conditions.push(eq(auditLog.kind, query.kind));
  if (query.subject) {
    conditions.push(
      query.subject.endsWith(":")
        ? sql`starts_with(${auditLog.subject}, ${query.subject})`
        : eq(auditLog.subject, query.subject),
    );
  }
  if (query.before !== undefined) conditions.push(lt(auditLog.id, query.before));
  const found = await executor
    .select({
      id: auditLog.id,
      workspaceId: auditLog.workspaceId,
      at: auditLog.at,
      actor: auditLog.actor,
      kind: auditLog.kind,
      subject: auditLog.subject,
      data: auditLog.data,
      seq: auditLog.seq,
      prevHash: auditLog.prevHash,
      hash: auditLog.hash,
    })
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const entries = found.slice(0, limit);
  return { entries, nextCursor: found.length > limit ? entries.at(-1)!.id : null };
}
