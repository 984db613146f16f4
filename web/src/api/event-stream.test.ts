import type { ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "./client.ts";
import { readEventStream } from "./event-stream.ts";
import type { ServerSentEvent } from "./sse.ts";

/** A stream the test writes into chunk by chunk, as a server flushing events would. */
function pushStream() {
  let push: (text: string) => void = () => undefined;
  let close: () => void = () => undefined;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      push = (text) => controller.enqueue(encoder.encode(text));
      close = () => controller.close();
    },
  });
  return { body, push: (text: string) => push(text), close: () => close() };
}

const nextTick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("reading a design's event stream as it arrives", () => {
  it("hands each event over when its blank line arrives, before the stream ends", async () => {
    const stream = pushStream();
    const seen: ServerSentEvent[] = [];
    const reading = readEventStream(stream.body, (event) => seen.push(event));
    stream.push('id: 1\nevent: created\ndata: {"model":"offline-planner"}\n\nid: 2\nevent: st');
    await nextTick();
    expect(seen.map((event) => event.id)).toEqual(["1"]);
    stream.push('ep\ndata: {"node":"draft_journey"}\n\n');
    await nextTick();
    expect(seen.map((event) => `${event.id}:${event.event}`)).toEqual(["1:created", "2:step"]);
    stream.push('event: waiting\ndata: {"status":"clarifying","question":"When?","approvalId":null}\n\n');
    stream.close();
    expect(await reading).toEqual({
      kind: "waiting",
      status: "clarifying",
      question: "When?",
      approvalId: null,
    });
    // the resting event is how the stream ended, not a step of the progress
    expect(seen).toHaveLength(2);
  });

  it("reports `done` for a finished design and `closed` when the server hung up without saying why", async () => {
    const finished = pushStream();
    const done = readEventStream(finished.body, () => undefined);
    finished.push('event: done\ndata: {"status":"activated","approvalId":"apr_1"}');
    finished.close();
    expect(await done).toMatchObject({ kind: "done", status: "activated", approvalId: "apr_1" });

    const cut = pushStream();
    const closed = readEventStream(cut.body, () => undefined);
    cut.push("id: 4\nevent: step\ndata: {}\n\n");
    cut.close();
    expect(await closed).toEqual({ kind: "closed" });
  });

  it("resolves as aborted, without rejecting, when the reader is aborted mid-stream", async () => {
    const stream = pushStream();
    const controller = new AbortController();
    const reading = readEventStream(stream.body, () => undefined, controller.signal);
    stream.push("id: 1\nevent: created\ndata: {}\n\n");
    await nextTick();
    controller.abort();
    expect(await reading).toEqual({ kind: "aborted" });
  });
});

describe("ApiClient.followDesignEvents over real HTTP", () => {
  const open: ServerResponse[] = [];
  const requests: Array<{ url: string; authorization: string | undefined }> = [];
  let baseUrl = "";
  const server = createServer((request, response) => {
    requests.push({ url: request.url ?? "", authorization: request.headers.authorization });
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.write('id: 8\nevent: answer\ndata: {"answer":"by email"}\n\n');
    // held open, as a design that is still working keeps it
    open.push(response);
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const response of open) response.end();
    await new Promise((resolve) => server.close(resolve));
  });

  it("sends the key as a header and resumes after the last event seen; leaving aborts it quietly", async () => {
    const client = new ApiClient("ovk_test_key", { baseUrl });
    const controller = new AbortController();
    const seen: ServerSentEvent[] = [];
    const following = client.followDesignEvents("dsg_1", 7, {
      signal: controller.signal,
      onEvent: (event) => seen.push(event),
    });
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toMatchObject({ id: "8", event: "answer" });
    expect(requests.at(-1)).toEqual({
      url: "/api/designs/dsg_1/events?after=7",
      authorization: "Bearer ovk_test_key",
    });
    controller.abort();
    expect(await following).toEqual({ kind: "aborted" });
  });
});
