import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { ToolArgs } from "../../journeys/format/tool-args.ts";
import { RETURN_EVENTS } from "../../policies/gateway.ts";
import type { CustomerScope } from "./customer-events.ts";
import { daysBefore, loadCustomerEvents } from "./customer-events.ts";
import type { RecommendResult } from "./event-facts.ts";
import {
  ORDER_CANCELLED,
  ORDER_COMPLETED,
  ownedProducts,
  PRODUCT_ADDED,
  PRODUCT_VIEWED,
  productInteractions,
} from "./event-facts.ts";
import type { Candidate, ProductDetails } from "./recommend-rank.ts";
import {
  assembleRecommendations,
  excludedProducts,
  POPULARITY_WINDOW_DAYS,
  planRecommendation,
} from "./recommend-rank.ts";

/**
 * catalog.recommend over the workspace's own event data (no product feed needed):
 *   1. co-interest: products that customers who viewed, added or bought the seed products also
 *      viewed (co_viewed) or bought (co_bought), weighted by each peer's strongest interaction;
 *   2. popular_in_category: the most popular products of the seeds' (or the asked) category;
 *   3. popular: the most popular products of any category, to fill the list.
 * Popularity and co-interest look at the last 90 days. What the customer is returning is never
 * recommended, and what they bought only when `exclude_purchased` is false.
 * Purchases count from `products[]` of Order Completed (Segment e-commerce spec); orders without it
 * still count through their cart adds (Product Added, weight 2).
 */

/** The customer's own history read for seeds and exclusions. */
const OWN_HISTORY_DAYS = 365;
/** Peers looked at for co-interest, and candidates kept per tier. */
const MAX_PEERS = 200;
const MAX_CANDIDATES = 60;

const textList = (values: readonly string[]) =>
  sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  );

const PRICE = (json: SQL) =>
  sql`case when jsonb_typeof(${json}->'price') = 'number' then (${json}->>'price')::float8 end`;

/**
 * Every product line of the workspace up to `now` (the same lines as `productInteractions`): views
 * (weight 1), cart adds (2), and ordered products (3) from an order's `products[]` or its own
 * `product_id`, each with the name, category and price it states.
 */
function linesSql(
  workspaceId: string,
  since: Date | null,
  now: Date,
  filter: { productIds?: readonly string[]; profiles?: SQL } = {},
): SQL {
  const { productIds } = filter;
  // a subquery of profile ids: lets the planner use events_profile_time_idx instead of a window scan
  const who = filter.profiles ? sql`and e.profile_id in (${filter.profiles})` : sql``;
  const window = sql`${since ? sql`and e.timestamp >= ${since.toISOString()}::timestamptz` : sql``}
    and e.timestamp <= ${now.toISOString()}::timestamptz`;
  const only = (id: SQL) => (productIds ? sql`and ${id} in (${textList(productIds)})` : sql``);
  return sql`
    select e.profile_id, e.properties->>'product_id' as product_id,
           case when e.name = ${PRODUCT_VIEWED} then 1 else 2 end as weight,
           case when e.name = ${PRODUCT_VIEWED} then e.properties->>'name' end as name,
           case when e.name = ${PRODUCT_VIEWED} then e.properties->>'category' end as category,
           ${PRICE(sql`e.properties`)} as price, e.timestamp
    from events e
    where e.workspace_id = ${workspaceId} and e.name in (${PRODUCT_VIEWED}, ${PRODUCT_ADDED}) ${window} ${who}
      and e.properties ? 'product_id' ${only(sql`e.properties->>'product_id'`)}
    union all
    select e.profile_id, line.item->>'product_id', 3, line.item->>'name', line.item->>'category',
           ${PRICE(sql`line.item`)}, e.timestamp
    from events e
    cross join lateral jsonb_array_elements(
      case when jsonb_typeof(e.properties->'products') = 'array' then e.properties->'products' else '[]'::jsonb end
    ) as line(item)
    where e.workspace_id = ${workspaceId} and e.name = ${ORDER_COMPLETED} ${window} ${who}
      and jsonb_typeof(line.item) = 'object' and line.item ? 'product_id' ${only(sql`line.item->>'product_id'`)}
    union all
    select e.profile_id, e.properties->>'product_id', 3, e.properties->>'name', e.properties->>'category',
           ${PRICE(sql`e.properties`)}, e.timestamp
    from events e
    where e.workspace_id = ${workspaceId} and e.name = ${ORDER_COMPLETED} ${window} ${who}
      and jsonb_typeof(e.properties->'products') is distinct from 'array'
      and e.properties ? 'product_id' ${only(sql`e.properties->>'product_id'`)}`;
}

