import type { Condition, ConditionValue } from "../../../journeys/format/condition.ts";
import { parseDuration } from "../../../journeys/format/duration.ts";
import type { JourneyNode, Offer, Trigger } from "../../../journeys/format/schema.ts";

/**
 * Journey parts in plain language, for the canvas, its text alternative and the reviewer's view.
 * Short phrases, not full prose: the designer's explanation is the prose.
 */

const UNITS: Array<[number, string]> = [
  [7 * 86_400_000, "week"],
  [86_400_000, "day"],
  [3_600_000, "hour"],
  [60_000, "minute"],
  [1000, "second"],
];

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? "" : "s"}`;

/** `PT1H` → "1 hour", `P1DT12H` → "1 day 12 hours", `-P3D` → "-3 days". */
export function humanDuration(text: string): string {
  const parsed = parseDuration(text);
  if (!parsed) return text;
  const parts: string[] = [];
  if (parsed.years) parts.push(plural(parsed.years, "year"));
  if (parsed.months) parts.push(plural(parsed.months, "month"));
  let rest = parsed.fixedMs;
  for (const [size, unit] of UNITS) {
    // weeks only when the whole remainder is weeks: "10 days" reads better than "1 week 3 days"
    if (unit === "week" && rest % size !== 0) continue;
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(plural(count, unit));
      rest -= count * size;
    }
  }
  const text2 = parts.length > 0 ? parts.join(" ") : "0 seconds";
  return parsed.sign === -1 ? `-${text2}` : text2;
}

export function describeOffer(offer: Offer): string {
  const code = offer.code ? ` (code ${offer.code})` : "";
  switch (offer.kind) {
    case "percent_off":
      return `${offer.value}% off${code}`;
    case "amount_off":
      return `${offer.currency ? `${offer.currency} ` : ""}${offer.value} off${code}`;
    case "free_shipping":
      return `free shipping${code}`;
  }
}

const OPS: Record<string, string> = {
  eq: "=",
  neq: "≠",
  gt: ">",
  gte: "≥",
  lt: "<",
  lte: "≤",
  in: "is one of",
  not_in: "is not one of",
  contains: "contains",
  not_contains: "does not contain",
  starts_with: "starts with",
  exists: "is set",
  not_exists: "is not set",
};

function describeValue(value: ConditionValue | undefined): string {
  if (value === undefined) return "";
  if (value === null) return "empty";
  if (Array.isArray(value)) return value.map((item) => describeValue(item)).join(", ");
  if (typeof value === "object") return value.ref;
  if (typeof value === "string") return `"${value}"`;
  return String(value);
}

/** `{ all: [...] }` → "traits.tier = "vip" and performed Order Completed within 7 days". */
export function describeCondition(condition: Condition): string {
  if ("all" in condition) return condition.all.map((part) => wrap(part, "and")).join(" and ");
  if ("any" in condition) return condition.any.map((part) => wrap(part, "or")).join(" or ");
  if ("not" in condition) return `not (${describeCondition(condition.not)})`;
  if ("performed" in condition) {
    const count =
      condition.min_count && condition.min_count > 1 ? ` at least ${condition.min_count} times` : "";
    const window =
      condition.since === "entry"
        ? " since entry"
        : condition.within
          ? ` within ${humanDuration(condition.within)}`
          : "";
    const where = condition.where ? ` where ${describeCondition(condition.where)}` : "";
    return `performed ${condition.performed}${count}${window}${where}`;
  }
  const subject = condition.transform ? `${condition.transform}(${condition.field})` : condition.field;
  const op = OPS[condition.op] ?? condition.op;
  const value = describeValue(condition.value);
  return value ? `${subject} ${op} ${value}` : `${subject} ${op}`;
}

function wrap(condition: Condition, joiner: "and" | "or"): string {
  const text = describeCondition(condition);
  const nested = ("all" in condition && joiner === "or") || ("any" in condition && joiner === "and");
  return nested ? `(${text})` : text;
}

export function describeTrigger(trigger: Trigger): string {
  switch (trigger.type) {
    case "event": {
      const also = (trigger.also ?? []).map((match) => match.event);
      const events = [trigger.event, ...also].join(" or ");
      return trigger.condition ? `${events} where ${describeCondition(trigger.condition)}` : events;
    }
    case "trait_changed":
      return trigger.condition
        ? `trait ${trigger.trait} changes so that ${describeCondition(trigger.condition)}`
        : `trait ${trigger.trait} changes`;
    case "segment_entered":
      return `entering segment ${trigger.segment}`;
    case "schedule":
      return `schedule ${trigger.cron}${trigger.timezone ? ` (${trigger.timezone})` : ""}`;
    case "api":
      return "an API call enters the customer";
  }
}

export const NODE_KIND_LABELS: Record<JourneyNode["type"] | "trigger", string> = {
  trigger: "Trigger",
  wait: "Wait",
  wait_for_event: "Wait for event",
  branch: "Branch",
  split: "Split",
  send: "Send",
  handoff: "Hand-off",
  tool: "Tool",
  update_profile: "Update profile",
  agent: "Next best action",
  exit: "Exit",
};

export interface NodeDescription {
  /** short badge text: "EMAIL", "WAIT", … */
  badge: string;
  title: string;
  details: string[];
}

function sendSummary(node: Extract<JourneyNode, { type: "send" }>): string[] {
  const details: string[] = [];
  if (node.content?.subject) details.push(`Subject: ${node.content.subject}`);
  else if (node.content?.title) details.push(`Title: ${node.content.title}`);
  else if (node.content?.body) details.push(`“${truncate(node.content.body, 60)}”`);
  if (node.template) details.push(`Template ${node.template}`);
  if (node.offer) details.push(`Offer: ${describeOffer(node.offer)}`);
  if (node.category) details.push(node.category === "transactional" ? "Transactional" : "Promotional");
  if (node.ai_generated) details.push("AI-written content");
  return details;
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function describeNode(node: JourneyNode): NodeDescription {
  const title = (fallback: string) => node.label ?? fallback;
  switch (node.type) {
    case "wait": {
      let what = "Wait";
      if (node.duration) what = `Wait ${humanDuration(node.duration)}`;
      else if (node.until_time) what = `Wait until ${node.until_time} local time`;
      else if (node.until) {
        const offset = node.until.offset ? ` ${humanDuration(node.until.offset)}` : "";
        what = `Wait until ${node.until.field}${offset}`;
      }
      return { badge: "WAIT", title: title(what), details: node.label ? [what] : [] };
    }
    case "wait_for_event": {
      const what = `Wait up to ${humanDuration(node.timeout)} for ${node.event}`;
      const details = node.label ? [what] : [];
      if (node.condition) details.push(`where ${describeCondition(node.condition)}`);
      return { badge: "WAIT FOR", title: title(what), details };
    }
    case "branch":
      return {
        badge: "BRANCH",
        title: title("Branch"),
        details: node.branches.map(
          (branch, index) =>
            `${branch.name ?? `Path ${index + 1}`}: ${truncate(describeCondition(branch.condition), 80)}`,
        ),
      };
    case "split":
      return {
        badge: "SPLIT",
        title: title("A/B split"),
        details: [
          node.variants
            .map((variant) => `${variant.name} ${variant.weight}%${variant.holdout ? " (holdout)" : ""}`)
            .join(" · "),
        ],
      };
    case "send":
      return {
        badge: node.channel.toUpperCase().replace("_", "-"),
        title: title(`Send ${node.channel.replace("_", "-")}`),
        details: sendSummary(node),
      };
    case "handoff":
      return {
        badge: "HAND-OFF",
        title: title(`Hand off to ${node.queue}`),
        details: [`Queue ${node.queue}, ${node.priority} priority`, truncate(node.instructions, 90)],
      };
    case "tool":
      return {
        badge: "TOOL",
        title: title(`Call ${node.tool}`),
        details: node.save_as ? [`Saves the result as vars.${node.save_as}`] : [],
      };
    case "update_profile": {
      const details: string[] = [];
      if (node.set) details.push(`Set ${Object.keys(node.set).join(", ")}`);
      if (node.increment) details.push(`Increment ${Object.keys(node.increment).join(", ")}`);
      if (node.unset) details.push(`Unset ${node.unset.join(", ")}`);
      return { badge: "PROFILE", title: title("Update profile"), details };
    }
    case "agent":
      return {
        badge: "AGENT",
        title: title("Next best action"),
        details: [
          truncate(node.objective, 90),
          `Chooses from: ${node.actions.map((action) => action.id).join(", ")}`,
        ],
      };
    case "exit":
      return { badge: "EXIT", title: title("Exit"), details: node.reason ? [node.reason] : [] };
  }
}

export type EdgeKind = "next" | "skip" | "error" | "event" | "timeout" | "branch" | "otherwise" | "variant";

/** The label and kind of each way out of a node (the keys of `nodeExits`). */
export function describeExit(node: JourneyNode, key: string): { label: string | null; kind: EdgeKind } {
  if (key === "next") return { label: null, kind: "next" };
  if (key === "on_skip") return { label: "if held or denied", kind: "skip" };
  if (key === "on_error") return { label: "on error", kind: "error" };
  if (key === "otherwise") return { label: "otherwise", kind: "otherwise" };
  if (node.type === "wait_for_event") {
    if (key === "on_event") return { label: node.event, kind: "event" };
    if (key === "on_timeout") return { label: `after ${humanDuration(node.timeout)}`, kind: "timeout" };
  }
  const branch = /^branches\[(\d+)\]\.next$/.exec(key);
  if (branch && node.type === "branch") {
    const index = Number(branch[1]);
    const entry = node.branches[index];
    return {
      label: entry?.name ?? (entry ? truncate(describeCondition(entry.condition), 40) : `path ${index + 1}`),
      kind: "branch",
    };
  }
  const variant = /^variants\[(\d+)\]\.next$/.exec(key);
  if (variant && node.type === "split") {
    const entry = node.variants[Number(variant[1])];
    return {
      label: entry ? `${entry.name} ${entry.weight}%${entry.holdout ? " holdout" : ""}` : null,
      kind: "variant",
    };
  }
  return { label: key, kind: "next" };
}
