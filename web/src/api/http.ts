import { z } from "zod";

/**
 * The console's only way to the server: HTTP with the signed-in API key. Every response body is
 * parsed with a zod schema (the server is trusted to be right, but a console that renders whatever
 * arrives would hide a broken contract until a customer-facing screen shows `undefined`).
 */

const ErrorBody = z.object({
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional(),
      issues: z.array(z.object({ path: z.string(), message: z.string() }).loose()).optional(),
    })
    .loose(),
});

export type ErrorIssue = { path: string; message: string; [key: string]: unknown };

/** A 4xx/5xx answer from the API, with the API's stable error code. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | undefined,
    readonly issues: ErrorIssue[],
    readonly details: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

/** The answer did not match the documented schema: a bug on one side, never the user's fault. */
export class ApiContractError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`unexpected answer from ${path}: ${problem}`);
    this.name = "ApiContractError";
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface HttpOptions {
  key: string;
  /** where the API lives (default: this page's origin) */
  baseUrl?: string;
  /** called on 401, so the session can end */
  onUnauthorized?: () => void;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export class Http {
  constructor(private readonly options: HttpOptions) {}

  get key(): string {
    return this.options.key;
  }

  url(path: string): string {
    return `${this.options.baseUrl ?? ""}${path}`;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.options.key}`, accept: "application/json", ...extra };
  }

  async request<T extends z.ZodType>(
    method: string,
    path: string,
    schema: T,
    options: { query?: Query; body?: unknown } = {},
  ): Promise<z.output<T>> {
    const target = withQuery(path, options.query);
    const response = await fetch(this.url(target), {
      method,
      headers: this.headers(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    return this.parse(response, target, schema);
  }

  async parse<T extends z.ZodType>(response: Response, target: string, schema: T): Promise<z.output<T>> {
    const text = await response.text();
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new ApiContractError(target, `not JSON (HTTP ${response.status})`);
      }
    }
    if (!response.ok) {
      if (response.status === 401) this.options.onUnauthorized?.();
      throw toRequestError(response.status, body);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiContractError(target, issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid");
    }
    return parsed.data;
  }

  get<T extends z.ZodType>(path: string, schema: T, query?: Query) {
    return this.request("GET", path, schema, query ? { query } : {});
  }
  post<T extends z.ZodType>(path: string, schema: T, body?: unknown) {
    return this.request("POST", path, schema, { body: body ?? {} });
  }
  put<T extends z.ZodType>(path: string, schema: T, body: unknown) {
    return this.request("PUT", path, schema, { body });
  }
}

export function toRequestError(status: number, body: unknown): ApiRequestError {
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) {
    return new ApiRequestError(status, "http_error", `the server answered HTTP ${status}`, undefined, [], {});
  }
  const { code, message, field, issues, ...details } = parsed.data.error;
  return new ApiRequestError(status, code, message, field, issues ?? [], details);
}

/** A sentence for the person at the screen. */
export function describeError(error: unknown): string {
  if (error instanceof ApiRequestError) {
    if (error.status === 403) return `Your role may not do this: ${error.message}`;
    return error.message;
  }
  if (error instanceof ApiContractError) return error.message;
  if (error instanceof TypeError) return "The server cannot be reached. Check that it is running.";
  return error instanceof Error ? error.message : String(error);
}

/** Segment path helper: encodes each dynamic part. */
export function path(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  return strings.reduce(
    (result, part, index) =>
      result + part + (index < values.length ? encodeURIComponent(String(values[index])) : ""),
    "",
  );
}