async function coInterest(
  executor: Executor,
  scope: CustomerScope,
  seeds: readonly string[],
  since: Date,
): Promise<Candidate[]> {
  if (seeds.length === 0) return [];
  const found = await rows<{ product_id: string; score: number; buyers: number }>(
    executor,
    sql`
      with peers as (
        select distinct profile_id
        from (${linesSql(scope.workspaceId, since, scope.now, { productIds: seeds })}) seen
        where profile_id <> ${scope.profileId}
        limit ${MAX_PEERS}
      ),
      strongest as (
        select profile_id, product_id, max(weight) as weight
        from (${linesSql(scope.workspaceId, since, scope.now, { profiles: sql`select profile_id from peers` })}) theirs
        where product_id not in (${textList(seeds)})
        group by profile_id, product_id
      )
      select product_id, sum(weight)::float8 as score, count(*) filter (where weight = 3)::int as buyers
      from strongest group by product_id
      order by score desc, product_id
      limit ${MAX_CANDIDATES}`,
  );
  return found.map((row) => ({
    productId: row.product_id,
    score: Number(row.score),
    reason: Number(row.buyers) > 0 ? "co_bought" : "co_viewed",
  }));
}

async function popular(
  executor: Executor,
  scope: CustomerScope,
  categories: readonly string[] | null,
  since: Date,
  reason: Candidate["reason"],
): Promise<Candidate[]> {
  const lowered = (categories ?? []).map((category) => category.trim().toLowerCase());
  const inCategories = categories
    ? sql`where product_id in (select product_id from inter where lower(category) in (${textList(lowered)}))`
    : sql``;
  const found = await rows<{ product_id: string; score: number }>(
    executor,
    sql`
      with inter as (${linesSql(scope.workspaceId, since, scope.now)}),
      strongest as (
        select profile_id, product_id, max(weight) as weight from inter ${inCategories}
        group by profile_id, product_id
      )
      select product_id, sum(weight)::float8 as score from strongest
      group by product_id order by score desc, product_id
      limit ${MAX_CANDIDATES}`,
  );
  return found.map((row) => ({ productId: row.product_id, score: Number(row.score), reason }));
}

/** Entries live `ttlMs` of the injected clock; the oldest go first beyond `maxEntries`. */
class TtlMap<T> {
  private readonly entries = new Map<string, { at: number; value: T }>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string, now: Date): T | undefined {
    const found = this.entries.get(key);
    if (!found) return undefined;
    const age = now.getTime() - found.at;
    return age >= 0 && age < this.ttlMs ? found.value : undefined;
  }

  set(key: string, value: T, now: Date) {
    this.entries.delete(key);
    this.entries.set(key, { at: now.getTime(), value });
    for (const stale of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(stale);
    }
  }
}

/**
 * What every customer of a workspace asks for alike and what changes slowly: the popular lists per
 * (workspace, categories) and the products' names, categories and prices. Kept per process for
 * `ttlMs` (default 10 minutes) of the injected clock; co-interest, which is per customer, is not.
 */
export class RecommendationCache {
  readonly lists: TtlMap<Candidate[]>;
  readonly details: TtlMap<ProductDetails | null>;
  constructor(ttlMs = 10 * 60_000, maxEntries = 5_000) {
    this.lists = new TtlMap(ttlMs, maxEntries);
    this.details = new TtlMap(ttlMs, maxEntries);
  }
}

