import { z } from "zod";
import { Condition, ValueRef } from "./condition.ts";
import { isDuration } from "./duration.ts";
import { parseTimeOfDay } from "./zoned-time.ts";

/**
 * The journey format: the one contract the designer agent writes, the validator checks, the
 * simulator and runtime execute, the console draws and the evals score. See docs/journey-format.md.
 */

export const CHANNELS = ["email", "sms", "push", "in_app", "chat", "webhook", "handoff"] as const;
export type Channel = (typeof CHANNELS)[number];
/** Channels a `send` node may use; webhooks go through `tool`, people through `handoff`. */
export const MESSAGE_CHANNELS = ["email", "sms", "push", "in_app", "chat"] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];
export const CUSTOMER_FACING_CHANNELS = ["email", "sms", "push", "in_app", "chat", "handoff"] as const;

export const Duration = z.string().refine((text) => isDuration(text), {
  message: "must be an ISO 8601 duration such as PT1H, P2D or P1DT12H",
});
export const SignedDuration = z.string().refine((text) => isDuration(text, { signed: true }), {
  message: "must be an ISO 8601 duration, optionally signed, such as -P3D or PT2H",
});
export const TimeOfDay = z
  .string()
  .refine((text) => parseTimeOfDay(text) !== null, { message: "must be a local time of day HH:MM (24 h)" });

export const NodeId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "node ids use letters, digits, _ and -");

// ─── Offers ──────────────────────────────────────────────────────────────────────────────────────
export const OFFER_KINDS = ["percent_off", "amount_off", "free_shipping"] as const;
export const Offer = z.discriminatedUnion(
  "kind",
  [
    z
      .object({
        kind: z.literal("percent_off"),
        value: z.number().gt(0).lte(100),
        code: z.string().optional(),
        applies_to: z.string().optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal("amount_off"),
        value: z.number().gt(0),
        currency: z.string().length(3).optional(),
        code: z.string().optional(),
        applies_to: z.string().optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal("free_shipping"),
        code: z.string().optional(),
      })
      .strict(),
  ],
  { error: () => `offer kind must be one of ${OFFER_KINDS.join(", ")}` },
);
export type Offer = z.infer<typeof Offer>;

// ─── Triggers ────────────────────────────────────────────────────────────────────────────────────
export const EventMatch = z
  .object({
    event: z.string().min(1),
    condition: Condition.optional(),
  })
  .strict();
export type EventMatch = z.infer<typeof EventMatch>;

export const Trigger = z.discriminatedUnion(
  "type",
  [
    z
      .object({
        type: z.literal("event"),
        event: z.string().min(1),
        condition: Condition.optional(),
        /** further events that also start the journey (branch on trigger.name to tell them apart) */
        also: z.array(EventMatch).optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal("trait_changed"),
        trait: z.string().min(1),
        /** enters when this turns from false to true (without one: on any change of the trait) */
        condition: Condition.optional(),
      })
      .strict(),
    z.object({ type: z.literal("segment_entered"), segment: z.string().min(1) }).strict(),
    z
      .object({
        type: z.literal("schedule"),
        /** five-field cron, evaluated in `timezone` (default: the workspace's) */
        cron: z.string().min(9),
        timezone: z.string().optional(),
      })
      .strict(),
    z.object({ type: z.literal("api") }).strict(),
  ],
  { error: () => "trigger type must be one of event, trait_changed, segment_entered, schedule, api" },
);
export type Trigger = z.infer<typeof Trigger>;

// ─── Nodes ───────────────────────────────────────────────────────────────────────────────────────
const nodeBase = {
  id: NodeId,
  /** a short human label shown on the canvas */
  label: z.string().max(200).optional(),
};

/** Where an action node goes when a policy denies it (default: `next`). */
const actionExits = {
  next: NodeId,
  on_skip: NodeId.optional(),
};

export const MessageContent = z
  .object({
    subject: z.string().max(500).optional(),
    title: z.string().max(200).optional(),
    body: z.string().min(1).max(20_000),
    cta_url: z.string().max(2000).optional(),
  })
  .strict();
export type MessageContent = z.infer<typeof MessageContent>;

export const WaitNode = z
  .object({
    ...nodeBase,
    type: z.literal("wait"),
    /** wait this long */
    duration: Duration.optional(),
    /** or until the next time the customer's clock shows HH:MM */
    until_time: TimeOfDay.optional(),
    /** or until a datetime field plus an offset (`trigger.properties.trial_ends_at`, `-P3D`) */
    until: z
      .object({ field: z.string().min(1), offset: SignedDuration.optional() })
      .strict()
      .optional(),
    next: NodeId,
  })
  .strict();

