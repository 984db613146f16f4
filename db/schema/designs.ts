import { bigint, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
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
    createdAt: createdAt(),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (table) => [index("designs_workspace_idx").on(table.workspaceId, table.createdAt)],
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
