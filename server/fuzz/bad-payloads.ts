import { seededRandom } from "../seeded-random.ts";

/**
 * A reusable generator of bad requests: give it one valid request (body + headers) and rules for
 * the fields an endpoint checks, and it yields requests that a correct endpoint must refuse with a
 * 4xx JSON error naming the problem: broken JSON, wrong root types, wrong field types, missing
 * required fields, oversize strings and bodies, invalid dates, deep nesting, strings PostgreSQL
 * cannot store, wrong content types and bad credentials. Deterministic for a given seed, so a
 * failure can be reproduced by its label.
 *
 * Used by the ingestion fuzz test and by the management API's (journey endpoints) fuzz test.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type FieldPath = ReadonlyArray<string | number>;

export interface FieldRule {
  path: FieldPath;
  type: "string" | "number" | "integer" | "boolean" | "object" | "array" | "datetime";
  /** deleting it (or sending null) must be refused */
  required?: boolean;
  /** null is accepted (so it is not used as a bad value) */
  nullable?: boolean;
  /** strings: the longest accepted; one character more is refused */
  maxLength?: number;
  /** strings: the empty string is refused */
  nonEmpty?: boolean;
  /** strings: the only accepted values */
  oneOf?: readonly string[];
  /** objects and arrays: the deepest nesting accepted inside the field */
  maxDepth?: number;
}

export type MutationFamily =
  | "truncated_json"
  | "not_json"
  | "wrong_root"
  | "invalid_utf8"
  | "oversize_body"
  | "deep_root"
  | "missing_field"
  | "null_field"
  | "wrong_type"
  | "oversize_string"
  | "empty_string"
  | "bad_enum"
  | "bad_date"
  | "deep_field"
  | "unstorable_string"
  | "content_type"
  | "auth";

export interface BadRequest {
  label: string;
  family: MutationFamily;
  headers: Record<string, string>;
  body: string | Uint8Array;
  /** the field a good error names: the mutated field's path (`batch[0].event`), for field mutations */
  field?: string;
}

export interface MutationOptions {
  /** the headers of a valid request (content type and credentials) */
  headers: Record<string, string>;
  rules: readonly FieldRule[];
  /** the body limit of the endpoint; oversize bodies exceed it (omit to skip that family) */
  maxBodyBytes?: number;
  /** credentials: the header that carries them and values that must be refused */
  auth?: { header: string; invalid: readonly string[]; alsoRemoveFromBody?: readonly string[] };
  /** how many truncation points per payload (default 12) */
  truncations?: number;
  seed?: number;
}

/** Formats a path as the API reports it: `batch[0].properties.title`. */
export function formatPath(path: FieldPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}

function clone<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

function setAt(root: JsonValue, path: FieldPath, value: JsonValue | undefined): JsonValue {
  const copy = clone(root);
  let current: JsonValue = copy;
  for (const segment of path.slice(0, -1)) {
    const next: JsonValue | undefined = (current as Record<string | number, JsonValue>)[segment];
    if (next === undefined || next === null || typeof next !== "object") {
      const created: JsonValue = {};
      (current as Record<string | number, JsonValue>)[segment] = created;
      current = created;
    } else {
      current = next;
    }
  }
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(current) && typeof last === "number") current.splice(last, 1);
    else delete (current as Record<string, JsonValue>)[last as string];
  } else {
    (current as Record<string | number, JsonValue>)[last] = value;
  }
  return copy;
}

function nested(depth: number, leaf: JsonValue, kind: "object" | "array"): JsonValue {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = kind === "array" ? [value] : { deeper: value };
  return value;
}

const WRONG_TYPE_VALUES: Record<string, JsonValue> = {
  string: "a string",
  number: 42.5,
  integer: 7,
  boolean: true,
  object: { unexpected: "object" },
  array: ["an", "array"],
};

const TYPE_OF = (value: JsonValue): string =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "array"
      : typeof value === "number"
        ? "number"
        : typeof value;

function accepts(rule: FieldRule, value: JsonValue): boolean {
  const kind = TYPE_OF(value);
  switch (rule.type) {
    case "string":
    case "datetime":
      return kind === "string";
    case "integer":
      return kind === "number" && Number.isInteger(value);
    default:
      return kind === rule.type;
  }
}

const BAD_DATES: readonly JsonValue[] = [
  "yesterday",
  "2015-13-01T00:00:00Z",
  "2015-02-30T10:00:00Z",
  "2015-02-23T25:61:00Z",
  "Mon, 23 Feb 2015 22:28:55 GMT",
  "",
  1_424_729_335_111,
];

const NOT_JSON: readonly string[] = [
  "undefined",
  "{'single': 'quotes'}",
  "{unquoted: 1}",
  '{"trailing": "comma",}',
  "NaN",
  "<xml>not json</xml>",
  '{"a": 1} {"b": 2}',
  '{"a": 1}garbage',
  "/* comment */ {}",
  "{",
  "}",
  "",
];

const WRONG_CONTENT_TYPES: readonly string[] = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "text/html; charset=utf-8",
];

