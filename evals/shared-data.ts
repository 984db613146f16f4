import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Reference data lives beside the project in ../shared (never copied in). Commands that measure
 * against it find it here, and say so clearly when it is missing.
 */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function sharedDir(): string | null {
  const candidates = [process.env.OVERTURE_SHARED_DIR, path.resolve(projectRoot, "..", "shared")].filter(
    (candidate): candidate is string => Boolean(candidate),
  );
  return candidates.find((candidate) => existsSync(path.join(candidate, "evals"))) ?? null;
}

export function sharedPath(...parts: string[]): string | null {
  const dir = sharedDir();
  if (!dir) return null;
  const full = path.join(dir, ...parts);
  return existsSync(full) ? full : null;
}

export const SHARED_MISSING_MESSAGE =
  "../shared is not beside this checkout (or OVERTURE_SHARED_DIR is unset): skipping what needs the shared reference data. CI has it.";

/** For tests: the path, or null after printing why the dependent tests are skipped. */
export function sharedPathForTest(...parts: string[]): string | null {
  const found = sharedPath(...parts);
  if (!found) console.warn(`[shared data] ${parts.join("/")}: ${SHARED_MISSING_MESSAGE}`);
  return found;
}
