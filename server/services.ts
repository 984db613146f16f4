import { createCheckpointer } from "../agents/designer/checkpointer.ts";
import { dbEnvironment } from "../agents/designer/db-environment.ts";
import { DesignerService } from "../agents/designer/service.ts";
import { createDesignerModel } from "../agents/model.ts";
import { createNextBestAction } from "../agents/nba/next-best-action.ts";
import { embeddedMaintenanceLoop } from "../db/maintenance.ts";
import type { Database } from "../db/open.ts";
import { durationMs } from "../journeys/format/duration.ts";
import { JourneyRuntime } from "../journeys/runtime/runtime.ts";
import type { ActivationGate, StatusChangeHook } from "../journeys/versions.ts";
import { ApprovalQueue } from "../policies/approvals/queue.ts";
import { auditGatewayDecisions, auditStatusChange } from "../policies/audit/hooks.ts";
import { PolicyCache } from "../policies/config-store.ts";
import { createGateway } from "../policies/gateway.ts";
import type { Dispatcher } from "../tools/channels/dispatcher.ts";
import { createDispatcher } from "../tools/channels/dispatcher.ts";
import { createStandardAdapters } from "../tools/channels/routing.ts";
import { createEmbedder } from "../tools/data/embedder.ts";
import { SemanticMemory } from "../tools/data/memory.ts";
import { createRuntimeDataTools } from "../tools/data/runtime-tools.ts";
import type { Config } from "./config.ts";
import { IngestService } from "./ingest/service.ts";

/**
 * The long-lived services of one process, built once from configuration and the database: the
 * journey runtime, the policy gateway, the outbox dispatcher, the designer. Route modules get them
 * through AppContext; `start()` launches the background loops (workers), `stop()` drains them.
 */
export interface Services {
  /** Segment-compatible ingestion (server/ingest); pass the runtime's EventSink as `sink` when it exists */
  ingest: IngestService;
  /**
   * Seams of the journey version lifecycle (journeys/versions.ts): hooks run inside every status
   * change's transaction (the runtime's schedule sync, the audit log), and the approval gate that
   * may park an activation for a reviewer. Services push into `onStatusChange` and set `gate`.
   */
  journeyLifecycle?: { onStatusChange: StatusChangeHook[]; gate?: ActivationGate };
  /** the journey runtime (journeys/runtime), when this process runs one: API entries use it */
  runtime?: JourneyRuntime;
  /** the outbox dispatcher (tools/channels): delivers what the runtime queued; woken by overture_outbox */
  dispatcher?: Dispatcher;
  /**
   * Each workspace's current policy config compiled (policies/config-store.ts): the gateway decides
   * with it; PUT /api/policies invalidates it.
   */
  policies: PolicyCache;
  /** the approval queue (policies/approvals): answers, expiry loop, activation gate, decision hooks */
  approvals: ApprovalQueue;
  /** semantic memory (tools/data/memory.ts); `available` is false without pgvector */
  memory: SemanticMemory;
  /** the journey designer agent (agents/designer): runs designs in the background, resumes them at start */
  designer: DesignerService;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createServices(config: Config, database: Database, now: () => Date): Promise<Services> {
  const loops: Array<{ start(): Promise<void> | void; stop(): Promise<void> }> = [];
  // Every verdict is audited in the transaction that stores it; a workspace with no stored config runs
  // on the safe baseline; an invalid stored config fails closed (the step fails and is retried).
  const policies = new PolicyCache();
  const gateway = createGateway({
    decideFor: policies.decideFor,
    // PGlite runs one transaction at a time: profile row locks would only cost writes there.
    lockProfiles: database.kind !== "pglite",
    now,
    approvalExpiryFor: async (executor, workspaceId) =>
      durationMs((await policies.config(executor, workspaceId)).approvals.expiry),
    onDecided: auditGatewayDecisions(now),
  });
  const memory = new SemanticMemory(database, createEmbedder(config));
  // The runtime reaches agents/nba and tools/data only through these two interfaces: agent nodes ask
  // the next-best-action step (a model when one is configured, else the deterministic scorer); tool
  // nodes read the data adapters inside the runtime's own transaction.
  const runtime = new JourneyRuntime({
    database,
    gateway,
    now,
    nba: createNextBestAction(config),
    dataTools: createRuntimeDataTools({ database, memory, now }),
  });
  const ingest = new IngestService({ database, now, dedupeDays: config.OVERTURE_DEDUPE_DAYS, sink: runtime });
  loops.push(ingest.purgeLoop);
  // PGlite has no autovacuum daemon: without this, dead rows and stale statistics pile up for as long
  // as the embedded server runs (db/maintenance.ts).
  if (database.kind === "pglite") loops.push(embeddedMaintenanceLoop(database));
  // Registered early so it stops late: producers of outbox rows stop first, then it drains.
  const dispatcher = createDispatcher({
    database,
    now,
    adapters: createStandardAdapters({
      smtpUrl: config.SMTP_URL,
      smtpFrom: config.SMTP_FROM,
      webhookSecret: config.WEBHOOK_SECRET,
      now,
    }),
    retry: {
      maxAttempts: config.OVERTURE_OUTBOX_MAX_ATTEMPTS,
      baseDelayMs: config.OVERTURE_OUTBOX_RETRY_BASE_MS,
    },
    // A delivery must end (abort) before its lease does, or a second dispatcher could send it too.
    leaseMs: config.OVERTURE_OUTBOX_LEASE_MS,
    deliveryTimeoutMs: Math.max(50, Math.floor(config.OVERTURE_OUTBOX_LEASE_MS / 2)),
  });
  loops.push(dispatcher);
  // Stops before the dispatcher: it produces outbox rows the dispatcher drains.
  if (config.OVERTURE_WORKERS) loops.push(runtime);
  const journeyLifecycle: NonNullable<Services["journeyLifecycle"]> = {
    onStatusChange: [runtime.statusChangeHook, auditStatusChange],
  };
  const approvals = new ApprovalQueue({
    database,
    now,
    policies,
    lifecycle: () => ({ now, onStatusChange: journeyLifecycle.onStatusChange }),
    resumeParked: (tx, instanceId, result) => runtime.resumeParked(tx, instanceId, result),
  });
  // cx_lead activations and AI drafts wait for a reviewer (admins activate human drafts directly).
  journeyLifecycle.gate = approvals.gate;
  if (config.OVERTURE_WORKERS) loops.push(approvals);
  const designer = new DesignerService({
    database,
    model: createDesignerModel(config),
    environment: dbEnvironment({
      database,
      approvals,
      memory,
      lifecycle: () => ({ now, onStatusChange: journeyLifecycle.onStatusChange }),
      now,
    }),
    checkpointer: await createCheckpointer(database),
    now,
    limits: { sampleSize: config.OVERTURE_DESIGN_SAMPLE },
  });
  // A reviewer's decision on a design's activation resumes its graph.
  approvals.onApprovalDecided.push((event) => designer.onApprovalDecided(event));
  // Stops first: a design in flight is cancelled at its next step and resumes from its checkpoint.
  loops.push(designer);
  return {
    ingest,
    journeyLifecycle,
    runtime,
    dispatcher,
    policies,
    approvals,
    memory,
    designer,
    async start() {
      for (const loop of loops) await loop.start();
    },
    async stop() {
      for (const loop of [...loops].reverse()) await loop.stop();
    },
  };
}
