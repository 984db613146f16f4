import type { Executor } from "../../db/open.ts";

/** A stored, deduplicated Segment call as the runtime sees it. */
export interface IngestedEvent {
  workspaceId: string;
  profileId: number;
  userId: string | null;
  eventId: number;
  messageId: string;
  type: "track" | "identify" | "page" | "screen" | "group" | "alias";
  /** track: event name; page/screen: page name; otherwise null */
  name: string | null;
  properties: Record<string, unknown>;
  timestamp: Date;
  /** identify (and anything else that changed traits): traits before and after the call */
  traitsBefore?: Record<string, unknown> | undefined;
  traitsAfter?: Record<string, unknown> | undefined;
}

/**
 * Where ingestion hands new events, inside its own transaction, so that storing an event and
 * everything it starts (entries, resumed waits, exits, conversions) commit together or not at all.
 */
export interface EventSink {
  onEvents(tx: Executor, events: readonly IngestedEvent[]): Promise<void>;
  /** an anonymous profile was merged into another: move its journey state along */
  onProfilesMerged(tx: Executor, fromProfileId: number, intoProfileId: number): Promise<void>;
}
