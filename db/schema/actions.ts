import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { at, createdAt } from "./common.ts";

export const ACTION_STATUSES = [
  /** created, no verdict yet */
  "pending",
  /** a policy deferred it (quiet hours); re-decided at `due` */
  "deferred",
  /** waiting for a person in the approval queue */
  "review",
  /** a policy denied it; the journey took its skip path */
  "denied",
  /** allowed and written to the outbox */
  "queued",
  "sent",
  /** delivery failed for good (dead letter) */
  "failed",
  /** an approval expired or was rejected; nothing was sent */
  "cancelled",
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const ACTION_KINDS = ["message", "handoff", "webhook", "tool"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/**
 * Everything with an outside effect. Created by the runtime, decided by policies, delivered through
 * the outbox. `idempotencyKey` (instance + node + visit) makes re-running a step create no second action.
 */
export const actions = pgTable(
  "actions",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: text("workspace_id").notNull(),
    profileId: bigint("profile_id", { mode: "number" }).notNull(),
    instanceId: bigint("instance_id", { mode: "number" }),
    journeyId: text("journey_id"),
    versionId: text("version_id"),
    nodeId: text("node_id"),
    kind: text("kind").$type<ActionKind>().notNull(),
    channel: text("channel").notNull(),
    /** what would reach the customer: rendered content, offer, recipient, hand-off context */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: text("status").$type<ActionStatus>().notNull().default("pending"),
    /** the deciding verdict's policy and reason, for lists; every verdict is in `decisions` */
    verdict: text("verdict"),
    reason: text("reason"),
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: createdAt(),
    decidedAt: at("decided_at"),
    /** when it counts against frequency caps (queued time); null while not queued */
    queuedAt: at("queued_at"),
  },
  (table) => [
    uniqueIndex("actions_idempotency_idx").on(table.workspaceId, table.idempotencyKey),
    index("actions_profile_channel_idx").on(table.profileId, table.channel, table.queuedAt),
    index("actions_instance_idx").on(table.instanceId),
    index("actions_status_idx").on(table.workspaceId, table.status, table.createdAt),
    // the gateway asks "has this journey version sent anything yet?" (first-send approval rule)
    index("actions_version_idx").on(table.versionId, table.status),
  ],
);

export const VERDICTS = ["allow", "deny", "defer", "review"] as const;
export type VerdictKind = (typeof VERDICTS)[number];

/** Every policy verdict on an action, in evaluation order, with a reason a reviewer understands. */
export const decisions = pgTable(
  "decisions",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    actionId: bigint("action_id", { mode: "number" }).notNull(),
    workspaceId: text("workspace_id").notNull(),
    /** 1 for the first evaluation, 2 after a deferral or an edit, … */
    round: integer("round").notNull().default(1),
    policy: text("policy").notNull(),
    verdict: text("verdict").$type<VerdictKind>().notNull(),
    reason: text("reason").notNull(),
    until: at("until"),
    details: jsonb("details").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (table) => [index("decisions_action_idx").on(table.actionId)],
);

export const OUTBOX_STATUSES = ["pending", "sending", "sent", "failed", "dead"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * Allowed actions waiting for delivery, written in the same transaction as the journey step. The
 * outbox id is the idempotency key every channel receives.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: text("workspace_id").notNull(),
    actionId: bigint("action_id", { mode: "number" }).notNull(),
    profileId: bigint("profile_id", { mode: "number" }).notNull(),
    channel: text("channel").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: text("status").$type<OutboxStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: at("next_attempt_at").notNull().defaultNow(),
    leaseUntil: at("lease_until"),
    lastError: text("last_error"),
    /** stable code of the last failure (ChannelError / rejection code), for filtering dead letters */
    lastErrorCode: text("last_error_code"),
    /** the adapter that handled the last attempt (sandbox, smtp, webhook, handoff) */
    adapter: text("adapter"),
    providerMessageId: text("provider_message_id"),
    createdAt: createdAt(),
    sentAt: at("sent_at"),
  },
  (table) => [
    uniqueIndex("outbox_action_idx").on(table.actionId),
    index("outbox_due_idx").on(table.nextAttemptAt).where(sql`${table.status} in ('pending', 'sending')`),
    index("outbox_status_idx").on(table.workspaceId, table.status, table.createdAt),
  ],
);

/** Messages delivered by the sandbox adapter (the default channel): what the customer would see. */
export const sandboxMessages = pgTable(
  "sandbox_messages",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    outboxId: bigint("outbox_id", { mode: "number" }).notNull(),
    workspaceId: text("workspace_id").notNull(),
    profileId: bigint("profile_id", { mode: "number" }).notNull(),
    channel: text("channel").notNull(),
    recipient: text("recipient"),
    subject: text("subject"),
    body: text("body").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("sandbox_messages_outbox_idx").on(table.outboxId),
    index("sandbox_messages_workspace_idx").on(table.workspaceId, table.createdAt),
    index("sandbox_messages_profile_idx").on(table.profileId),
  ],
);

export const HANDOFF_STATUSES = ["open", "claimed", "done"] as const;

/** Work for a human agent, with the customer's context so nobody has to ask twice. */
export const handoffTasks = pgTable(
  "handoff_tasks",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    outboxId: bigint("outbox_id", { mode: "number" }).notNull(),
    workspaceId: text("workspace_id").notNull(),
    profileId: bigint("profile_id", { mode: "number" }).notNull(),
    queue: text("queue").notNull(),
    priority: text("priority").notNull(),
    instructions: text("instructions").notNull(),
    context: jsonb("context").$type<Record<string, unknown>>().notNull(),
    status: text("status").$type<(typeof HANDOFF_STATUSES)[number]>().notNull().default("open"),
    assignee: text("assignee"),
    /** what the human did, written when the task is completed */
    note: text("note"),
    claimedAt: at("claimed_at"),
    completedAt: at("completed_at"),
    createdAt: createdAt(),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("handoff_tasks_outbox_idx").on(table.outboxId),
    index("handoff_tasks_workspace_idx").on(table.workspaceId, table.status, table.createdAt),
  ],
);
