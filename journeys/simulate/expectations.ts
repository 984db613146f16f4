import { addDuration, durationMs, formatDuration } from "../format/duration.ts";
import type { Expectation, ExpectedAction } from "./scenario.ts";
import { DEFAULT_CUSTOMER_FACING } from "./scenario.ts";

/**
 * The expectation matcher of ../shared/evals/README.md: the customer-facing actions produced must be
 * exactly the expected ones — same channel, time within tolerance (default the larger of 10 minutes
 * and 2 % of `at`), same offer kind and value when given — no more and no fewer. Pairing is a
 * maximum bipartite matching, so the order of the lists never matters.
 */

/** The fields of a produced action the matcher reads. */
export interface ProducedAction {
  channel: string;
  /** when it was sent (queued for delivery), absolute */
  at: Date;
  offer?: { kind: string; value?: number | undefined } | undefined;
  status: string;
}

export interface ExpectationItemResult {
  expected: ExpectedAction;
  /** index into `produced` of the action it matched, or null */
  matched: number | null;
}

export interface ExpectationReport {
  pass: boolean;
  /** for `anyOf`, the alternative that matched (or came closest) */
  alternative: number | null;
  items: ExpectationItemResult[];
  /** the customer-facing sent actions considered, with offsets from the start */
  produced: Array<{ channel: string; at: string; offset: string; offer?: ProducedAction["offer"] }>;
  /** produced actions no expectation accounts for */
  unexpected: number[];
  /** one line per problem: "missing sms at PT1H", "unexpected email at P2D" */
  problems: string[];
}

const TEN_MINUTES = 10 * 60_000;

export function toleranceMs(expected: ExpectedAction): number {
  if (expected.tolerance) return durationMs(expected.tolerance);
  return Math.max(TEN_MINUTES, 0.02 * durationMs(expected.at));
}

function compatible(expected: ExpectedAction, produced: ProducedAction, start: Date): boolean {
  if (expected.channel !== produced.channel) return false;
  const target = addDuration(start, expected.at).getTime();
  if (Math.abs(produced.at.getTime() - target) > toleranceMs(expected)) return false;
  if (expected.offer) {
    if (!produced.offer || produced.offer.kind !== expected.offer.kind) return false;
    if (expected.offer.value !== undefined && produced.offer.value !== expected.offer.value) return false;
  }
  return true;
}

/** Kuhn's augmenting paths: lists are short (a handful of actions), so this is instant. */
function maximumMatching(edges: boolean[][], producedCount: number): Array<number | null> {
  const owner: Array<number | null> = Array.from({ length: producedCount }, () => null);
  const tryAssign = (item: number, seen: boolean[]): boolean => {
    for (let candidate = 0; candidate < producedCount; candidate++) {
      if (!edges[item]![candidate] || seen[candidate]) continue;
      seen[candidate] = true;
      const current = owner[candidate];
      if (current === null || current === undefined || tryAssign(current, seen)) {
        owner[candidate] = item;
        return true;
      }
    }
    return false;
  };
  for (let item = 0; item < edges.length; item++) tryAssign(item, Array(producedCount).fill(false));
  const assignment: Array<number | null> = Array.from({ length: edges.length }, () => null);
  owner.forEach((item, candidate) => {
    if (item !== null && item !== undefined) assignment[item] = candidate;
  });
  return assignment;
}

function matchList(
  list: readonly ExpectedAction[],
  produced: readonly ProducedAction[],
  start: Date,
): { items: ExpectationItemResult[]; unexpected: number[]; problems: string[] } {
  const edges = list.map((expected) => produced.map((action) => compatible(expected, action, start)));
  const assignment = maximumMatching(edges, produced.length);
  const items = list.map((expected, index) => ({ expected, matched: assignment[index] ?? null }));
  const used = new Set(items.map((item) => item.matched).filter((index): index is number => index !== null));
  const unexpected = produced.map((_, index) => index).filter((index) => !used.has(index));
  const problems: string[] = [];
  for (const item of items) {
    if (item.matched !== null) continue;
    const offer = item.expected.offer
      ? ` with ${item.expected.offer.kind}${item.expected.offer.value !== undefined ? ` ${item.expected.offer.value}` : ""}`
      : "";
    problems.push(`missing ${item.expected.channel} at ${item.expected.at}${offer}`);
  }
  for (const index of unexpected) {
    const action = produced[index]!;
    problems.push(
      `unexpected ${action.channel} at ${formatDuration(action.at.getTime() - start.getTime())}${
        action.offer
          ? ` with ${action.offer.kind}${action.offer.value !== undefined ? ` ${action.offer.value}` : ""}`
          : ""
      }`,
    );
  }
  return { items, unexpected, problems };
}

export function matchExpectations(
  expectation: Expectation,
  actions: readonly ProducedAction[],
  start: Date,
  customerFacing: readonly string[] = DEFAULT_CUSTOMER_FACING,
): ExpectationReport {
  const produced = actions.filter(
    (action) => action.status === "sent" && customerFacing.includes(action.channel),
  );
  const producedView = produced.map((action) => ({
    channel: action.channel,
    at: action.at.toISOString(),
    offset: formatDuration(action.at.getTime() - start.getTime()),
    ...(action.offer ? { offer: action.offer } : {}),
  }));
  const alternatives = Array.isArray(expectation) ? [expectation] : expectation.anyOf;
  let best: (ReturnType<typeof matchList> & { alternative: number }) | null = null;
  for (const [index, list] of alternatives.entries()) {
    const result = { ...matchList(list, produced, start), alternative: index };
    if (result.problems.length === 0) {
      return {
        pass: true,
        alternative: Array.isArray(expectation) ? null : index,
        items: result.items,
        produced: producedView,
        unexpected: [],
        problems: [],
      };
    }
    if (!best || result.problems.length < best.problems.length) best = result;
  }
  const closest = best!;
  return {
    pass: false,
    alternative: Array.isArray(expectation) ? null : closest.alternative,
    items: closest.items,
    produced: producedView,
    unexpected: closest.unexpected,
    problems: closest.problems,
  };
}
