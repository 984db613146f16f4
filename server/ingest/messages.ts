import { randomUUID } from "node:crypto";
import { z } from "zod";
import { toJsonPath } from "../../journeys/format/validate.ts";
import { isSubscriptionEvent, subscriptionChannels } from "./consent.ts";
import { findJsonProblem, scanJson } from "./json-scan.ts";
import type { CallTimes } from "./timestamps.ts";
import { eventTime, parseIsoTimestamp } from "./timestamps.ts";

/**
 * The Segment Tracking API spec as zod schemas, and the validation of a whole request into typed
 * calls. Every invalid call is reported (index, field path, reason); a request with any invalid call
 * is rejected whole, so nothing is half-stored and nothing is silently lost.
 */

export const CALL_TYPES = ["identify", "track", "page", "screen", "group", "alias"] as const;
export type CallType = (typeof CALL_TYPES)[number];

/** Segment's limits: 32 KB per call, 500 KB per batch request, 2,500 calls per batch. */
export const MAX_CALL_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
export const MAX_BATCH_CALLS = 2_500;
export const MAX_MESSAGE_ID_LENGTH = 100;
export const MAX_ID_LENGTH = 255;
export const MAX_NAME_LENGTH = 255;

/** One problem of a request: which call (null = the envelope), where, and what to fix. */
export interface IngestIssue {
  index: number | null;
  /** JSON path within the request body: `batch[3].event`, `properties`, `writeKey` */
  path: string;
  code: string;
  message: string;
}

/** A request that is invalid as a whole: nothing of it was stored. */
export class IngestValidationError extends Error {
  readonly code = "invalid_payload";
  constructor(readonly issues: IngestIssue[]) {
    const first = issues[0];
    const count = issues.length;
    const subject =
      issues.some((issue) => issue.index !== null) && count > 1
        ? `${count} problems; nothing was stored`
        : "";
    super(
      first
        ? `${first.path || "body"}: ${first.message}${subject ? ` (${subject})` : ""}`
        : "invalid payload",
    );
    this.name = "IngestValidationError";
  }
}

/** A validated, normalised call, ready to be stored. */
export interface SegmentCall {
  type: CallType;
  messageId: string;
  userId: string | null;
  anonymousId: string | null;
  /** track: the event; page/screen: the page name; others: null */
  name: string | null;
  properties: Record<string, unknown>;
  /** identify: the user's traits (without `consent`); group: the group's traits; others: null */
  traits: Record<string, unknown> | null;
  /** identify `traits.consent`, validated */
  consentTraits: Record<string, boolean> | null;
  /** `context.consent.categoryPreferences`, validated */
  categoryPreferences: Record<string, boolean> | null;
  context: Record<string, unknown>;
  /** when it happened (see eventTime) */
  timestamp: Date;
  previousId: string | null;
  groupId: string | null;
}

type JsonObject = Record<string, unknown>;

const typeError =
  (expected: string) =>
  (issue: { code?: string; input?: unknown }): string | undefined => {
    if (issue.code !== "invalid_type") return undefined;
    if (issue.input === undefined) return "is required";
    const got = issue.input === null ? "null" : Array.isArray(issue.input) ? "an array" : typeof issue.input;
    return `must be ${expected}, not ${got}`;
  };

const Id = z
  .string({ error: typeError("a string") })
  .min(1, "must not be empty")
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`);
const OptionalId = Id.nullish();
const Name = z
  .string({ error: typeError("a string") })
  .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`);
const Timestamp = z
  .string({ error: typeError("an ISO 8601 date-time string") })
  .transform((text, ctx) => {
    const parsed = parseIsoTimestamp(text);
    if (!parsed) {
      ctx.addIssue({
        code: "custom",
        message: `must be an ISO 8601 date-time such as 2024-05-01T12:00:00.000Z (got ${JSON.stringify(text.slice(0, 40))})`,
      });
      return z.NEVER;
    }
    return parsed;
  })
  .nullish();
