import type { Journey, JourneyNode, MessageContent, Offer } from "../journeys/format/schema.ts";
import type { HANDOFF_PRIORITIES } from "./config.ts";
import type { Visit } from "./lint-paths.ts";

/** What lint reports, the customer-facing steps it looks at, and helpers shared by its checks. */
export interface LintWarning {
  path: string;
  code: LintCode;
  message: string;
  severity: "warning";
}

export type LintCode =
  | "consent_fallback"
  | "offer_above_ceiling"
  | "offer_currency"
  | "offer_needs_approval"
  | "quiet_hours_landing"
  | "timezone_unknown"
  | "frequency_cap_path"
  | "suppressed_for_audience"
  | "handoff_instructions"
  | "content_safety"
  | "needs_approval";

/** A customer-facing step: a send node, or a send/hand-off option of an agent node. */
export interface Step {
  node: JourneyNode;
  index: number;
  path: string;
  name: string;
  kind: "send" | "handoff";
  channel: string;
  offer?: Offer | undefined;
  content?: MessageContent | undefined;
  category?: "promotional" | "transactional" | undefined;
  aiGenerated?: boolean | undefined;
  instructions?: string | undefined;
  priority?: (typeof HANDOFF_PRIORITIES)[number] | undefined;
}

export type StepsOf = (visit: Visit) => Step[];

// Lint needs a fixed "now" for conditions; only local.* fields would notice, and lint has no customer.
export const LINT_NOW = new Date("2026-01-05T12:00:00Z");

export class Warnings {
  readonly items: LintWarning[] = [];
  private readonly seen = new Set<string>();
  add(path: string, code: LintCode, message: string) {
    const key = `${code}|${path}|${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({ path, code, message, severity: "warning" });
  }
}

export function customerSteps(journey: Journey): Step[] {
  const steps: Step[] = [];
  for (const [index, node] of journey.nodes.entries()) {
    const base = `$.nodes[${index}]`;
    if (node.type === "send") {
      steps.push({
        node,
        index,
        path: base,
        name: `step "${node.id}"`,
        kind: "send",
        channel: node.channel,
        offer: node.offer,
        content: node.content,
        category: node.category ?? (node.offer ? "promotional" : undefined),
        aiGenerated: node.ai_generated,
      });
    } else if (node.type === "handoff") {
      steps.push({
        node,
        index,
        path: base,
        name: `hand-off "${node.id}"`,
        kind: "handoff",
        channel: "handoff",
        instructions: node.instructions,
        priority: node.priority,
      });
    } else if (node.type === "agent") {
      for (const [optionIndex, option] of node.actions.entries()) {
        const path = `${base}.actions[${optionIndex}]`;
        const name = `option "${option.id}" of agent step "${node.id}"`;
        if (option.kind === "send" && option.channel) {
          const category = option.offer ? "promotional" : undefined;
          steps.push({
            node,
            index,
            path,
            name,
            kind: "send",
            channel: option.channel,
            offer: option.offer,
            content: option.content,
            category,
          });
        } else if (option.kind === "handoff") {
          steps.push({
            node,
            index,
            path,
            name,
            kind: "handoff",
            channel: "handoff",
            instructions: option.instructions,
          });
        }
      }
    }
  }
  return steps;
}

export const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function describeOffset(ms: number): string {
  if (ms === 0) return "right";
  const hours = ms / 3_600_000;
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} days`;
}
