import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseChatModelCallOptions, BindToolsInput } from "@langchain/core/language_models/chat_models";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import { AIMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import { ASK_CLARIFICATION, SUBMIT_JOURNEY } from "../designer/answer-tools.ts";
import { readSections, SECTION, unescapeText } from "../designer/prompt-format.ts";
import { OFFLINE_MODEL, OfflinePlannerError, planJourney } from "./planner.ts";

/**
 * The offline planner behind the chat-model interface: a deterministic `BaseChatModel` that reads
 * the designer's prompt the way a real model does (the goal, the workspace catalog, the CX lead's
 * answers and the reviewer's notes, from their tagged sections) and answers with the same tool
 * calls a real model makes — `submit_journey` with the journey JSON, or `ask_clarification`.
 *
 * It understands what `planJourney` understands (docs/offline-planner.md); answers and reviewer
 * notes are appended to the goal and the whole is planned again. It cannot repair a draft from
 * validator feedback: it would plan the same journey, so the graph's repair loop ends after its
 * rounds. Token counts are estimates (characters / 4), reported so the eval's accounting works the
 * same way for every model.
 */

interface OfflineState {
  calls: number;
}

function messageText(message: BaseMessage): string {
  const content = message.content;
  if (typeof content === "string") return content;
  return content
    .map((part) => (typeof part === "object" && part !== null && "text" in part ? String(part.text) : ""))
    .join("");
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export class OfflineChatModelError extends Error {
  readonly code = "offline_model_prompt";
}

export class OfflineChatModel extends BaseChatModel {
  private state: OfflineState = { calls: 0 };
  private boundTools: string[] = [];

  constructor() {
    super({});
  }

  _llmType(): string {
    return OFFLINE_MODEL;
  }

  /** How many times this model (and its tool-bound copies) answered. */
  get callCount(): number {
    return this.state.calls;
  }

  override bindTools(tools: BindToolsInput[], _kwargs?: Partial<BaseChatModelCallOptions>) {
    const bound = new OfflineChatModel();
    bound.state = this.state;
    bound.boundTools = tools.flatMap((tool) => {
      if (typeof tool === "object" && tool !== null) {
        if (
          "function" in tool &&
          typeof tool.function === "object" &&
          tool.function &&
          "name" in tool.function
        ) {
          return [String(tool.function.name)];
        }
        if ("name" in tool && typeof tool.name === "string") return [tool.name];
      }
      return [];
    });
    return bound;
  }

  async _generate(
    messages: BaseMessage[],
    _options: this["ParsedCallOptions"],
    _runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    this.state.calls++;
    for (const name of [SUBMIT_JOURNEY, ASK_CLARIFICATION]) {
      if (!this.boundTools.includes(name)) {
        throw new OfflineChatModelError(
          `the offline planner answers through the ${name} tool; bind it first`,
        );
      }
    }
    const texts = messages.map(messageText);
    const promptText = texts.find((text) => text.includes(`<${SECTION.goal}>`));
    if (!promptText) throw new OfflineChatModelError("the prompt has no <goal> section");
    const goal = unescapeText(readSections(promptText, SECTION.goal)[0] ?? "").trim();
    const catalogJson = readSections(promptText, SECTION.catalog)[0];
    if (!catalogJson) throw new OfflineChatModelError("the prompt has no <workspace_catalog> section");
    const catalog = WorkspaceCatalog.parse(JSON.parse(catalogJson));
    // Later turns: the CX lead's answers (tool results) and reviewer notes, in order.
    const additions = messages
      .slice(messages.findIndex((m) => messageText(m) === promptText) + 1)
      .flatMap((m) => {
        const text = messageText(m);
        return [...readSections(text, SECTION.answer), ...readSections(text, SECTION.reviewerNote)].map(
          (part) => unescapeText(part).trim(),
        );
      });
    const fullGoal = [goal, ...additions].filter((part) => part.length > 0).join(" ");
    const callId = `call_offline_${messages.filter((m) => m.getType() === "ai").length + 1}`;
    let toolCall: { name: string; args: Record<string, unknown>; id: string; type: "tool_call" };
    try {
      const plan = planJourney(fullGoal, { catalog });
      toolCall =
        plan.kind === "clarify"
          ? {
              name: ASK_CLARIFICATION,
              args: { question: plan.question, missing: plan.missing },
              id: callId,
              type: "tool_call",
            }
          : {
              name: SUBMIT_JOURNEY,
              args: { journey: plan.journey, explanation: plan.explanation },
              id: callId,
              type: "tool_call",
            };
    } catch (error) {
      // A planner defect: hand the draft over as a model would, so the validator reports it.
      if (!(error instanceof OfflinePlannerError)) throw error;
      toolCall = {
        name: SUBMIT_JOURNEY,
        args: { journey: error.journey, explanation: [] },
        id: callId,
        type: "tool_call",
      };
    }
    const inputTokens = estimateTokens(texts.join("\n"));
    const outputTokens = estimateTokens(JSON.stringify(toolCall.args));
    const message = new AIMessage({
      content: "",
      tool_calls: [toolCall],
      usage_metadata: {
        input_tokens: inputTokens,
        output_tokens: outputTokens,
        total_tokens: inputTokens + outputTokens,
      },
      response_metadata: { model_name: OFFLINE_MODEL },
    });
    return { generations: [{ text: "", message }] };
  }
}
