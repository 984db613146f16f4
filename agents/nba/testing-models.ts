import type { BindToolsInput } from "@langchain/core/language_models/chat_models";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

/**
 * A chat model that never answers, for deadline tests: it counts calls, tells the test when it is
 * called, and (if it honours aborts) rejects when the call's signal fires — or, like a misbehaving
 * client, keeps hanging regardless.
 */
export class HangingChatModel extends BaseChatModel {
  calls = 0;
  onCall: (() => void) | undefined;

  constructor(private readonly honoursAbort: boolean) {
    super({});
  }

  _llmType(): string {
    return "hanging";
  }

  override bindTools(_tools: BindToolsInput[]) {
    return this.withConfig({});
  }

  async _generate(_messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    this.calls++;
    const signal = options.signal;
    const hang = new Promise<never>((_, reject) => {
      if (this.honoursAbort && signal) {
        signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")), {
          once: true,
        });
      }
    });
    this.onCall?.();
    return hang;
  }
}
