import { durationMs } from "../journeys/format/duration.ts";
import type { Journey, JourneyNode } from "../journeys/format/schema.ts";
import { nodeExits } from "../journeys/format/schema.ts";
import { parseTimeOfDay } from "../journeys/format/zoned-time.ts";

/**
 * Static timing of a journey for lint: every path from `start`, and for each node on it
 *   - the range [lo, hi] of time since the trigger at which a customer can arrive there, and
 *   - the "anchor" that fixes its local time of day: the trigger (or a later customer event),
 *     whose hour follows the typical distribution of event hours, plus an exact offset; or a
 *     wall-clock time set by a `wait until_time` (or a daily cron trigger), plus an exact offset.
 * A wait until a date field makes the time of day unknown. Paths stop at cycles; enumeration is
 * capped so a pathological graph cannot stall lint.
 */
export type Anchor =
  | { kind: "event"; sinceMs: number }
  | { kind: "clock"; minuteOfDay: number; sinceMs: number }
  | { kind: "unknown" };

export interface Visit {
  node: JourneyNode;
  index: number;
  loMs: number;
  hiMs: number;
  anchor: Anchor;
  /** the last wait before this node on the path (where its timing was decided) */
  lastWait?: { node: JourneyNode; index: number } | undefined;
}

const MAX_VISITS = 5000;
const DAY_MS = 86_400_000;

export function enumeratePaths(journey: Journey): Visit[][] {
  const byId = new Map(journey.nodes.map((node, index) => [node.id, { node, index }]));
  const paths: Visit[][] = [];
  let budget = MAX_VISITS;
  const walk = (id: string, state: Omit<Visit, "node" | "index">, path: Visit[]) => {
    const entry = byId.get(id);
    if (!entry || budget-- <= 0 || path.some((visit) => visit.node.id === id)) {
      paths.push(path);
      return;
    }
    const visit: Visit = { ...state, node: entry.node, index: entry.index };
    const next = [...path, visit];
    const exits = successors(entry.node, visit);
    if (exits.length === 0) {
      paths.push(next);
      return;
    }
    for (const exit of exits) walk(exit.target, exit.state, next);
  };
  walk(journey.start, { loMs: 0, hiMs: 0, anchor: triggerAnchor(journey) }, []);
  return paths;
}

/** A daily cron ("M H * * *") fixes the clock; anything else starts at a customer's event. */
function triggerAnchor(journey: Journey): Anchor {
  if (journey.trigger.type === "schedule") {
    const [minute, hour, dayOfMonth, month] = journey.trigger.cron.trim().split(/\s+/);
    if (/^\d+$/.test(minute ?? "") && /^\d+$/.test(hour ?? "") && dayOfMonth && month) {
      return { kind: "clock", minuteOfDay: Number(hour) * 60 + Number(minute), sinceMs: 0 };
    }
    return { kind: "unknown" };
  }
  return { kind: "event", sinceMs: 0 };
}

function advance(anchor: Anchor, ms: number): Anchor {
  return anchor.kind === "unknown" ? anchor : { ...anchor, sinceMs: anchor.sinceMs + ms };
}

type Step = { target: string; state: Omit<Visit, "node" | "index"> };

function successors(node: JourneyNode, at: Visit): Step[] {
  const here = { node, index: at.index };
  const base = { loMs: at.loMs, hiMs: at.hiMs, anchor: at.anchor, lastWait: at.lastWait };
  switch (node.type) {
    case "wait": {
      if (node.duration) {
        const ms = durationMs(node.duration);
        return [
          {
            target: node.next,
            state: { loMs: at.loMs + ms, hiMs: at.hiMs + ms, anchor: advance(at.anchor, ms), lastWait: here },
          },
        ];
      }
      if (node.until_time) {
        const minuteOfDay = parseTimeOfDay(node.until_time) ?? 0;
        return [
          {
            target: node.next,
            state: {
              loMs: at.loMs,
              hiMs: at.hiMs + DAY_MS,
              anchor: { kind: "clock", minuteOfDay, sinceMs: 0 },
              lastWait: here,
            },
          },
        ];
      }
      return [
        {
          target: node.next,
          state: {
            loMs: at.loMs,
            hiMs: Number.POSITIVE_INFINITY,
            anchor: { kind: "unknown" },
            lastWait: here,
          },
        },
      ];
    }
    case "wait_for_event": {
      const timeout = durationMs(node.timeout);
      return [
        // the customer acted: their local time follows the event-hour distribution again
        {
          target: node.on_event,
          state: {
            loMs: at.loMs,
            hiMs: at.hiMs + timeout,
            anchor: { kind: "event", sinceMs: 0 },
            lastWait: here,
          },
        },
        {
          target: node.on_timeout,
          state: {
            loMs: at.loMs + timeout,
            hiMs: at.hiMs + timeout,
            anchor: advance(at.anchor, timeout),
            lastWait: here,
          },
        },
      ];
    }
    default: {
      // Denied actions take on_skip; both continue at the same moment.
      const targets = [...new Set(nodeExits(node).map((exit) => exit.target))];
      return targets.map((target) => ({ target, state: base }));
    }
  }
}

/**
 * Relative share of customer events per local hour, 0–23: quiet at night, rising through the
 * morning, flat through the working day, peaking in the evening. An assumption, not data: it is
 * the usual shape of consumer app and web-shop traffic, and a workspace can replace it
 * (`lint.event_hour_weights`) with its own.
 */
export const DEFAULT_EVENT_HOUR_WEIGHTS: readonly number[] = [
  1.2, 0.7, 0.4, 0.3, 0.3, 0.5, 1.2, 2.4, 3.4, 4, 4.3, 4.5, 4.7, 4.5, 4.3, 4.3, 4.5, 4.8, 5.2, 5.6, 5.7, 5.2,
  3.8, 2.2,
];

/**
 * The share of customers for whom a step at this anchor falls inside the quiet window
 * (`inWindow(minuteOfDay)`), or null when the time of day is unknown. Event anchors spread the
 * trigger over each hour in 5-minute steps, weighted by `weights`.
 */
export function quietShare(
  anchor: Anchor,
  inWindow: (minuteOfDay: number) => boolean,
  weights: readonly number[] = DEFAULT_EVENT_HOUR_WEIGHTS,
): number | null {
  if (anchor.kind === "unknown") return null;
  const offsetMinutes = Math.round(anchor.sinceMs / 60_000);
  const at = (minute: number) => (((minute + offsetMinutes) % 1440) + 1440) % 1440;
  if (anchor.kind === "clock") return inWindow(at(anchor.minuteOfDay)) ? 1 : 0;
  let total = 0;
  let quiet = 0;
  for (let hour = 0; hour < 24; hour++) {
    const weight = weights[hour] ?? 0;
    for (let minute = 0; minute < 60; minute += 5) {
      total += weight;
      if (inWindow(at(hour * 60 + minute))) quiet += weight;
    }
  }
  return total === 0 ? null : quiet / total;
}
