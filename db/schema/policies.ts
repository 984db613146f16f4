import { bigint, index, integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
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
  ],
);

/**
 * Append-only, hash-chained record of verdicts, approvals, activations and config changes.
 * hash = sha256(prev_hash || canonical row); `npm run audit:verify` recomputes the chain.
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
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (table) => [index("audit_log_workspace_idx").on(table.workspaceId, table.id)],
);
