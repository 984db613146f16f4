import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { toJsonPath } from "../journeys/format/validate.ts";

/** An error a client can act on: `{ error: { code, message, field? } }` with a 4xx status. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const notFound = (what: string, field?: string) =>
  new ApiError(404, "not_found", `${what} was not found`, field);
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const conflict = (message: string, field?: string) => new ApiError(409, "conflict", message, field);
export const badRequest = (message: string, field?: string, code = "invalid_request") =>
  new ApiError(400, code, message, field);

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    field?: string;
    issues?: Array<{ path: string; message: string }>;
    [key: string]: unknown;
  };
}

export function errorBody(
  code: string,
  message: string,
  extra: Omit<ErrorBody["error"], "code" | "message"> = {},
): ErrorBody {
  return { error: { code, message, ...extra } };
}

/** zod issues → one 400 naming the first offending field, listing all of them. */
export function validationError(error: z.ZodError, target: string): ApiError {
  const issues = error.issues.map((issue) => {
    // An unknown key is reported on its parent; name the key itself so the client knows what to drop.
    const path =
      issue.code === "unrecognized_keys" && issue.keys.length === 1
        ? [...issue.path, issue.keys[0]!]
        : issue.path;
    return { path: toJsonPath(path), message: issue.message };
  });
  const first = issues[0];
  const field = first ? first.path.replace(/^\$\.?/, "") || target : target;
  const message = first ? `${field || target}: ${first.message}` : `invalid ${target}`;
  return new ApiError(400, "invalid_request", message, field, { issues });
}

/** The app-wide error handler: known errors become their status; anything else is a logged 500. */
export function handleError(error: Error, c: Context) {
  if (error instanceof ApiError) {
    return c.json(
      errorBody(error.code, error.message, {
        ...(error.field !== undefined ? { field: error.field } : {}),
        ...(error.details ?? {}),
      }),
      error.status,
    );
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const message = error.message || (status === 400 ? "malformed request" : "request failed");
    const code = /json/i.test(message) ? "malformed_json" : status === 401 ? "unauthorized" : "http_error";
    return c.json(errorBody(code, message), status as ContentfulStatusCode);
  }
  if (error instanceof SyntaxError) {
    return c.json(errorBody("malformed_json", `the body is not valid JSON: ${error.message}`), 400);
  }
  console.error(`[server] ${c.req.method} ${c.req.path} failed:`, error);
  return c.json(errorBody("internal", "the server failed to handle this request; it has been logged"), 500);
}
