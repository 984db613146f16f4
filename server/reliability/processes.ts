import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Child Overture processes for the crash tests: started with tsx, watched, killed without warning. */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface OvertureProcess {
  child: ChildProcess;
  /** resolves with the first output line matching `readyPattern` */
  ready: Promise<string>;
  exited: Promise<number | null>;
  output(): string;
  /** whether the ready line has been printed */
  isReady(): boolean;
  /** whether the process is still running */
  alive(): boolean;
  /** SIGKILL; true when it was still running */
  kill(): boolean;
}

/** Runs `script` (relative to the project root) with tsx; `env` is merged over this process's. */
export function startOvertureProcess(
  script: string,
  env: Record<string, string>,
  readyPattern: RegExp,
): OvertureProcess {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let isReady = false;
  let resolveReady: (line: string) => void = () => undefined;
  const ready = new Promise<string>((resolve) => {
    resolveReady = resolve;
  });
  const onChunk = (chunk: Buffer) => {
    output += chunk.toString();
    const line = output.split("\n").find((candidate) => readyPattern.test(candidate));
    if (line && !isReady) {
      isReady = true;
      resolveReady(line);
    }
  };
  child.stdout?.on("data", onChunk);
  child.stderr?.on("data", onChunk);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    ready,
    exited,
    output: () => output,
    isReady: () => isReady,
    alive: () => child.exitCode === null && child.signalCode === null,
    kill: () => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"),
  };
}
