import { eq } from "drizzle-orm";
import { sandboxMessages } from "../../db/schema/actions.ts";
import type { LocalChannelAdapter, OutboundMessage } from "./channel.ts";
import { abortedError } from "./channel.ts";

/** What the customer would have seen, as text: the message body, else the request it stands for. */
function sandboxBody(message: OutboundMessage): string {
  if (message.content) {
    const cta = message.content.cta_url ? `\n\n${message.content.cta_url}` : "";
    return `${message.content.body}${cta}`;
  }
  if (message.handoff) return message.handoff.instructions;
  if (message.request) return JSON.stringify(message.request);
  return JSON.stringify(message.payload);
}

/**
 * The default adapter for every channel: stores the message in `sandbox_messages` so the API and the
 * console can show it, and nothing leaves the machine. Idempotent on the outbox id (unique index).
 */
export function createSandboxAdapter(): LocalChannelAdapter {
  const name = "sandbox";
  return {
    name,
    effect: "database",
    async deliver(tx, message, { signal }) {
      if (signal.aborted) throw abortedError(name, signal);
      const inserted = await tx
        .insert(sandboxMessages)
        .values({
          outboxId: message.outboxId,
          workspaceId: message.workspaceId,
          profileId: message.profileId,
          channel: message.channel,
          recipient: message.to,
          subject: message.content?.subject ?? message.content?.title ?? null,
          body: sandboxBody(message),
          payload: message.payload,
        })
        .onConflictDoNothing({ target: sandboxMessages.outboxId })
        .returning({ id: sandboxMessages.id });
      const id =
        inserted[0]?.id ??
        (
          await tx
            .select({ id: sandboxMessages.id })
            .from(sandboxMessages)
            .where(eq(sandboxMessages.outboxId, message.outboxId))
            .limit(1)
        )[0]?.id;
      if (id === undefined) {
        // Unreachable unless the row was deleted between the two statements of one transaction.
        throw new Error(`sandbox message for outbox ${message.outboxId} vanished mid-transaction`);
      }
      return { status: "delivered", providerMessageId: `sandbox:${id}` };
    },
  };
}
