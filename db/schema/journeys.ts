import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import type { Journey } from "../../journeys/format/schema.ts";
import { at, createdAt } from "./common.ts";
import { workspaces } from "./workspaces.ts";

export const journeys = pgTable(
  "journeys",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (table) => [index("journeys_workspace_idx").on(table.workspaceId)],
);

export const VERSION_STATUSES = ["draft", "pending_approval", "active", "paused", "archived"] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

/**
 * One immutable-once-live definition of a journey. draft → (pending_approval) → active ⇄ paused →
 * archived. Editing an active or paused version creates a new draft.
 */
export const journeyVersions = pgTable(
  "journey_versions",
  {
    id: text("id").primaryKey(),
    journeyId: text("journey_id")
      .notNull()
      .references(() => journeys.id),
    workspaceId: text("workspace_id").notNull(),
    version: integer("version").notNull(),
    status: text("status").$type<VersionStatus>().notNull().default("draft"),
    definition: jsonb("definition").$type<Journey>().notNull(),
    /** who wrote it: "human", "offline-planner", or "model:<name>" */
    draftedBy: text("drafted_by").notNull().default("human"),
    /** the key or user that created the draft (may not approve it) */
    author: text("author").notNull(),
    /** the designer run that produced it, if any */
    designId: text("design_id"),
    createdAt: createdAt(),
    activatedAt: at("activated_at"),
    pausedAt: at("paused_at"),
    archivedAt: at("archived_at"),
  },
  (table) => [
    uniqueIndex("journey_versions_number_idx").on(table.journeyId, table.version),
    index("journey_versions_status_idx").on(table.workspaceId, table.status),
  ],
);

export const INSTANCE_STATUSES = ["running", "parked", "completed", "exited"] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

/**
 * A customer's visit to a journey version, and the work queue of the runtime: a running instance
 * with `due_at <= now()` is claimed by a worker (FOR UPDATE SKIP LOCKED) and stepped.
 */
export const journeyInstances = pgTable(
  "journey_instances",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: text("workspace_id").notNull(),
    journeyId: text("journey_id").notNull(),
    versionId: text("version_id").notNull(),
    profileId: bigint("profile_id", { mode: "number" }).notNull(),
    status: text("status").$type<InstanceStatus>().notNull().default("running"),
    /** the node the instance is at (about to run, or waiting in) */
    nodeId: text("node_id").notNull(),
    /** when a worker should look at it next (wait end, wait_for_event timeout, deferral); null = not scheduled */
    dueAt: at("due_at"),
    /** set while in a wait_for_event node: the event that resumes it */
    waitEvent: text("wait_event"),
    /** set by ingestion when the awaited event arrived: { name, properties, timestamp } */
    resumeEvent: jsonb("resume_event").$type<Record<string, unknown>>(),
    /** the event that started the instance: { name, properties, timestamp, messageId } */
    trigger: jsonb("trigger").$type<Record<string, unknown>>().notNull().default({}),
    vars: jsonb("vars").$type<Record<string, unknown>>().notNull().default({}),
    /**
     * The executor's bookkeeping, not readable by conditions: visits per node (idempotency keys),
     * why it is suspended (wait, event, defer), the parked action, failed-step count.
     */
    state: jsonb("state").$type<Record<string, unknown>>().notNull().default({}),
    variant: text("variant"),
    /** makes entry idempotent: one instance per journey per triggering message */
    entryKey: text("entry_key"),
    /** bumped on every step; guards against two workers stepping the same instance */
    stepSeq: integer("step_seq").notNull().default(0),
    /** a worker's claim on the instance, released at commit or after the lease */
    leaseUntil: at("lease_until"),
    enteredAt: at("entered_at").notNull().defaultNow(),
    updatedAt: at("updated_at").notNull().defaultNow(),
    finishedAt: at("finished_at"),
    exitReason: text("exit_reason"),
    convertedAt: at("converted_at"),
  },
  (table) => [
    index("journey_instances_due_idx")
      .on(table.dueAt)
      .where(sql`${table.status} = 'running' and ${table.dueAt} is not null`),
    index("journey_instances_profile_idx").on(table.profileId, table.journeyId),
    index("journey_instances_wait_idx")
      .on(table.profileId, table.waitEvent)
      .where(sql`${table.waitEvent} is not null`),
    index("journey_instances_version_node_idx").on(table.versionId, table.status, table.nodeId),
    uniqueIndex("journey_instances_entry_idx")
      .on(table.journeyId, table.entryKey)
      .where(sql`${table.entryKey} is not null`),
  ],
);

export const STEP_KINDS = [
  "entered",
  "node",
  "waiting",
  "resumed",
  "timeout",
  "action",
  "held",
  "skipped",
  "parked",
  "converted",
  "exited",
  "completed",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** What happened to an instance, step by step: the journey part of a customer's timeline. */
export const instanceLog = pgTable(
  "instance_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: text("workspace_id").notNull(),
    instanceId: bigint("instance_id", { mode: "number" }).notNull(),
    journeyId: text("journey_id").notNull(),
    versionId: text("version_id").notNull(),
    profileId: bigint("profile_id", { mode: "number" }).notNull(),
    nodeId: text("node_id"),
    kind: text("kind").$type<StepKind>().notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>(),
    at: at("at").notNull().defaultNow(),
  },
  (table) => [
    index("instance_log_instance_idx").on(table.instanceId),
    index("instance_log_profile_idx").on(table.profileId, table.at),
  ],
);

/**
 * Per-node counters of a version (entered, waiting, sent, held, skipped, exited, converted), kept in
 * the step's transaction so the canvas and the anomaly monitor read them without scanning logs.
 */
export const nodeCounters = pgTable(
  "node_counters",
  {
    versionId: text("version_id").notNull(),
    nodeId: text("node_id").notNull(),
    metric: text("metric").notNull(),
    count: bigint("count", { mode: "number" }).notNull().default(0),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.versionId, table.nodeId, table.metric] })],
);

/** Next run of each active schedule-triggered version. */
export const journeySchedules = pgTable(
  "journey_schedules",
  {
    versionId: text("version_id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    cron: text("cron").notNull(),
    timezone: text("timezone").notNull(),
    nextRunAt: at("next_run_at").notNull(),
    lastRunAt: at("last_run_at"),
    /** the run being processed in batches (its scheduled time), and the last profile id entered */
    runningAt: at("running_at"),
    cursor: bigint("cursor", { mode: "number" }),
  },
  (table) => [index("journey_schedules_next_idx").on(table.nextRunAt)],
);
