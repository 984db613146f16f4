import { useCallback, useEffect, useRef, useState } from "react";
import type { ApiClient } from "../api/client.ts";
import type { StreamEnd } from "../api/event-stream.ts";
import type { ProgressEntry, StreamPhase } from "./design-progress.tsx";
import { progressEntry } from "./design-progress.tsx";

/**
 * A design's progress as it happens: one following event stream per phase of the design. The
 * server ends the stream when the design waits for a person or has finished; while it waits, the
 * stream is opened again now and then (it answers at once with its `waiting` event when nothing
 * moved, or streams what happened since the last event seen), and at once after an answer typed
 * here. Leaving the page aborts the open stream; nothing is left running.
 *
 * Reopening the stream after the last sequence number is how "did it move?" is asked: it cannot
 * miss a move that happened between two reads (a timestamp comparison could), and a design that
 * moved streams its progress live in the same request.
 */

/** How often a design that waits for a person is asked whether it moved. */
export const WAITING_RECHECK_MS = 5000;
const CLOSED_RETRY_MS = 2000;
const RELOAD_DELAY_MS = 150;
const MAX_RETRY_MS = 30_000;

/** Stream events after which the design record has changed (draft, checks, status). */
const RELOAD_ON = new Set([
  "validation_round",
  "lint",
  "conflicts",
  "simulation",
  "submitted",
  "interrupt",
  "status",
  "review",
  "answer",
  "error",
]);

export interface DesignStream {
  entries: ProgressEntry[];
  phase: StreamPhase;
  error: unknown;
  /** the design moved because of something done on this page (an answer): follow it now */
  resume: () => void;
}

export function useDesignStream(client: ApiClient, designId: string, onChanged: () => void): DesignStream {
  const [entries, setEntries] = useState<ProgressEntry[]>([]);
  const [phase, setPhase] = useState<StreamPhase>({ kind: "connecting" });
  const [error, setError] = useState<unknown>(null);
  const changed = useRef(onChanged);
  changed.current = onChanged;
  const wake = useRef<() => void>(() => undefined);

  useEffect(() => {
    const controller = new AbortController();
    let after = 0;
    let timer: number | undefined;
    let reloadTimer: number | undefined;
    // a replay brings many such events at once: one reload for the lot
    const reloadSoon = () => {
      if (reloadTimer !== undefined) return;
      reloadTimer = window.setTimeout(() => {
        reloadTimer = undefined;
        if (!controller.signal.aborted) changed.current();
      }, RELOAD_DELAY_MS);
    };
    setEntries([]);
    setPhase({ kind: "connecting" });

    /** Waits `ms`, or less when `resume` is called. */
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          window.clearTimeout(timer);
          wake.current = () => undefined;
          resolve();
        };
        wake.current = done;
        timer = window.setTimeout(done, ms);
      });

    async function follow() {
      let failures = 0;
      while (!controller.signal.aborted) {
        let end: StreamEnd;
        try {
          end = await client.followDesignEvents(designId, after, {
            signal: controller.signal,
            onEvent(event) {
              setPhase({ kind: "live" });
              after = Math.max(after, Number(event.id ?? after));
              setEntries((list) =>
                list.some((entry) => entry.key === event.id)
                  ? list
                  : [...list, progressEntry(event, list.length)],
              );
              if (RELOAD_ON.has(event.event)) reloadSoon();
            },
          });
        } catch (failure) {
          if (controller.signal.aborted) return;
          failures += 1;
          setError(failure);
          setPhase({ kind: "retrying" });
          await pause(Math.min(MAX_RETRY_MS, 1000 * 2 ** failures));
          continue;
        }
        failures = 0;
        setError(null);
        if (end.kind === "aborted") return;
        if (end.kind === "done") {
          setPhase({ kind: "done", status: end.status });
          reloadSoon();
          return;
        }
        if (end.kind === "closed") {
          setPhase({ kind: "retrying" });
          await pause(CLOSED_RETRY_MS);
          continue;
        }
        setPhase({ kind: "waiting", status: end.status });
        await pause(WAITING_RECHECK_MS);
      }
    }
    void follow();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
      window.clearTimeout(reloadTimer);
      wake.current = () => undefined;
    };
  }, [client, designId]);

  const resume = useCallback(() => wake.current(), []);
  return { entries, phase, error, resume };
}
