import type { ChildProcess } from "node:child_process";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { z } from "zod";

/**
 * An `npm start`-like server for the browser tests: the console built if stale, then the real
 * server entry (server/main.ts) in its own process on a loopback port with a fresh data directory,
 * so it seeds the demo workspace and writes its keys, as a first start does. No model is configured,
 * so the designer uses the offline planner.
 */

export const PROJECT_DIR = fileURLToPath(new URL("../..", import.meta.url));

const DemoKeys = z.object({
  workspaceId: z.string(),
  keys: z.object({
    admin: z.string(),
    cx_lead: z.string(),
    reviewer: z.string(),
    viewer: z.string(),
    ingest: z.string(),
  }),
});
export type DemoKeys = z.infer<typeof DemoKeys>["keys"];

export interface ServerInfo {
  baseUrl: string;
  keys: DemoKeys;
  workspaceId: string;
}

export interface RunningServer extends ServerInfo {
  stop(): Promise<void>;
  log(): string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Variables that would make the server leave the embedded, offline, sandboxed setup. */
const OUTSIDE_WORLD = [
  "DATABASE_URL",
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "OVERTURE_MODEL",
  "SMTP_URL",
  "PUBLIC_URL",
];

export async function buildConsole(): Promise<void> {
  await promisify(execFile)(process.execPath, [path.join(PROJECT_DIR, "web", "build-if-stale.mjs")], {
    cwd: PROJECT_DIR,
  });
}

export async function startServer(options: { startTimeoutMs?: number } = {}): Promise<RunningServer> {
  await buildConsole();
  const dir = await mkdtemp(path.join(tmpdir(), "overture-e2e-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of OUTSIDE_WORLD) delete env[name];
  Object.assign(env, {
    OVERTURE_DATA_DIR: path.join(dir, "db"),
    PORT: String(port),
    HOST: "127.0.0.1",
    OVERTURE_DEMO: "1",
    OVERTURE_WORKERS: "1",
  });
  const child: ChildProcess = spawn(
    path.join(PROJECT_DIR, "node_modules", ".bin", "tsx"),
    ["server/main.ts"],
    {
      cwd: PROJECT_DIR,
      env,
      // its own process group, so stopping it also stops the node process tsx starts
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
      }, 15_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 240_000);
  while (!output.includes("Overture listening on")) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the server exited with ${child.exitCode} before listening:\n${output}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not start in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // written by the demo seed beside the data directory, as `npm start` announces
  const keys = DemoKeys.parse(JSON.parse(await readFile(path.join(dir, "demo-keys.json"), "utf8")));
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    keys: keys.keys,
    workspaceId: keys.workspaceId,
    stop,
    log: () => output,
  };
}