// An object of anything, checked without copying it key by key (z.record parses every key and value
// into a new object, which for properties and context was most of the validation's work); the
// issue is z.record's: invalid_type, "must be an object, not …".
const JsonObjectSchema = z.custom<Record<string, unknown>>().check((ctx) => {
  if (isPlainObject(ctx.value)) return;
  ctx.issues.push({
    code: "invalid_type",
    expected: "record",
    input: ctx.value,
    message: typeError("an object")({ code: "invalid_type", input: ctx.value }),
  });
});
const OptionalObject = JsonObjectSchema.nullish();
const MessageId = z
  .string({ error: typeError("a string") })
  .min(1, "must not be empty")
  .max(MAX_MESSAGE_ID_LENGTH, `must be at most ${MAX_MESSAGE_ID_LENGTH} characters`)
  .nullish();

const common = {
  messageId: MessageId,
  userId: OptionalId,
  anonymousId: OptionalId,
  timestamp: Timestamp,
  originalTimestamp: Timestamp,
  sentAt: Timestamp,
  context: OptionalObject,
  integrations: OptionalObject,
};

const CALL_SCHEMAS = {
  identify: z.looseObject({ ...common, traits: OptionalObject }),
  track: z.looseObject({
    ...common,
    event: Name.min(1, "must not be empty"),
    properties: OptionalObject,
  }),
  page: z.looseObject({
    ...common,
    name: Name.nullish(),
    category: Name.nullish(),
    properties: OptionalObject,
  }),
  screen: z.looseObject({
    ...common,
    name: Name.nullish(),
    category: Name.nullish(),
    properties: OptionalObject,
  }),
  group: z.looseObject({ ...common, groupId: Id, traits: OptionalObject }),
  alias: z.looseObject({ ...common, userId: Id, previousId: Id }),
} as const;

type ParsedCall = z.output<(typeof CALL_SCHEMAS)[CallType]>;

const BooleanMap = z.record(z.string(), z.boolean({ error: typeError("true or false") }), {
  error: typeError("an object of channel → true/false"),
});

export const BatchEnvelope = z.looseObject({
  batch: z
    .array(z.unknown(), { error: typeError("an array of calls") })
    .min(1, "must contain at least one call")
    .max(MAX_BATCH_CALLS, `may hold at most ${MAX_BATCH_CALLS} calls`),
  context: OptionalObject,
  integrations: OptionalObject,
  sentAt: Timestamp,
  writeKey: z.string({ error: typeError("a string") }).nullish(),
});

export interface ValidateOptions {
  receivedAt: Date;
  /** single-call routes: the route's type (a `type` in the body must match it) */
  impliedType?: CallType | undefined;
  /** paths are reported as `batch[i]…` (batch) or from the body's root (single call) */
  mode: "batch" | "single";
  /** batch-level `context` (merged under each call's own) and `sentAt` */
  batchContext?: JsonObject | null | undefined;
  batchSentAt?: Date | null | undefined;
  newMessageId?: () => string;
}

const defaultMessageId = () => `api-${randomUUID()}`;

function isPlainObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
}

function formatKb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** The biggest top-level field of an oversized call, so the 400 can say what to shrink. */
function largestField(call: JsonObject): { key: string; bytes: number } {
  let best = { key: "", bytes: 0 };
  for (const [key, value] of Object.entries(call)) {
    const bytes = byteLength(value);
    if (bytes > best.bytes) best = { key, bytes };
  }
  return best;
}

/**
 * Validates raw calls (as parsed from JSON) into SegmentCalls, or throws IngestValidationError
 * listing every invalid call.
 */
export function validateCalls(raw: readonly unknown[], options: ValidateOptions): SegmentCall[] {
  const issues: IngestIssue[] = [];
  const calls: SegmentCall[] = [];
  const newMessageId = options.newMessageId ?? defaultMessageId;
  raw.forEach((item, index) => {
    const prefix: PropertyKey[] = options.mode === "batch" ? ["batch", index] : [];
    const callIssues: IngestIssue[] = [];
    const report = (path: PropertyKey[], code: string, message: string) =>
      callIssues.push({
        index: options.mode === "batch" ? index : null,
        path: toJsonPath([...prefix, ...path]).replace(/^\$\.?/, ""),
        code,
        message,
      });
    const call = checkCall(item, options, report);
    issues.push(...callIssues);
    if (call && callIssues.length === 0)
      calls.push(toSegmentCall(call.type, call.parsed, options, newMessageId));
  });
  if (issues.length > 0) throw new IngestValidationError(issues);
  return calls;
}

