import type { RouteConfig } from "@hono/zod-openapi";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AuthVariables, ManagementRole } from "./auth.ts";
import { requireRole } from "./auth.ts";
import { validationError } from "./errors.ts";

export type ApiEnv = { Variables: AuthVariables };
export type ApiApp = OpenAPIHono<ApiEnv>;

/** An OpenAPIHono whose request validation failures become our 400 error shape. */
export function createApiApp(): ApiApp {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
    },
  });
}

/**
 * A management route: OpenAPI description plus the roles allowed to call it (admin always is).
 * The roles are published as `x-roles` in /openapi.json, which the role × route matrix test walks.
 */
export function defineRoute<R extends RouteConfig>(config: R & { roles: readonly ManagementRole[] }) {
  const { roles, ...route } = config;
  const allowed = ["admin", ...roles.filter((role) => role !== "admin")];
  return createRoute({
    ...(route as unknown as R),
    middleware: [requireRole(roles)] as const,
    security: [{ apiKey: [] }],
    "x-roles": allowed,
    description: `${route.description ?? ""}${route.description ? "\n\n" : ""}Roles: ${allowed.join(", ")}.`,
  });
}
