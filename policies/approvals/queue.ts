import { sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { ActivationGate, ActivationResult, LifecycleOptions } from "../../journeys/versions.ts";
import { activateVersion } from "../../journeys/versions.ts";
import { appendAudit } from "../audit/log.ts";
import type { PolicyConfig } from "../config.ts";
import type { Decide } from "../types.ts";
import type { ActionAnswerDeps, ResumeParked } from "./action-items.ts";
import { answerActionItem, readAction } from "./action-items.ts";
import type { ActivationDeps } from "./activation-items.ts";
import { answerActivationItem, createActivationGate, readVersion } from "./activation-items.ts";
import { authorsOf, parseResponse, responseAllowed, STATUS_OF } from "./answer-rules.ts";
import { lapse, signalApproval, staleness } from "./lapse.ts";
import { closeApproval, lockApproval } from "./store.ts";
import type { ApprovalDecidedEvent, ApprovalDecidedHook, ApprovalEffect, Approver } from "./types.ts";
import { ApprovalError } from "./types.ts";

/**
 * The approval queue as a service: answers (`respondToApproval`), expiry (a loop, and lazily whenever
 * an item is read or answered), the activation gate, and the hooks the designer agent subscribes to.
 *
 * Every answer runs in one transaction: the item is locked, its effect applied (activation, queued or
 * cancelled action, resumed customer), the decision recorded on the item and in the audit log, and
 * `overture_approvals` notified (delivered at commit) for other processes. `onApprovalDecided` hooks
 * run in this process after the commit.
 */

export { APPROVALS_SIGNAL } from "./lapse.ts";

export interface ApprovalQueueOptions {
  database: Database;
  now: () => Date;
  /** the workspace's current policies (PolicyCache) */
  policies: {
    decideFor(executor: Executor, workspaceId: string): Promise<Decide>;
    config(executor: Executor, workspaceId: string): Promise<PolicyConfig>;
  };
  /** the lifecycle's hooks (audit, schedule sync), read at answer time */
  lifecycle: () => LifecycleOptions;
  /** continues a parked journey instance (JourneyRuntime.resumeParked) */
  resumeParked?: ResumeParked | undefined;
  /** how often the expiry loop looks for expired items (default 30 s) */
  expiryIntervalMs?: number;
}

type Outcome =
  | { event: ApprovalDecidedEvent }
  | { closed: ApprovalError; event: ApprovalDecidedEvent | null };

export class ApprovalQueue {
  /** called after each answer or expiry commits; the designer agent registers here */
  readonly onApprovalDecided: ApprovalDecidedHook[] = [];
  /** for journeyLifecycle.gate: cx_lead activations and AI drafts wait for a reviewer */
  readonly gate: ActivationGate;
  private readonly strictGate: ActivationGate;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly options: ApprovalQueueOptions) {
    const policyConfig = (executor: Executor, workspaceId: string) =>
      options.policies.config(executor, workspaceId);
    this.gate = createActivationGate({ policyConfig, now: options.now });
    this.strictGate = createActivationGate({ policyConfig, now: options.now, always: true });
  }

  private actionDeps(now: Date): ActionAnswerDeps {
    return {
      decideFor: (executor, workspaceId) => this.options.policies.decideFor(executor, workspaceId),
      resumeParked: this.options.resumeParked,
      now,
    };
  }

  private activationDeps(now: Date): ActivationDeps {
    return {
      lifecycle: { ...this.options.lifecycle(), now: () => now },
      policyConfig: (executor, workspaceId) => this.options.policies.config(executor, workspaceId),
      now,
    };
  }

  private lapseDeps(now: Date) {
    return { now, action: this.actionDeps(now), activation: this.activationDeps(now) };
  }

  private async runHooks(event: ApprovalDecidedEvent) {
    for (const hook of this.onApprovalDecided) {
      try {
        await hook(event);
      } catch (error) {
        // The answer is committed; a failing subscriber must not turn it into an error for the reviewer.
        console.error(`[approvals] onApprovalDecided hook failed for ${event.item.id}:`, error);
      }
    }
  }

  /**
   * Answers an item with a HumanResponse (parsed here). Throws ApprovalError: 404 unknown item, 403
   * the approver authored it, 409 already closed / expired / withdrawn (the lapse is committed
   * first), 400 an answer the item does not allow or an edit that does not parse, 422 an edit that
   * does not validate or now violates a policy (with the verdicts or warnings).
   */
  async respondToApproval(
    executor: Executor,
    id: string,
    input: unknown,
    approver: Approver,
  ): Promise<ApprovalDecidedEvent> {
    const response = parseResponse(input);
    const now = this.options.now();
    const outcome: Outcome = await executor.transaction(async (tx) => {
      const item = await lockApproval(tx, approver.workspaceId, id);
      if (item.status !== "pending") {
        return {
          closed: new ApprovalError("approval_closed", `approval item "${id}" is already ${item.status}`),
          event: null,
        };
      }
      const stale = await staleness(tx, item, now);
      if (stale) {
        const event = await lapse(tx, item, stale, this.lapseDeps(now));
        return {
          closed: new ApprovalError(
            "approval_closed",
            `approval item "${id}" ${stale.status}: ${stale.reason}`,
          ),
          event,
        };
      }
      if (!responseAllowed(item, response.type)) {
        throw new ApprovalError("response_not_allowed", `type: this item does not allow "${response.type}"`, {
          field: "type",
        });
      }
      if (
        (response.type === "accept" || response.type === "edit") &&
        (await authorsOf(tx, item)).has(approver.keyId)
      ) {
        throw new ApprovalError(
          "self_approval",
          "you wrote or requested this draft, so you cannot approve it; another reviewer must",
        );
      }
      let effect: ApprovalEffect;
      if (item.kind === "action") {
        const action = item.actionId === null ? null : await readAction(tx, item.actionId);
        if (!action)
          throw new ApprovalError("approval_closed", `the action of approval item "${id}" is gone`);
        if (response.type === "response")
          throw new ApprovalError("response_not_allowed", "type: actions take no response");
        effect = await answerActionItem(tx, item, action, response, approver, this.actionDeps(now));
      } else {
        const version = item.journeyVersionId ? await readVersion(tx, item.journeyVersionId) : null;
        if (!version)
          throw new ApprovalError("approval_closed", `the journey version of approval item "${id}" is gone`);
        effect = await answerActivationItem(tx, item, version, response, approver, this.activationDeps(now));
      }
      const reason = response.type === "response" ? response.args : (response.reason ?? null);
      const closed = await closeApproval(tx, item, {
        status: STATUS_OF[response.type],
        response,
        decidedBy: approver.keyId,
        reason,
        at: now,
      });
      await appendAudit(tx, [
        {
          workspaceId: item.workspaceId,
          actor: approver.keyId,
          kind: "approval.decided",
          subject: `approval:${item.id}`,
          at: now,
          data: {
            kind: item.kind,
            response: response.type,
            status: closed.status,
            reason,
            approver: { keyId: approver.keyId, name: approver.name, role: approver.role },
            ...(response.type === "edit" ? { edited: response.args } : {}),
            effect,
          },
        },
      ]);
      await signalApproval(tx, closed);
      return { event: { item: closed, effect } };
    });
    if (outcome.event) await this.runHooks(outcome.event);
    if ("closed" in outcome) throw outcome.closed;
    return outcome.event;
  }

  /**
   * Closes pending items that expired or whose subject moved on (the customer left, the version was
   * archived), at most `limit`, skipping items another process is answering. Returns how many.
   */
  async expireDue(options: { workspaceId?: string; limit?: number } = {}): Promise<number> {
    const now = this.options.now();
    const limit = options.limit ?? 100;
    const events = await this.options.database.db.transaction(async (tx) => {
      const due = await rows<{ id: string; workspace_id: string }>(
        tx,
        sql`select a.id, a.workspace_id from approvals a
            left join actions ac on ac.id = a.action_id
            left join journey_versions v on v.id = a.journey_version_id
            where a.status = 'pending'
              ${options.workspaceId ? sql`and a.workspace_id = ${options.workspaceId}` : sql``}
              and (a.expires_at <= ${now.toISOString()}::timestamptz
                   or (a.kind = 'action' and (ac.id is null or ac.status <> 'review'))
                   or (a.kind = 'journey_activation' and (v.id is null or v.status <> 'pending_approval')))
            order by a.expires_at limit ${limit}
            for update of a skip locked`,
      );
      const done: ApprovalDecidedEvent[] = [];
      for (const row of due) {
        const item = await lockApproval(tx, row.workspace_id, row.id);
        const stale = await staleness(tx, item, now);
        if (stale) done.push(await lapse(tx, item, stale, this.lapseDeps(now)));
      }
      return done;
    });
    for (const event of events) await this.runHooks(event);
    return events.length;
  }

  /**
   * Submits a version for review whoever asks (the designer agent's entry point for AI drafts):
   * parks it in `pending_approval` with an item, or returns the open item if there is one.
   */
  async requestActivation(
    executor: Executor,
    input: { workspaceId: string; journeyId: string; version: number; requestedBy: string },
  ): Promise<ActivationResult> {
    const now = this.options.now();
    return activateVersion(
      executor,
      {
        workspaceId: input.workspaceId,
        journeyId: input.journeyId,
        version: input.version,
        actor: input.requestedBy,
      },
      { ...this.options.lifecycle(), now: () => now, gate: this.strictGate },
    );
  }

  /** Starts the expiry loop (services.start). */
  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.running = this.expireDue({ limit: 200 })
        .catch((error: unknown) => console.error("[approvals] expiry loop failed:", (error as Error).message))
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(tick, this.options.expiryIntervalMs ?? 30_000);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
