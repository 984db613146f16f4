import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The console's build: a static single-page app in web/dist, served by the API server at `/`
 * (server/routes/console.ts). `npm start` rebuilds it only when its sources changed
 * (web/build-if-stale.mjs). In development, `npx vite web` proxies the API to a running server.
 */
const root = fileURLToPath(new URL(".", import.meta.url));
const apiTarget = process.env.OVERTURE_API ?? "http://127.0.0.1:3000";

export default defineConfig({
  root,
  base: "/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // the canvas library is the bulk of the bundle; one chunk for it keeps the app chunk small
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: Object.fromEntries(
      ["/api", "/v1", "/openapi.json", "/health", "/docs"].map((prefix) => [prefix, apiTarget]),
    ),
  },
});
