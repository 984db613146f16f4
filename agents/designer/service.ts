import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { Database } from "../../db/open.ts";
import type { ApprovalDecidedEvent } from "../../policies/approvals/types.ts";
import type { DesignerModel } from "../model.ts";
import type { DesignerLimits } from "./deps.ts";
import type { DesignEventInput, DesignRunContext } from "./design-run.ts";
import { runDesign } from "./design-run.ts";
import type { DesignerEnvironment } from "./environment.ts";
import type { DesignerGraph } from "./graph.ts";
import { compileDesigner } from "./graph.ts";
import type { PendingInput } from "./snapshot.ts";
import type { DesignEvent, DesignRow } from "./store.ts";
import {
  appendDesignEvents,
  claimLease,
  designById,
  designEventsAfter,
  designsToResume,
  findDesign,
  insertDesign,
  listDesigns,
  releaseLease,
  updateDesign,
} from "./store.ts";

/**
 * Runs designer graphs in the background of the server process. A design is a LangGraph thread
 * (thread id = design id) checkpointed in the database; its row mirrors the state for the API and
 * its events feed the SSE stream. Whoever holds a design's lease runs it: answers and reviewer
 * decisions are stored on the row (`pending_input`) and applied by the next run, so they survive a
 * restart and reach the graph even when another process is the one running it. At start-up, and
 * every `sweepMs`, unfinished designs are resumed from their last checkpoint.
 */

export const DESIGNS_SIGNAL = "overture_designs";

export const DESIGNER_ERROR_CODES = {
  design_not_found: 404,
  /** the design is not waiting for what was sent (an answer while it is not asking) */
  design_not_waiting: 409,
} as const;

export class DesignerError extends Error {
  readonly status: (typeof DESIGNER_ERROR_CODES)[keyof typeof DESIGNER_ERROR_CODES];
  constructor(
    readonly code: keyof typeof DESIGNER_ERROR_CODES,
    message: string,
  ) {
    super(message);
    this.name = "DesignerError";
    this.status = DESIGNER_ERROR_CODES[code];
  }
}

export interface DesignerServiceOptions {
  database: Database;
  model: DesignerModel;
  environment: DesignerEnvironment;
  checkpointer: BaseCheckpointSaver;
  now?: () => Date;
  limits?: Partial<DesignerLimits>;
  /** how long a run may hold a design without renewing (default 5 min) */
  leaseMs?: number;
  /** how often unfinished designs are looked at (default 30 s; 0 = only at start) */
  sweepMs?: number;
}

export interface StartDesignInput {
  workspaceId: string;
  goal: string;
  /** the API key asking (the draft's author, who therefore cannot approve it) */
  createdBy: string;
}