export const WaitForEventNode = z
  .object({
    ...nodeBase,
    type: z.literal("wait_for_event"),
    event: z.string().min(1),
    condition: Condition.optional(),
    timeout: Duration,
    on_event: NodeId,
    on_timeout: NodeId,
  })
  .strict();

export const BranchNode = z
  .object({
    ...nodeBase,
    type: z.literal("branch"),
    branches: z
      .array(z.object({ name: z.string().optional(), condition: Condition, next: NodeId }).strict())
      .min(1),
    otherwise: NodeId,
  })
  .strict();

export const SplitNode = z
  .object({
    ...nodeBase,
    type: z.literal("split"),
    /** weights are percentages summing to 100; a holdout variant receives nothing */
    variants: z
      .array(
        z
          .object({
            name: z.string().min(1),
            weight: z.number().gt(0).lte(100),
            next: NodeId,
            holdout: z.boolean().optional(),
          })
          .strict(),
      )
      .min(2),
  })
  .strict();

export const SendNode = z
  .object({
    ...nodeBase,
    type: z.literal("send"),
    channel: z.enum(MESSAGE_CHANNELS, {
      error: () => `channel must be one of ${MESSAGE_CHANNELS.join(", ")}`,
    }),
    /** a workspace template id, or inline content (one of the two) */
    template: z.string().optional(),
    content: MessageContent.optional(),
    offer: Offer.optional(),
    /** promotional messages are subject to suppression rules; transactional ones are service messages */
    category: z.enum(["promotional", "transactional"]).optional(),
    /** true when a model wrote the content (approval rules may ask for review) */
    ai_generated: z.boolean().optional(),
    ...actionExits,
  })
  .strict();

export const HandoffNode = z
  .object({
    ...nodeBase,
    type: z.literal("handoff"),
    /** the team or role that should pick it up: support, senior_support, account_manager, … */
    queue: z.string().min(1).default("support"),
    priority: z.enum(["low", "normal", "high", "urgent"]).default("normal"),
    /** what the human should do, in a sentence */
    instructions: z.string().min(1).max(2000),
    ...actionExits,
  })
  .strict();

export const ToolNode = z
  .object({
    ...nodeBase,
    type: z.literal("tool"),
    /** `webhook`, or a data adapter operation such as `orders.recent`, `tickets.open`, `catalog.recommend` */
    tool: z.string().min(1),
    args: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), ValueRef]))
      .default({}),
    /** store the result under vars.<save_as> for later conditions */
    save_as: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .optional(),
    on_error: NodeId.optional(),
    ...actionExits,
  })
  .strict();

export const UpdateProfileNode = z
  .object({
    ...nodeBase,
    type: z.literal("update_profile"),
    set: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), ValueRef])).optional(),
    increment: z.record(z.string(), z.number()).optional(),
    unset: z.array(z.string()).optional(),
    next: NodeId,
  })
  .strict();

export const AgentActionOption = z
  .object({
    id: z.string().min(1),
    kind: z.enum(["send", "handoff", "none"]),
    channel: z.enum(MESSAGE_CHANNELS).optional(),
    template: z.string().optional(),
    content: MessageContent.optional(),
    offer: Offer.optional(),
    queue: z.string().optional(),
    instructions: z.string().optional(),
    /** when this option is eligible at all */
    condition: Condition.optional(),
  })
  .strict();
export type AgentActionOption = z.infer<typeof AgentActionOption>;

export const AgentNode = z
  .object({
    ...nodeBase,
    type: z.literal("agent"),
    /** what the next-best-action step should optimise, in a sentence */
    objective: z.string().min(1).max(1000),
    /** the only actions it may choose from */
    actions: z.array(AgentActionOption).min(1),
    /** store the chosen option id under vars.<save_as> */
    save_as: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .optional(),
    ...actionExits,
  })
  .strict();

export const ExitNode = z
  .object({
    ...nodeBase,
    type: z.literal("exit"),
    reason: z.string().optional(),
  })
  .strict();

