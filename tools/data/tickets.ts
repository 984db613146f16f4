import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { ToolArgs } from "../../journeys/format/tool-args.ts";
import type { CustomerScope } from "./customer-events.ts";
import { daysBefore, loadCustomerEvents } from "./customer-events.ts";
import type { TicketsResult } from "./event-facts.ts";
import { openTickets, TICKET_FACT_EVENTS } from "./event-facts.ts";

/** A ticket opened longer ago than this and never closed is no longer looked for. */
export const TICKET_LOOKBACK_DAYS = 365;

/**
 * tickets.open: `Support Ticket Opened` without a later `Support Ticket Closed` of the same
 * ticket_id, oldest first, with topic, priority and age; the `open_support_tickets` trait when the
 * events show none.
 */
export async function openTicketsOf(
  executor: Executor,
  scope: CustomerScope,
  args: ToolArgs<"tickets.open">,
): Promise<TicketsResult> {
  const events = await loadCustomerEvents(
    executor,
    scope,
    TICKET_FACT_EVENTS,
    daysBefore(scope.now, TICKET_LOOKBACK_DAYS),
  );
  const [profile] = await rows<{ traits: Record<string, unknown> | null }>(
    executor,
    sql`select traits from profiles where id = ${scope.profileId} and workspace_id = ${scope.workspaceId}`,
  );
  return openTickets(events, profile?.traits ?? {}, scope.now, args);
}
