import { randomUUID } from "node:crypto";
import { MemorySaver } from "@langchain/langgraph";
import { z } from "zod";
import { compileDesigner } from "../agents/designer/graph.ts";
import { staticEnvironment } from "../agents/designer/static-environment.ts";
import type { DesignerModel } from "../agents/model.ts";
import { createDesignerModel, modelSettingsFromEnv } from "../agents/model.ts";
import type { Drafter } from "./drafter.ts";

const ClarificationInterrupt = z.object({ kind: z.literal("clarification"), question: z.string() });

/**
 * The LangGraph designer as an eval drafter: the real graph (context, model turns, tools, validation
 * and repair, lint, conflicts, simulation) with the model the environment selects (the offline chat
 * model without OPENAI_* variables), stopped before submission. Model calls and tokens come from the
 * model wrapper, summed in the graph's state.
 */
export function designerDrafter(model: DesignerModel): Drafter {
  return async (goal, workspace) => {
    const graph = compileDesigner({
      model,
      environment: staticEnvironment({ catalog: workspace.catalog, policies: workspace.policies }),
      checkpointer: new MemorySaver(),
      interruptBefore: ["submit_for_approval"],
    });
    const designId = `eval_${randomUUID()}`;
    const config = { configurable: { thread_id: designId } };
    await graph.invoke(
      { designId, workspaceId: "eval", goal, createdBy: "eval" },
      { ...config, recursionLimit: 100 },
    );
    const snapshot = await graph.getState(config);
    const state = snapshot.values;
    const question = snapshot.tasks
      .flatMap((task) => task.interrupts)
      .map((pending) => ClarificationInterrupt.safeParse(pending.value))
      .find((parsed) => parsed.success)?.data;
    const counts = { model: model.name, llmCalls: state.llmCalls ?? 0, tokens: state.tokens ?? 0 };
    if (question) return { kind: "clarify", question: question.question, ...counts };
    return { kind: "journey", journey: state.draft, explanation: state.explanation, ...counts };
  };
}

/** The drafter `npm run eval` uses by default: the designer with the configured model. */
export function configuredDesignerDrafter(env: NodeJS.ProcessEnv = process.env): Drafter {
  let drafter: Drafter | null = null;
  return (goal, workspace) => {
    drafter ??= designerDrafter(createDesignerModel(modelSettingsFromEnv(env)));
    return drafter(goal, workspace);
  };
}
