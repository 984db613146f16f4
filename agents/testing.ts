import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { BindToolsInput } from "@langchain/core/language_models/chat_models";
import { FakeBuiltModel } from "@langchain/core/testing";

/**
 * The scripted chat model for agent tests: LangChain's fake model (queue answers with
 * `respondWithTools` / `respond`; `calls` records every prompt) that also records the names of the
 * tools bound for each call, so tests can assert exactly what the agent was able to do.
 */
export class ScriptedChatModel extends FakeBuiltModel {
  readonly boundTools: string[][] = [];

  override bindTools(tools: BindToolsInput[]) {
    this.boundTools.push(
      tools.flatMap((tool) => {
        if (typeof tool !== "object" || tool === null) return [];
        if (
          "function" in tool &&
          tool.function &&
          typeof tool.function === "object" &&
          "name" in tool.function
        ) {
          return [String(tool.function.name)];
        }
        return "name" in tool && typeof tool.name === "string" ? [tool.name] : [];
      }),
    );
    return super.bindTools(tools as Parameters<FakeBuiltModel["bindTools"]>[0]);
  }
}

/**
 * Test support for agents: a local OpenAI-compatible chat-completions server (`node:http`) that
 * answers from a script and records every request, so `ChatOpenAI`'s real wiring (HTTP, tool
 * schemas, tool-call parsing, usage, errors, timeouts) is exercised without a network.
 */

export type StubReply =
  | {
      kind: "tool_calls";
      calls: Array<{ name: string; args: unknown; id?: string }>;
      usage?: { prompt: number; completion: number };
    }
  | { kind: "text"; content: string; usage?: { prompt: number; completion: number } }
  | { kind: "error"; status: number; message: string; headers?: Record<string, string> }
  /** never answers: the client must time out */
  | { kind: "hang" };

export interface StubRequest {
  path: string;
  headers: IncomingMessage["headers"];
  body: {
    model?: string;
    messages?: Array<{ role: string; content: unknown; tool_calls?: unknown; tool_call_id?: string }>;
    tools?: Array<{ type: string; function: { name: string; parameters?: unknown } }>;
    tool_choice?: unknown;
  };
}

export interface OpenAiStub {
  /** e.g. http://127.0.0.1:PORT/v1 */
  baseUrl: string;
  requests: StubRequest[];
  /** queue replies; each request takes the next one (a request beyond the script gets a 500) */
  reply(...replies: StubReply[]): void;
  close(): Promise<void>;
}

function completion(
  reply: Extract<StubReply, { kind: "tool_calls" | "text" }>,
  model: string,
  index: number,
) {
  const usage = reply.usage ?? { prompt: 100, completion: 20 };
  const message =
    reply.kind === "text"
      ? { role: "assistant", content: reply.content }
      : {
          role: "assistant",
          content: null,
          tool_calls: reply.calls.map((call, position) => ({
            id: call.id ?? `call_${index}_${position}`,
            type: "function",
            function: { name: call.name, arguments: JSON.stringify(call.args) },
          })),
        };
  return {
    id: `chatcmpl-stub-${index}`,
    object: "chat.completion",
    created: 1_767_225_600,
    model,
    choices: [
      { index: 0, message, finish_reason: reply.kind === "text" ? "stop" : "tool_calls", logprobs: null },
    ],
    usage: {
      prompt_tokens: usage.prompt,
      completion_tokens: usage.completion,
      total_tokens: usage.prompt + usage.completion,
    },
  };
}

export async function startOpenAiStub(): Promise<OpenAiStub> {
  const script: StubReply[] = [];
  const requests: StubRequest[] = [];
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const body = (text ? JSON.parse(text) : {}) as StubRequest["body"];
      requests.push({ path: request.url ?? "", headers: request.headers, body });
      const reply = script.shift();
      if (!reply) {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(
          JSON.stringify({ error: { message: "the stub's script is exhausted", type: "server_error" } }),
        );
        return;
      }
      if (reply.kind === "hang") return;
      if (reply.kind === "error") {
        response.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        response.end(
          JSON.stringify({ error: { message: reply.message, type: "invalid_request_error", code: null } }),
        );
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(completion(reply, body.model ?? "stub", requests.length)));
    });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    reply(...replies) {
      script.push(...replies);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
