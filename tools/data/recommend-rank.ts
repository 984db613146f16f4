import type { ToolArgs } from "../../journeys/format/tool-args.ts";
import type {
  ProductInteraction,
  RecommendationReason,
  RecommendedProduct,
  RecommendResult,
} from "./event-facts.ts";
import { INTERACTION_WEIGHT } from "./event-facts.ts";

/**
 * The part of catalog.recommend that does not depend on where the data lives: which products a
 * recommendation starts from, which it must leave out, and how the candidate tiers become one list.
 * The database adapter finds candidates with SQL over the whole workspace; the simulator finds them
 * in the scenario's events; both end here.
 */

/** Interest older than this does not seed a recommendation. */
export const SEED_WINDOW_MS = 30 * 86_400_000;
/** Seeds used at most (the most recent distinct products). */
export const MAX_SEEDS = 10;
/** Workspace interactions older than this do not count towards co-interest or popularity. */
export const POPULARITY_WINDOW_DAYS = 90;

export interface ProductDetails {
  name: string | null;
  category: string | null;
  price: number | null;
}

export interface Candidate {
  productId: string;
  score: number;
  reason: RecommendationReason;
}

export interface RecommendationPlan {
  /** products to find co-interest around, most recent first */
  seeds: string[];
  /** categories popular_in_category draws from */
  categories: string[];
  /** when set, every recommended product must be of this category */
  categoryFilter: string | null;
  /** popular products of any category may fill the list */
  allowGeneralPopular: boolean;
}

const sameCategory = (a: string | null | undefined, b: string | null | undefined) =>
  typeof a === "string" && typeof b === "string" && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Seeds: `args.product_id`, or what the customer viewed, added or bought in the last 30 days.
 * Category: `args.category`, else the category of `args.product_id` (an alternative to a product is
 * one of its kind), else none (popular products of the seeds' categories come first, then any).
 */
export function planRecommendation(
  own: readonly ProductInteraction[],
  args: ToolArgs<"catalog.recommend">,
  now: Date,
  lookupCategory: (productId: string) => string | null,
): RecommendationPlan {
  if (args.product_id) {
    const category = args.category ?? lookupCategory(args.product_id);
    return {
      seeds: [args.product_id],
      categories: category ? [category] : [],
      categoryFilter: category,
      allowGeneralPopular: category === null,
    };
  }
  const recent = own
    .filter(
      (item) => now.getTime() - item.at.getTime() <= SEED_WINDOW_MS && item.at.getTime() <= now.getTime(),
    )
    .sort((a, b) => b.at.getTime() - a.at.getTime());
  const seeds = [...new Set(recent.map((item) => item.productId))].slice(0, MAX_SEEDS);
  if (args.category) {
    return { seeds, categories: [args.category], categoryFilter: args.category, allowGeneralPopular: false };
  }
  const categories = [
    ...new Set(
      recent.map((item) => item.category).filter((category): category is string => category !== null),
    ),
  ].slice(0, 3);
  return { seeds, categories, categoryFilter: null, allowGeneralPopular: true };
}

/** Returned products always; bought ones unless exclude_purchased is false; and the product asked about. */
export function excludedProducts(
  owned: { purchased: Set<string>; returned: Set<string> },
  args: ToolArgs<"catalog.recommend">,
): Set<string> {
  const excluded = new Set(owned.returned);
  if (args.exclude_purchased) for (const id of owned.purchased) excluded.add(id);
  if (args.product_id) excluded.add(args.product_id);
  return excluded;
}

/** Tiers in order (co-interest, popular in category, popular), each best first, become one deduplicated list. */
export function assembleRecommendations(input: {
  tiers: readonly (readonly Candidate[])[];
  details: ReadonlyMap<string, ProductDetails>;
  exclude: ReadonlySet<string>;
  plan: RecommendationPlan;
  limit: number;
}): RecommendResult {
  const chosen: RecommendedProduct[] = [];
  const seen = new Set<string>();
  for (const tier of input.tiers) {
    for (const candidate of tier) {
      if (chosen.length >= input.limit) break;
      if (seen.has(candidate.productId) || input.exclude.has(candidate.productId)) continue;
      const details = input.details.get(candidate.productId);
      if (input.plan.categoryFilter && !sameCategory(details?.category, input.plan.categoryFilter)) continue;
      seen.add(candidate.productId);
      chosen.push({
        product_id: candidate.productId,
        name: details?.name ?? null,
        category: details?.category ?? null,
        price: details?.price ?? null,
        reason: candidate.reason,
        score: Math.round(candidate.score * 100) / 100,
      });
    }
  }
  return {
    count: chosen.length,
    products: chosen,
    based_on: input.plan.seeds,
    category: input.plan.categoryFilter,
  };
}

/**
 * Popularity over a set of interactions: per product, the sum over customers of each customer's
 * strongest interaction with it (so one customer viewing a page 40 times counts once).
 */
export function popularity(
  interactions: ReadonlyArray<{
    customer: string | number;
    productId: string;
    kind: ProductInteraction["kind"];
  }>,
): Map<string, number> {
  const strongest = new Map<string, number>();
  for (const item of interactions) {
    const key = `${item.customer}\u0000${item.productId}`;
    strongest.set(key, Math.max(strongest.get(key) ?? 0, INTERACTION_WEIGHT[item.kind]));
  }
  const scores = new Map<string, number>();
  for (const [key, weight] of strongest) {
    const productId = key.slice(key.indexOf("\u0000") + 1);
    scores.set(productId, (scores.get(productId) ?? 0) + weight);
  }
  return scores;
}

export function rankedCandidates(
  scores: ReadonlyMap<string, number>,
  reason: RecommendationReason,
): Candidate[] {
  return [...scores.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([productId, score]) => ({ productId, score, reason }));
}

export function inCategory(category: string | null, categories: readonly string[]): boolean {
  return categories.some((wanted) => sameCategory(category, wanted));
}
