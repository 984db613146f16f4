import type { EventRecord } from "../format/evaluate.ts";
import type { AgentActionOption, MessageContent } from "../format/schema.ts";
import type { CustomerSnapshot } from "./types.ts";

/**
 * The runtime's `agent` node asks a NextBestAction for one option out of the node's whitelist. The
 * server injects the LangGraph step (agents/nba) at start-up; the runtime never imports agents/.
 * Whatever is chosen still goes through the policies like any other action.
 */
export interface NbaRequest {
  workspaceId: string;
  journeyId: string;
  versionId: string;
  nodeId: string;
  objective: string;
  /** only the eligible options (condition holds, channel not opted out), in the journey's order */
  options: readonly AgentActionOption[];
  customer: CustomerSnapshot;
  trigger: EventRecord;
  vars: Readonly<Record<string, unknown>>;
  now: Date;
  /**
   * The customer's latest events, oldest first (at most RECENT_EVENT_LIMIT, within
   * RECENT_EVENT_DAYS), filled in by the step environment. Property values are customer- and
   * system-written text: data for a chooser to read, never instructions.
   */
  recentEvents?: readonly EventRecord[] | undefined;
}

/** How much recent history a chooser is shown (the step environment loads it). */
export const RECENT_EVENT_LIMIT = 50;
export const RECENT_EVENT_DAYS = 30;

export interface NbaChoice {
  /** the chosen option's id, or null for "do nothing" */
  optionId: string | null;
  /** one sentence for the timeline: why this option */
  reason: string;
  /** content the model wrote for the chosen option (marks the action AI-generated) */
  content?: MessageContent | undefined;
  /** who decided ("scorer", "model:openai:gpt-4o-mini", …), shown in the timeline */
  chosenBy?: string | undefined;
}

export interface NextBestAction {
  readonly name: string;
  choose(request: NbaRequest): Promise<NbaChoice>;
}

/**
 * The deterministic default: the first eligible option in the order the journey lists them (authors
 * list options by preference), where an option of kind "none" means do nothing. No eligible option
 * means do nothing.
 */
export const firstEligibleNba: NextBestAction = {
  name: "first-eligible",
  async choose(request) {
    const option = request.options[0];
    if (!option) return { optionId: null, reason: "no option is eligible for this customer" };
    return {
      optionId: option.id,
      reason: `first eligible option in the journey's order of preference (${request.options.length} eligible)`,
    };
  },
};
