import { boolean, index, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { at, createdAt } from "./common.ts";

/** A tenant: its own catalog, customers, journeys, policies and keys. */
export const workspaces = pgTable("workspaces", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** used for schedules and as the customer time zone of last resort for display (never for quiet hours) */
  timezone: text("timezone").notNull().default("UTC"),
  settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
  createdAt: createdAt(),
});

export const API_ROLES = ["admin", "cx_lead", "reviewer", "viewer", "ingest"] as const;
export type ApiRole = (typeof API_ROLES)[number];

/** API keys (management roles) and ingestion write keys (role "ingest"), stored as SHA-256 hashes. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    role: text("role").$type<ApiRole>().notNull(),
    keyHash: text("key_hash").notNull(),
    /** first characters of the key, shown in the console to tell keys apart */
    keyPrefix: text("key_prefix").notNull(),
    createdAt: createdAt(),
    lastUsedAt: at("last_used_at"),
    revokedAt: at("revoked_at"),
  },
  (table) => [
    uniqueIndex("api_keys_hash_idx").on(table.keyHash),
    index("api_keys_workspace_idx").on(table.workspaceId),
  ],
);

export const catalogEvents = pgTable(
  "catalog_events",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    /** property name → type ("string", "number", "datetime", "low|normal|high") */
    properties: jsonb("properties").$type<Record<string, string>>().notNull().default({}),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.name] })],
);

export const catalogTraits = pgTable(
  "catalog_traits",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    type: text("type").notNull(),
    description: text("description").notNull().default(""),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.name] })],
);

/** Named audiences written as conditions; membership is kept in segment_memberships. */
export const segments = pgTable(
  "segments",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    condition: jsonb("condition").notNull(),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("segments_workspace_name_idx").on(table.workspaceId, table.name)],
);

/** Message templates; bodies use {{traits.first_name}}-style placeholders. */
export const templates = pgTable(
  "templates",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    id: text("id").notNull(),
    channel: text("channel").notNull(),
    name: text("name").notNull(),
    subject: text("subject"),
    title: text("title"),
    body: text("body").notNull(),
    /** e.g. ["checkout", "reminder"]; helps the designer find a fitting template */
    tags: jsonb("tags").$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.id] })],
);

/** Which adapter serves a channel in a workspace, and its settings (secrets stay in the environment). */
export const channelSettings = pgTable(
  "channel_settings",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    channel: text("channel").notNull(),
    adapter: text("adapter").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.channel] })],
);
