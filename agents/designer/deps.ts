import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import { isAIMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { DesignerModel } from "../model.ts";
import type { DesignerEnvironment } from "./environment.ts";

/** What every designer node receives: the model, the environment, the clock and the budget. */

export interface DesignerLimits {
  /** validator rounds fed back to the model before the design fails */
  maxRepairs: number;
  /** consecutive model turns that only call read tools before the tools stop answering */
  maxToolRounds: number;
  /** hard ceiling of model calls per design (every revision included) */
  maxModelCalls: number;
  /** customers replayed by the population simulation */
  sampleSize: number;
}

export const DEFAULT_LIMITS: DesignerLimits = {
  maxRepairs: 3,
  maxToolRounds: 3,
  maxModelCalls: 16,
  sampleSize: 500,
};

export interface DesignerDeps {
  model: DesignerModel;
  environment: DesignerEnvironment;
  now: () => Date;
  limits: DesignerLimits;
}

/** Events a node streams while it works (`streamMode: "custom"`); the service stores them for SSE. */
export type DesignStreamEvent =
  | { type: "model_call"; call: number; tokens: number; attempts: number; answer: string[] }
  | { type: "tool_call"; name: string; args: unknown }
  | { type: "tool_result"; name: string; chars: number; ok: boolean }
  | {
      type: "validation_round";
      round: number;
      ok: boolean;
      errors: number;
      issues: Array<{ path: string; message: string }>;
    }
  | { type: "lint"; warnings: number; codes: string[] }
  | { type: "conflicts"; conflicts: number; messages: string[] }
  | { type: "simulation"; customers: number; entered: number; sentences: string[] }
  | { type: "question"; question: string }
  | { type: "submitted"; approvalId: string; journeyId: string; version: number };

export function emit(config: LangGraphRunnableConfig | undefined, event: DesignStreamEvent): void {
  config?.writer?.(event);
}

/** The last message if the model wrote it. */
export function lastAiMessage(messages: readonly BaseMessage[]): AIMessage | null {
  const last = messages.at(-1);
  return last && isAIMessage(last) ? last : null;
}
