import type { ActionKind } from "../../db/schema/actions.ts";
import type { ActionPayload, ActionProposal } from "../../policies/types.ts";
import type { EventRecord } from "../format/evaluate.ts";
import { evaluateCondition } from "../format/evaluate.ts";
import type { AgentActionOption, MessageContent, NodeOfType, Offer } from "../format/schema.ts";
import type { CompiledJourney } from "./compiled.ts";
import type { StepEnvironment } from "./environment.ts";
import type { RenderScope } from "./render.ts";
import { recipientFor, renderContent, renderText, templateContent } from "./render.ts";
import { instanceScope, resolveArguments } from "./scope.ts";
import type { CustomerSnapshot, InstanceState } from "./types.ts";

/**
 * Turns an action node (send, handoff, webhook tool, agent) into the ActionProposal the gateway
 * decides: content rendered, recipient resolved, idempotency key `<instanceId>:<nodeId>:<visit>` so
 * that re-running the step (after a crash or a deferral) never creates a second action.
 */

export type PlannedAction =
  | { kind: "propose"; proposal: ActionProposal; detail: Record<string, unknown> }
  | { kind: "skip"; reason: string }
  | { kind: "none"; detail: Record<string, unknown> };

type ActionNode = NodeOfType<"send"> | NodeOfType<"handoff"> | NodeOfType<"agent"> | NodeOfType<"tool">;

export function idempotencyKey(instance: InstanceState, nodeId: string): string {
  return `${instance.id}:${nodeId}:${instance.book.visits[nodeId] ?? 1}`;
}

interface MessageSpec {
  channel: string;
  template?: string | undefined;
  content?: MessageContent | undefined;
  offer?: Offer | undefined;
  category?: "promotional" | "transactional" | undefined;
  aiGenerated?: boolean | undefined;
}

function proposalBase(instance: InstanceState, nodeId: string, kind: ActionKind, channel: string) {
  return {
    workspaceId: instance.workspaceId,
    profileId: instance.profileId,
    kind,
    channel,
    instanceId: instance.id,
    journeyId: instance.journeyId,
    versionId: instance.versionId,
    nodeId,
    idempotencyKey: idempotencyKey(instance, nodeId),
  };
}

async function messageProposal(
  spec: MessageSpec,
  node: ActionNode,
  instance: InstanceState,
  customer: CustomerSnapshot,
  env: StepEnvironment,
): Promise<PlannedAction> {
  let source = spec.content;
  if (!source && spec.template) {
    const template = await env.template(instance.workspaceId, spec.template);
    if (!template) return { kind: "skip", reason: `template "${spec.template}" does not exist` };
    source = templateContent(template);
  }
  if (!source) return { kind: "skip", reason: "the message has neither a template nor content" };
  const scope: RenderScope = { customer, instance, offer: spec.offer };
  const payload: ActionPayload = {
    content: renderContent(source, scope),
    template: spec.template,
    offer: spec.offer,
    // Offers are promotions unless the journey says otherwise.
    category: spec.category ?? (spec.offer ? "promotional" : undefined),
    aiGenerated: spec.aiGenerated,
    to: recipientFor(spec.channel, customer),
    userId: customer.userId,
    productIds: promotedProducts(instance, source, spec.offer),
  };
  return {
    kind: "propose",
    proposal: { ...proposalBase(instance, node.id, "message", spec.channel), payload },
    detail: { channel: spec.channel, ...(spec.offer ? { offer: spec.offer } : {}) },
  };
}

/**
 * The products a message promotes (for "never promote a product the customer is returning"): the
 * trigger's product when the message shows it (its text uses trigger.properties.product_id or .name)
 * or when the offer applies to it. A message that merely follows a product event promotes nothing.
 */
function promotedProducts(
  instance: InstanceState,
  content: MessageContent,
  offer: Offer | undefined,
): string[] | undefined {
  const id = instance.trigger.properties.product_id;
  if (typeof id !== "string" || id === "") return undefined;
  const text = [content.subject, content.title, content.body, content.cta_url].join(" ");
  const shown = /\{\{\s*trigger\.properties\.(product_id|name)\s*\}\}/.test(text);
  const offered = offer !== undefined && "applies_to" in offer && offer.applies_to === id;
  return shown || offered ? [id] : undefined;
}

function handoffProposal(
  spec: { queue: string; priority: "low" | "normal" | "high" | "urgent"; instructions: string },
  node: ActionNode,
  instance: InstanceState,
  customer: CustomerSnapshot,
): PlannedAction {
  const scope: RenderScope = { customer, instance };
  const instructions = renderText(spec.instructions, scope);
  const payload: ActionPayload = {
    content: { subject: `Hand-off to ${spec.queue}`, body: instructions },
    handoff: { queue: spec.queue, priority: spec.priority, instructions },
    category: "transactional",
    userId: customer.userId,
    trigger: { name: instance.trigger.name, properties: instance.trigger.properties },
  };
  return {
    kind: "propose",
    proposal: { ...proposalBase(instance, node.id, "handoff", "handoff"), payload },
    detail: { channel: "handoff", queue: spec.queue, priority: spec.priority },
  };
}

