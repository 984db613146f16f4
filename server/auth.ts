import { createHash } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { newId, newSecret } from "../db/ids.ts";
import type { Executor } from "../db/open.ts";
import type { ApiRole } from "../db/schema/workspaces.ts";
import { apiKeys } from "../db/schema/workspaces.ts";
import { ApiError } from "./errors.ts";

/** Who is calling: resolved from the API key on every management request. */
export interface Principal {
  keyId: string;
  workspaceId: string;
  role: ApiRole;
  name: string;
}

export type ManagementRole = Exclude<ApiRole, "ingest">;
export const MANAGEMENT_ROLES: readonly ManagementRole[] = ["admin", "cx_lead", "reviewer", "viewer"];
/** The roles a read-only route admits: every management role (admin is always admitted). */
export const READERS = ["viewer", "cx_lead", "reviewer"] as const satisfies readonly ManagementRole[];

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Creates a key and returns it in clear text: the only time it is ever visible. */
export async function createApiKey(
  executor: Executor,
  input: { workspaceId: string; role: ApiRole; name: string },
): Promise<{ id: string; key: string }> {
  const key = newSecret(input.role === "ingest" ? "ovw" : "ovk");
  const id = newId("key");
  await executor.insert(apiKeys).values({
    id,
    workspaceId: input.workspaceId,
    role: input.role,
    name: input.name,
    keyHash: hashKey(key),
    keyPrefix: key.slice(0, 10),
  });
  return { id, key };
}

/**
 * Resolves keys with a short in-process cache, so the ingestion hot path does not hit the database
 * on every call; a revoked key stops working within `ttlMs`.
 */
export class KeyResolver {
  private readonly cache = new Map<string, { principal: Principal | null; expires: number }>();

  constructor(
    private readonly executor: Executor,
    private readonly ttlMs = 30_000,
  ) {}

  async resolve(key: string): Promise<Principal | null> {
    const hash = hashKey(key);
    const cached = this.cache.get(hash);
    const now = Date.now();
    if (cached && cached.expires > now) return cached.principal;
    const [row] = await this.executor
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)))
      .limit(1);
    const principal = row
      ? { keyId: row.id, workspaceId: row.workspaceId, role: row.role, name: row.name }
      : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, expires: now + this.ttlMs });
    return principal;
  }

  forget(): void {
    this.cache.clear();
  }
}

export type AuthVariables = { principal: Principal };

function bearerKey(c: Context): string | null {
  const header = c.req.header("authorization");
  if (header?.toLowerCase().startsWith("bearer ")) return header.slice(7).trim() || null;
  return c.req.header("x-api-key")?.trim() || null;
}

/** Authenticates a management key and puts the principal on the context. */
export function authenticate(resolver: KeyResolver): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const key = bearerKey(c);
    if (!key) {
      throw new ApiError(
        401,
        "unauthorized",
        "send an API key as 'Authorization: Bearer <key>'",
        "authorization",
      );
    }
    const principal = await resolver.resolve(key);
    if (!principal || principal.role === "ingest") {
      throw new ApiError(
        401,
        "unauthorized",
        "this API key is unknown, revoked, or an ingestion write key",
        "authorization",
      );
    }
    c.set("principal", principal);
    await next();
  };
}

/** Admits the listed roles (admin is always admitted). */
export function requireRole(
  roles: readonly ManagementRole[],
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const principal = c.get("principal");
    if (!principal) throw new ApiError(401, "unauthorized", "authentication required", "authorization");
    if (principal.role !== "admin" && !roles.includes(principal.role as ManagementRole)) {
      throw new ApiError(
        403,
        "forbidden",
        `role "${principal.role}" may not do this; allowed: ${["admin", ...roles.filter((r) => r !== "admin")].join(", ")}`,
      );
    }
    await next();
  };
}
