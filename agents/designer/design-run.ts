import { Command } from "@langchain/langgraph";
import type { Db } from "../../db/open.ts";
import { getApproval } from "../../policies/approvals/store.ts";
import { classifyModelError } from "../model-errors.ts";
import type { DesignerGraph } from "./graph.ts";
import { designPatch, PendingInput, waitingFor } from "./snapshot.ts";
import type { DesignerUpdate, ReviewOutcome } from "./state.ts";
import type { DesignRow } from "./store.ts";
import { claimLease, designById, updateDesign } from "./store.ts";

/**
 * One run of a design by the process holding its lease (service.ts decides when): feed the graph
 * what it waits for — its start, a continuation after a crash, the CX lead's answer, the reviewer's
 * decision — stream its progress into design events, and mirror its state onto the design row.
 */

export type DesignEventInput = { type: string; data: Record<string, unknown> };

export interface DesignRunContext {
  db: Db;
  graph: DesignerGraph;
  now: () => Date;
  /** this process's lease owner id, and how long a lease lasts without renewal */
  owner: string;
  leaseMs: number;
  /** appends events to the design and wakes its subscribers */
  record(designId: string, events: readonly DesignEventInput[]): Promise<void>;
}

/** A fresh run's initial state, a resume value for the waiting interrupt, or null to continue. */
type GraphInput = DesignerUpdate | Command<unknown, DesignerUpdate, never> | null;

function resume(value: unknown): Command<unknown, DesignerUpdate, never> {
  return new Command<unknown, DesignerUpdate, never>({ resume: value });
}

const threadOf = (designId: string) => ({ configurable: { thread_id: designId } });

/** Advances the graph as far as it can go with what it has; the caller holds the lease. */
export async function runDesign(
  context: DesignRunContext,
  designId: string,
  signal: AbortSignal,
): Promise<void> {
  const { db, now } = context;
  try {
    // Each pass applies one input (start, continuation, answer, decision) until nothing is left.
    for (let pass = 0; pass < 20 && !signal.aborted; pass++) {
      const row = await designById(db, designId);
      if (!row) return;
      const step = await nextInput(context, row);
      if (!step) break;
      if (row.status !== "running") await updateDesign(db, designId, { status: "running", question: null });
      if (!(await runSegment(context, row, step.input, signal))) return;
      if (step.consumes) await updateDesign(db, designId, { pendingInput: null });
      await mirror(context, designId);
    }
  } catch (error) {
    if (signal.aborted) return; // shutting down: the checkpoint resumes next start
    const failure = classifyModelError(error);
    const message = error instanceof Error ? error.message : String(error);
    await updateDesign(db, designId, {
      status: "failed",
      error: message,
      pendingInput: null,
      updatedAt: now(),
    });
    await context.record(designId, [
      {
        type: "error",
        data: { code: failure.code === "model_failed" ? "design_failed" : failure.code, message },
      },
    ]);
  }
}

/** What to feed the graph next, or null when it waits (or is done). Stale inputs are dropped. */
async function nextInput(
  context: DesignRunContext,
  row: DesignRow,
): Promise<{ input: GraphInput; consumes: boolean } | null> {
  const snapshot = await context.graph.getState(threadOf(row.id));
  const started = snapshot.config?.configurable?.checkpoint_id !== undefined;
  if (!started) {
    return {
      input: { designId: row.id, workspaceId: row.workspaceId, goal: row.goal, createdBy: row.createdBy },
      consumes: false,
    };
  }
  const pending = row.pendingInput ? PendingInput.safeParse(row.pendingInput) : null;
  const waiting = waitingFor(snapshot);
  if (waiting?.kind === "clarification") {
    if (pending?.success && pending.data.kind === "clarification") {
      return { input: resume(pending.data.value), consumes: true };
    }
  } else if (waiting?.kind === "approval") {
    if (
      pending?.success &&
      pending.data.kind === "review" &&
      pending.data.value.approvalId === waiting.approvalId
    ) {
      return { input: resume(pending.data.value), consumes: true };
    }
    // A decision this process never heard of (another process answered while we were down).
    const decided = waiting.approvalId ? await decidedReview(context, row, waiting.approvalId) : null;
    if (decided) return { input: resume(decided), consumes: false };
  } else if (snapshot.next.length > 0) {
    return { input: null, consumes: false }; // interrupted by a crash or shutdown: continue
  }
  if (row.pendingInput) await updateDesign(context.db, row.id, { pendingInput: null });
  return null;
}

async function decidedReview(
  context: DesignRunContext,
  row: DesignRow,
  approvalId: string,
): Promise<ReviewOutcome | null> {
  const item = await getApproval(context.db, row.workspaceId, approvalId).catch(() => null);
  if (!item || item.status === "pending") return null;
  return { approvalId, status: item.status, response: item.response, decidedBy: item.decidedBy };
}

/** A streamed chunk (`[mode, payload]`) as design events: custom progress, node steps, interrupts. */
export function designEventsOf(chunk: unknown): DesignEventInput[] {
  const [mode, payload] = chunk as [string, unknown];
  const events: DesignEventInput[] = [];
  if (mode === "custom" && payload && typeof payload === "object" && "type" in payload) {
    const { type, ...data } = payload as { type: string } & Record<string, unknown>;
    events.push({ type, data });
  } else if (mode === "updates" && payload && typeof payload === "object") {
    for (const [node, update] of Object.entries(payload)) {
      if (node === "__interrupt__") {
        const values = Array.isArray(update)
          ? update.map((entry) => (entry as { value?: unknown }).value)
          : [];
        events.push({ type: "interrupt", data: { waitingFor: values } });
      } else {
        events.push({
          type: "step",
          data: { node, updated: update && typeof update === "object" ? Object.keys(update) : [] },
        });
      }
    }
  }
  return events;
}

/**
 * Streams the graph from `input`, renewing the lease as it goes. Returns false when the lease was
 * lost (this process stalled past it and another one took the design over): the run stops at once,
 * so two processes never advance one design; the other continues from the last checkpoint.
 */
async function runSegment(
  context: DesignRunContext,
  row: DesignRow,
  input: GraphInput,
  signal: AbortSignal,
): Promise<boolean> {
  const { db, now, owner, leaseMs } = context;
  let renewed = now().getTime();
  const segment = new AbortController();
  const stream = await context.graph.stream(input, {
    ...threadOf(row.id),
    streamMode: ["updates", "custom"],
    recursionLimit: 100,
    signal: AbortSignal.any([signal, segment.signal]),
  });
  for await (const chunk of stream) {
    await context.record(row.id, designEventsOf(chunk));
    if (now().getTime() - renewed > leaseMs / 3) {
      if (!(await claimLease(db, row.id, owner, now(), leaseMs))) {
        segment.abort();
        return false;
      }
      renewed = now().getTime();
    }
  }
  return true;
}

/** Copies the graph's state onto the design row (what the API answers with). */
async function mirror(context: DesignRunContext, designId: string): Promise<void> {
  const { db, now } = context;
  const { status, patch, statusEvent } = designPatch(await context.graph.getState(threadOf(designId)), now());
  const before = await designById(db, designId);
  await updateDesign(db, designId, patch);
  if (before?.status !== status) await context.record(designId, [{ type: "status", data: statusEvent }]);
}
