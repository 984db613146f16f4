import { fileURLToPath } from "node:url";
import type { Database } from "../db/open.ts";
import { openDb } from "../db/open.ts";
import type { AuditVerification } from "./audit/verify.ts";
import { verifyAuditChain } from "./audit/verify.ts";

/**
 * `npm run audit:verify [-- --workspace ID] [--json]`: recomputes every workspace's audit hash
 * chain in DATABASE_URL (or the embedded database under OVERTURE_DATA_DIR / .overture/) and reports
 * the first modified, inserted or deleted row of each broken chain.
 *
 * Exit codes: 0 intact, 1 tampering found, 2 usage or database error.
 */

export interface VerifyIo {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = "usage: npm run audit:verify [-- --workspace ID] [--json]";

export function formatVerification(result: AuditVerification): string[] {
  if (result.ok) {
    return [
      `audit log intact: ${result.rows} entr${result.rows === 1 ? "y" : "ies"} in ${result.workspaces} workspace chain${result.workspaces === 1 ? "" : "s"}`,
    ];
  }
  return [
    `AUDIT LOG TAMPERED: ${result.problems.length} of ${result.workspaces} workspace chain${result.workspaces === 1 ? "" : "s"} broken (${result.rows} entries checked)`,
    ...result.problems.map(
      (problem) =>
        `  ${problem.workspaceId}: ${problem.kind}${problem.seq !== null ? ` at seq ${problem.seq}` : ""}${problem.id !== null ? ` (row id ${problem.id})` : ""} — ${problem.message}`,
    ),
  ];
}

export async function runAuditVerify(
  args: readonly string[],
  io: VerifyIo,
  open: () => Promise<Database>,
): Promise<number> {
  let workspaceId: string | undefined;
  let json = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--json") json = true;
    else if (arg === "--workspace" && args[index + 1] && !args[index + 1]!.startsWith("--")) {
      workspaceId = args[++index];
    } else {
      io.err(`unexpected argument "${arg}"`);
      io.err(USAGE);
      return 2;
    }
  }
  let database: Database | null = null;
  try {
    database = await open();
    const result = await verifyAuditChain(database.db, workspaceId ? { workspaceId } : {});
    if (json) io.out(JSON.stringify(result));
    else for (const line of formatVerification(result)) io.out(line);
    return result.ok ? 0 : 1;
  } catch (error) {
    io.err(`audit:verify failed: ${(error as Error).message}`);
    return 2;
  } finally {
    await database?.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const code = await runAuditVerify(
    process.argv.slice(2),
    { out: (line) => console.log(line), err: (line) => console.error(line) },
    () => openDb({ url: process.env.DATABASE_URL, dataDir: process.env.OVERTURE_DATA_DIR }),
  );
  process.exit(code);
}
