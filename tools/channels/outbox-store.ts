import { and, asc, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { actions, outbox } from "../../db/schema/actions.ts";
import { profiles } from "../../db/schema/profiles.ts";
import { channelSettings } from "../../db/schema/workspaces.ts";
import type { OutboundMessage } from "./channel.ts";
import { OutboxPayload } from "./channel.ts";
import type { ChannelSetting } from "./routing.ts";

/** Postgres NOTIFY channel: the runtime (and the retry API) wake dispatchers on it after commit. */
export const OUTBOX_NOTIFY_CHANNEL = "overture_outbox";

export type OutboxRow = typeof outbox.$inferSelect;

/**
 * Due rows, locked for this transaction: `pending` ones whose time has come, and `sending` ones whose
 * lease ran out (their dispatcher died or hung). SKIP LOCKED lets several dispatchers claim disjoint
 * batches from one table without waiting on each other.
 */
export async function lockDueRows(tx: Executor, now: Date, limit: number): Promise<OutboxRow[]> {
  return tx
    .select()
    .from(outbox)
    .where(
      and(
        lte(outbox.nextAttemptAt, now),
        or(
          eq(outbox.status, "pending"),
          and(eq(outbox.status, "sending"), or(isNull(outbox.leaseUntil), lte(outbox.leaseUntil, now))),
        ),
      ),
    )
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
    .limit(limit)
    .for("update", { skipLocked: true });
}

export interface DeliveryContext {
  origins: Map<number, OutboundMessage["origin"]>;
  profiles: Map<number, { userId: string | null; traits: Record<string, unknown> }>;
  /** `${workspaceId}\u0000${channel}` → setting */
  settings: Map<string, ChannelSetting>;
}

export const settingKey = (workspaceId: string, channel: string) => `${workspaceId}\u0000${channel}`;

/** Everything the batch's messages need, in three queries rather than three per row. */
export async function loadDeliveryContext(
  tx: Executor,
  batch: readonly OutboxRow[],
): Promise<DeliveryContext> {
  const actionIds = [...new Set(batch.map((row) => row.actionId))];
  const profileIds = [...new Set(batch.map((row) => row.profileId))];
  const workspaceIds = [...new Set(batch.map((row) => row.workspaceId))];
  const actionRows = await tx
    .select({
      id: actions.id,
      journeyId: actions.journeyId,
      versionId: actions.versionId,
      nodeId: actions.nodeId,
      instanceId: actions.instanceId,
    })
    .from(actions)
    .where(inArray(actions.id, actionIds));
  const profileRows = await tx
    .select({ id: profiles.id, userId: profiles.userId, traits: profiles.traits })
    .from(profiles)
    .where(inArray(profiles.id, profileIds));
  const settingRows = await tx
    .select()
    .from(channelSettings)
    .where(inArray(channelSettings.workspaceId, workspaceIds));
  return {
    origins: new Map(
      actionRows.map((row) => [
        row.id,
        {
          journeyId: row.journeyId,
          versionId: row.versionId,
          nodeId: row.nodeId,
          instanceId: row.instanceId,
        },
      ]),
    ),
    profiles: new Map(profileRows.map((row) => [row.id, { userId: row.userId, traits: row.traits }])),
    settings: new Map(
      settingRows.map((row) => [
        settingKey(row.workspaceId, row.channel),
        { adapter: row.adapter, enabled: row.enabled, config: row.config },
      ]),
    ),
  };
}

/** The profile trait that holds a channel's address when the payload names none. */
const ADDRESS_TRAIT: Record<string, readonly string[]> = {
  email: ["email"],
  sms: ["phone", "phone_number", "mobile"],
  push: ["push_token", "device_token"],
};

function recipientFor(channel: string, payloadTo: string | undefined, traits: Record<string, unknown>) {
  if (payloadTo) return payloadTo;
  for (const trait of ADDRESS_TRAIT[channel] ?? []) {
    const value = traits[trait];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return null;
}

/** The row as an adapter sees it, or why it cannot be delivered at all. */
export function toOutboundMessage(
  row: OutboxRow,
  context: DeliveryContext,
  config: Record<string, unknown>,
): { ok: true; message: OutboundMessage } | { ok: false; reason: string } {
  const parsed = OutboxPayload.safeParse(row.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `the outbox payload is malformed at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
    };
  }
  const payload = parsed.data;
  const profile = context.profiles.get(row.profileId);
  return {
    ok: true,
    message: {
      outboxId: row.id,
      actionId: row.actionId,
      workspaceId: row.workspaceId,
      profileId: row.profileId,
      userId: profile?.userId ?? null,
      channel: row.channel,
      to: recipientFor(row.channel, payload.to, profile?.traits ?? {}),
      content: payload.content ?? null,
      offer: payload.offer ?? null,
      category: payload.category ?? null,
      handoff: payload.handoff ?? null,
      request: payload.request ?? null,
      origin: context.origins.get(row.actionId) ?? {
        journeyId: null,
        versionId: null,
        nodeId: null,
        instanceId: null,
      },
      payload: row.payload,
      config,
    },
  };
}

/** Marks rows claimed for an external delivery: `sending`, one more attempt, leased until `leaseUntil`. */
export async function markSending(
  tx: Executor,
  ids: readonly number[],
  adapter: string,
  leaseUntil: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(outbox)
    .set({ status: "sending", attempts: sql`${outbox.attempts} + 1`, leaseUntil, adapter })
    .where(inArray(outbox.id, [...ids]));
}

/**
 * Guards an update to a row this dispatcher leased: it still is `sending` at the attempt we started.
 * If the lease ran out and another dispatcher took the row, our late result must not overwrite its.
 */
export interface Fence {
  attempts: number;
}

function rowCondition(id: number, fence: Fence | null) {
  return fence
    ? and(eq(outbox.id, id), eq(outbox.status, "sending"), eq(outbox.attempts, fence.attempts))
    : eq(outbox.id, id);
}

type ActionStatus = typeof actions.$inferSelect.status;

/**
 * The action follows its outbox row (for the timeline and the caps), but only from the status the
 * row's change implies, so a cancelled or already-moved action is left alone. `actionId` is that of
 * the outbox row the caller's update matched; undefined (no row matched) returns false.
 */
async function moveActionOf(
  tx: Executor,
  actionId: number | undefined,
  from: ActionStatus,
  to: ActionStatus,
): Promise<boolean> {
  if (actionId === undefined) return false;
  await tx
    .update(actions)
    .set({ status: to })
    .where(and(eq(actions.id, actionId), eq(actions.status, from)));
  return true;
}

/** Sent: the row, and its action (so the timeline and the caps see a delivered message). */
export async function markSent(
  tx: Executor,
  input: {
    id: number;
    attempts: number;
    adapter: string;
    providerMessageId: string;
    at: Date;
    fence: Fence | null;
  },
): Promise<boolean> {
  const updated = await tx
    .update(outbox)
    .set({
      status: "sent",
      attempts: input.attempts,
      adapter: input.adapter,
      sentAt: input.at,
      providerMessageId: input.providerMessageId,
      leaseUntil: null,
      lastError: null,
      lastErrorCode: null,
    })
    .where(rowCondition(input.id, input.fence))
    .returning({ actionId: outbox.actionId });
  return moveActionOf(tx, updated[0]?.actionId, "queued", "sent");
}

/**
 * Sent, for many rows the caller holds locked (database adapters inside the claiming transaction):
 * two statements for the whole batch instead of two per row.
 */
export async function markSentBatch(
  tx: Executor,
  items: ReadonlyArray<{ id: number; attempts: number; adapter: string; providerMessageId: string }>,
  at: Date,
): Promise<void> {
  if (items.length === 0) return;
  const values = sql.join(
    items.map(
      (item) =>
        sql`(${item.id}::bigint, ${item.attempts}::int, ${item.adapter}::text, ${item.providerMessageId}::text)`,
    ),
    sql`, `,
  );
  await tx.execute(sql`
    update outbox o
       set status = 'sent', attempts = v.attempts, adapter = v.adapter, provider_message_id = v.provider_id,
           sent_at = ${at}, lease_until = null, last_error = null, last_error_code = null
      from (values ${values}) as v(id, attempts, adapter, provider_id)
     where o.id = v.id`);
  await tx
    .update(actions)
    .set({ status: "sent" })
    .where(
      and(
        inArray(
          actions.id,
          tx
            .select({ id: outbox.actionId })
            .from(outbox)
            .where(
              inArray(
                outbox.id,
                items.map((item) => item.id),
              ),
            ),
        ),
        eq(actions.status, "queued"),
      ),
    );
}

/** Back to `pending` until `nextAttemptAt`, keeping the error for the console. */
export async function markRetry(
  tx: Executor,
  input: {
    id: number;
    attempts: number;
    adapter: string | null;
    nextAttemptAt: Date;
    code: string;
    error: string;
    fence: Fence | null;
  },
): Promise<boolean> {
  const updated = await tx
    .update(outbox)
    .set({
      status: "pending",
      attempts: input.attempts,
      adapter: input.adapter,
      nextAttemptAt: input.nextAttemptAt,
      leaseUntil: null,
      lastError: input.error,
      lastErrorCode: input.code,
    })
    .where(rowCondition(input.id, input.fence))
    .returning({ id: outbox.id });
  return updated.length > 0;
}

/**
 * A dead letter: no further attempts. The action becomes `failed`, which frequency caps do not count
 * (they count `queued` and `sent`), so a failed provider never uses up a customer's allowance.
 */
export async function markDead(
  tx: Executor,
  input: {
    id: number;
    attempts: number;
    adapter: string | null;
    code: string;
    error: string;
    fence: Fence | null;
  },
): Promise<boolean> {
  const updated = await tx
    .update(outbox)
    .set({
      status: "dead",
      attempts: input.attempts,
      adapter: input.adapter,
      leaseUntil: null,
      lastError: input.error,
      lastErrorCode: input.code,
    })
    .where(rowCondition(input.id, input.fence))
    .returning({ actionId: outbox.actionId });
  return moveActionOf(tx, updated[0]?.actionId, "queued", "failed");
}

/**
 * A person's second chance for a dead letter: pending now, with a fresh set of attempts, and its action
 * queued again (it counts against caps from here on, as it will be sent). Returns false when the row
 * is not a dead letter of this workspace.
 */
export async function requeueDeadLetter(
  tx: Executor,
  input: { workspaceId: string; id: number; at: Date },
): Promise<boolean> {
  const updated = await tx
    .update(outbox)
    .set({ status: "pending", attempts: 0, nextAttemptAt: input.at, leaseUntil: null })
    .where(and(eq(outbox.id, input.id), eq(outbox.workspaceId, input.workspaceId), eq(outbox.status, "dead")))
    .returning({ actionId: outbox.actionId });
  return moveActionOf(tx, updated[0]?.actionId, "failed", "queued");
}

/** When the next row becomes claimable: the earliest pending retry or expiring lease (null: none). */
export async function nextDueAt(executor: Executor): Promise<Date | null> {
  const [row] = await rows<{ at: string | Date | null }>(
    executor,
    sql`select min(case when status = 'pending' then next_attempt_at
                         else greatest(next_attempt_at, lease_until) end) as at
          from outbox where status in ('pending', 'sending')`,
  );
  return row?.at ? new Date(row.at) : null;
}
