import { sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { ApprovalStatus } from "../../db/schema/policies.ts";
import { toJsonPath } from "../../journeys/format/validate.ts";
import type { ActivationGate, ActivationResult, LifecycleOptions } from "../../journeys/versions.ts";
import { activateVersion } from "../../journeys/versions.ts";
import { appendAudit, SYSTEM_ACTOR } from "../audit/log.ts";
import type { PolicyConfig } from "../config.ts";
import type { Decide } from "../types.ts";
import type { ActionAnswerDeps, ResumeParked } from "./action-items.ts";
import { actionIsWaiting, answerActionItem, cancelReviewedAction, readAction } from "./action-items.ts";
import type { ActivationDeps } from "./activation-items.ts";
import {
  answerActivationItem,
  createActivationGate,
  readVersion,
  returnToAuthor,
  versionIsWaiting,
} from "./activation-items.ts";
import { closeApproval, lockApproval } from "./store.ts";
import type {
  ApprovalDecidedEvent,
  ApprovalDecidedHook,
  ApprovalEffect,
  ApprovalItem,
  Approver,
  HumanResponse,
} from "./types.ts";
import { ApprovalError, HumanResponseSchema } from "./types.ts";

/**
 * The approval queue as a service: answers (`respondToApproval`), expiry (a loop, and lazily whenever
 * an item is read or answered), the activation gate, and the hooks the designer agent subscribes to.
 *
 * Every answer runs in one transaction: the item is locked, its effect applied (activation, queued or
 * cancelled action, resumed customer), the decision recorded on the item and in the audit log, and
 * `overture_approvals` notified (delivered at commit) for other processes. `onApprovalDecided` hooks
 * run in this process after the commit.
 */

export const APPROVALS_SIGNAL = "overture_approvals";

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

/** Statuses an answer leads to. */
const STATUS_OF: Record<HumanResponse["type"], Exclude<ApprovalStatus, "pending">> = {
  accept: "accepted",
  edit: "edited",
  response: "responded",
  ignore: "ignored",
};

function parseResponse(input: unknown): HumanResponse {
  const parsed = HumanResponseSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = toJsonPath(issue.path).replace(/^\$\.?/, "") || "type";
  throw new ApprovalError("invalid_response", `${field}: ${issue.message}`, { field });
}

function allowed(item: ApprovalItem, type: HumanResponse["type"]): boolean {
  const config = item.request.config;
  switch (type) {
    case "accept":
      return config.allow_accept;
    case "edit":
      return config.allow_edit;
    case "response":
      return config.allow_respond;
    case "ignore":
      return config.allow_ignore;
  }
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

  /** Keys that may not approve the item: its author, the requester, and whoever asked the designer. */
  private async authorsOf(tx: Executor, item: ApprovalItem): Promise<Set<string>> {
    const authors = new Set<string>([item.author]);
    if (item.requestedBy) authors.add(item.requestedBy);
    if (item.journeyVersionId) {
      const found = await rows<{ author: string; created_by: string | null }>(
        tx,
        sql`select v.author, d.created_by from journey_versions v left join designs d on d.id = v.design_id
            where v.id = ${item.journeyVersionId}`,
      );
      for (const row of found) {
        authors.add(row.author);
        if (row.created_by) authors.add(row.created_by);
      }
    }
    return authors;
  }

  /** The item's effect when it lapses (expired, or what it asked about is gone); no lock order issue. */
  private async lapse(
    tx: Executor,
    item: ApprovalItem,
    status: "expired" | "withdrawn",
    reason: string,
    now: Date,
  ): Promise<ApprovalDecidedEvent> {
    let effect: ApprovalEffect = { kind: "none" };
    if (item.kind === "action" && item.actionId !== null) {
      const action = await readAction(tx, item.actionId);
      if (action && actionIsWaiting(action)) {
        effect = await cancelReviewedAction(tx, action, `${reason}; nothing was sent`, this.actionDeps(now));
      }
    } else if (item.kind === "journey_activation" && item.journeyVersionId) {
      const version = await readVersion(tx, item.journeyVersionId);
      if (version && versionIsWaiting(version)) {
        effect = await returnToAuthor(tx, version, SYSTEM_ACTOR, this.activationDeps(now));
      }
    }
    const closed = await closeApproval(tx, item, {
      status,
      response: null,
      decidedBy: SYSTEM_ACTOR,
      reason,
      at: now,
    });
    await appendAudit(tx, [
      {
        workspaceId: item.workspaceId,
        actor: SYSTEM_ACTOR,
        kind: status === "expired" ? "approval.expired" : "approval.decided",
        subject: `approval:${item.id}`,
        at: now,
        data: { kind: item.kind, status, reason, effect },
      },
    ]);
    await this.signal(tx, closed);
    return { item: closed, effect };
  }

  /** Why a pending item no longer applies, if it does not: expired, or its subject moved on. */
  private async staleness(
    tx: Executor,
    item: ApprovalItem,
    now: Date,
  ): Promise<{ status: "expired" | "withdrawn"; reason: string } | null> {
    if (item.expiresAt.getTime() <= now.getTime()) {
      return { status: "expired", reason: `the approval expired at ${item.expiresAt.toISOString()}` };
    }
    if (item.kind === "action" && item.actionId !== null) {
      const action = await readAction(tx, item.actionId);
      if (!actionIsWaiting(action)) {
        return {
          status: "withdrawn",
          reason: `the action is ${action?.status ?? "gone"}: the customer left the journey or it was stopped`,
        };
      }
    }
    if (item.kind === "journey_activation" && item.journeyVersionId) {
      const version = await readVersion(tx, item.journeyVersionId);
      if (!versionIsWaiting(version)) {
        return {
          status: "withdrawn",
          reason: `the version is ${version?.status ?? "gone"}, no longer awaiting approval`,
        };
      }
    }
    return null;
  }

  private async signal(tx: Executor, item: ApprovalItem) {
    const payload = JSON.stringify({
      id: item.id,
      workspaceId: item.workspaceId,
      kind: item.kind,
      status: item.status,
    });
    await tx.execute(sql`select pg_notify(${APPROVALS_SIGNAL}, ${payload})`);
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
      const stale = await this.staleness(tx, item, now);
      if (stale) {
        const event = await this.lapse(tx, item, stale.status, stale.reason, now);
        return {
          closed: new ApprovalError(
            "approval_closed",
            `approval item "${id}" ${stale.status}: ${stale.reason}`,
          ),
          event,
        };
      }
      if (!allowed(item, response.type)) {
        throw new ApprovalError("response_not_allowed", `type: this item does not allow "${response.type}"`, {
          field: "type",
        });
      }
      if (
        (response.type === "accept" || response.type === "edit") &&
        (await this.authorsOf(tx, item)).has(approver.keyId)
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
      await this.signal(tx, closed);
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
        const stale = await this.staleness(tx, item, now);
        if (stale) done.push(await this.lapse(tx, item, stale.status, stale.reason, now));
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
