import { sql } from "drizzle-orm";
import { newId } from "../../db/ids.ts";
import type { Database, Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { VersionStatus } from "../../db/schema/journeys.ts";
import { createGateway, type Gateway } from "../../policies/gateway.ts";
import type { Decide, PolicyVerdict } from "../../policies/types.ts";
import { addDuration } from "../format/duration.ts";
import type { JourneyInput } from "../format/schema.ts";
import { Journey } from "../format/schema.ts";
import type { IngestedEvent } from "./contract.ts";
import type { JourneyRuntime } from "./runtime.ts";
import { parseTimestamp } from "./store.ts";

/**
 * Test support for the runtime (real PGlite, a fake clock, no mocks): workspaces, customers and
 * live versions written straight into the tables, and an `ingest` that stores an event and hands it
 * to the runtime in one transaction the way server/ingest does.
 */

export class FakeClock {
  private current: Date;
  constructor(start: string | Date) {
    this.current = new Date(start);
  }
  readonly now = (): Date => this.current;
  advance(by: string | number): Date {
    this.current =
      typeof by === "number" ? new Date(this.current.getTime() + by) : addDuration(this.current, by);
    return this.current;
  }
  set(to: string | Date) {
    this.current = new Date(to);
  }
}

/** Email, SMS and push need explicit opt-in; hand-offs and webhooks are internal. The minimum. */
export const consentDecide: Decide = (action, context) => {
  const needsConsent = ["email", "sms", "push"].includes(action.channel);
  if (needsConsent && context.consent[action.channel] !== true) {
    const verdict: PolicyVerdict = {
      policy: "consent",
      verdict: "deny",
      reason: `the customer has not opted in to ${action.channel}`,
    };
    return { outcome: "deny", verdicts: [verdict], deciding: verdict };
  }
  return {
    outcome: "allow",
    verdicts: [
      { policy: "consent", verdict: "allow", reason: needsConsent ? "opted in" : "internal channel" },
    ],
  };
};

export function testGateway(now: () => Date, decide: Decide = consentDecide): Gateway {
  return createGateway({ decideFor: async () => decide, now });
}

export async function createWorkspace(executor: Executor, timezone = "Europe/Berlin"): Promise<string> {
  const id = newId("ws");
  await executor.execute(sql`insert into workspaces (id, name, timezone) values (${id}, ${id}, ${timezone})`);
  return id;
}

export interface CustomerInput {
  userId: string;
  traits?: Record<string, unknown>;
  consent?: Record<string, boolean>;
}

export const DEFAULT_TRAITS = {
  email: "ada@example.com",
  phone: "+4915112345678",
  first_name: "Ada",
  timezone: "Europe/Berlin",
  tier: "regular",
};
export const FULL_CONSENT = { email: true, sms: true, push: true, in_app: true, chat: true };

export async function createCustomer(
  executor: Executor,
  workspaceId: string,
  input: CustomerInput,
): Promise<number> {
  const [row] = await rows<{ id: number }>(
    executor,
    sql`insert into profiles (workspace_id, user_id, traits, consent)
        values (${workspaceId}, ${input.userId}, ${JSON.stringify(input.traits ?? DEFAULT_TRAITS)}::jsonb,
                ${JSON.stringify(input.consent ?? FULL_CONSENT)}::jsonb)
        returning id`,
  );
  return Number(row!.id);
}

/** Writes a journey with one version in the given status (default active). */
export async function createJourney(
  executor: Executor,
  workspaceId: string,
  definition: JourneyInput,
  status: VersionStatus = "active",
): Promise<{ journeyId: string; versionId: string }> {
  const journey = Journey.parse(definition);
  const journeyId = newId("jrn");
  const versionId = newId("ver");
  await executor.execute(
    sql`insert into journeys (id, workspace_id, name, created_by) values (${journeyId}, ${workspaceId}, ${journey.name}, 'test')`,
  );
  await executor.execute(sql`
    insert into journey_versions (id, journey_id, workspace_id, version, status, definition, author)
    values (${versionId}, ${journeyId}, ${workspaceId}, 1, ${status}, ${JSON.stringify(journey)}::jsonb, 'test')`);
  return { journeyId, versionId };
}

export async function addVersion(
  executor: Executor,
  journeyId: string,
  workspaceId: string,
  definition: JourneyInput,
  version: number,
  status: VersionStatus,
): Promise<string> {
  const versionId = newId("ver");
  await executor.execute(sql`
    insert into journey_versions (id, journey_id, workspace_id, version, status, definition, author)
    values (${versionId}, ${journeyId}, ${workspaceId}, ${version}, ${status},
            ${JSON.stringify(Journey.parse(definition))}::jsonb, 'test')`);
  return versionId;
}

export async function setVersionStatus(executor: Executor, versionId: string, status: VersionStatus) {
  await executor.execute(sql`update journey_versions set status = ${status} where id = ${versionId}`);
}

export interface TestEvent {
  workspaceId: string;
  userId: string;
  type?: IngestedEvent["type"];
  name?: string;
  properties?: Record<string, unknown>;
  /** identify: traits to merge */
  traits?: Record<string, unknown>;
  messageId?: string;
  timestamp?: Date;
}

let messageSeq = 0;

/** Stores events and hands them to the runtime in one transaction, as ingestion does. */
export async function ingest(
  database: Database,
  runtime: JourneyRuntime,
  now: () => Date,
  events: TestEvent | readonly TestEvent[],
): Promise<IngestedEvent[]> {
  const list = Array.isArray(events) ? events : [events as TestEvent];
  return database.db.transaction(async (tx) => {
    const ingested: IngestedEvent[] = [];
    for (const event of list) {
      const [profile] = await rows<{ id: number; traits: Record<string, unknown> }>(
        tx,
        sql`select id, traits from profiles where workspace_id = ${event.workspaceId} and user_id = ${event.userId} for update`,
      );
      if (!profile) throw new Error(`no customer ${event.userId}`);
      const type = event.type ?? (event.traits ? "identify" : "track");
      const messageId = event.messageId ?? `test-${++messageSeq}-${Math.random().toString(36).slice(2)}`;
      let traitsBefore: Record<string, unknown> | undefined;
      let traitsAfter: Record<string, unknown> | undefined;
      if (type === "identify") {
        traitsBefore = profile.traits;
        traitsAfter = { ...profile.traits, ...(event.traits ?? {}) };
        await tx.execute(
          sql`update profiles set traits = ${JSON.stringify(traitsAfter)}::jsonb where id = ${profile.id}`,
        );
      }
      const timestamp = event.timestamp ?? now();
      // A replayed messageId (a test of the runtime's own idempotency) hands the runtime the stored
      // event again, as if ingestion's dedupe had let it through.
      const [stored] = await rows<{ id: number }>(
        tx,
        sql`with inserted as (
              insert into events (workspace_id, profile_id, message_id, type, name, properties, traits, user_id, timestamp, received_at)
              values (${event.workspaceId}, ${profile.id}, ${messageId}, ${type}, ${type === "identify" ? null : (event.name ?? null)},
                      ${JSON.stringify(event.properties ?? {})}::jsonb, ${event.traits ? JSON.stringify(event.traits) : null}::jsonb,
                      ${event.userId}, ${timestamp.toISOString()}::timestamptz, ${now().toISOString()}::timestamptz)
              on conflict (workspace_id, message_id) do nothing
              returning id
            )
            select id from inserted
            union all
            select id from events where workspace_id = ${event.workspaceId} and message_id = ${messageId}
              and not exists (select 1 from inserted)`,
      );
      ingested.push({
        workspaceId: event.workspaceId,
        profileId: Number(profile.id),
        userId: event.userId,
        eventId: Number(stored!.id),
        messageId,
        type,
        name: type === "identify" ? null : (event.name ?? null),
        properties: event.properties ?? {},
        timestamp,
        traitsBefore,
        traitsAfter,
      });
    }
    await runtime.onEvents(tx, ingested);
    return ingested;
  });
}

export interface ActionRow {
  id: number;
  channel: string;
  kind: string;
  status: string;
  node_id: string | null;
  instance_id: number | null;
  payload: Record<string, unknown>;
  idempotency_key: string;
  queued_at: Date | null;
}

export async function actionsOf(executor: Executor, profileId: number): Promise<ActionRow[]> {
  const found = await rows<ActionRow & { queued_at: unknown }>(
    executor,
    sql`select id, channel, kind, status, node_id, instance_id, payload, idempotency_key, queued_at
        from actions where profile_id = ${profileId} order by id`,
  );
  return found.map((row) => ({ ...row, queued_at: parseTimestamp(row.queued_at) }));
}

export interface InstanceView {
  id: number;
  status: string;
  node_id: string;
  due_at: Date | null;
  variant: string | null;
  exit_reason: string | null;
  converted_at: Date | null;
  vars: Record<string, unknown>;
  journey_id: string;
  version_id: string;
  profile_id: number;
}

export async function instancesOf(executor: Executor, profileId: number): Promise<InstanceView[]> {
  const found = await rows<InstanceView & { due_at: unknown; converted_at: unknown }>(
    executor,
    sql`select id, status, node_id, due_at, variant, exit_reason, converted_at, vars, journey_id, version_id, profile_id
        from journey_instances where profile_id = ${profileId} order by id`,
  );
  return found.map((row) => ({
    ...row,
    due_at: parseTimestamp(row.due_at),
    converted_at: parseTimestamp(row.converted_at),
  }));
}

export async function logKinds(executor: Executor, instanceId: number): Promise<string[]> {
  const found = await rows<{ kind: string; node_id: string | null }>(
    executor,
    sql`select kind, node_id from instance_log where instance_id = ${instanceId} order by id`,
  );
  return found.map((row) => `${row.kind}:${row.node_id ?? ""}`);
}

export async function counters(executor: Executor, versionId: string): Promise<Record<string, number>> {
  const found = await rows<{ node_id: string; metric: string; count: number }>(
    executor,
    sql`select node_id, metric, count from node_counters where version_id = ${versionId}`,
  );
  return Object.fromEntries(found.map((row) => [`${row.node_id}.${row.metric}`, Number(row.count)]));
}
