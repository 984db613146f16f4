import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../db/ids.ts";
import type { Database, Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { openTestDb } from "../../db/testing.ts";
import { runAuditVerify } from "../audit-verify-cli.ts";
import type { AuditEntry } from "./log.ts";
import { appendAudit, listAudit } from "./log.ts";
import { chainHash, GENESIS_HASH, verifyAuditChain } from "./verify.ts";

let database: Database;

beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database?.close();
});

function entry(workspaceId: string, index: number, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    workspaceId,
    actor: "key_test",
    kind: "policy.decision",
    subject: `action:${index}`,
    data: { index, verdicts: [{ policy: "consent", verdict: "allow" }], ratio: 2.5 },
    at: new Date(Date.UTC(2026, 2, 2, 9, 0, index)),
    ...extra,
  };
}

async function writeEntries(workspaceId: string, count: number) {
  for (let index = 1; index <= count; index++) {
    await database.db.transaction((tx) => appendAudit(tx, [entry(workspaceId, index)]));
  }
}

/** Tampering as someone with direct database access would: with the guard triggers switched off. */
async function tamper(statement: ReturnType<typeof sql>) {
  await database.db.transaction(async (tx: Executor) => {
    await tx.execute(sql`alter table audit_log disable trigger user`);
    await tx.execute(statement);
    await tx.execute(sql`alter table audit_log enable trigger user`);
  });
}

async function chainOf(workspaceId: string) {
  return rows<{ id: number; seq: number; prev_hash: string; hash: string }>(
    database.db,
    sql`select id, seq, prev_hash, hash from audit_log where workspace_id = ${workspaceId} order by seq`,
  );
}

describe("the audit chain", () => {
  it("seals entries at commit into a per-workspace chain: seq 1, 2, 3 with each prev_hash the previous hash", async () => {
    const a = newId("ws");
    const b = newId("ws");
    await database.db.transaction(async (tx) => {
      await appendAudit(tx, [entry(a, 1), entry(b, 1), entry(a, 2)]);
      // inside the writing transaction the rows are not sealed yet
      const [pending] = await rows<{ n: number }>(
        tx,
        sql`select count(*)::int8 as n from audit_log where workspace_id in (${a}, ${b}) and hash is null`,
      );
      expect(Number(pending!.n)).toBe(3);
    });
    await database.db.transaction((tx) => appendAudit(tx, [entry(a, 3)]));
    const chain = await chainOf(a);
    expect(chain.map((row) => row.seq)).toEqual([1, 2, 3]);
    expect(chain[0]!.prev_hash).toBe(GENESIS_HASH);
    expect(chain[1]!.prev_hash).toBe(chain[0]!.hash);
    expect(chain[2]!.prev_hash).toBe(chain[1]!.hash);
    expect((await chainOf(b)).map((row) => row.seq)).toEqual([1]);
    const result = await verifyAuditChain(database.db, { workspaceId: a });
    expect(result).toMatchObject({ ok: true, rows: 3, workspaces: 1, problems: [] });
  });

  it("hashes sha256(prev_hash || canonical row), recomputable outside the database", async () => {
    const ws = newId("ws");
    await writeEntries(ws, 1);
    const [row] = await rows<{ hash: string; canonical: string }>(
      database.db,
      sql`select hash, audit_canonical(id, workspace_id, seq, at, actor, kind, subject, data) as canonical
          from audit_log where workspace_id = ${ws}`,
    );
    expect(JSON.parse(row!.canonical)).toMatchObject({
      workspace_id: ws,
      seq: 1,
      at: "2026-03-02T09:00:01.000000Z",
      actor: "key_test",
      kind: "policy.decision",
      subject: "action:1",
      data: { index: 1, ratio: 2.5 },
    });
    expect(row!.hash).toBe(chainHash(GENESIS_HASH, row!.canonical));
  });

  it("a rolled back transaction leaves no entry and no gap in the chain", async () => {
    const ws = newId("ws");
    await writeEntries(ws, 1);
    await expect(
      database.db.transaction(async (tx) => {
        await appendAudit(tx, [entry(ws, 2)]);
        throw new Error("the recorded change failed");
      }),
    ).rejects.toThrow("the recorded change failed");
    await writeEntries(ws, 1);
    expect((await chainOf(ws)).map((row) => row.seq)).toEqual([1, 2]);
    expect((await verifyAuditChain(database.db, { workspaceId: ws })).ok).toBe(true);
  });

  it("entries written inside a savepoint join the chain of the outer transaction", async () => {
    const ws = newId("ws");
    await database.db.transaction(async (tx) => {
      await appendAudit(tx, [entry(ws, 1)]);
      await tx.transaction((savepoint) => appendAudit(savepoint, [entry(ws, 2)]));
    });
    expect((await chainOf(ws)).map((row) => row.seq)).toEqual([1, 2]);
  });

  it("refuses updates, deletes and truncation through the normal path", async () => {
    const ws = newId("ws");
    await writeEntries(ws, 2);
    await expect(
      database.db.execute(sql`update audit_log set data = '{}' where workspace_id = ${ws}`),
    ).rejects.toThrow();
    await expect(
      database.db.execute(sql`delete from audit_log where workspace_id = ${ws}`),
    ).rejects.toThrow();
    await expect(database.db.execute(sql`truncate audit_log`)).rejects.toThrow();
    // an insert cannot bring its own chain fields either
    await database.db.execute(
      sql`insert into audit_log (workspace_id, actor, kind, subject, data, seq, prev_hash, hash)
          values (${ws}, 'x', 'policy.decision', 'action:9', '{}', 1, ${GENESIS_HASH}, 'forged')`,
    );
    expect((await chainOf(ws)).map((row) => row.seq)).toEqual([1, 2, 3]);
    expect((await verifyAuditChain(database.db, { workspaceId: ws })).ok).toBe(true);
  });
});

