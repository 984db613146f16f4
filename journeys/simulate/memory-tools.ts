import type { RecommendResult } from "../../tools/data/event-facts.ts";
import {
  openTickets,
  ownedProducts,
  productInteractions,
  profileView,
  summarizeOrders,
} from "../../tools/data/event-facts.ts";
import type { Candidate, ProductDetails } from "../../tools/data/recommend-rank.ts";
import {
  assembleRecommendations,
  excludedProducts,
  inCategory,
  POPULARITY_WINDOW_DAYS,
  planRecommendation,
  popularity,
  rankedCandidates,
} from "../../tools/data/recommend-rank.ts";
import type { EventRecord } from "../format/evaluate.ts";
import type { ToolArgs } from "../format/tool-args.ts";
import { DATA_TOOL_NAMES, isDataToolName, parseToolArgs } from "../format/tool-args.ts";
import type { DataTools, ToolResult } from "../runtime/data-tools.ts";
import type { CustomerSnapshot } from "../runtime/types.ts";

/**
 * Data tools over the simulated customer, with the same arguments (tools/data/tool-args.ts) and
 * the same result shapes as the database adapters, computed by the same functions
 * (tools/data/event-facts.ts) over the scenario's profile and events. Deterministic by construction.
 *
 * Where the simulator cannot know the answer it stands in for a stocked workspace:
 * catalog.recommend has no other customers, so after the customer's own viewed products it fills the
 * list with placeholder products (`sim-…`), so a journey that branches on `count` takes the path it
 * would take in a real shop; memory.search finds nothing.
 */
export function memoryDataTools(
  customer: () => CustomerSnapshot,
  history: () => readonly EventRecord[],
  now: () => Date = () => new Date(),
  segments: () => readonly string[] = () => [],
): DataTools {
  return {
    async call(call): Promise<ToolResult> {
      if (!isDataToolName(call.tool)) {
        return {
          ok: false,
          error: `tool "${call.tool}" is not a data tool (data tools: ${DATA_TOOL_NAMES.join(", ")})`,
        };
      }
      const at = now();
      const past = history().filter((event) => event.timestamp.getTime() <= at.getTime());
      switch (call.tool) {
        case "profiles.get": {
          const parsed = parseToolArgs(call.tool, call.args);
          if (!parsed.ok) return parsed;
          return { ok: true, value: profileView(customer(), segments()) };
        }
        case "orders.recent": {
          const parsed = parseToolArgs(call.tool, call.args);
          if (!parsed.ok) return parsed;
          return { ok: true, value: summarizeOrders(past, at, parsed.args) };
        }
        case "tickets.open": {
          const parsed = parseToolArgs(call.tool, call.args);
          if (!parsed.ok) return parsed;
          return { ok: true, value: openTickets(past, customer().traits, at, parsed.args) };
        }
        case "catalog.recommend": {
          const parsed = parseToolArgs(call.tool, call.args);
          if (!parsed.ok) return parsed;
          return { ok: true, value: recommendFromHistory(past, at, parsed.args) };
        }
        case "memory.search": {
          const parsed = parseToolArgs(call.tool, call.args);
          if (!parsed.ok) return parsed;
          return { ok: true, value: { count: 0, items: [] } };
        }
      }
    },
  };
}

/** catalog.recommend in a world of one customer: their own interest ranks first, placeholders fill. */
export function recommendFromHistory(
  events: readonly EventRecord[],
  now: Date,
  args: ToolArgs<"catalog.recommend">,
): RecommendResult {
  const own = productInteractions(events);
  const plan = planRecommendation(
    own,
    args,
    now,
    (productId) => own.find((item) => item.productId === productId && item.category)?.category ?? null,
  );
  const since = now.getTime() - POPULARITY_WINDOW_DAYS * 86_400_000;
  const window = own.filter((item) => item.at.getTime() >= since);
  // Like the database adapter: details from the latest view or ordered line, and a product is in a
  // category when any of its lines in the window says so.
  const details = new Map<string, ProductDetails>();
  for (const item of [...own].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (item.kind !== "add")
      details.set(item.productId, { name: item.name, category: item.category, price: item.price });
  }
  const scored = (items: typeof window) =>
    popularity(items.map((item) => ({ customer: 0, productId: item.productId, kind: item.kind })));
  const tiers: Candidate[][] = [];
  if (plan.categories.length > 0) {
    const wanted = new Set(
      window.filter((item) => inCategory(item.category, plan.categories)).map((item) => item.productId),
    );
    tiers.push(
      rankedCandidates(scored(window.filter((item) => wanted.has(item.productId))), "popular_in_category"),
    );
  }
  if (plan.allowGeneralPopular) tiers.push(rankedCandidates(scored(window), "popular"));
  const result = assembleRecommendations({
    tiers,
    details,
    exclude: excludedProducts(ownedProducts(events), args),
    plan,
    limit: args.limit,
  });
  const label = plan.categoryFilter ?? "popular";
  for (let index = 1; result.products.length < args.limit; index++) {
    result.products.push({
      product_id: `sim-${label}-${index}`,
      name: `Placeholder ${label} product ${index}`,
      category: plan.categoryFilter,
      price: null,
      reason: plan.categoryFilter ? "popular_in_category" : "popular",
      score: 0,
    });
  }
  result.count = result.products.length;
  return result;
}
