import { DesignContext } from "../context.ts";
import type { DesignerDeps } from "../deps.ts";
import { contextMessage, systemPrompt } from "../prompts.ts";
import type { DesignerStateValue, DesignerUpdate } from "../state.ts";

/**
 * Loads what the designer knows before its first model call (catalog, policies, live journeys,
 * memory hits for the goal, a customer summary) and opens the conversation with it, so that the
 * common path needs no tool round trips.
 */
export function gatherContextNode(deps: DesignerDeps) {
  return async (state: DesignerStateValue): Promise<DesignerUpdate> => {
    const context = DesignContext.parse(
      await deps.environment.loadContext({ workspaceId: state.workspaceId, goal: state.goal }),
    );
    return {
      context,
      messages: [systemPrompt(), contextMessage(context, state.goal)],
    };
  };
}
