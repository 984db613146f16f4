import { z } from "zod";

/**
 * What the signed-in role may do, read from the server's own OpenAPI document: every management
 * route publishes its roles as `x-roles`, so the console never keeps a second copy of the role
 * matrix that could drift. A button is shown only when its route admits the role.
 */

const HTTP_METHODS = ["get", "post", "put", "patch", "delete"] as const;
type HttpMethod = (typeof HTTP_METHODS)[number];

const OpenApiDocument = z.object({
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});
const Operation = z.object({ "x-roles": z.array(z.string()).optional() }).loose();

/** `"POST /journeys/{id}/versions/{version}/pause"`: method and the path as /openapi.json writes it. */
export type OperationKey = `${Uppercase<HttpMethod>} /${string}`;

export class Permissions {
  constructor(
    readonly role: string,
    private readonly operations: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** true when the server has this route */
  has(operation: OperationKey): boolean {
    return this.operations.has(operation);
  }

  /** true when the route exists and admits the role */
  can(operation: OperationKey): boolean {
    return this.operations.get(operation)?.includes(this.role) ?? false;
  }
}

export function permissionsFromOpenApi(document: unknown, role: string): Permissions {
  const parsed = OpenApiDocument.safeParse(document);
  const operations = new Map<string, readonly string[]>();
  if (parsed.success) {
    for (const [route, methods] of Object.entries(parsed.data.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (!(HTTP_METHODS as readonly string[]).includes(method)) continue;
        const roles = Operation.safeParse(operation);
        operations.set(
          `${method.toUpperCase()} ${route}`,
          roles.success ? (roles.data["x-roles"] ?? []) : [],
        );
      }
    }
  }
  return new Permissions(role, operations);
}
