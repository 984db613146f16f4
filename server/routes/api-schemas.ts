import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { toJSONSchema } from "zod";
import { VERSION_STATUSES } from "../../db/schema/journeys.ts";
import { Journey } from "../../journeys/format/schema.ts";
import type { ValidationIssue } from "../../journeys/format/validate.ts";
import { Scenario } from "../../journeys/simulate/scenario.ts";
import type { JourneyRecord, JourneySummary, VersionRecord } from "../../journeys/versions.ts";
import { KeyNames } from "./key-names.ts";

/**
 * Request and response schemas shared by the management routes, registered as OpenAPI components so
 * /openapi.json names them. Timestamps travel as ISO 8601 strings; API fields are camelCase like the
 * Segment API, while journey definitions keep their own snake_case format.
 */

/**
 * The journey format as OpenAPI components (`Journey`, `Condition`, the eval `Scenario`), converted with zod's own JSON
 * Schema output (input side: defaults are optional). Registering the zod schemas directly would need
 * zod-openapi's prototype extension on the format's zod instance, which the format does not depend on.
 */
type OpenAPIRegistry = OpenAPIHono["openAPIRegistry"];
const registeredFormat = new WeakSet<OpenAPIRegistry>();
export function registerFormatSchemas(registry: OpenAPIRegistry): void {
  if (registeredFormat.has(registry)) return;
  registeredFormat.add(registry);
  const toComponents = (value: unknown): Record<string, unknown> =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'));
  const convert = (schema: z.ZodType) => {
    const {
      $defs,
      $schema: _dialect,
      ...rest
    } = toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    for (const [name, definition] of Object.entries(($defs ?? {}) as Record<string, unknown>)) {
      registry.registerComponent("schemas", name, toComponents(definition));
    }
    return toComponents(rest);
  };
  // Condition is in Journey's $defs (its schema carries the id "Condition"), so it becomes a component too.
  registry.registerComponent("schemas", "Journey", convert(Journey));
  registry.registerComponent("schemas", "Scenario", convert(Scenario));
}

/**
 * A journey definition in a request. Documented as the Journey schema, but parsed by the lifecycle
 * (journeys/versions.ts) so that every problem comes back as a validator issue with its JSONPath.
 */
export const JourneyDefinitionRef = z
  .unknown()
  .openapi({ $ref: "#/components/schemas/Journey", description: "a journey definition" } as never);

export const ValidationIssueSchema = z
  .object({
    path: z.string().openapi({ example: "$.nodes[2].next" }),
    code: z.string().openapi({ example: "dangling_next" }),
    message: z.string(),
    severity: z.enum(["error", "warning"]),
  })
  .openapi("ValidationIssue");

export const ErrorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string(),
      field: z.string().optional(),
      issues: z.array(z.object({ path: z.string(), message: z.string() }).passthrough()).optional(),
    }),
  })
  .openapi("Error");

const errorContent = { "application/json": { schema: ErrorResponseSchema } };

const ERROR_DESCRIPTIONS = {
  400: "the request is malformed; the error names the field",
  401: "no API key, or an unknown one",
  403: "the key's role may not do this",
  404: "not found in this workspace",
  409: "conflicts with the current state (e.g. the version is not a draft)",
  422: "the journey has validation errors; every issue is listed with its JSONPath",
} as const;

/** Error responses for a route, always including 400/401/403. */
export function errorResponses(...extra: Array<404 | 409 | 422>) {
  const codes = [400, 401, 403, ...extra] as const;
  return Object.fromEntries(
    codes.map((code) => [code, { description: ERROR_DESCRIPTIONS[code], content: errorContent }]),
  ) as Record<400 | 401 | 403, { description: string; content: typeof errorContent }>;
}

/** The content of a JSON request body or response: `{ "application/json": { schema } }`. */
export const jsonContent = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

/** A nullable timestamp as API text. */
export const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

/** An enum parameter whose error names the field and every allowed value. */
export const oneOf = <const T extends readonly [string, ...string[]]>(field: string, values: T) =>
  z.enum(values, { error: () => `${field} must be one of ${values.join(", ")}` });

