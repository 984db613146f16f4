import {
  bigint,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { at, createdAt } from "./common.ts";

export const DESIGN_STATUSES = [
  "running",
  "clarifying",
  "awaiting_approval",
  "activated",
  "rejected",
  "stopped",
  "failed",
] as const;
export type DesignStatus = (typeof DESIGN_STATUSES)[number];

/** A designer-agent run: goal in, journey draft out. The LangGraph thread id is the design id. */
export const designs = pgTable(
  "designs",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    goal: text("goal").notNull(),
    status: text("status").$type<DesignStatus>().notNull().default("running"),
    /** which model drafted it: "offline-planner" or "openai:<model>" */
    model: text("model").notNull(),
    createdBy: text("created_by").notNull(),
    journeyId: text("journey_id"),
    versionId: text("version_id"),
    approvalId: text("approval_id"),
    question: text("question"),
    summary: jsonb("summary").$type<Record<string, unknown>>(),
    error: text("error"),
    llmCalls: integer("llm_calls").notNull().default(0),
    tokens: integer("tokens").notNull().default(0),
    /** the last submitted draft (journey JSON as written) and its explanation lines */
    draft: jsonb("draft"),
    explanation: jsonb("explanation").$type<string[]>().notNull().default([]),
    /** validator issues of the last draft, policy lint warnings, conflicts with live journeys */
    issues: jsonb("issues").$type<Array<Record<string, unknown>>>().notNull().default([]),
    lint: jsonb("lint").$type<Array<Record<string, unknown>>>().notNull().default([]),
    conflicts: jsonb("conflicts").$type<Array<Record<string, unknown>>>().notNull().default([]),
    /** 0 before the first submission; +1 per draft sent to review */
    revision: integer("revision").notNull().default(0),
    /** an answer or a reviewer's decision waiting to be fed to the graph (applied by whoever runs it) */
    pendingInput: jsonb("pending_input").$type<Record<string, unknown>>(),
    /** which process is running the graph, until when (a crashed runner's lease runs out) */
    leaseOwner: text("lease_owner"),
    leaseUntil: at("lease_until"),
    createdAt: createdAt(),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (table) => [
    index("designs_workspace_idx").on(table.workspaceId, table.createdAt),
    index("designs_status_idx").on(table.status),
  ],
);

/** The stream of a design run (graph steps, tool calls, validation rounds), replayed to SSE clients. */
export const designEvents = pgTable(
  "design_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    designId: text("design_id").notNull(),
    seq: integer("seq").notNull(),
    type: text("type").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    at: at("at").notNull().defaultNow(),
  },
  (table) => [uniqueIndex("design_events_seq_idx").on(table.designId, table.seq)],
);

/** bytea as Uint8Array on both drivers (PGlite returns Uint8Array, node-postgres a Buffer). */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType() {
    return "bytea";
  },
  toDriver(value) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  },
  fromDriver(value) {
    return value instanceof Uint8Array ? value : new Uint8Array(value);
  },
});

/**
 * LangGraph checkpoints of designer threads in embedded (PGlite) mode, written by the project's own
 * saver (agents/designer/checkpointer.ts), laid out like PostgresSaver's: a checkpoint row without
 * its channel values, one blob per channel version (a step stores only the channels it changed),
 * and the pending writes of each checkpoint. Values are the serializer's bytes, stored as is. In
 * PostgreSQL mode LangGraph's PostgresSaver keeps its own tables in the `langgraph` schema instead.
 */
export const designCheckpoints = pgTable(
  "design_checkpoints",
  {
    threadId: text("thread_id").notNull(),
    checkpointNs: text("checkpoint_ns").notNull().default(""),
    checkpointId: text("checkpoint_id").notNull(),
    parentCheckpointId: text("parent_checkpoint_id"),
    type: text("type").notNull(),
    checkpoint: bytea("checkpoint").notNull(),
    metadataType: text("metadata_type").notNull(),
    metadata: bytea("metadata").notNull(),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.threadId, table.checkpointNs, table.checkpointId] })],
);

export const designCheckpointBlobs = pgTable(
  "design_checkpoint_blobs",
  {
    threadId: text("thread_id").notNull(),
    checkpointNs: text("checkpoint_ns").notNull().default(""),
    channel: text("channel").notNull(),
    version: text("version").notNull(),
    /** "empty" when the channel had no value at that version */
    type: text("type").notNull(),
    blob: bytea("blob"),
  },
  (table) => [primaryKey({ columns: [table.threadId, table.checkpointNs, table.channel, table.version] })],
);

export const designCheckpointWrites = pgTable(
  "design_checkpoint_writes",
  {
    threadId: text("thread_id").notNull(),
    checkpointNs: text("checkpoint_ns").notNull().default(""),
    checkpointId: text("checkpoint_id").notNull(),
    taskId: text("task_id").notNull(),
    idx: integer("idx").notNull(),
    channel: text("channel").notNull(),
    type: text("type").notNull(),
    value: bytea("value").notNull(),
    taskPath: text("task_path").notNull().default(""),
  },
  (table) => [
    primaryKey({
      columns: [table.threadId, table.checkpointNs, table.checkpointId, table.taskId, table.idx],
    }),
  ],
);
