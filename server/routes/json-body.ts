import type { MiddlewareHandler } from "hono";
import { toJsonPath } from "../../journeys/format/validate.ts";
import { ApiError } from "../errors.ts";
import { findJsonProblem } from "../ingest/json-scan.ts";

/**
 * A guard for management routes that take a JSON body (register it only on those), run before their
 * validators: the body must
 * be declared as JSON, fit the size limit, be valid UTF-8 and JSON with an object at the root, and
 * hold nothing PostgreSQL's jsonb cannot store (NUL, unpaired surrogates, absurd nesting). Each
 * failure is a 4xx naming the problem instead of a validator's guess or a 500 from the database.
 * The request's body stays cached, so the route's validator reads the same bytes.
 */

export const MANAGEMENT_BODY_LIMIT = 1024 * 1024;
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function jsonBodyGuard(limit = MANAGEMENT_BODY_LIMIT): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    if (method !== "POST" && method !== "PUT" && method !== "PATCH") return next();
    const declared = c.req.header("content-length");
    if (Number(declared) > limit) throw tooLarge(limit);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength === 0) {
      throw new ApiError(400, "empty_body", "the request body is empty; send a JSON object", "body");
    }
    const type = c.req.header("content-type");
    const mediaType = type?.split(";")[0]?.trim() ?? "";
    if (!JSON_TYPE.test(mediaType)) {
      throw new ApiError(
        415,
        "unsupported_media_type",
        type
          ? `Content-Type "${type.slice(0, 80)}" is not accepted; send 'Content-Type: application/json'`
          : "the body has no Content-Type; send it as JSON with 'Content-Type: application/json'",
        "content-type",
      );
    }
    if (bytes.byteLength > limit) throw tooLarge(limit);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new ApiError(400, "invalid_encoding", "the request body is not valid UTF-8", "body");
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ApiError(
        400,
        "malformed_json",
        `the body is not valid JSON: ${(error as Error).message}`,
        "body",
      );
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      const kind = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`;
      throw new ApiError(400, "invalid_request", `the body must be a JSON object, not ${kind}`, "body");
    }
    const problem = findJsonProblem(parsed);
    if (problem) {
      const field = toJsonPath(problem.path).replace(/^\$\.?/, "") || "body";
      throw new ApiError(400, "invalid_request", `${field} ${problem.message}`, field);
    }
    return next();
  };
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, "payload_too_large", `the request body is larger than ${limit / 1024} KB`, "body");
}