export const NODE_TYPES = [
  "wait",
  "wait_for_event",
  "branch",
  "split",
  "send",
  "handoff",
  "tool",
  "update_profile",
  "agent",
  "exit",
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const JourneyNode = z.discriminatedUnion(
  "type",
  [
    WaitNode,
    WaitForEventNode,
    BranchNode,
    SplitNode,
    SendNode,
    HandoffNode,
    ToolNode,
    UpdateProfileNode,
    AgentNode,
    ExitNode,
  ],
  { error: () => `node type must be one of ${NODE_TYPES.join(", ")}` },
);
export type JourneyNode = z.infer<typeof JourneyNode>;
export type NodeOfType<T extends NodeType> = Extract<JourneyNode, { type: T }>;

// ─── Journey ─────────────────────────────────────────────────────────────────────────────────────
export const Reentry = z
  .object({
    /** never: once per customer; after_exit: again once the previous visit ended; always: concurrently too */
    mode: z.enum(["never", "after_exit", "always"]),
    /** minimum time between two entries */
    cooldown: Duration.optional(),
  })
  .strict();

export const Goal = z
  .object({
    event: z.string().min(1),
    condition: Condition.optional(),
    /** conversions count within this window after entry */
    within: Duration,
    /** leave the journey on conversion (default true) */
    exit: z.boolean().optional(),
  })
  .strict();

export const Journey = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().max(4000).optional(),
    trigger: Trigger,
    /** who may enter (evaluated at entry) */
    audience: Condition.optional(),
    reentry: Reentry.default({ mode: "after_exit" }),
    /** events that end a customer's visit wherever they are */
    exit_on: z.array(EventMatch).default([]),
    goal: Goal.optional(),
    /** 0-100; higher wins when journeys compete for the same customer (arbitration) */
    priority: z.number().int().min(0).max(100).default(50),
    start: NodeId,
    nodes: z.array(JourneyNode).min(1),
  })
  .strict();

/** A journey as stored and executed (defaults applied). */
export type Journey = z.output<typeof Journey>;
/** A journey as written by people and models (defaults optional). */
export type JourneyInput = z.input<typeof Journey>;

/** Every node id a node can continue to, with the key that names it. */
export function nodeExits(node: JourneyNode): Array<{ key: string; target: string }> {
  switch (node.type) {
    case "wait":
    case "update_profile":
      return [{ key: "next", target: node.next }];
    case "wait_for_event":
      return [
        { key: "on_event", target: node.on_event },
        { key: "on_timeout", target: node.on_timeout },
      ];
    case "branch":
      return [
        ...node.branches.map((branch, index) => ({ key: `branches[${index}].next`, target: branch.next })),
        { key: "otherwise", target: node.otherwise },
      ];
    case "split":
      return node.variants.map((variant, index) => ({
        key: `variants[${index}].next`,
        target: variant.next,
      }));
    case "send":
    case "handoff":
    case "agent":
      return [
        { key: "next", target: node.next },
        ...(node.on_skip ? [{ key: "on_skip", target: node.on_skip }] : []),
      ];
    case "tool":
      return [
        { key: "next", target: node.next },
        ...(node.on_skip ? [{ key: "on_skip", target: node.on_skip }] : []),
        ...(node.on_error ? [{ key: "on_error", target: node.on_error }] : []),
      ];
    case "exit":
      return [];
  }
}

/** Every condition in a journey with its JSON path (for validators, lint and history loading). */
export function journeyConditions(
  journey: Journey,
): Array<{ path: string; condition: Condition; scope: string }> {
  const found: Array<{ path: string; condition: Condition; scope: string }> = [];
  const trigger = journey.trigger;
  if ((trigger.type === "event" || trigger.type === "trait_changed") && trigger.condition) {
    found.push({ path: "$.trigger.condition", condition: trigger.condition, scope: "trigger" });
  }
  if (trigger.type === "event") {
    for (const [index, match] of (trigger.also ?? []).entries()) {
      if (match.condition)
        found.push({
          path: `$.trigger.also[${index}].condition`,
          condition: match.condition,
          scope: "trigger",
        });
    }
  }
  if (journey.audience) found.push({ path: "$.audience", condition: journey.audience, scope: "audience" });
  for (const [index, match] of journey.exit_on.entries()) {
    if (match.condition)
      found.push({ path: `$.exit_on[${index}].condition`, condition: match.condition, scope: "event" });
  }
  if (journey.goal?.condition)
    found.push({ path: "$.goal.condition", condition: journey.goal.condition, scope: "event" });
  for (const [index, node] of journey.nodes.entries()) {
    const base = `$.nodes[${index}]`;
    if (node.type === "wait_for_event" && node.condition) {
      found.push({ path: `${base}.condition`, condition: node.condition, scope: "event" });
    }
    if (node.type === "branch") {
      for (const [branchIndex, branch] of node.branches.entries()) {
        found.push({
          path: `${base}.branches[${branchIndex}].condition`,
          condition: branch.condition,
          scope: "node",
        });
      }
    }
    if (node.type === "agent") {
      for (const [optionIndex, option] of node.actions.entries()) {
        if (option.condition) {
          found.push({
            path: `${base}.actions[${optionIndex}].condition`,
            condition: option.condition,
            scope: "node",
          });
        }
      }
    }
  }
  return found;
}
