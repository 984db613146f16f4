import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Context, Hono, Next } from "hono";
import type { RouteModule } from "../app.ts";

/**
 * The console (web/): the built single-page app from web/dist at `/`, with a fallback to its
 * index.html for client-side routes such as /journeys/jrn_…, so a reload or a shared link works.
 * The API keeps precedence: paths under the reserved prefixes are never answered here, so a
 * mistyped API path still gets the API's JSON 404 rather than the console's HTML.
 */

export const RESERVED_PREFIXES = ["/api", "/v1", "/docs", "/openapi.json", "/health"] as const;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * The console keeps an API key in sessionStorage, so script injection is the threat that matters:
 * only our own scripts run, and the page talks only to this origin. Inline style attributes are
 * allowed because the canvas library positions nodes with them.
 */
const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Overture console not built</title></head>
<body><main><h1>The console has not been built</h1>
<p>Run <code>node web/build-if-stale.mjs</code> (<code>npm start</code> does this), then reload.
The API is available at <a href="/docs">/docs</a>.</p></main></body></html>
`;

export function isReservedPath(pathname: string): boolean {
  return RESERVED_PREFIXES.some(
    (prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`) || pathname.startsWith(`${prefix}?`),
  );
}

async function readIfFile(file: string): Promise<Uint8Array<ArrayBuffer> | null> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return null;
    return new Uint8Array(await readFile(file));
  } catch {
    return null;
  }
}

export interface ConsoleOptions {
  /** the built app (default web/dist beside this repository's server/) */
  distDir?: string;
}

export const DEFAULT_DIST_DIR = fileURLToPath(new URL("../../web/dist", import.meta.url));

export function createConsoleRoutes(options: ConsoleOptions = {}): RouteModule {
  const distDir = path.resolve(options.distDir ?? DEFAULT_DIST_DIR);

  async function serve(c: Context, next: Next) {
    const pathname = c.req.path;
    if (isReservedPath(pathname)) return next();

    let relative: string;
    try {
      relative = decodeURIComponent(pathname);
    } catch {
      return next();
    }
    const file = path.resolve(distDir, `.${relative}`);
    // never outside the build, never dotfiles (the build stamp)
    const inside = file === distDir || file.startsWith(`${distDir}${path.sep}`);
    const hidden = relative.split("/").some((segment) => segment.startsWith("."));
    if (inside && !hidden && relative !== "/") {
      const bytes = await readIfFile(file);
      if (bytes) {
        const type = CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream";
        // Vite names assets by content hash, so they never change; everything else is revalidated.
        const immutable = relative.startsWith("/assets/");
        return c.body(bytes, 200, {
          "content-type": type,
          "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
          ...(type.startsWith("text/html") ? SECURITY_HEADERS : { "x-content-type-options": "nosniff" }),
        });
      }
    }

    // A path with a file extension that does not exist is a missing file, not a page of the app.
    if (path.extname(relative) !== "") return next();

    const index = await readIfFile(path.join(distDir, "index.html"));
    if (!index) {
      return c.html(NOT_BUILT_PAGE, 503, { "cache-control": "no-store", ...SECURITY_HEADERS });
    }
    return c.body(index, 200, {
      "content-type": CONTENT_TYPES[".html"]!,
      "cache-control": "no-cache",
      ...SECURITY_HEADERS,
    });
  }

  return {
    root(app: Hono) {
      app.get("*", serve);
    },
  };
}

export const consoleRoutes: RouteModule = createConsoleRoutes();
