import type { EventRecord } from "../format/evaluate.ts";
import type { DataTools, ToolResult } from "../runtime/data-tools.ts";
import type { CustomerSnapshot } from "../runtime/types.ts";

/**
 * Data tools over the simulated customer: answers derived from the scenario's profile and events, so
 * a journey with `tool` nodes simulates without a database. Deterministic by construction.
 */
export function memoryDataTools(
  customer: () => CustomerSnapshot,
  history: () => readonly EventRecord[],
): DataTools {
  return {
    async call(call): Promise<ToolResult> {
      const limit = typeof call.args.limit === "number" && call.args.limit > 0 ? call.args.limit : 5;
      switch (call.tool) {
        case "profiles.get": {
          const snapshot = customer();
          return { ok: true, value: { user_id: snapshot.userId, traits: snapshot.traits } };
        }
        case "orders.recent": {
          const orders = history()
            .filter((event) => event.name === "Order Completed")
            .slice(-limit)
            .reverse()
            .map((event) => ({ ...event.properties, at: event.timestamp.toISOString() }));
          return { ok: true, value: { orders, count: orders.length } };
        }
        case "tickets.open": {
          const open = Number(customer().traits.open_support_tickets ?? 0);
          return { ok: true, value: { count: Number.isFinite(open) ? open : 0 } };
        }
        case "catalog.recommend": {
          const category = typeof call.args.category === "string" ? call.args.category : "bestsellers";
          const products = Array.from({ length: Math.min(limit, 3) }, (_, index) => ({
            product_id: `sim-${category}-${index + 1}`,
            name: `Recommended ${category} #${index + 1}`,
          }));
          return { ok: true, value: { products } };
        }
        case "memory.search":
          return { ok: true, value: { items: [] } };
        default:
          return { ok: false, error: `tool "${call.tool}" is not available in the simulator` };
      }
    },
  };
}
