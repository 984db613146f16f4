import { z } from "zod";
import type { ServerSentEvent } from "./sse.ts";
import { SseParser } from "./sse.ts";

/**
 * A following stream of the designer's events, read as it arrives. It is read with fetch and the
 * response's ReadableStream rather than EventSource because the API wants the key in the
 * Authorization header, which EventSource cannot send (a key in the URL would end up in logs and
 * history), and because EventSource reconnects on its own when the server ends the stream, while a
 * design that waits for a person should be left alone until it moves.
 *
 * The server ends a following stream when the design comes to rest, with a last event `waiting`
 * (a clarifying question, a reviewer) or `done`; see docs/console.md.
 */

const RestData = z
  .object({
    status: z.string(),
    question: z.string().nullable().optional(),
    approvalId: z.string().nullable().optional(),
  })
  .loose();

export type StreamEnd =
  /** the design waits for a person (`waiting`) or has finished (`done`) */
  | { kind: "waiting" | "done"; status: string; question: string | null; approvalId: string | null }
  /** the server closed the stream without saying why (restart, proxy timeout): reconnect later */
  | { kind: "closed" }
  /** the reader gave up on purpose (the page was left) */
  | { kind: "aborted" };

const REST_EVENTS = new Set(["waiting", "done"]);

function restOf(event: ServerSentEvent): StreamEnd {
  let data: unknown = null;
  try {
    data = JSON.parse(event.data);
  } catch {
    data = null;
  }
  const parsed = RestData.safeParse(data);
  if (!parsed.success) return { kind: "closed" };
  return {
    kind: event.event === "done" ? "done" : "waiting",
    status: parsed.data.status,
    question: parsed.data.question ?? null,
    approvalId: parsed.data.approvalId ?? null,
  };
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return Boolean(signal?.aborted) || (error instanceof DOMException && error.name === "AbortError");
}

/**
 * Reads an event stream to its end, handing each event to `onEvent` as soon as its blank line
 * arrives. Resolves with how the stream ended; an abort through `signal` resolves as `aborted`
 * (never rejects), so leaving a page leaves no unhandled rejection behind.
 */
export async function readEventStream(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: ServerSentEvent) => void,
  signal?: AbortSignal,
): Promise<StreamEnd> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  let end: StreamEnd = { kind: "closed" };
  const cancel = () => {
    reader.cancel().catch(() => undefined);
  };
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) return { kind: "aborted" };
      const events = done
        ? parser.push(`${decoder.decode()}\n\n`)
        : parser.push(decoder.decode(value, { stream: true }));
      for (const event of events) {
        if (REST_EVENTS.has(event.event)) end = restOf(event);
        else onEvent(event);
      }
      if (done) return end;
    }
  } catch (error) {
    if (isAbort(error, signal)) return { kind: "aborted" };
    throw error;
  } finally {
    signal?.removeEventListener("abort", cancel);
  }
}

/** Whether a failed fetch was our own abort (resolve quietly) rather than a network failure. */
export function abortedBy(error: unknown, signal: AbortSignal | undefined): boolean {
  return isAbort(error, signal);
}
