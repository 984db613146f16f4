import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";

/**
 * Recomputes every workspace's audit chain and reports the first place it breaks. The canonical text
 * of a row comes from the same SQL function the sealer used (`audit_canonical`); the hashing and the
 * linking are checked here, independently of the database's own sha256.
 *
 *   modified  – a row's content no longer matches its hash
 *   deleted   – a chain position is missing (a gap in seq, or rows cut off after the last one)
 *   inserted  – a row that was not sealed by its own transaction, or beyond the recorded chain end
 *   relinked  – a row whose prev_hash is not its predecessor's hash (rows rewritten to hide a change)
 */

export const GENESIS_HASH = "0".repeat(64);

export type AuditProblemKind = "modified" | "deleted" | "inserted" | "relinked";

export interface AuditProblem {
  workspaceId: string;
  kind: AuditProblemKind;
  /** the chain position where it was found (for `deleted`, the first missing one) */
  seq: number | null;
  /** the row, when there is one */
  id: number | null;
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  workspaces: number;
  rows: number;
  /** the first problem of each workspace whose chain is broken */
  problems: AuditProblem[];
}

interface ChainRow {
  id: number;
  seq: number;
  prev_hash: string | null;
  hash: string | null;
  canonical: string;
}

const PAGE = 5000;

export function chainHash(prevHash: string, canonical: string): string {
  return createHash("sha256")
    .update(prevHash + canonical, "utf8")
    .digest("hex");
}

async function verifyWorkspace(
  executor: Executor,
  workspaceId: string,
  head: { seq: number; hash: string } | undefined,
): Promise<{ rows: number; problem: AuditProblem | null }> {
  let expectedSeq = 1;
  let previous = GENESIS_HASH;
  let count = 0;
  const problem = (kind: AuditProblemKind, seq: number | null, id: number | null, message: string) => ({
    rows: count,
    problem: { workspaceId, kind, seq, id, message },
  });
  for (;;) {
    const page = await rows<ChainRow>(
      executor,
      sql`select id, seq, prev_hash, hash,
            audit_canonical(id, workspace_id, seq, at, actor, kind, subject, data) as canonical
          from audit_log where workspace_id = ${workspaceId} and seq >= ${expectedSeq}
          order by seq limit ${PAGE}`,
    );
    for (const raw of page) {
      // int8 arrives as a string through node-postgres, as a number through PGlite
      const row = { ...raw, id: Number(raw.id), seq: Number(raw.seq) };
      count++;
      if (row.seq > expectedSeq) {
        return problem(
          "deleted",
          expectedSeq,
          null,
          `chain position${row.seq - expectedSeq > 1 ? `s ${expectedSeq}–${row.seq - 1} are` : ` ${expectedSeq} is`} missing (next present: seq ${row.seq}, id ${row.id})`,
        );
      }
      if (row.prev_hash !== previous) {
        return problem(
          "relinked",
          row.seq,
          row.id,
          `seq ${row.seq} (id ${row.id}) does not link to seq ${row.seq - 1}: prev_hash differs from its hash`,
        );
      }
      if (row.hash !== chainHash(previous, row.canonical)) {
        return problem(
          "modified",
          row.seq,
          row.id,
          `seq ${row.seq} (id ${row.id}) was modified after it was sealed: its content does not match its hash`,
        );
      }
      previous = row.hash;
      expectedSeq = row.seq + 1;
    }
    if (page.length < PAGE) break;
  }
  const lastSeq = expectedSeq - 1;
  if (!head) {
    if (lastSeq > 0) {
      return problem("deleted", null, null, "the chain's recorded end (audit_heads) is missing");
    }
    return { rows: count, problem: null };
  }
  if (lastSeq < head.seq) {
    return problem(
      "deleted",
      lastSeq + 1,
      null,
      `the chain ends at seq ${lastSeq} but was recorded up to seq ${head.seq}: the newest entries were deleted`,
    );
  }
  if (lastSeq > head.seq) {
    return problem(
      "inserted",
      head.seq + 1,
      null,
      `rows after the recorded chain end (seq ${head.seq}) were added around the sealer`,
    );
  }
  if (head.hash !== previous) {
    return problem(
      "modified",
      lastSeq,
      null,
      `the last entry (seq ${lastSeq}) differs from the recorded chain end`,
    );
  }
  return { rows: count, problem: null };
}

/** Verifies one workspace's chain, or every workspace's when `workspaceId` is absent. */
export async function verifyAuditChain(
  executor: Executor,
  options: { workspaceId?: string } = {},
): Promise<AuditVerification> {
  const only = options.workspaceId;
  const filter = only ? sql`where workspace_id = ${only}` : sql``;
  const [workspaces, heads, unsealed] = await Promise.all([
    rows<{ workspace_id: string }>(
      executor,
      sql`select workspace_id from audit_log ${filter} group by workspace_id
          union select workspace_id from audit_heads ${filter} order by 1`,
    ),
    rows<{ workspace_id: string; seq: number; hash: string }>(
      executor,
      sql`select workspace_id, seq, hash from audit_heads ${filter}`,
    ),
    // Committed rows are sealed at commit; an unsealed one was written with the triggers switched off.
    rows<{ workspace_id: string; id: number }>(
      executor,
      sql`select workspace_id, min(id) as id from audit_log
          where (hash is null or seq is null) ${only ? sql`and workspace_id = ${only}` : sql``}
          group by workspace_id`,
    ),
  ]);
  const headOf = new Map(
    heads.map((head) => [head.workspace_id, { seq: Number(head.seq), hash: head.hash }]),
  );
  const unsealedOf = new Map(unsealed.map((row) => [row.workspace_id, Number(row.id)]));
  const problems: AuditProblem[] = [];
  let total = 0;
  for (const { workspace_id: workspaceId } of workspaces) {
    const result = await verifyWorkspace(executor, workspaceId, headOf.get(workspaceId));
    total += result.rows;
    if (result.problem) {
      problems.push(result.problem);
      continue;
    }
    const stray = unsealedOf.get(workspaceId);
    if (stray !== undefined) {
      problems.push({
        workspaceId,
        kind: "inserted",
        seq: null,
        id: stray,
        message: `row id ${stray} is not part of the chain: it was written without the sealing trigger`,
      });
    }
  }
  return { ok: problems.length === 0, workspaces: workspaces.length, rows: total, problems };
}
