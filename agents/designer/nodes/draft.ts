import { randomUUID } from "node:crypto";
import { AIMessage, ToolMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { interrupt } from "@langchain/langgraph";
import { ASK_CLARIFICATION, AskClarificationArgs, answerToolSpecs, SUBMIT_JOURNEY } from "../answer-tools.ts";
import type { DesignerDeps } from "../deps.ts";
import { emit, lastAiMessage } from "../deps.ts";
import { answerMessage, answerReminder, notExecutedMessage } from "../prompts.ts";
import type { DesignerStateValue, DesignerUpdate } from "../state.ts";

/** Drafting: one model turn, the read tools it may ask for, and the clarifying question. */

const ANSWER_TOOLS = new Set([SUBMIT_JOURNEY, ASK_CLARIFICATION]);

export function draftJourneyNode(deps: DesignerDeps) {
  return async (state: DesignerStateValue, config: LangGraphRunnableConfig): Promise<DesignerUpdate> => {
    const tools = [...deps.environment.readTools(state.workspaceId), ...answerToolSpecs()];
    const call = await deps.model.invoke(state.messages, tools);
    const answer = (call.message.tool_calls ?? []).map((toolCall) => toolCall.name);
    emit(config, {
      type: "model_call",
      call: state.llmCalls + 1,
      tokens: call.usage.totalTokens,
      attempts: call.attempts,
      answer,
    });
    const readOnly = answer.length > 0 && !answer.some((name) => ANSWER_TOOLS.has(name));
    // The conversation merges messages by id, so each turn gets one of its own: providers' ids are
    // not unique across restarts and scripted models (a repeated id would replace an earlier turn).
    const turn = new AIMessage({
      content: call.message.content,
      tool_calls: call.message.tool_calls ?? [],
      invalid_tool_calls: call.message.invalid_tool_calls ?? [],
      additional_kwargs: call.message.additional_kwargs,
      response_metadata: { ...call.message.response_metadata, provider_message_id: call.message.id ?? null },
      ...(call.message.usage_metadata ? { usage_metadata: call.message.usage_metadata } : {}),
      id: `turn-${randomUUID()}`,
    });
    return {
      messages: [turn],
      llmCalls: 1,
      tokens: call.usage.totalTokens,
      toolRounds: readOnly ? state.toolRounds + 1 : 0,
    };
  };
}

export type AfterDraft = "check_draft" | "ask_user" | "run_tools" | "fail_design";

/** What the model's turn asks for next. */
export function routeAfterDraft(deps: DesignerDeps) {
  return (state: DesignerStateValue): AfterDraft => {
    const message = lastAiMessage(state.messages);
    const names = (message?.tool_calls ?? []).map((toolCall) => toolCall.name);
    if (names.includes(SUBMIT_JOURNEY)) return "check_draft";
    if (names.includes(ASK_CLARIFICATION)) return "ask_user";
    if (state.llmCalls >= deps.limits.maxModelCalls) return "fail_design";
    return "run_tools";
  };
}

/** Tool results for the calls of `message` other than `handled` (every call needs an answer). */
export function otherCallResults(
  message: AIMessage | null,
  handled: string | undefined,
  why: string,
): ToolMessage[] {
  return (message?.tool_calls ?? [])
    .filter((toolCall) => toolCall.id && toolCall.id !== handled)
    .map((toolCall) => notExecutedMessage(toolCall.id!, why));
}

/**
 * Runs the read-only tools the model asked for (bound to the design's workspace by code, never by
 * the model), or reminds a model that answered in prose how to answer.
 */
export function runToolsNode(deps: DesignerDeps) {
  return async (state: DesignerStateValue, config: LangGraphRunnableConfig): Promise<DesignerUpdate> => {
    const message = lastAiMessage(state.messages);
    const calls = message?.tool_calls ?? [];
    if (calls.length === 0) return { messages: [answerReminder()] };
    if (state.toolRounds > deps.limits.maxToolRounds) {
      return {
        messages: calls.map((toolCall) =>
          notExecutedMessage(
            toolCall.id ?? "",
            `the read budget of this draft is spent; answer now with ${SUBMIT_JOURNEY} or ${ASK_CLARIFICATION}`,
          ),
        ),
      };
    }
    const tools = new Map(deps.environment.readTools(state.workspaceId).map((tool) => [tool.name, tool]));
    const results: ToolMessage[] = [];
    for (const toolCall of calls) {
      const id = toolCall.id ?? "";
      const tool = tools.get(toolCall.name);
      emit(config, { type: "tool_call", name: toolCall.name, args: toolCall.args });
      if (!tool) {
        results.push(
          notExecutedMessage(
            id,
            `there is no tool "${toolCall.name}"; the tools are ${[...tools.keys()].join(", ")}`,
          ),
        );
        emit(config, { type: "tool_result", name: toolCall.name, chars: 0, ok: false });
        continue;
      }
      try {
        const output: unknown = await tool.invoke(toolCall.args);
        const content = typeof output === "string" ? output : JSON.stringify(output);
        results.push(new ToolMessage({ tool_call_id: id, content }));
        emit(config, { type: "tool_result", name: toolCall.name, chars: content.length, ok: true });
      } catch (error) {
        // A bad argument is the model's to fix; the message says what was wrong.
        results.push(notExecutedMessage(id, `the tool failed: ${(error as Error).message}`));
        emit(config, { type: "tool_result", name: toolCall.name, chars: 0, ok: false });
      }
    }
    return { messages: results };
  };
}

/**
 * Asks the CX lead the model's question and waits (an interrupt answered through the API). Nothing
 * before `interrupt()` has side effects: this code runs again when the answer arrives.
 */
export function askUserNode() {
  return async (state: DesignerStateValue): Promise<DesignerUpdate> => {
    const message = lastAiMessage(state.messages);
    const toolCall = message?.tool_calls?.find((call) => call.name === ASK_CLARIFICATION);
    const parsed = AskClarificationArgs.safeParse(toolCall?.args ?? {});
    const question = parsed.success
      ? parsed.data.question
      : "Could you say what should start the journey and what should happen then?";
    const answer = interrupt({ kind: "clarification", question });
    const text = typeof answer === "string" ? answer : JSON.stringify(answer);
    return {
      clarifications: [{ question, answer: text }],
      question: null,
      messages: [
        answerMessage(toolCall?.id ?? "", text),
        ...otherCallResults(message, toolCall?.id, "the question was asked first"),
      ],
    };
  };
}
