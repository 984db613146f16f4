import { sql } from "drizzle-orm";
import { newId, newSecret } from "../../db/ids.ts";
import type { Database, Executor } from "../../db/open.ts";
import type { ApiRole } from "../../db/schema/workspaces.ts";
import { durationMs } from "../../journeys/format/duration.ts";
import { JourneyRuntime } from "../../journeys/runtime/runtime.ts";
import type { FakeClock } from "../../journeys/runtime/testing.ts";
import { auditGatewayDecisions, auditStatusChange } from "../audit/hooks.ts";
import { PolicyCache } from "../config-store.ts";
import { createGateway } from "../gateway.ts";
import { ApprovalQueue } from "./queue.ts";
import type { Approver } from "./types.ts";

/**
 * Test support: the real policy cache, gateway (audited), runtime and approval queue on one
 * database and a fake clock, wired the way server/services.ts wires them.
 */
export function approvalStack(database: Database, clock: FakeClock) {
  const policies = new PolicyCache();
  const gateway = createGateway({
    decideFor: policies.decideFor,
    now: clock.now,
    approvalExpiryFor: async (executor, workspaceId) =>
      durationMs((await policies.config(executor, workspaceId)).approvals.expiry),
    onDecided: auditGatewayDecisions(clock.now),
  });
  const runtime = new JourneyRuntime({ database, gateway, now: clock.now });
  const onStatusChange = [auditStatusChange, runtime.statusChangeHook];
  const queue = new ApprovalQueue({
    database,
    now: clock.now,
    policies,
    lifecycle: () => ({ now: clock.now, onStatusChange }),
    resumeParked: (tx, instanceId, result) => runtime.resumeParked(tx, instanceId, result),
  });
  return { policies, gateway, runtime, queue, onStatusChange };
}

/** An API key row (the gate looks up the activating key's role). */
export async function insertKey(
  executor: Executor,
  workspaceId: string,
  role: Exclude<ApiRole, "ingest">,
): Promise<Approver> {
  const id = newId("key");
  const secret = newSecret("ovk");
  await executor.execute(sql`
    insert into api_keys (id, workspace_id, name, role, key_hash, key_prefix)
    values (${id}, ${workspaceId}, ${`test ${role}`}, ${role}, ${secret}, ${secret.slice(0, 10)})`);
  return { keyId: id, workspaceId, role, name: `test ${role}` };
}
