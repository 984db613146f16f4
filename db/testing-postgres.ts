import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { chown } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

/**
 * A throwaway PostgreSQL cluster for tests that need a real server (several processes sharing one
 * database, the node-postgres driver path): `initdb` + `pg_ctl` in a temporary directory on a free
 * loopback port, trust auth, durability settings off for speed. `stop()` removes everything.
 *
 * Binaries: $OVERTURE_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. PostgreSQL refuses
 * to run as root, so as root the cluster runs as the `postgres` system user (via runuser).
 */

const run = promisify(execFile);

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** creates a fresh database and returns its URL */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

export function findPostgresBin(): string | null {
  const candidates = [
    process.env.OVERTURE_PG_BIN,
    ...["18", "17", "16", "15", "14"].map((version) => `/usr/lib/postgresql/${version}/bin`),
  ].filter((candidate): candidate is string => Boolean(candidate));
  return (
    candidates.find((dir) => existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl"))) ??
    null
  );
}

export const POSTGRES_MISSING_MESSAGE =
  "no PostgreSQL server binaries (initdb, pg_ctl) found; set OVERTURE_PG_BIN or install postgresql: skipping real-PostgreSQL tests";

/** For tests: whether a cluster can be started here, printing why not. */
export function postgresAvailableForTest(): boolean {
  const found = findPostgresBin() !== null;
  if (!found) console.warn(`[postgres] ${POSTGRES_MISSING_MESSAGE}`);
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function systemUser(name: string): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
    return Number.isFinite(uid) && Number.isFinite(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(POSTGRES_MISSING_MESSAGE);
  const root = mkdtempSync(path.join(os.tmpdir(), "overture-pg-"));
  const dataDir = path.join(root, "data");
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? systemUser("postgres") : null;
  if (asRoot && !owner)
    throw new Error("running as root needs a `postgres` system user to run PostgreSQL as");
  if (owner) await chown(root, owner.uid, owner.gid);
  const exec = (command: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args], { cwd: root })
      : run(path.join(bin, command), args, { cwd: root });
  await exec("initdb", [
    "-D",
    dataDir,
    "-U",
    "postgres",
    "-A",
    "trust",
    "-E",
    "UTF8",
    "--no-locale",
    "--no-sync",
  ]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses=127.0.0.1",
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=200",
  ].join(" ");
  await exec("pg_ctl", [
    "-D",
    dataDir,
    "-o",
    options,
    "-l",
    path.join(root, "server.log"),
    "-w",
    "-t",
    "60",
    "start",
  ]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;
  return {
    url,
    port,
    async createDatabase(name) {
      const database = name ?? `test_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`create database ${pg.escapeIdentifier(database)}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${database}`;
    },
    async stop() {
      try {
        await exec("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
