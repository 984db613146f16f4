import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { interrupt } from "@langchain/langgraph";
import { Journey } from "../../../journeys/format/schema.ts";
import { simulatePopulation } from "../../../journeys/simulate/population.ts";
import { createDecide } from "../../../policies/engine.ts";
import { draftedByFor } from "../../model.ts";
import { createScorerNba } from "../../nba/scorer.ts";
import { contextPolicies, readContext } from "../context.ts";
import type { DesignerDeps } from "../deps.ts";
import { emit } from "../deps.ts";
import { reviewerNoteMessage } from "../prompts.ts";
import { summarizeSimulation } from "../simulation-summary.ts";
import type { DesignerStateValue, DesignerUpdate } from "../state.ts";
import { ReviewOutcome } from "../state.ts";

/** From a checked draft to a reviewer's decision: simulate, submit, wait. */

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Replays a sample of the workspace's real customers (their recent event histories) through the
 * draft with the workspace's policies, and says in plain language what would happen.
 */
export function simulateSampleNode(deps: DesignerDeps) {
  return async (state: DesignerStateValue, config: LangGraphRunnableConfig): Promise<DesignerUpdate> => {
    const context = readContext(state.context);
    const journey = Journey.parse(state.journey);
    const sample = await deps.environment.sampleCustomers({
      workspaceId: state.workspaceId,
      designId: state.designId,
      size: deps.limits.sampleSize,
      now: deps.now(),
    });
    const summary = await simulatePopulation(journey, sample.customers, {
      decide: createDecide(contextPolicies(context)),
      timezone: context.timezone,
      from: sample.from,
      to: sample.to,
      templates: sample.templates,
      // agent nodes decide as the runtime's model-free chooser would (no model call per customer)
      nba: createScorerNba(),
    });
    const days = Math.max(1, Math.round((sample.to.getTime() - sample.from.getTime()) / DAY_MS));
    const sentences = summarizeSimulation(journey, summary, { days });
    emit(config, { type: "simulation", customers: summary.customers, entered: summary.entered, sentences });
    return {
      simulation: {
        customers: summary.customers,
        from: sample.from.toISOString(),
        to: sample.to.toISOString(),
        entered: summary.entered,
        sentences,
        summary: { ...summary },
      },
    };
  };
}

/** Stores the draft as a journey version and puts its activation in the approval queue. */
export function submitForApprovalNode(deps: DesignerDeps) {
  return async (state: DesignerStateValue, config: LangGraphRunnableConfig): Promise<DesignerUpdate> => {
    const journey = Journey.parse(state.journey);
    const submission = await deps.environment.submitForApproval({
      designId: state.designId,
      workspaceId: state.workspaceId,
      createdBy: state.createdBy,
      journey,
      draftedBy: draftedByFor(deps.model.name),
      previous: state.submission,
    });
    emit(config, {
      type: "submitted",
      approvalId: submission.approvalId,
      journeyId: submission.journeyId,
      version: submission.version,
    });
    return { submission, review: null, revision: state.revision + 1 };
  };
}

/**
 * Waits for the reviewer (an interrupt the approval queue resumes with its decision). Side-effect
 * free before `interrupt()`: this code runs again on resume.
 */
export function awaitReviewNode() {
  return async (state: DesignerStateValue): Promise<DesignerUpdate> => {
    const decision = interrupt({
      kind: "approval",
      approvalId: state.submission?.approvalId ?? null,
      journeyId: state.submission?.journeyId ?? null,
      version: state.submission?.version ?? null,
    });
    const review = ReviewOutcome.parse(decision);
    if (review.response?.type === "response") {
      // Revision: the reviewer's note goes back to the model as a new drafting round.
      return {
        review,
        reviewNotes: [review.response.args],
        messages: [reviewerNoteMessage(review.response.args)],
        repairRounds: 0,
        toolRounds: 0,
        journey: null,
      };
    }
    return { review };
  };
}

export type AfterReview = "activate_journey" | "draft_journey" | "reject_design" | "stop_design";

export function routeAfterReview(state: DesignerStateValue): AfterReview {
  const review = state.review;
  if (!review) return "stop_design";
  if (review.status === "accepted" || review.status === "edited") return "activate_journey";
  if (review.status === "responded") return "draft_journey";
  if (review.status === "ignored") return "reject_design";
  return "stop_design";
}
