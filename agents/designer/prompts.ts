import { HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import type { ValidationIssue } from "../../journeys/format/validate.ts";
import { QUARANTINE_NOTICE, quarantine } from "../../policies/injection/quarantine.ts";
import { ASK_CLARIFICATION, SUBMIT_JOURNEY } from "./answer-tools.ts";
import { describeOffer, journeyOffers, triggerKeys } from "./conflicts.ts";
import type { DesignContext } from "./context.ts";
import { contextLiveJourneys } from "./context.ts";
import { jsonSection, rawSection, SECTION, textSection } from "./prompt-format.ts";

/**
 * The designer's prompts. The first turn carries everything the model needs to draft in one call
 * (catalog, policies, live journeys, memory hits, a summary of real customers), so the common path
 * is a single model call; the read-only tools exist for when the model wants more.
 */

export const FORMAT_GUIDE = `The Overture journey format (JSON; the submit_journey tool's schema is authoritative):
- name, description?, trigger, audience? (a condition on who may enter), reentry {mode: never|after_exit|always, cooldown?},
  exit_on [{event, condition?}] (leave wherever they are), goal? {event, within, condition?}, priority 0-100, start (node id), nodes [...].
- trigger: {type:"event", event, condition?, also?:[{event, condition?}]} | {type:"trait_changed", trait, condition?}
  | {type:"segment_entered", segment} | {type:"schedule", cron, timezone?} | {type:"api"}.
- nodes (each has id, type, label?, and the ids of the nodes it continues to):
  wait {duration | until_time "HH:MM" (customer's clock) | until {field, offset}, next}
  wait_for_event {event, condition?, timeout, on_event, on_timeout}
  branch {branches:[{name?, condition, next}], otherwise}
  split {variants:[{name, weight (percent, sum 100), next, holdout?}]} — A/B tests; a holdout variant gets nothing
  send {channel: email|sms|push|in_app|chat, template (a catalog template id) | content {subject?, title?, body},
        offer?, category?: promotional|transactional, ai_generated? (true when you wrote the content), next, on_skip?}
  handoff {queue, priority: low|normal|high|urgent, instructions, next}
  tool {tool, args, save_as?, next, on_error?}   update_profile {set?, increment?, unset?, next}
  agent {objective, actions:[{id, kind: send|handoff|none, ...}], next}   exit {reason?}
- conditions: {all:[...]} | {any:[...]} | {not:{...}} | {field, op, value?, transform?} | {performed, within?, since?:"entry", where?, min_count?}
  fields: traits.<name>, consent.<channel>, event.name, event.properties.<p> (the event being matched),
  trigger.properties.<p> (the event that started the journey), vars.<name>, local.hour, local.weekday, journey.variant.
  ops: eq neq gt gte lt lte in not_in contains not_contains starts_with exists not_exists;
  transforms: lower length days_since days_until sentiment (-1..1) frustration (0..1) intent.
- durations are ISO 8601 (PT30M, PT1H, P2D); offers: {kind:"percent_off", value} | {kind:"amount_off", value, currency?} | {kind:"free_shipping"}.`;

export const DESIGNER_RULES = `Rules:
1. Use only names from <workspace_catalog>: events, properties, traits, channels, segments and template ids. Never invent them.
2. Every node id you reference must exist; every path must end in an exit node.
3. "Unless / until they buy" is a wait_for_event with a timeout, an exit_on entry, or a branch on {performed, since:"entry"}.
4. Do not schedule around quiet hours, consent or frequency caps yourself: the workspace's policies hold or skip
   those sends at run time (the policy config is given so you know what will happen, not to re-implement it).
5. Prefer an existing template that fits (see <memory>); otherwise write short content and set ai_generated: true.
6. Never conflict silently with a live journey: if the goal overlaps one, keep the draft but say so in the explanation.
7. Ask (with ${ASK_CLARIFICATION}) only when the goal has no recognisable trigger or no action, or names an event
   ambiguously; otherwise draft with sensible defaults and explain them.
8. Answer by calling ${SUBMIT_JOURNEY} (or ${ASK_CLARIFICATION}). Call the read-only tools only when the context
   below lacks something you need.`;

export function systemPrompt(): SystemMessage {
  return new SystemMessage(
    `You are Overture's journey designer. A CX lead describes a customer journey in plain language; you turn it into a journey definition that a reviewer will approve before anything reaches a customer. You only propose: you cannot send messages, activate journeys or change customer data.\n\n${FORMAT_GUIDE}\n\n${DESIGNER_RULES}\n\n${QUARANTINE_NOTICE}`,
  );
}

function policySummary(context: DesignContext): Record<string, unknown> {
  const policies = context.policies;
  return {
    version: context.policyVersion,
    consent_required: policies.consent_required,
    quiet_hours: policies.quiet_hours,
    frequency_cap: policies.frequency_cap,
    suppression: policies.suppression,
    offer_ceilings: policies.offer_ceilings,
    approvals: policies.approvals,
  };
}

function liveJourneySummaries(context: DesignContext): Array<Record<string, unknown>> {
  return contextLiveJourneys(context).map((live) => ({
    journeyId: live.journeyId,
    name: live.name,
    status: live.status,
    trigger: triggerKeys(live.definition.trigger),
    audience: live.definition.audience ?? null,
    priority: live.definition.priority,
    channels: [
      ...new Set(live.definition.nodes.flatMap((node) => (node.type === "send" ? [node.channel] : []))),
    ],
    offers: journeyOffers(live.definition).map(describeOffer),
  }));
}

function memoryBlock(context: DesignContext): string {
  const memory = context.memory;
  if (!memory.available) return memory.reason;
  if (memory.hits.length === 0) return "nothing similar in memory yet";
  return memory.hits
    .map((hit) => {
      const facts = [
        `${hit.kind} ${JSON.stringify(hit.refId)}`,
        `"${hit.title}"`,
        `similarity=${hit.similarity}`,
        ...(typeof hit.metadata.channel === "string" ? [`channel=${hit.metadata.channel}`] : []),
        ...(typeof hit.metadata.outcome === "string" ? [`outcome=${hit.metadata.outcome}`] : []),
      ];
      return quarantine(`${facts.join(" ")}\n${hit.body}`, `memory.${hit.kind}`).block;
    })
    .join("\n");
}

function customerBlock(context: DesignContext): string {
  const customers = context.customers;
  if (!customers || customers.customers === 0) return "no customers in this workspace yet";
  const numeric = Object.entries(customers.numeric)
    .map(([trait, stats]) => `${trait}: min ${stats.min}, median ${stats.median}, max ${stats.max}`)
    .join("\n");
  const values = Object.entries(customers.values)
    .map(([trait, top]) => `${trait}: ${top.map((entry) => `${entry.value} (${entry.count})`).join(", ")}`)
    .join("\n");
  // Trait values were written by customers and CRMs: data, never instructions.
  const block = values ? quarantine(values, "customer_trait_values").block : "";
  return [`summary of ${customers.customers} customers`, numeric, block].filter(Boolean).join("\n");
}

/** The first turn: the whole context, then the goal. */
export function contextMessage(context: DesignContext, goal: string): HumanMessage {
  return new HumanMessage(
    [
      jsonSection(SECTION.catalog, context.catalog),
      jsonSection(SECTION.policies, policySummary(context)),
      jsonSection(SECTION.liveJourneys, liveJourneySummaries(context)),
      rawSection(SECTION.memory, memoryBlock(context)),
      rawSection(SECTION.customers, customerBlock(context)),
      `Workspace time zone: ${context.timezone}.`,
      textSection(SECTION.goal, goal),
    ].join("\n\n"),
  );
}

/** The CX lead's answer, returned as the result of the ask_clarification call. */
export function answerMessage(toolCallId: string, answer: string): ToolMessage {
  return new ToolMessage({
    tool_call_id: toolCallId,
    content: `The CX lead answered:\n${textSection(SECTION.answer, answer)}\nDraft the journey now.`,
  });
}

export function repairMessage(
  toolCallId: string,
  issues: readonly ValidationIssue[],
  round: number,
  max: number,
): ToolMessage {
  const lines = issues
    .filter((issue) => issue.severity === "error")
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join("\n");
  return new ToolMessage({
    tool_call_id: toolCallId,
    content: `The validator rejected the journey (repair round ${round} of ${max}). Fix every issue and call ${SUBMIT_JOURNEY} again with the whole corrected journey:\n${textSection(SECTION.validation, lines)}`,
  });
}

export function acceptedMessage(toolCallId: string, warnings: readonly ValidationIssue[]): ToolMessage {
  const notes = warnings.map((issue) => `${issue.path}: ${issue.message}`).join("\n");
  return new ToolMessage({
    tool_call_id: toolCallId,
    content: `The journey is valid${notes ? ` (warnings:\n${notes})` : ""}. It now goes through policy lint, the conflict check and a simulation, then to a reviewer.`,
  });
}

export function reviewerNoteMessage(note: string): HumanMessage {
  return new HumanMessage(
    `The reviewer sent the draft back with a note. Revise the journey accordingly and submit it again.\n${textSection(SECTION.reviewerNote, note)}`,
  );
}

export function notExecutedMessage(toolCallId: string, why: string): ToolMessage {
  return new ToolMessage({ tool_call_id: toolCallId, content: `Not executed: ${why}` });
}

export function answerReminder(): HumanMessage {
  return new HumanMessage(
    `Answer by calling ${SUBMIT_JOURNEY} with the journey, or ${ASK_CLARIFICATION} with one question.`,
  );
}
