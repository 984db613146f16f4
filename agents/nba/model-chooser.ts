import type { AIMessage } from "@langchain/core/messages";
import { MessageContent } from "../../journeys/format/schema.ts";
import type { NbaChoice, NbaRequest, NextBestAction } from "../../journeys/runtime/nba.ts";
import { narrowActionsForScreening } from "../../policies/injection/quarantine.ts";
import type { TextSignals } from "../../predict/text-signals.ts";
import type { DesignerModel } from "../model.ts";
import { classifyModelError } from "../model-errors.ts";
import { buildPrompt, CHOOSE_ACTION, ChooseActionAnswer, chooseActionTool } from "./prompt.ts";
import { scorerChoice } from "./scorer.ts";
import { customerSignals } from "./signals.ts";

/**
 * The model-backed next-best-action step: one structured-output call (a forced `choose_action`
 * tool call) that sees the objective, the whitelisted options, computed signals and the customer's
 * data in quarantine blocks. Its answer is zod-parsed and checked against the options; anything
 * else — an invented option, a malformed answer, a model error, the deadline — falls back to the
 * deterministic scorer, so a model can slow an agent node down by at most `timeoutMs` and never
 * block it. Flagged customer text narrows the options (hand-off or nothing) for both.
 */

export interface Deadline {
  signal: AbortSignal;
  cancel(): void;
}

export interface ModelNbaOptions {
  model: DesignerModel;
  /** the whole step, waiting for a slot included (default 10 s) */
  timeoutMs?: number;
  /** model calls in flight at once; a worker batch steps many agent nodes together (default 4) */
  maxConcurrent?: number;
  textSignals?: TextSignals;
  /** injected by tests: a deadline they end themselves instead of waiting for a timer */
  deadline?: (ms: number) => Deadline;
}

export interface NbaStats {
  decisions: number;
  modelChoices: number;
  fallbacks: number;
  inputTokens: number;
  outputTokens: number;
}

function timerDeadline(ms: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms);
  timer.unref?.();
  return { signal: controller.signal, cancel: () => clearTimeout(timer) };
}

/** Rejects when the signal fires: a model that ignores its signal cannot hold the step past the deadline. */
function abortion(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error("the next-best-action deadline passed"));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  promise.catch(() => {});
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}

/** A counting semaphore whose waits end at the caller's deadline. */
class Slots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly size: number) {}

  private release() {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  async acquire(signal: AbortSignal): Promise<() => void> {
    if (this.active < this.size) {
      this.active++;
    } else {
      const aborted = abortion(signal);
      let granted = false;
      let waker = () => {};
      const turn = new Promise<void>((resolve) => {
        waker = () => {
          granted = true;
          resolve();
        };
        this.waiting.push(waker);
      });
      try {
        await Promise.race([turn, aborted.promise]);
      } catch (error) {
        // Handed a slot in the same instant the deadline passed: pass it on instead of leaking it.
        if (granted) this.release();
        else this.waiting.splice(this.waiting.indexOf(waker), 1);
        throw error;
      } finally {
        aborted.dispose();
      }
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release();
    };
  }
}

function toolArguments(message: AIMessage): unknown {
  return message.tool_calls?.find((call) => call.name === CHOOSE_ACTION)?.args;
}

export class ModelNba implements NextBestAction {
  readonly name: string;
  readonly stats: NbaStats = { decisions: 0, modelChoices: 0, fallbacks: 0, inputTokens: 0, outputTokens: 0 };
  private readonly timeoutMs: number;
  private readonly slots: Slots;

  constructor(private readonly options: ModelNbaOptions) {
    this.name = `model:${options.model.name}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.slots = new Slots(options.maxConcurrent ?? 4);
  }

  async choose(request: NbaRequest): Promise<NbaChoice> {
    this.stats.decisions++;
    const signals = customerSignals(request, this.options.textSignals);
    const first = scorerChoice(request, signals);
    const prompt = buildPrompt(request, signals, request.options, first.ranked);
    // Flagged input can only narrow: the model then sees (and may pick) hand-off or nothing only.
    const options = narrowActionsForScreening(
      request.options,
      prompt.blocks.map((block) => block.screening),
    );
    const narrowed = options.length < request.options.length;
    const fallback = narrowed ? scorerChoice(request, signals, options) : first;
    const fall = (why: string): NbaChoice => {
      this.stats.fallbacks++;
      return {
        optionId: fallback.optionId,
        reason: `${why}; fell back to the scorer, which ${fallback.reason}`,
        chosenBy: "scorer",
      };
    };
    if (options.length === 0) {
      this.stats.fallbacks++;
      return {
        optionId: null,
        reason:
          "the customer's text was flagged as a possible prompt injection and no hand-off or do-nothing option is listed",
        chosenBy: "scorer",
      };
    }
    const messages = narrowed
      ? buildPrompt(request, signals, options, fallback.ranked).messages
      : prompt.messages;
    const deadline = (this.options.deadline ?? timerDeadline)(this.timeoutMs);
    let release: (() => void) | undefined;
    const aborted = abortion(deadline.signal);
    let answer: AIMessage;
    try {
      release = await this.slots.acquire(deadline.signal);
      const pending = this.options.model.invoke(messages, [chooseActionTool], { signal: deadline.signal });
      // If the deadline wins the race, the call's own (abort) rejection is expected, not unhandled.
      pending.catch(() => {});
      const call = await Promise.race([pending, aborted.promise]);
      this.stats.inputTokens += call.usage.inputTokens;
      this.stats.outputTokens += call.usage.outputTokens;
      answer = call.message;
    } catch (thrown) {
      const error = deadline.signal.aborted ? null : classifyModelError(thrown);
      return fall(
        error ? `the model failed (${error.code})` : `the model did not answer within ${this.timeoutMs} ms`,
      );
    } finally {
      release?.();
      aborted.dispose();
      deadline.cancel();
    }
    const parsed = ChooseActionAnswer.safeParse(toolArguments(answer));
    if (!parsed.success)
      return fall(`the model's answer was not a ${CHOOSE_ACTION} call with valid arguments`);
    const { option_id: optionId, reason, content } = parsed.data;
    if (optionId === null) {
      this.stats.modelChoices++;
      return { optionId: null, reason, chosenBy: this.name };
    }
    const option = options.find((candidate) => candidate.id === optionId);
    if (!option) {
      const offered = request.options.some((candidate) => candidate.id === optionId);
      return fall(
        offered
          ? `the model chose "${optionId}", which flagged customer text took off the list`
          : `the model chose "${optionId}", which is not an offered option`,
      );
    }
    this.stats.modelChoices++;
    const written = option.kind === "send" && content ? MessageContent.safeParse(content) : null;
    return {
      optionId,
      reason,
      chosenBy: this.name,
      ...(written?.success ? { content: written.data } : {}),
    };
  }
}