/** `limit` of a paged list: 1 to `max`, 50 when absent. */
export const pageLimit = (max: number) =>
  z.coerce
    .number({ error: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit is at least 1")
    .max(max, `limit is at most ${max}`)
    .default(50);

/** `limit` of a paged list: 1 to 200, 50 when absent. */
export const PageLimit = pageLimit(200);

/** A numeric row id in the path (`/outbox/{id}`); `what` names it in the error. */
export const RowIdParam = (what: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, `${what} is a positive integer`)
    .transform(Number)
    .openapi({ param: { name: "id", in: "path" }, example: "42" });

/** The cursor of a list paged by descending numeric id: the `nextCursor` of the previous page. */
export const IdCursor = z
  .string()
  .regex(/^\d{1,15}$/, "cursor is the nextCursor of a previous page")
  .transform(Number)
  .optional();

export const JourneyIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" }, example: "jrn_0abc" }),
});

export const VersionNumber = z.coerce
  .number({ error: () => "version must be a positive whole number" })
  .int("version must be a positive whole number")
  .min(1, "version must be a positive whole number")
  .max(1_000_000, "version must be a positive whole number");

export const VersionParams = JourneyIdParam.extend({
  version: VersionNumber.openapi({ param: { name: "version", in: "path" }, example: 1 }),
});

export const DraftedBySchema = z
  .string()
  .openapi({ description: '"human", "offline-planner" or "model:<name>"', example: "human" });

export const VersionSummarySchema = z
  .object({
    id: z.string(),
    journeyId: z.string(),
    version: z.number().int(),
    status: z.enum(VERSION_STATUSES),
    draftedBy: z.string(),
    author: z.string(),
    authorName: z.string().nullable().openapi({ description: "the author key's name (null: not a key)" }),
    designId: z.string().nullable(),
    createdAt: z.string(),
    activatedAt: z.string().nullable(),
    pausedAt: z.string().nullable(),
    archivedAt: z.string().nullable(),
  })
  .openapi("JourneyVersionSummary");

export const VersionSchema = VersionSummarySchema.extend({ definition: JourneyDefinitionRef }).openapi(
  "JourneyVersion",
);

export const JourneySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    createdBy: z.string(),
    createdByName: z.string().nullable().openapi({ description: "the creating key's name" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("JourneyRecord");

export const JourneySummarySchema = JourneySchema.extend({
  latestVersion: z.number().int(),
  latestStatus: z.enum(VERSION_STATUSES),
  liveVersion: z.number().int().nullable(),
  liveStatus: z.enum(["active", "paused"]).nullable(),
}).openapi("JourneySummary");

/** `names` resolves key ids to display names (KeyNames.load); without it the names are null. */
export function versionSummaryJson(version: VersionRecord, names: KeyNames = KeyNames.none) {
  return {
    id: version.id,
    journeyId: version.journeyId,
    version: version.version,
    status: version.status,
    draftedBy: version.draftedBy,
    author: version.author,
    authorName: names.of(version.author),
    designId: version.designId,
    createdAt: version.createdAt.toISOString(),
    activatedAt: isoOrNull(version.activatedAt),
    pausedAt: isoOrNull(version.pausedAt),
    archivedAt: isoOrNull(version.archivedAt),
  };
}

export function versionJson(version: VersionRecord, names: KeyNames = KeyNames.none) {
  return { ...versionSummaryJson(version, names), definition: version.definition as unknown };
}

export function journeyJson(journey: JourneyRecord, names: KeyNames = KeyNames.none) {
  return {
    id: journey.id,
    name: journey.name,
    description: journey.description,
    createdBy: journey.createdBy,
    createdByName: names.of(journey.createdBy),
    createdAt: journey.createdAt.toISOString(),
    updatedAt: journey.updatedAt.toISOString(),
  };
}

export function journeySummaryJson(journey: JourneySummary, names: KeyNames = KeyNames.none) {
  return {
    ...journeyJson(journey, names),
    latestVersion: journey.latestVersion,
    latestStatus: journey.latestStatus,
    liveVersion: journey.liveVersion,
    liveStatus: journey.liveStatus,
  };
}

export function issuesJson(issues: readonly ValidationIssue[]) {
  return issues.map((issue) => ({
    path: issue.path,
    code: issue.code,
    message: issue.message,
    severity: issue.severity,
  }));
}
