import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { END, START, StateGraph } from "@langchain/langgraph";
import type { DesignerModel } from "../model.ts";
import type { DesignerDeps, DesignerLimits } from "./deps.ts";
import { DEFAULT_LIMITS } from "./deps.ts";
import type { DesignerEnvironment } from "./environment.ts";
import {
  checkConflictsNode,
  checkDraftNode,
  lintPoliciesNode,
  routeAfterCheck,
} from "./nodes/check-draft.ts";
import { askUserNode, draftJourneyNode, routeAfterDraft, runToolsNode } from "./nodes/draft.ts";
import { activateJourneyNode, failDesignNode, rejectDesignNode, stopDesignNode } from "./nodes/finish.ts";
import { gatherContextNode } from "./nodes/gather-context.ts";
import {
  awaitReviewNode,
  routeAfterReview,
  simulateSampleNode,
  submitForApprovalNode,
} from "./nodes/review.ts";
import { DesignerState } from "./state.ts";

/**
 * The journey designer: a goal in plain language becomes a validated, linted, conflict-checked and
 * simulated journey draft that waits for a reviewer. It only ever proposes.
 *
 *   gather_context → draft_journey ⇄ run_tools
 *                        │  ⇅ ask_user (interrupt: the CX lead answers)
 *                        ▼
 *                    check_draft ⇄ draft_journey (repair, at most 3 rounds) ─► fail_design
 *                        ▼
 *   lint_policies → check_conflicts → simulate_sample → submit_for_approval → await_review (interrupt)
 *        accept/edit ─► activate_journey · response ─► draft_journey · ignore ─► reject_design
 *        expired/withdrawn ─► stop_design
 */

export function buildDesignerGraph(deps: DesignerDeps) {
  return (
    new StateGraph(DesignerState)
      // Reads catalog, policies, live journeys, memory and a customer summary; opens the conversation.
      .addNode("gather_context", gatherContextNode(deps))
      // One model turn: it submits a journey, asks a question, or asks for read-only data.
      .addNode("draft_journey", draftJourneyNode(deps))
      // Runs the read-only tools the model asked for (bound to this workspace by code).
      .addNode("run_tools", runToolsNode(deps))
      // Puts the model's question to the CX lead and waits for the answer.
      .addNode("ask_user", askUserNode())
      // Validates the draft; errors go back to the model with their JSONPaths.
      .addNode("check_draft", checkDraftNode(deps))
      // Decides what the workspace's guardrails would hold, skip or send for review.
      .addNode("lint_policies", lintPoliciesNode())
      // Decides whether live journeys already catch these customers on this trigger, with other offers.
      .addNode("check_conflicts", checkConflictsNode())
      // Replays real customers through the draft and says what would happen.
      .addNode("simulate_sample", simulateSampleNode(deps))
      // Saves the draft as a journey version and asks for its activation in the approval queue.
      .addNode("submit_for_approval", submitForApprovalNode(deps))
      // Waits for the reviewer's decision.
      .addNode("await_review", awaitReviewNode())
      // Confirms the accepted version went live through the versions lifecycle.
      .addNode("activate_journey", activateJourneyNode(deps))
      // Ends a design the reviewer ignored.
      .addNode("reject_design", rejectDesignNode(deps))
      // Ends a design whose approval expired or was withdrawn.
      .addNode("stop_design", stopDesignNode())
      // Ends a design that produced no valid journey within the budget.
      .addNode("fail_design", failDesignNode(deps))
      .addEdge(START, "gather_context")
      .addEdge("gather_context", "draft_journey")
      .addConditionalEdges("draft_journey", routeAfterDraft(deps), [
        "check_draft",
        "ask_user",
        "run_tools",
        "fail_design",
      ])
      .addEdge("run_tools", "draft_journey")
      .addEdge("ask_user", "draft_journey")
      .addConditionalEdges("check_draft", routeAfterCheck(deps), [
        "lint_policies",
        "draft_journey",
        "fail_design",
      ])
      .addEdge("lint_policies", "check_conflicts")
      .addEdge("check_conflicts", "simulate_sample")
      .addEdge("simulate_sample", "submit_for_approval")
      .addEdge("submit_for_approval", "await_review")
      .addConditionalEdges("await_review", routeAfterReview, [
        "activate_journey",
        "draft_journey",
        "reject_design",
        "stop_design",
      ])
      .addEdge("activate_journey", END)
      .addEdge("reject_design", END)
      .addEdge("stop_design", END)
      .addEdge("fail_design", END)
  );
}

export interface CompileOptions {
  model: DesignerModel;
  environment: DesignerEnvironment;
  checkpointer: BaseCheckpointSaver;
  now?: () => Date;
  limits?: Partial<DesignerLimits>;
  /** stop before these nodes (the eval drafter stops before submitting) */
  interruptBefore?: Array<"submit_for_approval">;
}

export function compileDesigner(options: CompileOptions) {
  const deps: DesignerDeps = {
    model: options.model,
    environment: options.environment,
    now: options.now ?? (() => new Date()),
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  };
  return buildDesignerGraph(deps).compile({
    checkpointer: options.checkpointer,
    ...(options.interruptBefore ? { interruptBefore: options.interruptBefore } : {}),
  });
}

export type DesignerGraph = ReturnType<typeof compileDesigner>;