describe("audit:verify", () => {
  it("reports a modified row with its chain position", async () => {
    const ws = newId("ws");
    await writeEntries(ws, 4);
    const chain = await chainOf(ws);
    await tamper(
      sql`update audit_log set data = jsonb_set(data, '{ratio}', '0.5') where id = ${chain[2]!.id}`,
    );
    const result = await verifyAuditChain(database.db, { workspaceId: ws });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({ workspaceId: ws, kind: "modified", seq: 3, id: chain[2]!.id }),
    ]);
  });

  it("reports a modified actor or time, not only data", async () => {
    const ws = newId("ws");
    await writeEntries(ws, 2);
    const chain = await chainOf(ws);
    await tamper(sql`update audit_log set actor = 'key_someone_else' where id = ${chain[0]!.id}`);
    expect((await verifyAuditChain(database.db, { workspaceId: ws })).problems[0]).toMatchObject({
      kind: "modified",
      seq: 1,
    });
  });

  it("reports a deleted row in the middle as the missing position", async () => {
    const ws = newId("ws");
    await writeEntries(ws, 5);
    const chain = await chainOf(ws);
    await tamper(sql`delete from audit_log where id = ${chain[1]!.id}`);
    expect((await verifyAuditChain(database.db, { workspaceId: ws })).problems).toEqual([
      expect.objectContaining({ kind: "deleted", seq: 2, id: null }),
    ]);
  });

  it("reports deleted newest rows against the recorded chain end", async () => {
    const ws = newId("ws");
    await writeEntries(ws, 3);
    const chain = await chainOf(ws);
    await tamper(sql`delete from audit_log where id = ${chain[2]!.id}`);
    expect((await verifyAuditChain(database.db, { workspaceId: ws })).problems).toEqual([
      expect.objectContaining({ kind: "deleted", seq: 3 }),
    ]);
  });

  it("reports a row rewritten with a recomputed hash as a broken link", async () => {
    const ws = newId("ws");
    await writeEntries(ws, 3);
    const [row] = await rows<{ id: number; prev_hash: string; canonical: string }>(
      database.db,
      sql`select id, prev_hash, audit_canonical(id, workspace_id, seq, at, actor, kind, subject, '{"forged":true}'::jsonb) as canonical
          from audit_log where workspace_id = ${ws} and seq = 2`,
    );
    // the forger recomputes row 2's hash correctly; row 3 still points at the old one
    await tamper(
      sql`update audit_log set data = '{"forged":true}', hash = ${chainHash(row!.prev_hash, row!.canonical)} where id = ${row!.id}`,
    );
    expect((await verifyAuditChain(database.db, { workspaceId: ws })).problems).toEqual([
      expect.objectContaining({ kind: "relinked", seq: 3 }),
    ]);
  });

  it("reports a row inserted around the sealer", async () => {
    const ws = newId("ws");
    await writeEntries(ws, 2);
    await tamper(
      sql`insert into audit_log (workspace_id, actor, kind, subject, data) values (${ws}, 'x', 'approval.decided', 'approval:forged', '{}')`,
    );
    expect((await verifyAuditChain(database.db, { workspaceId: ws })).problems).toEqual([
      expect.objectContaining({ kind: "inserted" }),
    ]);
    // and the next legitimate entry does not launder it into the chain
    await writeEntries(ws, 1);
    expect((await verifyAuditChain(database.db, { workspaceId: ws })).problems).toEqual([
      expect.objectContaining({ kind: "inserted" }),
    ]);
  });

  it("the CLI exits 0 on an intact chain and 1 naming the broken workspace", async () => {
    const ws = newId("ws");
    await writeEntries(ws, 3);
    const open = async () => ({ ...database, close: async () => undefined });
    const out: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line) };
    expect(await runAuditVerify(["--workspace", ws], io, open)).toBe(0);
    expect(out.at(-1)).toMatch(/^audit log intact: 3 entries in 1 workspace chain$/);
    const chain = await chainOf(ws);
    await tamper(sql`delete from audit_log where id = ${chain[0]!.id}`);
    out.length = 0;
    expect(await runAuditVerify(["--workspace", ws, "--json"], io, open)).toBe(1);
    expect(JSON.parse(out[0]!)).toMatchObject({
      ok: false,
      problems: [{ workspaceId: ws, kind: "deleted", seq: 1 }],
    });
    expect(await runAuditVerify(["--bogus"], io, open)).toBe(2);
  });

  it("lists entries newest first with kind and subject filters and a cursor", async () => {
    const ws = newId("ws");
    await database.db.transaction((tx) =>
      appendAudit(tx, [
        entry(ws, 1),
        entry(ws, 2, { kind: "approval.decided", subject: "approval:apr_1" }),
        entry(ws, 3),
      ]),
    );
    const first = await listAudit(database.db, ws, { limit: 2 });
    expect(first.entries.map((item) => item.subject)).toEqual(["action:3", "approval:apr_1"]);
    const second = await listAudit(database.db, ws, { limit: 2, before: first.nextCursor! });
    expect(second.entries.map((item) => item.subject)).toEqual(["action:1"]);
    expect(second.nextCursor).toBeNull();
    expect((await listAudit(database.db, ws, { kind: "approval.decided" })).entries).toHaveLength(1);
    expect((await listAudit(database.db, ws, { subject: "approval:" })).entries).toHaveLength(1);
    expect((await listAudit(database.db, ws, { subject: "action:3" })).entries[0]!.seq).toBe(3);
  });
});
