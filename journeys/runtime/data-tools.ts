import type { Executor } from "../../db/open.ts";

/**
 * Read-only data adapters a `tool` node may call (`orders.recent`, `tickets.open`,
 * `catalog.recommend`, `profiles.get`, `memory.search`, and workspace tools). The server wires the
 * real adapters from tools/data; the simulator uses an in-memory implementation.
 *
 * Expected failures (nothing found, bad arguments, tool unknown) come back as `{ ok: false }` and
 * send the instance down `on_error`; a thrown error is treated as retryable and the step is retried.
 */
export interface ToolCall {
  workspaceId: string;
  profileId: number;
  userId: string | null;
  tool: string;
  args: Record<string, unknown>;
}

export type ToolResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Where a call runs. The Postgres runtime passes the transaction it is stepping in: reads then see
 * that transaction's snapshot, and on PGlite (one transaction at a time) a read through another
 * handle would wait for this transaction forever.
 */
export interface ToolContext {
  executor: Executor;
}

export interface DataTools {
  call(call: ToolCall, context?: ToolContext): Promise<ToolResult>;
}

/** Used when the server has wired no data tools: every call fails as an expected outcome. */
export const noDataTools: DataTools = {
  async call(call) {
    return { ok: false, error: `no data tools are configured; "${call.tool}" is unavailable` };
  },
};
