import type { StateSnapshot } from "@langchain/langgraph";
import { z } from "zod";
import type { DesignStatus } from "../../db/schema/designs.ts";
import type { DesignerStateValue } from "./state.ts";
import { ReviewOutcome } from "./state.ts";
import type { updateDesign } from "./store.ts";

/**
 * How a design's graph state maps onto its row and what the graph waits for: the shapes of the
 * interrupts it raises, of the inputs delivered for them, and the row patch (status, question,
 * draft and checks) the API answers with.
 */

/** An input waiting on the design row for the graph: the CX lead's answer or a reviewer's decision. */
export const PendingInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("clarification"), value: z.string(), by: z.string() }),
  z.object({ kind: z.literal("review"), value: ReviewOutcome }),
]);
export type PendingInput = z.infer<typeof PendingInput>;

/** What `ask_user` and `await_review` interrupt with. */
export const InterruptValue = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("clarification"), question: z.string() }),
  z.object({ kind: z.literal("approval"), approvalId: z.string().nullable() }),
]);
export type InterruptValue = z.infer<typeof InterruptValue>;

export function waitingFor(snapshot: StateSnapshot): InterruptValue | undefined {
  return snapshot.tasks
    .flatMap((task) => task.interrupts)
    .map((entry) => InterruptValue.safeParse(entry.value))
    .find((parsed) => parsed.success)?.data;
}

export type DesignPatch = Parameters<typeof updateDesign>[2];

/** The row as the state says it is, and the `status` event to record when the status changed. */
export function designPatch(
  snapshot: StateSnapshot,
  now: Date,
): { status: DesignStatus; patch: DesignPatch; statusEvent: Record<string, unknown> } {
  const state: Partial<DesignerStateValue> = snapshot.values;
  const waiting = waitingFor(snapshot);
  const status: DesignStatus = state.outcome
    ? state.outcome
    : waiting?.kind === "clarification"
      ? "clarifying"
      : waiting?.kind === "approval"
        ? "awaiting_approval"
        : snapshot.next.length > 0
          ? "running"
          : "failed";
  const patch: DesignPatch = {
    status,
    question: waiting?.kind === "clarification" ? waiting.question : null,
    draft: state.draft ?? null,
    explanation: state.explanation ?? [],
    issues: (state.issues ?? []).map((issue) => ({ ...issue })),
    lint: (state.lint ?? []).map((warning) => ({ ...warning })),
    conflicts: state.conflicts ?? [],
    summary: state.simulation ? { ...state.simulation } : null,
    llmCalls: state.llmCalls ?? 0,
    tokens: state.tokens ?? 0,
    journeyId: state.submission?.journeyId ?? null,
    versionId: state.submission?.versionId ?? null,
    approvalId: state.submission?.approvalId ?? null,
    revision: state.revision ?? 0,
    error:
      state.error ?? (status === "failed" && !state.outcome ? "the graph ended without an outcome" : null),
    updatedAt: now,
  };
  const statusEvent = {
    status,
    ...(waiting?.kind === "clarification" ? { question: waiting.question } : {}),
    ...(state.submission ? { approvalId: state.submission.approvalId } : {}),
  };
  return { status, patch, statusEvent };
}
