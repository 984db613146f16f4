import type { Executor } from "../../db/open.ts";
import { addDuration } from "../../journeys/format/duration.ts";
import type { ToolArgs } from "../../journeys/format/tool-args.ts";
import type { CustomerScope } from "./customer-events.ts";
import { loadCustomerEvents } from "./customer-events.ts";
import type { OrdersResult } from "./event-facts.ts";
import { CART_ATTRIBUTION_MS, ORDER_FACT_EVENTS, summarizeOrders } from "./event-facts.ts";

/**
 * orders.recent: the customer's `Order Completed` events within `within` (newest first), each with
 * its total, categories and products, and whether it was since returned (Product Returned / Return
 * Requested) or cancelled (Order Cancelled); plus counts and totals a branch can test.
 */
export async function recentOrders(
  executor: Executor,
  scope: CustomerScope,
  args: ToolArgs<"orders.recent">,
): Promise<OrdersResult> {
  // Cart adds a day before the window's first order still name its products.
  const since = new Date(addDuration(scope.now, args.within, -1).getTime() - CART_ATTRIBUTION_MS);
  const events = await loadCustomerEvents(executor, scope, ORDER_FACT_EVENTS, since);
  return summarizeOrders(events, scope.now, args);
}