/** Every bad request derived from one valid payload. */
export function* badPayloads(valid: JsonValue, options: MutationOptions): Generator<BadRequest> {
  const rand = seededRandom(options.seed ?? 1);
  const validText = JSON.stringify(valid);
  const base = (
    family: MutationFamily,
    label: string,
    body: string | Uint8Array,
    field?: string,
    headers = options.headers,
  ): BadRequest => ({ family, label, headers, body, ...(field === undefined ? {} : { field }) });

  // Broken JSON: cut the valid text at spread-out points (a cut object never closes).
  const cuts = options.truncations ?? 12;
  for (let index = 0; index < cuts; index++) {
    const at = Math.max(1, Math.floor(((index + rand()) / cuts) * (validText.length - 1)));
    yield base(
      "truncated_json",
      `truncated at byte ${at} of ${validText.length}`,
      validText.slice(0, at),
      "body",
    );
  }
  for (const text of NOT_JSON)
    yield base("not_json", `not JSON: ${JSON.stringify(text.slice(0, 30))}`, text, "body");

  for (const root of [[], [valid], "a string", 42, null, true] as JsonValue[]) {
    yield base("wrong_root", `root is ${TYPE_OF(root)}`, JSON.stringify(root), "body");
  }
  yield base(
    "deep_root",
    "root is an array nested 5,000 deep",
    `${"[".repeat(5_000)}${"]".repeat(5_000)}`,
    "body",
  );

  // Invalid UTF-8 inside a string of the valid text.
  const quote = validText.indexOf('"', 1);
  const bytes = Buffer.from(validText, "utf8");
  const broken = Buffer.concat([
    bytes.subarray(0, quote + 1),
    Buffer.from([0xff, 0xfe, 0xc3]),
    bytes.subarray(quote + 1),
  ]);
  yield base("invalid_utf8", "invalid UTF-8 bytes inside a string", new Uint8Array(broken), "body");

  if (
    options.maxBodyBytes !== undefined &&
    valid !== null &&
    typeof valid === "object" &&
    !Array.isArray(valid)
  ) {
    const padded = { ...valid, padding: "x".repeat(options.maxBodyBytes + 1) };
    yield base("oversize_body", `body over ${options.maxBodyBytes} bytes`, JSON.stringify(padded));
  }

  for (const rule of options.rules) yield* fieldMutations(valid, rule, base);

  for (const type of WRONG_CONTENT_TYPES) {
    yield base("content_type", `Content-Type: ${type}`, validText, "content-type", {
      ...options.headers,
      "content-type": type,
    });
  }
  const { "content-type": _dropped, ...withoutType } = options.headers;
  yield base("content_type", "no Content-Type", validText, "content-type", withoutType);

  if (options.auth) {
    const { header, invalid } = options.auth;
    let bodyWithoutKeys = valid;
    for (const key of options.auth.alsoRemoveFromBody ?? [])
      bodyWithoutKeys = setAt(bodyWithoutKeys, [key], undefined);
    const text = JSON.stringify(bodyWithoutKeys);
    const withoutAuth = Object.fromEntries(
      Object.entries(options.headers).filter(([name]) => name !== header),
    );
    yield base("auth", `no ${header} header`, text, undefined, withoutAuth);
    for (const value of invalid) {
      yield base("auth", `${header}: ${value.slice(0, 30)}`, text, undefined, {
        ...withoutAuth,
        [header]: value,
      });
    }
  }
}

type Make = (family: MutationFamily, label: string, body: string, field?: string) => BadRequest;

function* fieldMutations(valid: JsonValue, rule: FieldRule, make: Make): Generator<BadRequest> {
  const field = formatPath(rule.path);
  const put = (value: JsonValue | undefined) => JSON.stringify(setAt(valid, rule.path, value));
  if (rule.required) {
    yield make("missing_field", `${field} missing`, put(undefined), field);
    if (!rule.nullable) yield make("null_field", `${field} is null`, put(null), field);
  }
  for (const [kind, value] of Object.entries(WRONG_TYPE_VALUES)) {
    if (accepts(rule, value)) continue;
    if (rule.type === "number" && kind === "integer") continue;
    yield make("wrong_type", `${field} is ${kind} instead of ${rule.type}`, put(value), field);
  }
  if (rule.type === "object") {
    // an array where an object belongs, holding the object itself
    yield make(
      "wrong_type",
      `${field} is an array of objects instead of an object`,
      put([{ inner: 1 }]),
      field,
    );
  }
  if (rule.type === "integer") yield make("wrong_type", `${field} is fractional`, put(1.5), field);
  if (rule.type === "string" || rule.type === "datetime") {
    yield make("unstorable_string", `${field} contains NUL`, put("before\u0000after"), field);
    yield make("unstorable_string", `${field} contains a lone surrogate`, put("broken \ud800 text"), field);
  }
  if (rule.maxLength !== undefined) {
    yield make(
      "oversize_string",
      `${field} longer than ${rule.maxLength}`,
      put("y".repeat(rule.maxLength + 1)),
      field,
    );
  }
  if (rule.nonEmpty) yield make("empty_string", `${field} is empty`, put(""), field);
  if (rule.oneOf) {
    for (const value of ["not-a-valid-choice", "🙂", "\u202eevil"]) {
      if (!rule.oneOf.includes(value))
        yield make("bad_enum", `${field} is ${JSON.stringify(value)}`, put(value), field);
    }
  }
  if (rule.type === "datetime") {
    for (const value of BAD_DATES)
      yield make("bad_date", `${field} is ${JSON.stringify(value)}`, put(value), field);
  }
  if (rule.maxDepth !== undefined && (rule.type === "object" || rule.type === "array")) {
    const deep = nested(rule.maxDepth + 1, "bottom", rule.type);
    yield make("deep_field", `${field} nested ${rule.maxDepth + 1} deep`, put(deep), field);
  }
}
