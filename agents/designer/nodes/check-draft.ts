import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { Journey } from "../../../journeys/format/schema.ts";
import { validateJourney } from "../../../journeys/format/validate.ts";
import { lintJourney } from "../../../policies/lint.ts";
import { SUBMIT_JOURNEY, SubmitJourneyArgs } from "../answer-tools.ts";
import { findConflicts } from "../conflicts.ts";
import { contextLiveJourneys, contextPolicies, readContext } from "../context.ts";
import type { DesignerDeps } from "../deps.ts";
import { emit, lastAiMessage } from "../deps.ts";
import { acceptedMessage, repairMessage } from "../prompts.ts";
import type { DesignerStateValue, DesignerUpdate } from "../state.ts";
import { otherCallResults } from "./draft.ts";

/** Checks of a submitted draft: validation (with repair), policy lint, conflicts with live journeys. */

/**
 * Validates the submitted journey against the workspace catalog. Errors go back to the model with
 * their JSONPaths and sentences (a repair round); warnings travel with the draft to the reviewer.
 */
export function checkDraftNode(deps: DesignerDeps) {
  return async (state: DesignerStateValue, config: LangGraphRunnableConfig): Promise<DesignerUpdate> => {
    const message = lastAiMessage(state.messages);
    const toolCall = message?.tool_calls?.find((call) => call.name === SUBMIT_JOURNEY);
    const id = toolCall?.id ?? "";
    const others = otherCallResults(message, toolCall?.id, `${SUBMIT_JOURNEY} was called in the same turn`);
    const args = SubmitJourneyArgs.safeParse(toolCall?.args ?? {});
    const context = readContext(state.context);
    const validation = validateJourney(args.success ? args.data.journey : undefined, context.catalog);
    const errors = validation.issues.filter((issue) => issue.severity === "error");
    const round = state.repairRounds + 1;
    emit(config, {
      type: "validation_round",
      round,
      ok: errors.length === 0,
      errors: errors.length,
      issues: validation.issues.map((issue) => ({ path: issue.path, message: issue.message })),
    });
    const draft = args.success ? args.data.journey : (toolCall?.args ?? null);
    const explanation = args.success ? args.data.explanation : [];
    if (errors.length > 0 || !validation.journey) {
      const exhausted = state.repairRounds >= deps.limits.maxRepairs;
      return {
        draft,
        explanation,
        journey: null,
        issues: validation.issues,
        repairRounds: exhausted ? state.repairRounds : round,
        messages: [repairMessage(id, validation.issues, round, deps.limits.maxRepairs), ...others],
        ...(exhausted
          ? {
              error: `the draft still has ${errors.length} validation error${errors.length === 1 ? "" : "s"} after ${deps.limits.maxRepairs} repair rounds; first ${errors[0]?.path}: ${errors[0]?.message}`,
            }
          : {}),
      };
    }
    return {
      draft,
      explanation,
      journey: validation.journey,
      issues: validation.issues,
      repairRounds: 0,
      error: null,
      messages: [acceptedMessage(id, validation.issues), ...others],
    };
  };
}

export type AfterCheck = "lint_policies" | "draft_journey" | "fail_design";

export function routeAfterCheck(deps: DesignerDeps) {
  return (state: DesignerStateValue): AfterCheck => {
    if (state.journey) return "lint_policies";
    if (state.error || state.llmCalls >= deps.limits.maxModelCalls) return "fail_design";
    return "draft_journey";
  };
}

/** Lints the draft with the workspace's policies: what the guardrails would hold, skip or review. */
export function lintPoliciesNode() {
  return async (state: DesignerStateValue, config: LangGraphRunnableConfig): Promise<DesignerUpdate> => {
    const context = readContext(state.context);
    const journey = Journey.parse(state.journey);
    const warnings = lintJourney(journey, contextPolicies(context), context.catalog);
    emit(config, {
      type: "lint",
      warnings: warnings.length,
      codes: [...new Set(warnings.map((warning) => warning.code))],
    });
    return { lint: warnings };
  };
}

/** Compares the draft with the live journeys: same trigger and audience, contradictory offers. */
export function checkConflictsNode() {
  return async (state: DesignerStateValue, config: LangGraphRunnableConfig): Promise<DesignerUpdate> => {
    const context = readContext(state.context);
    const conflicts = findConflicts(Journey.parse(state.journey), contextLiveJourneys(context));
    emit(config, {
      type: "conflicts",
      conflicts: conflicts.length,
      messages: conflicts.map((conflict) => conflict.message),
    });
    return { conflicts: conflicts.map((conflict) => ({ ...conflict })) };
  };
}