function webhookProposal(
  node: NodeOfType<"tool">,
  instance: InstanceState,
  customer: CustomerSnapshot,
  now: Date,
): PlannedAction {
  const scope = instanceScope(instance, customer, now);
  const renderScope: RenderScope = { customer, instance };
  const resolved: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(resolveArguments(node.args, scope))) {
    resolved[key] = typeof raw === "string" ? renderText(raw, renderScope) : raw;
  }
  const { url, method, ...rest } = resolved;
  if (typeof url !== "string" || url === "") return { kind: "skip", reason: "the webhook has no url" };
  const payload: ActionPayload = {
    request: {
      url,
      method: typeof method === "string" ? method.toUpperCase() : "POST",
      body: {
        ...rest,
        user_id: customer.userId,
        journey_id: instance.journeyId,
        node_id: node.id,
        trigger: { name: instance.trigger.name, properties: instance.trigger.properties },
      },
    },
    userId: customer.userId,
  };
  return {
    kind: "propose",
    proposal: { ...proposalBase(instance, node.id, "webhook", "webhook"), payload },
    detail: { channel: "webhook" },
  };
}

/** An option is eligible when its condition holds and its channel is not explicitly opted out. */
export function eligibleOptions(
  options: readonly AgentActionOption[],
  instance: InstanceState,
  customer: CustomerSnapshot,
  now: Date,
  history: readonly EventRecord[] | undefined,
): AgentActionOption[] {
  const scope = instanceScope(instance, customer, now, { history });
  return options.filter((option) => {
    if (option.condition && !evaluateCondition(option.condition, scope)) return false;
    if (option.kind === "send" && option.channel && customer.consent[option.channel] === false) return false;
    return true;
  });
}

async function agentProposal(
  node: NodeOfType<"agent">,
  instance: InstanceState,
  compiled: CompiledJourney,
  customer: CustomerSnapshot,
  env: StepEnvironment,
  now: Date,
  loadHistory: () => Promise<readonly EventRecord[] | undefined>,
): Promise<PlannedAction> {
  let optionId = instance.book.choice;
  let reason = "chosen before the action was deferred";
  let content: MessageContent | undefined = instance.book.choiceContent;
  let chosenBy: string | undefined;
  if (optionId === undefined) {
    const eligible = eligibleOptions(node.actions, instance, customer, now, await loadHistory());
    const choice = await env.chooseAction({
      workspaceId: instance.workspaceId,
      journeyId: instance.journeyId,
      versionId: compiled.versionId,
      nodeId: node.id,
      objective: node.objective,
      options: eligible,
      customer,
      trigger: instance.trigger,
      vars: instance.vars,
      now,
    });
    reason = choice.reason;
    chosenBy = choice.chosenBy;
    // The whitelist is enforced here, not trusted to the chooser.
    const allowed = choice.optionId === null || eligible.some((option) => option.id === choice.optionId);
    optionId = allowed && choice.optionId !== null ? choice.optionId : "none";
    if (!allowed) reason = `the chooser picked "${choice.optionId}", which is not an eligible option`;
    content = allowed && choice.optionId !== null ? choice.content : undefined;
    instance.book.choice = optionId;
    instance.book.choiceContent = content;
    if (node.save_as) instance.vars = { ...instance.vars, [node.save_as]: optionId };
  }
  const by = chosenBy ? { chosen_by: chosenBy } : {};
  const option = node.actions.find((candidate) => candidate.id === optionId);
  if (!option || option.kind === "none") {
    return { kind: "none", detail: { choice: optionId, reason, ...by } };
  }
  if (option.kind === "handoff") {
    const planned = handoffProposal(
      {
        queue: option.queue ?? "support",
        priority: "normal",
        instructions: option.instructions ?? node.objective,
      },
      node,
      instance,
      customer,
    );
    return planned.kind === "propose"
      ? { ...planned, detail: { ...planned.detail, choice: option.id, reason, ...by } }
      : planned;
  }
  const planned = await messageProposal(
    {
      channel: option.channel ?? "email",
      template: content ? undefined : option.template,
      content: content ?? option.content,
      offer: option.offer,
      aiGenerated: content !== undefined,
    },
    node,
    instance,
    customer,
    env,
  );
  return planned.kind === "propose"
    ? { ...planned, detail: { ...planned.detail, choice: option.id, reason, ...by } }
    : planned;
}

export async function buildAction(
  node: ActionNode,
  instance: InstanceState,
  compiled: CompiledJourney,
  env: StepEnvironment,
  now: Date,
  loadHistory: () => Promise<readonly EventRecord[] | undefined>,
): Promise<PlannedAction> {
  const customer = env.customer(instance.profileId);
  switch (node.type) {
    case "send":
      return messageProposal(
        {
          channel: node.channel,
          template: node.template,
          content: node.content,
          offer: node.offer,
          category: node.category,
          aiGenerated: node.ai_generated,
        },
        node,
        instance,
        customer,
        env,
      );
    case "handoff":
      return handoffProposal(node, node, instance, customer);
    case "tool":
      return webhookProposal(node, instance, customer, now);
    case "agent":
      return agentProposal(node, instance, compiled, customer, env, now, loadHistory);
  }
}
