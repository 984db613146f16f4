import { addDuration } from "../format/duration.ts";
import { isValidTimeZone } from "../format/zoned-time.ts";
import type { RuntimeEvent } from "../runtime/types.ts";
import { JOURNEY_COUNTER_NODE } from "../runtime/types.ts";
import type { SimulationOptions } from "./simulate.ts";
import { catalogOf, createWorld, prepareJourney, resultOf } from "./simulate.ts";

/**
 * The population variant, for the designer agent: replay many customers' real event histories
 * through one journey and count what would happen ("of 500 customers, 61 would enter; 48 get the
 * SMS; 3 are held by quiet hours"). Each customer runs in its own isolated world.
 */

export interface PopulationEvent {
  type?: "track" | "identify" | "page" | "screen" | undefined;
  name?: string | null | undefined;
  properties?: Record<string, unknown> | undefined;
  /** identify: the traits it set */
  traits?: Record<string, unknown> | undefined;
  timestamp: Date | string;
}

export interface PopulationCustomer {
  userId?: string | null | undefined;
  traits: Record<string, unknown>;
  consent: Record<string, boolean>;
  events: readonly PopulationEvent[];
}

export interface PopulationOptions extends SimulationOptions {
  /** replay events from here on (earlier ones are history conditions can look back on); default: each customer's first event */
  from?: Date | undefined;
  /** stop here; default: the last event plus `horizon` */
  to?: Date | undefined;
  /** how long to keep running after a customer's last event (default P7D) */
  horizon?: string | undefined;
}

export interface PopulationSummary {
  customers: number;
  /** customers who entered at least once */
  entered: number;
  /** entries in total (re-entry may count a customer twice) */
  entries: number;
  /** per node: customers whose visit reached it */
  reached: Record<string, number>;
  /** per channel: actions that would be sent */
  sent: Record<string, number>;
  /** per policy: actions a policy deferred at least once (e.g. quiet_hours) */
  held: Record<string, number>;
  /** per policy: actions a policy denied (e.g. consent) */
  denied: Record<string, number>;
  /** actions that would wait for a person */
  review: number;
  converted: number;
  completed: number;
  exited: number;
  /** customers whose histories could not be simulated, with why */
  errors: Array<{ customer: number; message: string }>;
}

function toRuntimeEvent(event: PopulationEvent, profileId: number): RuntimeEvent | null {
  const timestamp = event.timestamp instanceof Date ? event.timestamp : new Date(event.timestamp);
  if (Number.isNaN(timestamp.getTime())) return null;
  const type = event.type ?? (event.traits && !event.name ? "identify" : "track");
  if (type === "identify") {
    return { profileId, name: null, type, properties: {}, timestamp, traitsAfter: event.traits ?? {} };
  }
  if (!event.name) return null;
  return { profileId, name: event.name, type, properties: event.properties ?? {}, timestamp };
}

const bump = (record: Record<string, number>, key: string, by = 1) => {
  record[key] = (record[key] ?? 0) + by;
};

export async function simulatePopulation(
  journey: unknown,
  customers: readonly PopulationCustomer[],
  options: PopulationOptions = {},
): Promise<PopulationSummary> {
  const compiled = prepareJourney(journey);
  const catalog = catalogOf(options.catalog);
  const fallback = options.timezone ?? catalog.timezone_default ?? "UTC";
  const workspaceZone = isValidTimeZone(fallback) ? fallback : "UTC";
  const horizon = options.horizon ?? "P7D";
  const summary: PopulationSummary = {
    customers: customers.length,
    entered: 0,
    entries: 0,
    reached: {},
    sent: {},
    held: {},
    denied: {},
    review: 0,
    converted: 0,
    completed: 0,
    exited: 0,
    errors: [],
  };
  for (const [index, customer] of customers.entries()) {
    const events = customer.events
      .map((event) => toRuntimeEvent(event, 1))
      .filter((event): event is RuntimeEvent => event !== null)
      .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    if (events.length === 0 && !options.from) continue;
    const from = options.from ?? events[0]!.timestamp;
    const prior = events.filter((event) => event.timestamp < from && event.name !== null);
    const replay = events.filter((event) => event.timestamp >= from);
    const last = replay[replay.length - 1]?.timestamp ?? from;
    const to = options.to ?? addDuration(last, horizon);
    try {
      const world = createWorld(
        compiled,
        {
          userId: customer.userId ?? `customer-${index + 1}`,
          traits: customer.traits,
          consent: customer.consent,
        },
        from,
        options,
        workspaceZone,
        prior,
      );
      await world.run(replay, to);
      const result = resultOf(world, from, to, workspaceZone);
      const entries = result.counters[JOURNEY_COUNTER_NODE]?.entered ?? 0;
      if (entries > 0) summary.entered++;
      summary.entries += entries;
      const reachedNodes = new Set<string>();
      for (const [nodeId, metrics] of Object.entries(result.counters)) {
        if (nodeId !== JOURNEY_COUNTER_NODE && (metrics.entered ?? 0) > 0) reachedNodes.add(nodeId);
      }
      for (const nodeId of reachedNodes) bump(summary.reached, nodeId);
      for (const action of result.actions) {
        if (action.status === "sent") bump(summary.sent, action.channel);
        if (action.status === "review") summary.review++;
        const deferredBy = new Set(
          action.verdicts.filter((verdict) => verdict.verdict === "defer").map((verdict) => verdict.policy),
        );
        for (const policy of deferredBy) bump(summary.held, policy);
        if (action.status === "denied") {
          const deciding = action.verdicts.filter((verdict) => verdict.verdict === "deny").at(-1);
          bump(summary.denied, deciding?.policy ?? "unknown");
        }
      }
      const journeyCounts = result.counters[JOURNEY_COUNTER_NODE] ?? {};
      summary.converted += journeyCounts.converted ?? 0;
      summary.completed += journeyCounts.completed ?? 0;
      summary.exited += journeyCounts.exited ?? 0;
    } catch (error) {
      summary.errors.push({ customer: index, message: (error as Error).message });
    }
  }
  return summary;
}
