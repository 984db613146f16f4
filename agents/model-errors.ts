/**
 * Model call failures as typed errors with a stable `code` and `retryable`, decided from the HTTP
 * status and the error's class (never from message text): 429 and 5xx, timeouts and connection
 * failures are worth another attempt; 4xx requests are not, because the same request fails again.
 */

export const MODEL_ERROR_CODES = [
  /** 429: the provider asks us to slow down */
  "model_rate_limited",
  /** 5xx: the provider failed */
  "model_unavailable",
  /** no answer within the configured timeout */
  "model_timeout",
  /** the connection failed (refused, reset, DNS) */
  "model_network",
  /** 401/403: the key is missing, wrong or not allowed */
  "model_auth",
  /** another 4xx: the request itself is wrong (unknown model, bad tool schema, context too long) */
  "model_rejected",
  /** the call was cancelled by us */
  "model_aborted",
  /** anything else (a bug, an unparseable answer) */
  "model_failed",
] as const;
export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

export class ModelCallError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** seconds the provider asked us to wait (Retry-After), when it said */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ModelCallError";
  }
}

function numberProperty(value: unknown, key: string): number | undefined {
  if (typeof value !== "object" || value === null || !(key in value)) return undefined;
  const found = (value as Record<string, unknown>)[key];
  return typeof found === "number" && Number.isFinite(found) ? found : undefined;
}

function nameOf(value: unknown): string {
  if (typeof value !== "object" || value === null) return "";
  const name = (value as { name?: unknown }).name;
  const constructorName = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return `${typeof name === "string" ? name : ""}|${typeof constructorName === "string" ? constructorName : ""}`;
}

function retryAfter(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const headers = (error as { headers?: unknown }).headers;
  let raw: string | null | undefined;
  if (headers && typeof (headers as Headers).get === "function")
    raw = (headers as Headers).get("retry-after");
  else if (headers && typeof headers === "object") {
    const value = (headers as Record<string, unknown>)["retry-after"];
    raw = typeof value === "string" ? value : undefined;
  }
  if (raw === null || raw === undefined || raw.trim() === "") return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** Maps anything a chat model threw to a ModelCallError (an existing one passes through). */
export function classifyModelError(error: unknown): ModelCallError {
  if (error instanceof ModelCallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const status = numberProperty(error, "status") ?? numberProperty(error, "statusCode");
  const names = nameOf(error);
  const options = { cause: error };
  if (status === 429) {
    return new ModelCallError(
      "model_rate_limited",
      `the model provider rate-limited the call (429): ${message}`,
      true,
      status,
      retryAfter(error),
      options,
    );
  }
  if (status !== undefined && status >= 500) {
    return new ModelCallError(
      "model_unavailable",
      `the model provider failed (${status}): ${message}`,
      true,
      status,
      retryAfter(error),
      options,
    );
  }
  if (status === 401 || status === 403) {
    return new ModelCallError(
      "model_auth",
      `the model provider refused the credentials (${status}); check OPENAI_API_KEY: ${message}`,
      false,
      status,
      undefined,
      options,
    );
  }
  if (status === 408) {
    return new ModelCallError(
      "model_timeout",
      `the model provider timed out (408)`,
      true,
      status,
      undefined,
      options,
    );
  }
  if (status !== undefined && status >= 400) {
    return new ModelCallError(
      "model_rejected",
      `the model provider rejected the request (${status}): ${message}`,
      false,
      status,
      undefined,
      options,
    );
  }
  // Classes, as the OpenAI SDK and LangChain name them: a timeout is a TimeoutError /
  // APIConnectionTimeoutError, a failed connection an APIConnectionError, a cancel an AbortError.
  if (/\b(TimeoutError|APIConnectionTimeoutError)\b/.test(names)) {
    return new ModelCallError(
      "model_timeout",
      `the model did not answer in time: ${message}`,
      true,
      undefined,
      undefined,
      options,
    );
  }
  if (/\bAbortError|APIUserAbortError\b/.test(names)) {
    return new ModelCallError(
      "model_aborted",
      "the model call was cancelled",
      false,
      undefined,
      undefined,
      options,
    );
  }
  if (/\b(APIConnectionError|FetchError)\b/.test(names) || isNodeNetworkError(error)) {
    return new ModelCallError(
      "model_network",
      `could not reach the model provider: ${message}`,
      true,
      undefined,
      undefined,
      options,
    );
  }
  return new ModelCallError(
    "model_failed",
    `the model call failed: ${message}`,
    false,
    undefined,
    undefined,
    options,
  );
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "UND_ERR_SOCKET",
]);

function isNodeNetworkError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
