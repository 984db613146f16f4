import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { RouteModule } from "../app.ts";
import { API_INFO } from "../app.ts";
import { notFound } from "../errors.ts";

/**
 * Swagger UI at /docs, served from the `swagger-ui-dist` package on disk (no CDN), so the API
 * explorer works on an offline machine. It reads /openapi.json; "Authorize" takes an API key.
 */

const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
  "favicon-16x16.png": "image/png",
};

const distDir = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const cache = new Map<string, Uint8Array<ArrayBuffer>>();

async function asset(name: string): Promise<Uint8Array<ArrayBuffer>> {
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = new Uint8Array(await readFile(path.join(distDir, name)));
    cache.set(name, bytes);
  }
  return bytes;
}

const INITIALIZER = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${API_INFO.title} — API explorer</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32" />
    <style>body { margin: 0; } .swagger-ui .topbar { display: none; }</style>
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

export const docsRoutes: RouteModule = {
  root(app) {
    app.get("/docs", (c) => c.html(PAGE));
    app.get("/docs/", (c) => c.redirect("/docs", 301));
    app.get("/docs/init.js", (c) =>
      c.body(INITIALIZER, 200, { "content-type": "text/javascript; charset=utf-8" }),
    );
    app.get("/docs/assets/:file", async (c) => {
      const file = c.req.param("file");
      const type = ASSETS[file];
      if (!type) throw notFound(`asset "${file}"`, "file");
      return c.body(await asset(file), 200, {
        "content-type": type,
        "cache-control": "public, max-age=86400",
      });
    });
  },
};
