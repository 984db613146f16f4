import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/open.ts";
import { appendAudit } from "./log.ts";

/**
 * `npm run audit:verify` as an operator runs it: a separate process over the embedded database
 * directory, exit 0 on an intact log and 1 naming the row after a modification or a deletion.
 */

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
let dataDir: string;

async function withDatabase(work: (db: Awaited<ReturnType<typeof openDb>>["db"]) => Promise<void>) {
  const database = await openDb({ dataDir });
  try {
    await work(database.db);
  } finally {
    await database.close();
  }
}

async function verify(): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run("npm", ["run", "--silent", "audit:verify"], {
      cwd: root,
      env: { ...process.env, OVERTURE_DATA_DIR: dataDir, DATABASE_URL: "" },
    });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: `${failed.stdout}${failed.stderr}` };
  }
}

async function tamper(statement: ReturnType<typeof sql>) {
  await withDatabase((db) =>
    db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_log disable trigger user`);
      await tx.execute(statement);
      await tx.execute(sql`alter table audit_log enable trigger user`);
    }),
  );
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "overture-audit-"));
  await withDatabase(async (db) => {
    for (let index = 1; index <= 4; index++) {
      await db.transaction((tx) =>
        appendAudit(tx, [
          {
            workspaceId: "ws_cli",
            actor: "key_admin",
            kind: "approval.decided",
            subject: `approval:apr_${index}`,
            data: { status: "accepted", index },
          },
        ]),
      );
    }
  });
}, 120_000);
afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("npm run audit:verify", () => {
  it("exits 0 on the intact log", async () => {
    const result = await verify();
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/audit log intact: 4 entries in 1 workspace chain/);
  }, 120_000);

  it("exits 1 naming a modified row", async () => {
    await tamper(
      sql`update audit_log set data = '{"status":"ignored","index":2}' where subject = 'approval:apr_2'`,
    );
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/ws_cli: modified at seq 2/);
  }, 120_000);

  it("exits 1 naming a deleted row", async () => {
    await tamper(
      sql`update audit_log set data = '{"status":"accepted","index":2}' where subject = 'approval:apr_2'`,
    );
    expect((await verify()).code).toBe(0);
    await tamper(sql`delete from audit_log where subject = 'approval:apr_3'`);
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/ws_cli: deleted at seq 3/);
  }, 120_000);
});
