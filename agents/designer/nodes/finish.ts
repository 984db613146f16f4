import { Journey } from "../../../journeys/format/schema.ts";
import type { DesignerDeps } from "../deps.ts";
import type { DesignerStateValue, DesignerUpdate } from "../state.ts";

/** How a design ends: live, rejected, stopped, or failed. Each is remembered for future designs. */

function journeyOf(value: unknown): Journey | null {
  const parsed = Journey.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * After an accept (or an accepted edit): confirms through the versions lifecycle that the version is
 * live. The approval queue performed the activation; the designer never activates on its own.
 */
export function activateJourneyNode(deps: DesignerDeps) {
  return async (state: DesignerStateValue): Promise<DesignerUpdate> => {
    if (!state.submission || !state.review) {
      return { outcome: "failed", error: "an accept arrived for a design that was never submitted" };
    }
    const confirmation = await deps.environment.confirmActivation({
      workspaceId: state.workspaceId,
      submission: state.submission,
      review: state.review,
    });
    if (confirmation.status !== "active") {
      return {
        outcome: "failed",
        error: `the reviewer accepted, but version ${state.submission.version} is ${confirmation.status}, not active`,
      };
    }
    const live = journeyOf(confirmation.definition);
    await deps.environment.recordOutcome({
      workspaceId: state.workspaceId,
      designId: state.designId,
      goal: state.goal,
      journey: live,
      explanation: state.explanation,
      outcome: "activated",
      note: state.review.response?.reason,
    });
    return { outcome: "activated", journey: live ?? state.journey, error: null };
  };
}

/** The reviewer ignored (rejected) the draft: the design ends; the draft stays for a person to edit. */
export function rejectDesignNode(deps: DesignerDeps) {
  return async (state: DesignerStateValue): Promise<DesignerUpdate> => {
    await deps.environment.recordOutcome({
      workspaceId: state.workspaceId,
      designId: state.designId,
      goal: state.goal,
      journey: journeyOf(state.journey),
      explanation: state.explanation,
      outcome: "rejected",
      note: state.review?.response?.reason ?? state.review?.status,
    });
    return { outcome: "rejected" };
  };
}

/** The approval expired or was withdrawn: nothing goes live. */
export function stopDesignNode() {
  return async (state: DesignerStateValue): Promise<DesignerUpdate> => ({
    outcome: "stopped",
    error: `the approval request ended without a decision (${state.review?.status ?? "no answer"})`,
  });
}

/** The model could not produce a valid journey within the budget. */
export function failDesignNode(deps: DesignerDeps) {
  return async (state: DesignerStateValue): Promise<DesignerUpdate> => {
    const error =
      state.error ??
      `no journey after ${state.llmCalls} model calls (the budget is ${deps.limits.maxModelCalls})`;
    await deps.environment.recordOutcome({
      workspaceId: state.workspaceId,
      designId: state.designId,
      goal: state.goal,
      journey: null,
      explanation: state.explanation,
      outcome: "failed",
      note: error,
    });
    return { outcome: "failed", error };
  };
}
