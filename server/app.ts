import { Hono } from "hono";
import { authenticate } from "./auth.ts";
import type { AppContext } from "./context.ts";
import { errorBody, handleError } from "./errors.ts";
import { createApiApp } from "./route.ts";
import { rejectNulInUrl } from "./url-guard.ts";

/** A module of routes: registers its handlers on the management API (under /api) or at the root. */
export interface RouteModule {
  /** routes under /api: authenticated with a management key, each declaring its roles */
  api?: (app: ReturnType<typeof createApiApp>, ctx: AppContext) => void;
  /** routes at the root with their own authentication (Segment ingestion under /v1) */
  root?: (app: Hono, ctx: AppContext) => void;
}

export const API_INFO = {
  title: "Overture API",
  version: "0.1.0",
  description:
    "Agentic customer-journey orchestration. Management routes take `Authorization: Bearer <API key>`; " +
    "the Segment-compatible ingestion routes under /v1 take the write key as HTTP Basic username.",
};

export function createApp(ctx: AppContext, modules: readonly RouteModule[]): Hono {
  const root = new Hono();
  root.onError(handleError);
  root.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404));

  for (const module of modules) module.root?.(root, ctx);

  const api = createApiApp();
  api.onError(handleError);
  api.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "an Overture API key (admin, cx_lead, reviewer or viewer)",
  });
  api.use("*", authenticate(ctx.keys));
  api.use("*", rejectNulInUrl());
  for (const module of modules) module.api?.(api, ctx);
  root.route("/api", api);

  root.get("/openapi.json", (c) =>
    c.json(
      api.getOpenAPI31Document({
        openapi: "3.1.0",
        info: API_INFO,
        servers: [{ url: "/api", description: "management API" }],
      }),
    ),
  );
  return root;
}