export class DesignerService {
  readonly graph: DesignerGraph;
  readonly modelName: string;
  private readonly database: Database;
  private readonly now: () => Date;
  private readonly owner = `designer-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly leaseMs: number;
  private readonly sweepMs: number;
  private readonly runs = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly wakeups = new EventEmitter();
  private readonly aborts = new Set<AbortController>();
  private unlisten: (() => Promise<void>) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(options: DesignerServiceOptions) {
    this.database = options.database;
    this.now = options.now ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.sweepMs = options.sweepMs ?? 30_000;
    this.modelName = options.model.name;
    this.wakeups.setMaxListeners(0);
    this.graph = compileDesigner({
      model: options.model,
      environment: options.environment,
      checkpointer: options.checkpointer,
      now: this.now,
      ...(options.limits ? { limits: options.limits } : {}),
    });
  }

  /** what a run of one design needs from this service (design-run.ts) */
  private get runContext(): DesignRunContext {
    return {
      db: this.db,
      graph: this.graph,
      now: this.now,
      owner: this.owner,
      leaseMs: this.leaseMs,
      record: (designId, events) => this.record(designId, events),
    };
  }

  private get db() {
    return this.database.db;
  }

  // ─── Lifecycle ────────────────────────────────────────────────────────────────────────────────

  /** Listens for other processes' events and resumes unfinished designs (server start-up). */
  async start(): Promise<void> {
    this.stopping = false;
    this.unlisten = await this.database.listen(DESIGNS_SIGNAL, (payload) => this.wakeups.emit(payload));
    await this.resumeUnfinished();
    if (this.sweepMs > 0) {
      this.timer = setInterval(() => {
        this.resumeUnfinished().catch((error: unknown) =>
          console.error("[designer] resuming unfinished designs failed:", (error as Error).message),
        );
      }, this.sweepMs);
      this.timer.unref?.();
    }
  }

  /** Stops taking work; running graphs are cancelled at their next step and resume on the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const controller of this.aborts) controller.abort();
    await this.settled();
    await this.unlisten?.();
    this.unlisten = null;
  }

  /** Resolves when no design is being run by this process (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.runs.size > 0) await Promise.allSettled([...this.runs.values()]);
  }

  async resumeUnfinished(): Promise<number> {
    const found = await designsToResume(this.db, this.now());
    for (const row of found) this.kick(row.id);
    return found.length;
  }

  // ─── Commands ─────────────────────────────────────────────────────────────────────────────────

  async create(input: StartDesignInput): Promise<DesignRow> {
    const row = await insertDesign(this.db, { ...input, model: this.modelName, now: this.now() });
    await this.record(row.id, [{ type: "created", data: { goal: input.goal, model: this.modelName } }]);
    this.kick(row.id);
    return row;
  }

  /** The CX lead's answer to the design's clarifying question. */
  async answer(workspaceId: string, designId: string, answer: string, by: string): Promise<DesignRow> {
    const row = await this.require(workspaceId, designId);
    if (row.status !== "clarifying" || row.pendingInput) {
      throw new DesignerError(
        "design_not_waiting",
        row.pendingInput
          ? "this design already has an answer it is working on"
          : `this design is ${row.status}, not waiting for an answer`,
      );
    }
    const pending: PendingInput = { kind: "clarification", value: answer, by };
    await updateDesign(this.db, designId, { pendingInput: pending, updatedAt: this.now() });
    await this.record(designId, [{ type: "answer", data: { answer, by } }]);
    this.kick(designId);
    return (await designById(this.db, designId))!;
  }

  /** Registered on the approval queue: a decision about a design's activation resumes its graph. */
  async onApprovalDecided(event: ApprovalDecidedEvent): Promise<void> {
    const { item, effect } = event;
    if (item.kind !== "journey_activation" || !item.designId) return;
    const row = await designById(this.db, item.designId);
    if (!row || row.approvalId !== item.id) return; // an item of an earlier revision
    const pending: PendingInput = {
      kind: "review",
      value: {
        approvalId: item.id,
        status: item.status,
        response: item.response,
        decidedBy: item.decidedBy,
        ...(effect.kind === "journey_activation" ? { versionStatus: effect.versionStatus } : {}),
      },
    };
    await updateDesign(this.db, row.id, { pendingInput: pending, updatedAt: this.now() });
    await this.record(row.id, [
      { type: "review", data: { approvalId: item.id, status: item.status, decidedBy: item.decidedBy } },
    ]);
    this.kick(row.id);
  }

  // ─── Reads ────────────────────────────────────────────────────────────────────────────────────

  async get(workspaceId: string, designId: string): Promise<DesignRow> {
    return this.require(workspaceId, designId);
  }

  list(workspaceId: string, options: Parameters<typeof listDesigns>[2] = {}) {
    return listDesigns(this.db, workspaceId, options);
  }

  async events(workspaceId: string, designId: string, afterSeq: number): Promise<DesignEvent[]> {
    await this.require(workspaceId, designId);
    return designEventsAfter(this.db, designId, afterSeq);
  }

  /** Calls `wake` whenever the design may have new events (this process or another one). */
  subscribe(designId: string, wake: () => void): () => void {
    this.wakeups.on(designId, wake);
    return () => this.wakeups.off(designId, wake);
  }

  private async require(workspaceId: string, designId: string): Promise<DesignRow> {
    const row = await findDesign(this.db, workspaceId, designId);
    if (!row) throw new DesignerError("design_not_found", `design "${designId}" was not found`);
    return row;
  }

  // ─── Running ──────────────────────────────────────────────────────────────────────────────────

  private async record(designId: string, events: readonly DesignEventInput[]) {
    await appendDesignEvents(this.db, designId, events, this.now());
    this.wakeups.emit(designId);
    await this.database.notify(DESIGNS_SIGNAL, designId);
  }

  private kick(designId: string): void {
    if (this.stopping) return;
    if (this.runs.has(designId)) {
      this.again.add(designId);
      return;
    }
    const run = this.drive(designId)
      .catch((error: unknown) => console.error(`[designer] design ${designId} failed to run:`, error))
      .finally(() => {
        this.runs.delete(designId);
        if (this.again.delete(designId)) this.kick(designId);
      });
    this.runs.set(designId, run);
  }

  /** Takes the lease and advances the graph as far as it can go with what it has. */
  private async drive(designId: string): Promise<void> {
    if (!(await claimLease(this.db, designId, this.owner, this.now(), this.leaseMs))) return;
    const controller = new AbortController();
    this.aborts.add(controller);
    try {
      await runDesign(this.runContext, designId, controller.signal);
    } finally {
      this.aborts.delete(controller);
      await releaseLease(this.db, designId, this.owner);
    }
  }
}
