import type { JourneyInput } from "../../journeys/format/schema.ts";
import type { MessageTopic } from "./content.ts";
import { messageContent, offerText } from "./content.ts";
import type { PlanAction } from "./plan-types.ts";

/**
 * The graph under construction (node ids, shared exits) and the nodes of single actions: a send
 * with its drafted copy and fallback, a hand-off task, a profile update, an A/B split with its
 * variants and holdout. path-builder.ts places them on paths with their waits and guards.
 */

export type NodeInput = JourneyInput["nodes"][number];
export type Slot = (target: string) => void;

const CHANNEL_NAMES: Record<string, string> = {
  email: "an email",
  sms: "an SMS",
  push: "a push notification",
  in_app: "an in-app message",
  chat: "a chat message",
};

export class GraphBuilder {
  readonly nodes: NodeInput[] = [];
  private readonly used = new Set<string>();
  private readonly exits = new Map<string, string>();

  id(base: string): string {
    const slug =
      base
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "_")
        .replace(/^_|_$/g, "")
        .slice(0, 48) || "node";
    let candidate = slug;
    for (let counter = 2; this.used.has(candidate); counter++) candidate = `${slug}_${counter}`;
    this.used.add(candidate);
    return candidate;
  }

  add(node: NodeInput): string {
    this.nodes.push(node);
    return node.id;
  }

  exit(reason: "done" | "converted" | "no_response" | "not_eligible" | "holdout"): string {
    const existing = this.exits.get(reason);
    if (existing) return existing;
    const labels = {
      done: "journey complete",
      converted: "the awaited event happened",
      no_response: "no answer in time",
      not_eligible: "not in any path",
      holdout: "holdout: receives nothing",
    };
    const id = this.id(reason === "done" ? "end" : `exit_${reason}`);
    this.exits.set(reason, id);
    this.add({ id, type: "exit", reason: labels[reason] });
    return id;
  }
}

export function buildActionNodes(
  graph: GraphBuilder,
  line: (depth: number, text: string) => void,
  action: PlanAction,
  about: MessageTopic,
  depth: number,
  label?: string,
): { id: string; slots: Slot[] } {
  switch (action.kind) {
    case "send": {
      const { content, category } = messageContent(
        action.channel,
        action.purpose,
        action.offer,
        about,
        label,
      );
      const id = graph.id(`send_${action.channel}${label ? `_${label}` : ""}`);
      const node: Extract<NodeInput, { type: "send" }> = {
        id,
        type: "send",
        label: `${action.channel === "sms" ? "SMS" : action.channel === "in_app" ? "In-app" : action.channel[0]!.toUpperCase() + action.channel.slice(1)}: ${content.subject ?? content.title ?? content.body.slice(0, 40)}`,
        channel: action.channel,
        content,
        ...(category ? { category } : {}),
        ai_generated: true,
        next: "",
        ...(action.offer ? { offer: action.offer } : {}),
      };
      graph.add(node);
      const offer = action.offer
        ? ` with ${offerText(action.offer)}${action.offerAssumed ? " (no amount was given; 10% assumed — edit before approval)" : ""}`
        : "";
      line(
        depth,
        `Sends ${CHANNEL_NAMES[action.channel]}${offer} (${category ?? "category left to the workspace default"}; copy drafted from "${action.purpose}").`,
      );
      const slots: Slot[] = [(target) => (node.next = target)];
      if (action.fallback) {
        line(
          depth,
          `If a policy does not allow ${CHANNEL_NAMES[action.channel]} (no consent, for example), instead:`,
        );
        const fallback = buildActionNodes(graph, line, action.fallback, about, depth + 1);
        node.on_skip = fallback.id;
        slots.push(...fallback.slots);
      }
      return { id, slots };
    }
    case "handoff": {
      const id = graph.id(`handoff_${action.queue}`);
      const task = action.task
        ? action.task.replace(/\bthem\b/, "the customer")
        : "follow up with the customer";
      const node: Extract<NodeInput, { type: "handoff" }> = {
        id,
        type: "handoff",
        label: `Hand-off: ${action.queue.replace(/_/g, " ")}`,
        queue: action.queue,
        priority: action.priority,
        instructions: `${task[0]!.toUpperCase()}${task.slice(1)}. From the goal: "${action.purpose}".`,
        next: "",
      };
      graph.add(node);
      line(
        depth,
        `Creates a hand-off task for the ${action.queue.replace(/_/g, " ")} queue (${action.priority} priority): ${task}. Quiet hours do not hold work for people.`,
      );
      return { id, slots: [(target) => (node.next = target)] };
    }
    case "update": {
      const id = graph.id(`update_${Object.keys(action.set).join("_")}`);
      const node: Extract<NodeInput, { type: "update_profile" }> = {
        id,
        type: "update_profile",
        label: `Set ${Object.entries(action.set)
          .map(([key, value]) => `${key} = ${value}`)
          .join(", ")}`,
        set: { ...action.set },
        next: "",
      };
      graph.add(node);
      line(
        depth,
        `Updates the profile: ${Object.entries(action.set)
          .map(([key, value]) => `${key} becomes "${value}"`)
          .join(", ")} ("${action.phrase}").`,
      );
      return { id, slots: [(target) => (node.next = target)] };
    }
    case "split": {
      const id = graph.id("ab_split");
      const node: Extract<NodeInput, { type: "split" }> = {
        id,
        type: "split",
        label: "A/B test",
        variants: [],
      };
      graph.add(node);
      const slots: Slot[] = [];
      const shares = action.variants.map((variant) => `${variant.name} ${variant.weight}%`).join(", ");
      line(
        depth,
        `Splits customers at random: ${shares}${action.holdout ? `, holdout ${action.holdout}% (receives nothing, for comparison)` : ""}.`,
      );
      for (const variant of action.variants) {
        const built = buildActionNodes(graph, line, variant.action, about, depth + 1, variant.name);
        node.variants.push({ name: variant.name, weight: variant.weight, next: built.id });
        slots.push(...built.slots);
      }
      if (action.holdout > 0) {
        node.variants.push({
          name: "holdout",
          weight: action.holdout,
          next: graph.exit("holdout"),
          holdout: true,
        });
      }
      return { id, slots };
    }
  }
}
