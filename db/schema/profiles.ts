import { sql } from "drizzle-orm";
import { bigint, index, jsonb, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { at, createdAt } from "./common.ts";
import { workspaces } from "./workspaces.ts";

/**
 * One customer. `userId` is the customer's id in the workspace's systems; anonymous visitors have
 * none until identify/alias merges them. Predictive scores are traits (traits.churn_risk).
 */
export const profiles = pgTable(
  "profiles",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    userId: text("user_id"),
    traits: jsonb("traits").$type<Record<string, unknown>>().notNull().default({}),
    /** channel → true (opted in) / false (opted out); absent = never asked */
    consent: jsonb("consent").$type<Record<string, boolean>>().notNull().default({}),
    /** set when this (anonymous) profile was merged into another one */
    mergedInto: bigint("merged_into", { mode: "number" }),
    createdAt: createdAt(),
    updatedAt: at("updated_at").notNull().defaultNow(),
    lastEventAt: at("last_event_at"),
  },
  (table) => [
    uniqueIndex("profiles_user_idx")
      .on(table.workspaceId, table.userId)
      .where(sql`${table.userId} is not null`),
    index("profiles_updated_idx").on(table.workspaceId, table.updatedAt),
  ],
);

/** Every id a customer has been seen under (user_id, anonymous_id), pointing at the live profile. */
export const profileIdentities = pgTable(
  "profile_identities",
  {
    workspaceId: text("workspace_id").notNull(),
    kind: text("kind").$type<"user_id" | "anonymous_id">().notNull(),
    value: text("value").notNull(),
    profileId: bigint("profile_id", { mode: "number" }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.kind, table.value] }),
    index("profile_identities_profile_idx").on(table.profileId),
  ],
);

/** Segment-spec calls as received (track, identify, page, screen, group, alias). */
export const events = pgTable(
  "events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: text("workspace_id").notNull(),
    profileId: bigint("profile_id", { mode: "number" }).notNull(),
    messageId: text("message_id").notNull(),
    type: text("type").notNull(),
    /** track: the event name; page/screen: the page name; others: null */
    name: text("name"),
    properties: jsonb("properties").$type<Record<string, unknown>>().notNull().default({}),
    traits: jsonb("traits").$type<Record<string, unknown>>(),
    context: jsonb("context").$type<Record<string, unknown>>(),
    userId: text("user_id"),
    anonymousId: text("anonymous_id"),
    /** when it happened (the call's timestamp, or receivedAt) */
    timestamp: at("timestamp").notNull(),
    receivedAt: at("received_at").notNull().defaultNow(),
  },
  (table) => [
    index("events_profile_time_idx").on(table.profileId, table.timestamp),
    index("events_workspace_name_idx").on(table.workspaceId, table.name, table.timestamp),
    // Ingestion's dedupe: a stored event remembers its messageId (docs/ingestion.md, "Dedupe window").
    uniqueIndex("events_message_idx").on(table.workspaceId, table.messageId),
  ],
);

/**
 * messageIds of events deleted inside the dedupe window (a trigger on `events` writes them), kept
 * until the window (OVERTURE_DEDUPE_DAYS, default 30) has passed since they were received: deleting
 * an event early never reopens its messageId to a replay.
 */
export const ingestMessageIds = pgTable(
  "ingest_message_ids",
  {
    workspaceId: text("workspace_id").notNull(),
    messageId: text("message_id").notNull(),
    receivedAt: at("received_at").notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.messageId] }),
    index("ingest_message_ids_received_idx").on(table.receivedAt),
  ],
);

export const segmentMemberships = pgTable(
  "segment_memberships",
  {
    segmentId: text("segment_id").notNull(),
    profileId: bigint("profile_id", { mode: "number" }).notNull(),
    workspaceId: text("workspace_id").notNull(),
    enteredAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.segmentId, table.profileId] }),
    index("segment_memberships_profile_idx").on(table.profileId),
  ],
);
