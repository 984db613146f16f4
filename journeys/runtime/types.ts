import type { InstanceStatus, StepKind } from "../../db/schema/journeys.ts";
import type { EventRecord } from "../format/evaluate.ts";
import type { MessageContent } from "../format/schema.ts";

/**
 * The in-memory shape of a journey instance, shared by the Postgres runtime and the simulator.
 * The executor mutates it; the runtime persists it in one batched write per transaction.
 */

/** The event that started an instance (or a synthetic one for trait, segment, schedule, api entries). */
export interface TriggerRecord extends EventRecord {
  messageId?: string | undefined;
}

/** Why a running instance is suspended in its current node. */
export type PendingReason = "wait" | "event" | "defer" | "review";

/** Executor bookkeeping stored in `journey_instances.state`; conditions never read it. */
export interface InstanceBook {
  /** times each node was entered; the current visit numbers the idempotency key */
  visits: Record<string, number>;
  pending?: PendingReason | undefined;
  /** the action held by a deferral or waiting in the approval queue */
  pendingActionId?: number | undefined;
  /** the agent option chosen in this visit, reused when a deferred action is proposed again */
  choice?: string | undefined;
  /** content the chooser wrote for that option, reused with it (a deferred action keeps its text) */
  choiceContent?: MessageContent | undefined;
  /** consecutive failed activations (a thrown error), for back-off and the give-up rule */
  failures?: number | undefined;
}

export interface InstanceState {
  id: number;
  workspaceId: string;
  journeyId: string;
  versionId: string;
  profileId: number;
  status: InstanceStatus;
  nodeId: string;
  dueAt: Date | null;
  waitEvent: string | null;
  resumeEvent: EventRecord | null;
  trigger: TriggerRecord;
  vars: Record<string, unknown>;
  variant: string | null;
  entryKey: string | null;
  enteredAt: Date;
  finishedAt: Date | null;
  exitReason: string | null;
  convertedAt: Date | null;
  book: InstanceBook;
  stepSeq: number;
}

/** What conditions and rendering know about the customer. */
export interface CustomerSnapshot {
  profileId: number;
  userId: string | null;
  traits: Record<string, unknown>;
  consent: Record<string, boolean>;
}

export const COUNTER_METRICS = [
  "entered",
  "waiting",
  "sent",
  "held",
  "skipped",
  "review",
  "exited",
  "completed",
  "converted",
] as const;
export type CounterMetric = (typeof COUNTER_METRICS)[number];

/** Journey-level counters (entries, conversions, exits) use this node id. */
export const JOURNEY_COUNTER_NODE = "$journey";

export interface LogEntry {
  instance: InstanceState;
  nodeId: string | null;
  kind: StepKind;
  detail?: Record<string, unknown> | undefined;
  at: Date;
}

/** Where the executor and the matching rules report what happened. */
export interface StepSink {
  record(entry: LogEntry): void;
  count(versionId: string, nodeId: string, metric: CounterMetric): void;
}

/** An event as the matching rules see it (an ingested event, a scenario event, a profile change). */
export interface RuntimeEvent {
  profileId: number;
  /** set on profile changes made by steps (a worker batch may span workspaces) */
  workspaceId?: string | undefined;
  /** track: the event name; page/screen: the page name; identify: null */
  name: string | null;
  type: string;
  properties: Record<string, unknown>;
  timestamp: Date;
  messageId?: string | undefined;
  traitsBefore?: Record<string, unknown> | undefined;
  traitsAfter?: Record<string, unknown> | undefined;
  /** set for profile changes made by an update_profile node: that journey does not trigger itself */
  sourceJourneyId?: string | undefined;
  /** makes the entries it causes idempotent (message id, or instance:node:visit) */
  entryKey?: string | undefined;
  /** ingested events: the events-table id, so history reads stop at this event */
  eventId?: number | undefined;
}

export function eventRecordOf(event: RuntimeEvent): EventRecord {
  return { name: event.name ?? event.type, properties: event.properties, timestamp: event.timestamp };
}

export function isOpen(instance: InstanceState): boolean {
  return instance.status === "running" || instance.status === "parked";
}
