import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { at, createdAt } from "./common.ts";

/** Versioned workspace policy configuration (zod-validated JSON; the highest version is current). */
export const policyConfigs = pgTable(
  "policy_configs",
  {
    workspaceId: text("workspace_id").notNull(),
    version: integer("version").notNull(),
    config: jsonb("config").$type<Record<string, unknown>>().notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.version] })],
);

export const APPROVAL_KINDS = ["journey_activation", "action"] as const;
export const APPROVAL_STATUSES = [
  "pending",
  "accepted",
  "edited",
  "responded",
  "ignored",
  "expired",
  /** what it asked about is gone (the customer left the journey, the version was archived) */
  "withdrawn",
] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/**
 * The human-approval queue. `request` is a LangGraph HumanInterrupt ({ action_request, config,
 * description }); `response` the HumanResponse that answered it.
 */
export const approvals = pgTable(
  "approvals",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    kind: text("kind").$type<(typeof APPROVAL_KINDS)[number]>().notNull(),
    status: text("status").$type<ApprovalStatus>().notNull().default("pending"),
    request: jsonb("request").$type<Record<string, unknown>>().notNull(),
    response: jsonb("response").$type<Record<string, unknown>>(),
    /** who proposed it (a draft's author may not approve it) */
    author: text("author").notNull(),
    /** the key that asked for it when that is not the author (an activation request, a designer run) */
    requestedBy: text("requested_by"),
    decidedBy: text("decided_by"),
    decidedAt: at("decided_at"),
    reason: text("reason"),
    expiresAt: at("expires_at").notNull(),
    actionId: bigint("action_id", { mode: "number" }),
    journeyVersionId: text("journey_version_id"),
    designId: text("design_id"),
    createdAt: createdAt(),
  },
  (table) => [
    index("approvals_status_idx").on(table.workspaceId, table.status, table.createdAt),
    index("approvals_action_idx").on(table.actionId),
    // the expiry loop's scan
    index("approvals_expiry_idx").on(table.expiresAt).where(sql`${table.status} = 'pending'`),
  ],
);

/**
 * Append-only, hash-chained record of verdicts, approvals, activations and config changes
 * (policies/audit). Rows are inserted unsealed inside the transaction of the thing they record; a
 * deferred trigger seals them at commit: `seq` (the position in the workspace's chain), `prev_hash`
 * and hash = sha256(prev_hash || audit_canonical(row)). `npm run audit:verify` recomputes the chain.
 * The triggers (stamp, collect, seal, append-only guard): migrations 0005_audit_triggers.sql and
 * 0008_audit_seal_per_transaction.sql.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: text("workspace_id").notNull(),
    at: at("at").notNull().defaultNow(),
    actor: text("actor").notNull(),
    kind: text("kind").notNull(),
    subject: text("subject").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    /** position in the workspace's chain (1, 2, …), assigned at commit; null until sealed */
    seq: bigint("seq", { mode: "number" }),
    prevHash: text("prev_hash"),
    hash: text("hash"),
    /** the writing transaction (stamped by a trigger): the sealer seals only its own rows */
    sealingTx: bigint("sealing_tx", { mode: "number" }),
  },
  (table) => [
    index("audit_log_workspace_idx").on(table.workspaceId, table.id),
    uniqueIndex("audit_log_chain_idx").on(table.workspaceId, table.seq),
    index("audit_log_subject_idx").on(table.workspaceId, table.subject),
  ],
);

/**
 * The audit rows each open transaction wrote (filled by a statement trigger on audit_log); a
 * deferred trigger on this table seals them once per transaction at commit and deletes the row.
 */
export const auditPending = pgTable("audit_pending", {
  tx: bigint("tx", { mode: "number" }).primaryKey(),
  ids: bigint("ids", { mode: "number" }).array().notNull(),
});

/** The end of each workspace's audit chain: the sealer's lock and the check against a cut-off tail. */
export const auditHeads = pgTable("audit_heads", {
  workspaceId: text("workspace_id").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
});