type Report = (path: PropertyKey[], code: string, message: string) => void;

function checkCall(
  item: unknown,
  options: ValidateOptions,
  report: Report,
): { type: CallType; parsed: ParsedCall } | null {
  if (!isPlainObject(item)) {
    report(
      [],
      "invalid_type",
      `must be a call object, not ${Array.isArray(item) ? "an array" : typeof item}`,
    );
    return null;
  }
  // One pass answers both "is anything unstorable in it" and "can it be over 32 KB"; the exact size
  // (a JSON.stringify) is computed only when the bound says it may be.
  const scan = scanJson(item);
  const size = scan.maxBytes <= MAX_CALL_BYTES ? scan.maxBytes : byteLength(item);
  if (size > MAX_CALL_BYTES) {
    const largest = largestField(item);
    if (options.mode === "batch") {
      report(
        [],
        "too_large",
        `is ${formatKb(size)} (largest field: ${largest.key}, ${formatKb(largest.bytes)}); a call may be at most 32 KB`,
      );
    } else {
      report(
        [largest.key],
        "too_large",
        `makes the call ${formatKb(size)} (this field: ${formatKb(largest.bytes)}); a call may be at most 32 KB`,
      );
    }
    return null;
  }
  const declared = item.type;
  let type: CallType;
  if (options.impliedType) {
    if (declared !== undefined && declared !== options.impliedType) {
      report(
        ["type"],
        "type_mismatch",
        `is ${JSON.stringify(declared)} but this endpoint takes "${options.impliedType}" calls`,
      );
      return null;
    }
    type = options.impliedType;
  } else if (typeof declared === "string" && (CALL_TYPES as readonly string[]).includes(declared)) {
    type = declared as CallType;
  } else {
    report(
      ["type"],
      declared === undefined ? "missing_type" : "invalid_type",
      `must be one of ${CALL_TYPES.join(", ")}${declared === undefined ? "" : ` (got ${JSON.stringify(declared)?.slice(0, 40)})`}`,
    );
    return null;
  }

  const problem = scan.clean ? null : findJsonProblem(item);
  if (problem) {
    report(problem.path, "invalid_json_value", problem.message);
    return null;
  }

  const result = CALL_SCHEMAS[type].safeParse(item);
  if (!result.success) {
    for (const issue of result.error.issues) report(issue.path, issue.code, issue.message);
    return null;
  }
  const parsed = result.data;
  if (type !== "alias" && !parsed.userId && !parsed.anonymousId) {
    report(["userId"], "no_user_anon_id", "every call needs a userId or an anonymousId");
  }
  checkConsent(type, parsed, report);
  return { type, parsed };
}

function checkConsent(type: CallType, parsed: ParsedCall, report: Report) {
  const consent = parsed.context?.consent;
  if (consent !== undefined && consent !== null) {
    if (!isPlainObject(consent)) {
      report(["context", "consent"], "invalid_type", "must be an object with categoryPreferences");
    } else if (consent.categoryPreferences !== undefined && consent.categoryPreferences !== null) {
      const result = BooleanMap.safeParse(consent.categoryPreferences);
      if (!result.success) {
        for (const issue of result.error.issues) {
          report(["context", "consent", "categoryPreferences", ...issue.path], issue.code, issue.message);
        }
      }
    }
  }
  if (type === "identify") {
    const traits = (parsed as z.output<typeof CALL_SCHEMAS.identify>).traits;
    if (traits?.consent !== undefined) {
      const result = BooleanMap.safeParse(traits.consent);
      if (!result.success) {
        for (const issue of result.error.issues)
          report(["traits", "consent", ...issue.path], issue.code, issue.message);
      }
    }
  }
  if (type === "track") {
    const call = parsed as z.output<typeof CALL_SCHEMAS.track>;
    if (isSubscriptionEvent(call.event)) {
      const channels = subscriptionChannels(call.properties?.channel);
      if ("error" in channels) report(["properties", "channel"], "invalid_channel", channels.error);
    }
  }
}

