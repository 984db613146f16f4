import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import { AIMessage } from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import type { FunctionToolSpec } from "./designer/answer-tools.ts";
import { classifyModelError, ModelCallError } from "./model-errors.ts";
import { OfflineChatModel } from "./offline/chat-model.ts";
import { OFFLINE_MODEL } from "./offline/planner.ts";

/**
 * The one place a chat model is chosen. `OPENAI_API_KEY` and/or `OPENAI_BASE_URL` (anything that
 * speaks the OpenAI chat-completions API: OpenAI, Azure's OpenAI endpoint, Ollama, vLLM, LM Studio)
 * with `OVERTURE_MODEL` select `ChatOpenAI`; with neither, the deterministic offline planner answers
 * behind the same interface. Graph nodes receive a `DesignerModel`; they never construct one.
 *
 * Every call goes through `DesignerModel.invoke`: a timeout per attempt, retries only for failures
 * that are retryable by status and class (429, 5xx, timeouts, connection errors; never a 4xx), and
 * the call's token usage (`usage_metadata`) returned so the caller can sum it per design.
 */

export const DEFAULT_OPENAI_MODEL = "gpt-4o-mini";

export interface ModelSettings {
  OPENAI_API_KEY?: string | undefined;
  OPENAI_BASE_URL?: string | undefined;
  OVERTURE_MODEL?: string | undefined;
  /** per-attempt timeout (default 60 s) */
  OVERTURE_MODEL_TIMEOUT_MS?: number | undefined;
  /** attempts per call, first one included (default 3) */
  OVERTURE_MODEL_MAX_ATTEMPTS?: number | undefined;
}

export interface CallUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface ModelCall {
  message: AIMessage;
  usage: CallUsage;
  /** attempts it took (1 = no retry) */
  attempts: number;
}

export type BindableTool = FunctionToolSpec | StructuredToolInterface;

export interface RetryPolicy {
  maxAttempts: number;
  /** delay before attempt n+1 when the provider did not say (Retry-After wins, capped at maxDelayMs) */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface DesignerModelOptions {
  /** "offline-planner" or "openai:<model>": what every API answer reports */
  name: string;
  retry?: Partial<RetryPolicy>;
  /** "required" makes the model answer with a tool call; "auto" for servers that do not support it */
  toolChoice?: "required" | "auto";
  /** injected so tests do not wait for backoff */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 20_000 };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DesignerModel {
  readonly name: string;
  private readonly retry: RetryPolicy;
  private readonly toolChoice: "required" | "auto";
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    /** the chat model (ChatOpenAI, the offline model, or a scripted test model) */
    readonly chat: BaseChatModel,
    options: DesignerModelOptions,
  ) {
    this.name = options.name;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.toolChoice = options.toolChoice ?? "auto";
    this.sleep = options.sleep ?? realSleep;
  }

  /**
   * One model turn with `tools` bound; retried on retryable failures, never on 4xx. `signal` ends
   * the call and its retries (a caller with a deadline, such as the runtime's next-best-action step).
   */
  async invoke(
    messages: BaseMessage[],
    tools: readonly BindableTool[],
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<ModelCall> {
    if (!this.chat.bindTools)
      throw new ModelCallError("model_failed", `${this.name} cannot bind tools`, false);
    const bound = this.chat.bindTools([...tools], { tool_choice: this.toolChoice });
    let attempt = 0;
    while (true) {
      attempt++;
      try {
        const answer = await bound.invoke(messages, options.signal ? { signal: options.signal } : undefined);
        const message = answer instanceof AIMessage ? answer : new AIMessage(answer);
        return { message, usage: usageOf(message), attempts: attempt };
      } catch (thrown) {
        const error = classifyModelError(thrown);
        if (!error.retryable || attempt >= this.retry.maxAttempts || options.signal?.aborted) {
          throw attempt > 1
            ? new ModelCallError(
                error.code,
                `${error.message} (after ${attempt} attempts)`,
                error.retryable,
                error.status,
                error.retryAfterSeconds,
                { cause: error },
              )
            : error;
        }
        const backoff = this.retry.baseDelayMs * 2 ** (attempt - 1);
        const asked = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : backoff;
        await this.sleep(Math.min(asked, this.retry.maxDelayMs));
      }
    }
  }
}

export function usageOf(message: AIMessage): CallUsage {
  const usage = message.usage_metadata;
  const inputTokens = usage?.input_tokens ?? 0;
  const outputTokens = usage?.output_tokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: usage?.total_tokens ?? inputTokens + outputTokens };
}

const positive = (value: string | undefined) => {
  const number = value === undefined || value.trim() === "" ? Number.NaN : Number(value);
  return Number.isInteger(number) && number > 0 ? number : undefined;
};

/** Model settings from environment variables (the server validates them in server/config.ts). */
export function modelSettingsFromEnv(env: NodeJS.ProcessEnv): ModelSettings {
  const text = (value: string | undefined) => (value && value.trim() !== "" ? value.trim() : undefined);
  return {
    OPENAI_API_KEY: text(env.OPENAI_API_KEY),
    OPENAI_BASE_URL: text(env.OPENAI_BASE_URL),
    OVERTURE_MODEL: text(env.OVERTURE_MODEL),
    OVERTURE_MODEL_TIMEOUT_MS: positive(env.OVERTURE_MODEL_TIMEOUT_MS),
    OVERTURE_MODEL_MAX_ATTEMPTS: positive(env.OVERTURE_MODEL_MAX_ATTEMPTS),
  };
}

/** Which model the settings select, as API answers report it. */
export function modelName(settings: ModelSettings): string {
  if (!settings.OPENAI_API_KEY && !settings.OPENAI_BASE_URL) return OFFLINE_MODEL;
  return `openai:${settings.OVERTURE_MODEL ?? DEFAULT_OPENAI_MODEL}`;
}

/** `drafted_by` of a journey version written by this model (journeys/versions.ts DraftedBy). */
export function draftedByFor(name: string): "offline-planner" | `model:${string}` {
  return name === OFFLINE_MODEL ? "offline-planner" : `model:${name}`;
}

/** The model factory. */
export function createDesignerModel(
  settings: ModelSettings,
  options: Omit<DesignerModelOptions, "name"> = {},
): DesignerModel {
  const name = modelName(settings);
  if (name === OFFLINE_MODEL) {
    return new DesignerModel(new OfflineChatModel(), { ...options, name, retry: { maxAttempts: 1 } });
  }
  const chat = new ChatOpenAI({
    model: settings.OVERTURE_MODEL ?? DEFAULT_OPENAI_MODEL,
    // Ollama and most local servers ignore the key but the client insists on one.
    apiKey: settings.OPENAI_API_KEY ?? "ollama",
    configuration: settings.OPENAI_BASE_URL ? { baseURL: settings.OPENAI_BASE_URL } : {},
    timeout: settings.OVERTURE_MODEL_TIMEOUT_MS ?? 60_000,
    // Retries are ours (DesignerModel.invoke), decided by status and class.
    maxRetries: 0,
    useResponsesApi: false,
    streamUsage: false,
  });
  return new DesignerModel(chat, {
    ...options,
    name,
    retry: {
      maxAttempts: settings.OVERTURE_MODEL_MAX_ATTEMPTS ?? DEFAULT_RETRY.maxAttempts,
      ...options.retry,
    },
    // OpenAI itself honours tool_choice "required"; local servers vary, so they get "auto".
    toolChoice: options.toolChoice ?? (settings.OPENAI_BASE_URL ? "auto" : "required"),
  });
}
