#!/usr/bin/env node
// Builds the console into web/dist when its sources changed since the last build, so `npm start`
// always serves the current console and restarts stay fast. "Changed" is decided by a hash of the
// inputs' contents (not mtimes, which a fresh clone or a checkout resets), stored beside the build.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const webDir = path.dirname(fileURLToPath(import.meta.url));
const projectDir = path.dirname(webDir);
const distDir = path.join(webDir, "dist");
const stampFile = path.join(distDir, ".build-hash");

/** Everything the bundle is made of: the app, the journey format it imports, the build config and script, the lockfile. */
const INPUTS = [
  "web/index.html",
  "web/vite.config.ts",
  "web/build-if-stale.mjs",
  "web/src",
  "journeys/format",
  "package-lock.json",
];
const isSource = (file) => !/\.test\.tsx?$/.test(file) && !file.endsWith(".md");

function listFiles(relativeDir) {
  return readdirSync(path.join(projectDir, relativeDir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(projectDir, path.join(entry.parentPath, entry.name)))
    .filter(isSource);
}

export function sourceHash() {
  const files = INPUTS.flatMap((input) => {
    const absolute = path.join(projectDir, input);
    if (!existsSync(absolute)) return [];
    return path.extname(input) ? [input] : listFiles(input);
  }).sort();
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(file.split(path.sep).join("/"));
    hash.update("\0");
    hash.update(readFileSync(path.join(projectDir, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

export async function buildIfStale({ force = false, log = console.log } = {}) {
  const wanted = sourceHash();
  const built = existsSync(stampFile) ? readFileSync(stampFile, "utf8").trim() : null;
  if (!force && built === wanted && existsSync(path.join(distDir, "index.html"))) {
    return { built: false };
  }
  let vite;
  try {
    vite = await import("vite");
  } catch {
    throw new Error(
      "the console needs building but vite is not installed (install dev dependencies with `npm ci`)",
    );
  }
  const started = Date.now();
  log("console: building web/dist …");
  // Vite keeps a NODE_ENV it finds (test runners set "test"), which would bundle React's development
  // build: twice the size, slower, and effects run twice under StrictMode. The console ships production.
  process.env.NODE_ENV = "production";
  await vite.build({ configFile: path.join(webDir, "vite.config.ts"), mode: "production", logLevel: "warn" });
  writeFileSync(stampFile, `${wanted}\n`);
  log(`console: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { built: true };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await buildIfStale({ force: process.argv.includes("--force") });
  } catch (error) {
    console.error(`console: build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