function toSegmentCall(
  type: CallType,
  parsed: ParsedCall,
  options: ValidateOptions,
  newMessageId: () => string,
): SegmentCall {
  const context = { ...(options.batchContext ?? {}), ...(parsed.context ?? {}) };
  const times: CallTimes = {
    timestamp: parsed.timestamp ?? undefined,
    originalTimestamp: parsed.originalTimestamp ?? undefined,
    sentAt: parsed.sentAt ?? options.batchSentAt ?? undefined,
  };
  const consent = isPlainObject(context.consent) ? context.consent : null;
  const categoryPreferences =
    consent && isPlainObject(consent.categoryPreferences)
      ? (consent.categoryPreferences as Record<string, boolean>)
      : null;
  const base = {
    type,
    messageId: parsed.messageId ?? newMessageId(),
    userId: parsed.userId ?? null,
    anonymousId: parsed.anonymousId ?? null,
    context,
    timestamp: eventTime(times, options.receivedAt),
    categoryPreferences,
    consentTraits: null,
    previousId: null,
    groupId: null,
    traits: null,
    properties: {},
    name: null,
  } satisfies SegmentCall;
  switch (type) {
    case "track": {
      const call = parsed as z.output<typeof CALL_SCHEMAS.track>;
      return { ...base, name: call.event, properties: call.properties ?? {} };
    }
    case "page":
    case "screen": {
      const call = parsed as z.output<typeof CALL_SCHEMAS.page>;
      const properties = { ...(call.properties ?? {}) };
      if (call.category && properties.category === undefined) properties.category = call.category;
      return { ...base, name: call.name ?? null, properties };
    }
    case "identify": {
      const call = parsed as z.output<typeof CALL_SCHEMAS.identify>;
      const { consent: consentTraits, ...traits } = call.traits ?? {};
      return {
        ...base,
        traits,
        consentTraits: isPlainObject(consentTraits) ? (consentTraits as Record<string, boolean>) : null,
      };
    }
    case "group": {
      const call = parsed as z.output<typeof CALL_SCHEMAS.group>;
      return {
        ...base,
        groupId: call.groupId,
        traits: call.traits ?? {},
        properties: { groupId: call.groupId },
      };
    }
    case "alias": {
      const call = parsed as z.output<typeof CALL_SCHEMAS.alias>;
      return { ...base, previousId: call.previousId, properties: { previousId: call.previousId } };
    }
  }
}

/** The batch envelope (`{ batch, context, sentAt, writeKey }`) or a list of its issues. */
export function parseEnvelope(body: unknown): z.output<typeof BatchEnvelope> {
  if (!isPlainObject(body)) {
    throw new IngestValidationError([
      {
        index: null,
        path: "body",
        code: "invalid_type",
        message: `must be a JSON object with a "batch" array, not ${Array.isArray(body) ? "an array" : body === null ? "null" : typeof body}`,
      },
    ]);
  }
  const result = BatchEnvelope.safeParse(body);
  if (result.success) {
    const problem = findJsonProblem(result.data.context, ["context"]);
    if (!problem) return result.data;
    throw new IngestValidationError([
      {
        index: null,
        path: toJsonPath(problem.path).replace(/^\$\.?/, ""),
        code: "invalid_json_value",
        message: problem.message,
      },
    ]);
  }
  throw new IngestValidationError(
    result.error.issues.map((issue) => ({
      index: null,
      path: toJsonPath(issue.path).replace(/^\$\.?/, "") || "body",
      code: issue.code,
      message: issue.message,
    })),
  );
}

/** The parsed body of a single-call route must be an object. */
export function requireObjectBody(body: unknown): JsonObject {
  if (isPlainObject(body)) return body;
  throw new IngestValidationError([
    {
      index: null,
      path: "body",
      code: "invalid_type",
      message: `must be a JSON object (one call), not ${Array.isArray(body) ? "an array" : body === null ? "null" : typeof body}`,
    },
  ]);
}
