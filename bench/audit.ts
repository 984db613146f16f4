import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Database } from "../db/open.ts";
import { openDb } from "../db/open.ts";
import { createCustomer, createWorkspace, FakeClock } from "../journeys/runtime/testing.ts";
import { auditGatewayDecisions } from "../policies/audit/hooks.ts";
import { appendAudit } from "../policies/audit/log.ts";
import { verifyAuditChain } from "../policies/audit/verify.ts";
import { parsePolicyConfig, STARTER_POLICY_CONFIG_INPUT } from "../policies/config.ts";
import { createDecide } from "../policies/engine.ts";
import { createGateway } from "../policies/gateway.ts";
import type { ActionProposal } from "../policies/types.ts";

/**
 * `tsx bench/audit.ts [--decisions 2000] [--batch 200] [--repeat 3] [--json]`
 *
 * What the audit log costs on the hot path, on in-memory PGlite:
 *   - the gateway deciding actions in batches with the audit hook (one `policy.decision` entry per
 *     action, sealed into the chain at commit), against its baseline: the same gateway without it;
 *   - sealing alone: entries appended with the sealing trigger, against the same inserts without it;
 *   - `audit:verify` over everything written (entries/s).
 * Runs alternate (baseline, audited, baseline, …) so a busy machine hits both; medians are reported.
 */

interface Options {
  decisions: number;
  batch: number;
  repeat: number;
  json: boolean;
}

function parse(argv: readonly string[]): Options {
  const options: Options = { decisions: 2000, batch: 200, repeat: 3, json: false };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === "--json") options.json = true;
    else if (arg === "--decisions" || arg === "--batch" || arg === "--repeat") {
      const value = Number(argv[++index]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${arg} needs a positive whole number`);
      options[arg.slice(2) as "decisions" | "batch" | "repeat"] = value;
    } else throw new Error(`unexpected argument "${arg}"`);
  }
  return options;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function gatewayRun(
  database: Database,
  options: Options,
  audited: boolean,
  label: string,
): Promise<number> {
  const clock = new FakeClock("2026-03-02T09:00:00Z");
  const workspaceId = await createWorkspace(database.db);
  const profiles: number[] = [];
  for (let index = 0; index < options.batch; index++) {
    profiles.push(await createCustomer(database.db, workspaceId, { userId: `u${index}` }));
  }
  const decide = createDecide(
    parsePolicyConfig({ ...STARTER_POLICY_CONFIG_INPUT, approvals: {}, frequency_cap: {} }),
  );
  const gateway = createGateway({
    decideFor: async () => decide,
    now: clock.now,
    ...(audited ? { onDecided: auditGatewayDecisions(clock.now) } : {}),
  });
  const started = performance.now();
  for (let done = 0, round = 0; done < options.decisions; round++) {
    const size = Math.min(options.batch, options.decisions - done);
    const proposals: ActionProposal[] = profiles.slice(0, size).map((profileId, index) => ({
      workspaceId,
      profileId,
      kind: "message",
      channel: "email",
      idempotencyKey: `${label}:${round}:${index}`,
      payload: { content: { subject: "Hi", body: "Your cart is waiting." }, to: "ada@example.com" },
    }));
    await database.db.transaction((tx) => gateway.proposeMany(tx, proposals));
    done += size;
  }
  return options.decisions / ((performance.now() - started) / 1000);
}

async function appendRun(
  database: Database,
  options: Options,
  sealed: boolean,
  label: string,
): Promise<number> {
  if (!sealed) await database.db.execute(sql`alter table audit_log disable trigger audit_log_collect`);
  const data = {
    outcome: "allow",
    round: 1,
    status: "queued",
    verdicts: [{ policy: "consent", verdict: "allow" }],
  };
  const started = performance.now();
  try {
    for (let done = 0; done < options.decisions; done += options.batch) {
      const size = Math.min(options.batch, options.decisions - done);
      await database.db.transaction((tx) =>
        appendAudit(
          tx,
          Array.from({ length: size }, (_, index) => ({
            workspaceId: `ws_bench_${label}`,
            actor: "policies",
            kind: "policy.decision" as const,
            subject: `action:${done + index}`,
            data,
          })),
        ),
      );
    }
  } finally {
    if (!sealed) await database.db.execute(sql`alter table audit_log enable trigger audit_log_collect`);
  }
  return options.decisions / ((performance.now() - started) / 1000);
}

export async function main(argv: readonly string[]): Promise<void> {
  const options = parse(argv);
  const database = await openDb({ dataDir: "memory://" });
  try {
    await gatewayRun(database, { ...options, decisions: options.batch }, true, "warmup");
    const gateway = { baseline: [] as number[], audited: [] as number[] };
    const sealing = { unsealed: [] as number[], sealed: [] as number[] };
    for (let run = 0; run < options.repeat; run++) {
      gateway.baseline.push(await gatewayRun(database, options, false, `plain${run}`));
      gateway.audited.push(await gatewayRun(database, options, true, `audited${run}`));
      sealing.unsealed.push(await appendRun(database, options, false, `raw${run}`));
      sealing.sealed.push(await appendRun(database, options, true, `sealed${run}`));
    }
    // the unsealed runs wrote rows outside the chain on purpose; verify the audited workspaces' chains
    const verifyStarted = performance.now();
    const verification = await verifyAuditChain(database.db);
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    const result = {
      decisions: options.decisions,
      batch: options.batch,
      repeat: options.repeat,
      gateway_decisions_per_s: Math.round(median(gateway.audited)),
      baseline_gateway_decisions_per_s: Math.round(median(gateway.baseline)),
      gateway_ratio: Number((median(gateway.audited) / median(gateway.baseline)).toFixed(3)),
      sealed_entries_per_s: Math.round(median(sealing.sealed)),
      baseline_unsealed_entries_per_s: Math.round(median(sealing.unsealed)),
      sealing_ratio: Number((median(sealing.sealed) / median(sealing.unsealed)).toFixed(3)),
      verify_entries_per_s: Math.round(verification.rows / verifySeconds),
      verified_rows: verification.rows,
    };
    if (options.json) {
      console.log(JSON.stringify(result));
      return;
    }
    console.log(
      `audit bench (PGlite in memory, ${options.decisions} per run, batches of ${options.batch}, median of ${options.repeat})`,
    );
    console.log(
      `  gateway with audit   ${result.gateway_decisions_per_s} decisions/s   baseline without ${result.baseline_gateway_decisions_per_s}/s   ratio ${result.gateway_ratio}`,
    );
    console.log(
      `  append + seal        ${result.sealed_entries_per_s} entries/s     baseline unsealed ${result.baseline_unsealed_entries_per_s}/s   ratio ${result.sealing_ratio}`,
    );
    console.log(
      `  audit:verify         ${result.verify_entries_per_s} entries/s (${result.verified_rows} rows)`,
    );
  } finally {
    await database.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
