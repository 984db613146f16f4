import type { MiddlewareHandler } from "hono";
import { ApiError } from "./errors.ts";

/**
 * Refuses a management URL whose path or query holds an escaped NUL (`%00`). PostgreSQL text cannot
 * store NUL, so an id, filter or cursor with one failed in the database with a 500 instead of being
 * refused; every route gets the same 400 here rather than each checking its own parameters.
 * (A literal NUL cannot travel in a URL; JSON bodies are checked by routes/json-body.ts.)
 */
export function rejectNulInUrl(): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    if (/%00/.test(url.pathname) || /%00/.test(url.search)) {
      throw new ApiError(
        400,
        "invalid_request",
        "the URL holds a NUL character (%00), which no id, filter or cursor may contain",
        "url",
      );
    }
    await next();
  };
}