/** Name, category and price of products, from their latest view or ordered line (cart adds name none). */
async function productDetails(
  executor: Executor,
  workspaceId: string,
  window: { since: Date | null; now: Date },
  productIds: readonly string[],
  cache?: RecommendationCache,
): Promise<Map<string, ProductDetails>> {
  const details = new Map<string, ProductDetails>();
  const now = window.now;
  const key = (productId: string) => `${workspaceId}\u0000${productId}`;
  const missing: string[] = [];
  for (const productId of productIds) {
    const cached = cache?.details.get(key(productId), now);
    if (cached === undefined) missing.push(productId);
    else if (cached !== null) details.set(productId, cached);
  }
  if (missing.length === 0) return details;
  const found = await rows<{
    product_id: string;
    name: string | null;
    category: string | null;
    price: number | null;
  }>(
    executor,
    sql`
      select distinct on (product_id) product_id, name, category, price
      from (${linesSql(workspaceId, window.since, now, { productIds: missing })}) known
      where weight <> 2
      order by product_id, timestamp desc`,
  );
  for (const row of found) {
    details.set(row.product_id, {
      name: row.name ? row.name.slice(0, 200) : null,
      category: row.category ? row.category.slice(0, 100) : null,
      price: row.price === null ? null : Number(row.price),
    });
  }
  for (const productId of missing) cache?.details.set(key(productId), details.get(productId) ?? null, now);
  return details;
}

export async function recommendProducts(
  executor: Executor,
  scope: CustomerScope,
  args: ToolArgs<"catalog.recommend">,
  cache?: RecommendationCache,
): Promise<RecommendResult> {
  const ownEvents = await loadCustomerEvents(
    executor,
    scope,
    [PRODUCT_VIEWED, PRODUCT_ADDED, ORDER_COMPLETED, ORDER_CANCELLED, ...RETURN_EVENTS],
    daysBefore(scope.now, OWN_HISTORY_DAYS),
  );
  const own = productInteractions(ownEvents);
  const askedAbout = args.product_id
    ? // the product asked about may be older than the window: look back as far as there are events
      await productDetails(executor, scope.workspaceId, { since: null, now: scope.now }, [args.product_id])
    : new Map<string, ProductDetails>();
  const plan = planRecommendation(own, args, scope.now, (productId) => {
    const mine = own.find((item) => item.productId === productId && item.category !== null);
    return mine?.category ?? askedAbout.get(productId)?.category ?? null;
  });
  const since = daysBefore(scope.now, POPULARITY_WINDOW_DAYS);
  const popularFor = async (categories: readonly string[] | null, reason: Candidate["reason"]) => {
    const key = [
      scope.workspaceId,
      reason,
      ...(categories ?? []).map((c) => c.trim().toLowerCase()).sort(),
    ].join("\u0000");
    const cached = cache?.lists.get(key, scope.now);
    if (cached) return cached;
    const loaded = await popular(executor, scope, categories, since, reason);
    cache?.lists.set(key, loaded, scope.now);
    return loaded;
  };
  const tiers: Candidate[][] = [await coInterest(executor, scope, plan.seeds, since)];
  if (plan.categories.length > 0) tiers.push(await popularFor(plan.categories, "popular_in_category"));
  if (plan.allowGeneralPopular) tiers.push(await popularFor(null, "popular"));
  const candidateIds = [...new Set(tiers.flat().map((candidate) => candidate.productId))];
  return assembleRecommendations({
    tiers,
    // every candidate has lines in the window (that is how it became one)
    details: await productDetails(
      executor,
      scope.workspaceId,
      { since, now: scope.now },
      candidateIds,
      cache,
    ),
    exclude: excludedProducts(ownedProducts(ownEvents), args),
    plan,
    limit: args.limit,
  });
}
