import { OFFLINE_MODEL, planJourney } from "../agents/offline/planner.ts";
import type { WorkspaceCatalog } from "../journeys/format/catalog.ts";
import type { PolicyConfig } from "../policies/config.ts";

/**
 * What the eval measures: anything that turns a goal into a journey draft or a clarifying
 * question. Today the offline planner; the LangGraph designer agent plugs in its graph here
 * (counting model calls and tokens), so the same eval scores the real agent.
 */

export interface DraftWorkspace {
  catalog: WorkspaceCatalog;
  policies: PolicyConfig;
}

export interface Draft {
  kind: "journey" | "clarify";
  /** the journey JSON as drafted (validated and simulated by the runner, never trusted) */
  journey?: unknown;
  question?: string | undefined;
  /** which model drafted it, as every API answer reports it */
  model: string;
  llmCalls: number;
  tokens: number;
  explanation?: string[] | undefined;
}

export type Drafter = (goal: string, workspace: DraftWorkspace) => Promise<Draft>;

/** The deterministic offline planner: no model, no network, zero model calls. */
export const offlineDrafter: Drafter = async (goal, workspace) => {
  const result = planJourney(goal, { catalog: workspace.catalog });
  if (result.kind === "clarify") {
    return { kind: "clarify", question: result.question, model: OFFLINE_MODEL, llmCalls: 0, tokens: 0 };
  }
  return {
    kind: "journey",
    journey: result.journey,
    explanation: result.explanation,
    model: OFFLINE_MODEL,
    llmCalls: 0,
    tokens: 0,
  };
};

/** Drafters selectable with `--drafter NAME`; the designer agent adds itself here. */
export const DRAFTERS: Record<string, Drafter> = {
  offline: offlineDrafter,
};
