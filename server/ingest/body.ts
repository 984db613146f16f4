import { gunzipSync } from "node:zlib";
import type { Context } from "hono";
import { z } from "zod";
import { ApiError } from "../errors.ts";

/**
 * Reads an ingestion request body defensively: JSON content type only, a hard byte limit applied
 * while reading (and after gunzip, so a small compressed bomb is as bounded as a big plain body),
 * strict UTF-8, and JSON parsing whose every failure is a 400 naming the problem.
 */

const AnyJson = z.unknown();

export function requireJsonContentType(c: Context) {
  const type = c.req.header("content-type");
  if (!type) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      "send the body as JSON with 'Content-Type: application/json'",
      "content-type",
    );
  }
  const mediaType = type.split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "application/json" && !/^application\/[a-z0-9.+-]*\+json$/.test(mediaType)) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `Content-Type "${type.slice(0, 80)}" is not accepted; send 'Content-Type: application/json'`,
      "content-type",
    );
  }
}

function tooLarge(limit: number, field: string): ApiError {
  return new ApiError(
    400,
    "payload_too_large",
    `the request body is larger than ${Math.round(limit / 1024)} KB, the most this endpoint accepts (Segment's limit)`,
    field,
  );
}

/** The raw body, at most `limit` bytes after decompression. */
export async function readBody(c: Context, limit: number, field: string): Promise<Uint8Array> {
  const declared = Number(c.req.header("content-length"));
  const encoding = (c.req.header("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip") {
    throw new ApiError(
      415,
      "unsupported_encoding",
      `Content-Encoding "${encoding.slice(0, 40)}" is not supported; send plain or gzip`,
      "content-encoding",
    );
  }
  if (encoding === "identity" && Number.isFinite(declared) && declared > limit) throw tooLarge(limit, field);
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit, field);
    }
    chunks.push(value);
  }
  const raw = Buffer.concat(chunks, total);
  if (encoding === "identity") return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: limit });
  } catch (error) {
    if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw tooLarge(limit, field);
    }
    throw new ApiError(400, "invalid_encoding", "the body is not valid gzip data", "content-encoding");
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses untrusted bytes as JSON; every failure is a 400 that says what is wrong. */
export function parseJsonBody(bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) {
    throw new ApiError(400, "empty_body", "the request body is empty; send a JSON object", "body");
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ApiError(400, "invalid_encoding", "the request body is not valid UTF-8", "body");
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : "unparseable";
    throw new ApiError(
      400,
      "malformed_json",
      `the request body is not valid JSON: ${detail.slice(0, 200)}`,
      "body",
    );
  }
  return AnyJson.parse(parsed);
}
