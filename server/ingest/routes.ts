import type { Context, Hono } from "hono";
import type { RouteModule } from "../app.ts";
import type { Principal } from "../auth.ts";
import type { AppContext } from "../context.ts";
import { ApiError } from "../errors.ts";
import { parseJsonBody, readBody, requireJsonContentType } from "./body.ts";
import type { CallType } from "./messages.ts";
import {
  CALL_TYPES,
  IngestValidationError,
  MAX_BATCH_BYTES,
  parseEnvelope,
  requireObjectBody,
} from "./messages.ts";
import { UnknownWorkspaceError } from "./pipeline.ts";

/**
 * The Segment HTTP Tracking API at /v1: identify, track, page, screen, group, alias, batch (and
 * import, Segment's alias of batch). The write key comes as the HTTP Basic username (what the
 * official libraries send) or as `writeKey` in the body. Answers `{ "success": true }` like Segment;
 * every bad request is a 4xx `{ error: { code, message, field } }`.
 */

type Endpoint = CallType | "batch";

const SUCCESS = { success: true } as const;

function unauthorized(code: string, message: string): ApiError {
  return new ApiError(401, code, message, "writeKey");
}

/** The write key from `Authorization: Basic base64(key:)`, or null when no Authorization header is sent. */
function basicAuthKey(c: Context): string | null {
  const header = c.req.header("authorization");
  if (header === undefined) return null;
  const [scheme, encoded = ""] = header.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() !== "basic") {
    throw unauthorized(
      "unsupported_auth",
      "send the write key as the HTTP Basic username ('Authorization: Basic base64(<writeKey>:)') or as writeKey in the body",
    );
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw unauthorized("invalid_auth_header", "the Basic credentials are not valid base64");
  }
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  // Segment's format is "<writeKey>:" with an empty password; a key without the colon still works
  const key = decoded.includes(":") ? decoded.slice(0, decoded.indexOf(":")) : decoded;
  if (!key) throw unauthorized("missing_write_key", "the Basic username (the write key) is empty");
  return key;
}

async function resolveWriteKey(ctx: AppContext, key: string): Promise<Principal> {
  if (key.length > 200) throw unauthorized("invalid_write_key", "this write key is unknown or revoked");
  const principal = await ctx.keys.resolve(key);
  if (!principal) throw unauthorized("invalid_write_key", "this write key is unknown or revoked");
  if (principal.role !== "ingest") {
    throw unauthorized(
      "not_a_write_key",
      "this is a management API key; ingestion takes a write key (role ingest) of the workspace",
    );
  }
  return principal;
}

function bodyWriteKey(body: unknown): string | null {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return null;
  const key = (body as Record<string, unknown>).writeKey;
  if (key === undefined || key === null) return null;
  if (typeof key !== "string" || key.length === 0) {
    throw unauthorized("invalid_write_key", "writeKey must be a non-empty string");
  }
  return key;
}

function toApiError(error: unknown): unknown {
  if (error instanceof IngestValidationError) {
    const first = error.issues[0];
    return new ApiError(400, error.code, error.message, first?.path || "body", { issues: error.issues });
  }
  if (error instanceof UnknownWorkspaceError) {
    return unauthorized("invalid_write_key", "this write key's workspace no longer exists");
  }
  return error;
}

function handler(ctx: AppContext, endpoint: Endpoint) {
  return async (c: Context) => {
    try {
      requireJsonContentType(c);
      const headerKey = basicAuthKey(c);
      let principal = headerKey ? await resolveWriteKey(ctx, headerKey) : null;
      const body = parseJsonBody(await readBody(c, MAX_BATCH_BYTES, endpoint === "batch" ? "batch" : "body"));
      if (!principal) {
        const key = bodyWriteKey(body);
        if (!key) {
          throw unauthorized(
            "missing_write_key",
            "send the write key as the HTTP Basic username or as writeKey in the body",
          );
        }
        principal = await resolveWriteKey(ctx, key);
      }
      const ingest = ctx.services.ingest;
      if (endpoint === "batch") {
        const envelope = parseEnvelope(body);
        await ingest.ingest(principal.workspaceId, envelope.batch, {
          mode: "batch",
          batchContext: envelope.context ?? null,
          batchSentAt: envelope.sentAt ?? null,
        });
      } else {
        await ingest.ingest(principal.workspaceId, [requireObjectBody(body)], {
          mode: "single",
          impliedType: endpoint,
        });
      }
      return c.json(SUCCESS, 200);
    } catch (error) {
      throw toApiError(error);
    }
  };
}

const OTHER_METHODS = ["GET", "PUT", "PATCH", "DELETE"];

export const ingestRoutes: RouteModule = {
  root(app: Hono, ctx: AppContext) {
    const endpoints: Array<[string, Endpoint]> = [
      ...CALL_TYPES.map((type): [string, Endpoint] => [`/v1/${type}`, type]),
      ["/v1/batch", "batch"],
      ["/v1/import", "batch"],
    ];
    for (const [path, endpoint] of endpoints) {
      app.post(path, handler(ctx, endpoint));
      app.on(OTHER_METHODS, path, (c) => {
        c.header("Allow", "POST");
        return c.json(
          { error: { code: "method_not_allowed", message: `${c.req.method} is not allowed here; use POST` } },
          405,
        );
      });
    }
  },
};
