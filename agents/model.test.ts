import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerToolSpecs, SUBMIT_JOURNEY } from "./designer/answer-tools.ts";
import { createDesignerModel, draftedByFor, modelName } from "./model.ts";
import { ModelCallError } from "./model-errors.ts";
import { OfflineChatModel } from "./offline/chat-model.ts";
import type { OpenAiStub } from "./testing.ts";
import { startOpenAiStub } from "./testing.ts";

let stub: OpenAiStub;
const delays: number[] = [];
const sleep = async (ms: number) => {
  delays.push(ms);
};

beforeAll(async () => {
  stub = await startOpenAiStub();
});
afterAll(async () => {
  await stub?.close();
});

function modelFor(extra: { timeoutMs?: number; attempts?: number; key?: string | undefined } = {}) {
  return createDesignerModel(
    {
      OPENAI_API_KEY: "key" in extra ? extra.key : "sk-test",
      OPENAI_BASE_URL: stub.baseUrl,
      OVERTURE_MODEL: "stub-model",
      OVERTURE_MODEL_TIMEOUT_MS: extra.timeoutMs ?? 5_000,
      OVERTURE_MODEL_MAX_ATTEMPTS: extra.attempts ?? 3,
    },
    { sleep },
  );
}

const prompt = [
  new SystemMessage("You design journeys."),
  new HumanMessage("<goal>\nwelcome email\n</goal>"),
];

describe("the model factory", () => {
  it("selects the offline planner without key and base URL, and ChatOpenAI with either", () => {
    expect(modelName({})).toBe("offline-planner");
    expect(createDesignerModel({}).chat).toBeInstanceOf(OfflineChatModel);
    expect(modelName({ OPENAI_API_KEY: "sk" })).toBe("openai:gpt-4o-mini");
    expect(modelName({ OPENAI_BASE_URL: "http://localhost:11434/v1", OVERTURE_MODEL: "llama3.1" })).toBe(
      "openai:llama3.1",
    );
    expect(draftedByFor("offline-planner")).toBe("offline-planner");
    expect(draftedByFor("openai:llama3.1")).toBe("model:openai:llama3.1");
  });
});

describe("ChatOpenAI against a local OpenAI-compatible server", () => {
  it("sends the tools with the journey schema and parses the tool call and the token usage", async () => {
    const before = stub.requests.length;
    stub.reply({
      kind: "tool_calls",
      calls: [{ name: SUBMIT_JOURNEY, args: { journey: { name: "Welcome" }, explanation: ["one email"] } }],
      usage: { prompt: 1200, completion: 300 },
    });
    const call = await modelFor().invoke(prompt, answerToolSpecs());
    expect(call.message.tool_calls).toEqual([
      expect.objectContaining({
        name: SUBMIT_JOURNEY,
        args: { journey: { name: "Welcome" }, explanation: ["one email"] },
      }),
    ]);
    expect(call.usage).toEqual({ inputTokens: 1200, outputTokens: 300, totalTokens: 1500 });
    expect(call.attempts).toBe(1);
    const request = stub.requests[before]!;
    expect(request.path).toBe("/v1/chat/completions");
    expect(request.headers.authorization).toBe("Bearer sk-test");
    expect(request.body.model).toBe("stub-model");
    expect(request.body.messages?.map((message) => message.role)).toEqual(["system", "user"]);
    const submit = request.body.tools?.find((tool) => tool.function.name === SUBMIT_JOURNEY);
    expect(JSON.stringify(submit?.function.parameters)).toContain('"wait_for_event"');
    // a custom base URL may be a local server that does not support "required"
    expect(request.body.tool_choice).toBe("auto");
  });

  it("sends a placeholder key to a base URL without OPENAI_API_KEY, as Ollama expects", async () => {
    const before = stub.requests.length;
    stub.reply({
      kind: "tool_calls",
      calls: [{ name: SUBMIT_JOURNEY, args: { journey: {}, explanation: [] } }],
    });
    await modelFor({ key: undefined }).invoke(prompt, answerToolSpecs());
    expect(stub.requests[before]!.headers.authorization).toBe("Bearer ollama");
  });

  it("retries a 429 after the delay the server asked for, then succeeds", async () => {
    const before = stub.requests.length;
    delays.length = 0;
    stub.reply(
      { kind: "error", status: 429, message: "Rate limit reached", headers: { "retry-after": "2" } },
      { kind: "tool_calls", calls: [{ name: SUBMIT_JOURNEY, args: { journey: {}, explanation: [] } }] },
    );
    const call = await modelFor().invoke(prompt, answerToolSpecs());
    expect(call.attempts).toBe(2);
    expect(stub.requests.length - before).toBe(2);
    expect(delays).toEqual([2000]);
  });

  it("does not retry a 400: the same request would fail again", async () => {
    const before = stub.requests.length;
    stub.reply({ kind: "error", status: 400, message: "Invalid schema for function 'submit_journey'" });
    const failure = await modelFor()
      .invoke(prompt, answerToolSpecs())
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelCallError);
    expect(failure).toMatchObject({ code: "model_rejected", retryable: false, status: 400 });
    expect(stub.requests.length - before).toBe(1);
  });

  it("gives up on a server that keeps failing with 5xx after the configured attempts", async () => {
    const before = stub.requests.length;
    stub.reply(
      { kind: "error", status: 503, message: "overloaded" },
      { kind: "error", status: 502, message: "bad gateway" },
    );
    const failure = await modelFor({ attempts: 2 })
      .invoke(prompt, answerToolSpecs())
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "model_unavailable", retryable: true, status: 502 });
    expect((failure as Error).message).toContain("after 2 attempts");
    expect(stub.requests.length - before).toBe(2);
  });

  it("times out a server that never answers, retries once, and reports a timeout", async () => {
    const before = stub.requests.length;
    stub.reply({ kind: "hang" }, { kind: "hang" });
    const failure = await modelFor({ timeoutMs: 300, attempts: 2 })
      .invoke(prompt, answerToolSpecs())
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelCallError);
    expect(failure).toMatchObject({ code: "model_timeout", retryable: true });
    expect(stub.requests.length - before).toBe(2);
  });
});
