import type { Journey, JourneyNode } from "../../journeys/format/schema.ts";
import type { PopulationSummary } from "../../journeys/simulate/population.ts";
import { describeOffer } from "./conflicts.ts";

/**
 * A population simulation in plain language, for the CX lead and the reviewer:
 * "Of 500 customers (their last 30 days replayed), 61 would enter; 48 reach the SMS; 9 reach the
 * email with 10 % off; 3 are held by quiet hours."
 */

const CHANNEL_NOUNS: Record<string, [string, string]> = {
  email: ["email", "emails"],
  sms: ["SMS", "SMS"],
  push: ["push notification", "push notifications"],
  in_app: ["in-app message", "in-app messages"],
  chat: ["chat message", "chat messages"],
  handoff: ["hand-off", "hand-offs"],
  webhook: ["webhook call", "webhook calls"],
};

const POLICY_NAMES: Record<string, string> = {
  quiet_hours: "quiet hours",
  consent: "consent",
  frequency_cap: "the frequency cap",
  suppression: "suppression rules",
  offer_ceiling: "the offer ceiling",
  content_safety: "content safety",
  approval: "approval rules",
};

function noun(channel: string, count: number): string {
  const [one, many] = CHANNEL_NOUNS[channel] ?? [channel, channel];
  return count === 1 ? one : many;
}

function customers(count: number): string {
  return `${count} customer${count === 1 ? "" : "s"}`;
}

function stepName(node: JourneyNode, siblings: number): string {
  if (node.type === "send") {
    const base = `the ${noun(node.channel, 1)}`;
    const named = siblings > 1 ? `${base} "${node.label ?? node.id}"` : base;
    return node.offer ? `${named} with ${describeOffer(node.offer)}` : named;
  }
  if (node.type === "handoff") return `the hand-off to ${node.queue}`;
  return `"${node.label ?? node.id}"`;
}

export function summarizeSimulation(
  journey: Journey,
  summary: PopulationSummary,
  window: { days: number },
): string[] {
  if (summary.customers === 0) {
    return [
      "No customers with recent activity to simulate yet: the draft was checked but not replayed on real histories.",
    ];
  }
  const sentences: string[] = [];
  const entries =
    summary.entries > summary.entered ? ` (${summary.entries} entries, counting re-entries)` : "";
  sentences.push(
    `Of ${customers(summary.customers)} (their last ${window.days} days replayed), ${summary.entered} would enter${entries}.`,
  );
  const steps = journey.nodes.filter((node) => node.type === "send" || node.type === "handoff");
  const perChannel = new Map<string, number>();
  for (const node of steps) {
    const key = node.type === "send" ? node.channel : "handoff";
    perChannel.set(key, (perChannel.get(key) ?? 0) + 1);
  }
  const reached = steps
    .map((node) => {
      const count = summary.reached[node.id] ?? 0;
      const siblings = perChannel.get(node.type === "send" ? node.channel : "handoff") ?? 1;
      return `${count} reach ${stepName(node, siblings)}`;
    })
    .filter((text) => !text.startsWith("0 "));
  if (reached.length > 0) sentences.push(`${reached.join("; ")}.`);
  const sent = Object.entries(summary.sent)
    .filter(([, count]) => count > 0)
    .map(([channel, count]) => `${count} ${noun(channel, count)}`);
  if (sent.length > 0) sentences.push(`Would be sent: ${sent.join(", ")}.`);
  for (const [policy, count] of Object.entries(summary.held)) {
    if (count > 0)
      sentences.push(
        `${count} ${count === 1 ? "is" : "are"} held by ${POLICY_NAMES[policy] ?? policy} (delivered later).`,
      );
  }
  for (const [policy, count] of Object.entries(summary.denied)) {
    if (count > 0)
      sentences.push(`${count} ${count === 1 ? "is" : "are"} blocked by ${POLICY_NAMES[policy] ?? policy}.`);
  }
  if (summary.review > 0) sentences.push(`${summary.review} would wait for a person to approve them.`);
  if (summary.converted > 0) {
    sentences.push(
      `${customers(summary.converted)} ${summary.converted === 1 ? "reaches" : "reach"} the goal.`,
    );
  }
  if (summary.errors.length > 0) {
    sentences.push(
      `${customers(summary.errors.length)} could not be simulated (${summary.errors[0]!.message}).`,
    );
  }
  return sentences;
}
