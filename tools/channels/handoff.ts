import { and, desc, eq, inArray } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { actions, handoffTasks } from "../../db/schema/actions.ts";
import { journeyInstances, journeys } from "../../db/schema/journeys.ts";
import { events, profiles } from "../../db/schema/profiles.ts";
import type { LocalChannelAdapter, OutboundMessage } from "./channel.ts";
import { abortedError, rejected } from "./channel.ts";

export interface HandoffAdapterOptions {
  /** how many of the customer's latest events the task carries (default 20) */
  recentEvents?: number;
  /** how many of the customer's latest messages the task carries (default 10) */
  recentMessages?: number;
}

const PRIORITIES = new Set(["low", "normal", "high", "urgent"]);

/** The longest message body copied into a task; the full text stays in the action. */
const MESSAGE_EXCERPT = 500;

/**
 * Everything a human needs so nobody asks the customer twice: who they are (traits, consent), what
 * they did (recent events), what we already told them (recent messages), where in which journey the
 * task came from and why, and what to do.
 */
export async function loadHandoffContext(
  tx: Executor,
  message: OutboundMessage,
  options: Required<HandoffAdapterOptions>,
): Promise<Record<string, unknown>> {
  const [profile] = await tx
    .select({ userId: profiles.userId, traits: profiles.traits, consent: profiles.consent })
    .from(profiles)
    .where(eq(profiles.id, message.profileId))
    .limit(1);
  const recentEvents = await tx
    .select({
      type: events.type,
      name: events.name,
      properties: events.properties,
      timestamp: events.timestamp,
    })
    .from(events)
    .where(eq(events.profileId, message.profileId))
    .orderBy(desc(events.timestamp), desc(events.id))
    .limit(options.recentEvents);
  const recentActions = await tx
    .select({
      id: actions.id,
      channel: actions.channel,
      status: actions.status,
      payload: actions.payload,
      journeyId: actions.journeyId,
      createdAt: actions.createdAt,
    })
    .from(actions)
    .where(
      and(
        eq(actions.profileId, message.profileId),
        inArray(actions.status, ["queued", "sent"]),
        inArray(actions.kind, ["message", "handoff"]),
      ),
    )
    .orderBy(desc(actions.createdAt), desc(actions.id))
    .limit(options.recentMessages + 1);
  const journey = message.origin.journeyId
    ? (
        await tx
          .select({ id: journeys.id, name: journeys.name })
          .from(journeys)
          .where(eq(journeys.id, message.origin.journeyId))
          .limit(1)
      )[0]
    : undefined;
  const instance =
    message.origin.instanceId !== null
      ? (
          await tx
            .select({ trigger: journeyInstances.trigger, variant: journeyInstances.variant })
            .from(journeyInstances)
            .where(eq(journeyInstances.id, message.origin.instanceId))
            .limit(1)
        )[0]
      : undefined;

  return {
    customer: {
      profileId: message.profileId,
      userId: profile?.userId ?? message.userId,
      traits: profile?.traits ?? {},
      consent: profile?.consent ?? {},
    },
    recentEvents: recentEvents.map((event) => ({
      type: event.type,
      name: event.name,
      properties: event.properties,
      timestamp: event.timestamp.toISOString(),
    })),
    recentMessages: recentActions
      .filter((action) => action.id !== message.actionId)
      .slice(0, options.recentMessages)
      .map((action) => {
        const content = action.payload.content as { subject?: unknown; body?: unknown } | undefined;
        const body = typeof content?.body === "string" ? content.body.slice(0, MESSAGE_EXCERPT) : null;
        return {
          channel: action.channel,
          status: action.status,
          subject: typeof content?.subject === "string" ? content.subject : null,
          body,
          journeyId: action.journeyId,
          at: action.createdAt.toISOString(),
        };
      }),
    journey: message.origin.journeyId
      ? {
          id: message.origin.journeyId,
          name: journey?.name ?? null,
          versionId: message.origin.versionId,
          nodeId: message.origin.nodeId,
          instanceId: message.origin.instanceId,
          variant: instance?.variant ?? null,
          trigger: instance?.trigger ?? null,
        }
      : null,
    request: {
      queue: message.handoff?.queue ?? null,
      priority: message.handoff?.priority ?? null,
      instructions: message.handoff?.instructions ?? null,
      offer: message.offer,
    },
  };
}

/**
 * Human hand-off: a `handoff_tasks` row carrying the customer's context. Idempotent on the outbox id,
 * and written in the dispatcher's transaction, so a task exists exactly once.
 */
export function createHandoffAdapter(options: HandoffAdapterOptions = {}): LocalChannelAdapter {
  const name = "handoff";
  const limits = { recentEvents: options.recentEvents ?? 20, recentMessages: options.recentMessages ?? 10 };
  return {
    name,
    effect: "database",
    async deliver(tx, message, { signal }) {
      if (signal.aborted) throw abortedError(name, signal);
      const request = message.handoff;
      if (!request) {
        return rejected("invalid_payload", "a hand-off needs `handoff.instructions` in the payload");
      }
      const priority = PRIORITIES.has(request.priority) ? request.priority : "normal";
      const context = await loadHandoffContext(tx, message, limits);
      const inserted = await tx
        .insert(handoffTasks)
        .values({
          outboxId: message.outboxId,
          workspaceId: message.workspaceId,
          profileId: message.profileId,
          queue: request.queue,
          priority,
          instructions: request.instructions,
          context,
        })
        .onConflictDoNothing({ target: handoffTasks.outboxId })
        .returning({ id: handoffTasks.id });
      const id =
        inserted[0]?.id ??
        (
          await tx
            .select({ id: handoffTasks.id })
            .from(handoffTasks)
            .where(eq(handoffTasks.outboxId, message.outboxId))
            .limit(1)
        )[0]?.id;
      if (id === undefined) {
        throw new Error(`hand-off task for outbox ${message.outboxId} vanished mid-transaction`);
      }
      return { status: "delivered", providerMessageId: `handoff:${id}` };
    },
  };
}
