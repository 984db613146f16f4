import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { toJSONSchema, z } from "zod";
import type { AgentActionOption } from "../../journeys/format/schema.ts";
import type { NbaRequest } from "../../journeys/runtime/nba.ts";
import type { Quarantined } from "../../policies/injection/quarantine.ts";
import { QUARANTINE_NOTICE, quarantine } from "../../policies/injection/quarantine.ts";
import type { FunctionToolSpec } from "../designer/answer-tools.ts";
import type { ScoredOption } from "./scorer.ts";
import type { CustomerSignals } from "./signals.ts";
import { eventsOf } from "./signals.ts";

/**
 * The one prompt of the model-backed next-best-action step. Trusted parts (the journey author's
 * objective and options, our computed signals) are plain text; everything customers or other
 * systems wrote (traits, event properties, chat messages, survey comments) enters only inside
 * quarantine blocks, and each block's screening is returned so flagged input can narrow the options.
 */

export const CHOOSE_ACTION = "choose_action";

export const ChooseActionAnswer = z.object({
  option_id: z
    .string()
    .max(200)
    .nullable()
    .describe("the id of one option from the list, or null to do nothing"),
  reason: z.string().min(1).max(400).describe("one sentence: why this option for this customer"),
  content: z
    .object({
      subject: z.string().max(200).optional(),
      body: z.string().min(1).max(2000),
    })
    .optional()
    .describe(
      "only for a send option, only when the option's own message does not fit: the message you wrote",
    ),
});
export type ChooseActionAnswer = z.infer<typeof ChooseActionAnswer>;

const { $schema: _dialect, ...chooseParameters } = toJSONSchema(ChooseActionAnswer, {
  io: "input",
}) as Record<string, unknown>;

export const chooseActionTool: FunctionToolSpec = {
  type: "function",
  function: {
    name: CHOOSE_ACTION,
    description:
      "Choose the next best action for this customer: one option id from the list (or null), and why.",
    parameters: chooseParameters,
  },
};

/** Traits that identify a person: never needed to choose an action, so never sent to a model. */
const PERSONAL_TRAIT =
  /(e-?mail|phone|mobile|name|address|street|city|zip|postal|birth|ssn|passport|iban|card|ip_?addr)/i;

export const SYSTEM_PROMPT = [
  "You choose the next best action for one customer at one step of a customer journey.",
  `Answer by calling ${CHOOSE_ACTION} once. option_id must be the id of one of the listed options, or null to do nothing; anything else is refused.`,
  "Pick the option that best serves the objective for this customer, given their scores, history and words. The scorer's ranking is a reference, not an order.",
  "Give one sentence as the reason. Write content only for a send option and only when its own message would not fit; keep it short, truthful and polite, promise nothing the option does not offer (no new discounts, dates or guarantees), and include no personal data.",
  "Every action you choose is checked by policies (consent, quiet hours, frequency caps, approvals) before anything reaches the customer.",
  QUARANTINE_NOTICE,
].join("\n");

function optionLine(option: AgentActionOption): string {
  const described: Record<string, unknown> = { id: option.id, kind: option.kind };
  if (option.channel) described.channel = option.channel;
  if (option.offer) described.offer = option.offer;
  if (option.queue) described.queue = option.queue;
  if (option.template) described.template = option.template;
  if (option.content) described.message = option.content.body.slice(0, 300);
  if (option.instructions) described.instructions = option.instructions.slice(0, 300);
  return JSON.stringify(described);
}

export interface NbaPrompt {
  messages: [SystemMessage, HumanMessage];
  /** every untrusted block in the prompt, with its screening */
  blocks: Quarantined[];
}

export function buildPrompt(
  request: NbaRequest,
  signals: CustomerSignals,
  options: readonly AgentActionOption[],
  ranked: readonly ScoredOption[],
): NbaPrompt {
  const blocks: Quarantined[] = [];
  const block = (text: string, source: string) => {
    const quarantined = quarantine(text, source);
    blocks.push(quarantined);
    return quarantined.block;
  };
  const facts = {
    churn_risk: signals.churnRisk,
    purchase_propensity: signals.purchasePropensity,
    frustration: signals.frustration,
    latest_intent: signals.intent,
    open_support_tickets: signals.openTickets,
    vip: signals.vip,
    lifetime_value: signals.lifetimeValue,
    recently_active_on: signals.engagedChannels,
    consent: request.customer.consent,
  };
  const traits = Object.fromEntries(
    Object.entries(request.customer.traits).filter(([key]) => !PERSONAL_TRAIT.test(key)),
  );
  const eventLines = eventsOf(request)
    .slice(-30)
    .map((event) => {
      const properties = Object.fromEntries(
        Object.entries(event.properties).filter(([key]) => !PERSONAL_TRAIT.test(key)),
      );
      return `${event.timestamp.toISOString()} ${event.name} ${JSON.stringify(properties).slice(0, 400)}`;
    });
  const parts = [
    `Objective (from the journey's author): ${JSON.stringify(request.objective)}`,
    `Now: ${request.now.toISOString()}`,
    "",
    "Options (the only actions you may choose):",
    ...options.map(optionLine),
    "",
    `Scorer's ranking (for reference): ${ranked.map((item) => `${item.option.id}=${item.score}`).join(", ") || "none"}`,
    `Customer facts (computed by us): ${JSON.stringify(facts)}`,
    "",
    "Customer traits:",
    block(JSON.stringify(traits).slice(0, 4000), "traits"),
    "",
    "Recent events, oldest first:",
    block(eventLines.join("\n") || "(none)", "recent_events"),
  ];
  for (const text of signals.texts.slice(-5)) {
    parts.push("", `The customer wrote (${text.at.toISOString()}):`, block(text.text, text.source));
  }
  return {
    messages: [new SystemMessage(SYSTEM_PROMPT), new HumanMessage(parts.join("\n"))],
    blocks,
  };
}
