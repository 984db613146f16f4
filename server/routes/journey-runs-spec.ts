import { z } from "@hono/zod-openapi";
import { READERS } from "../auth.ts";
import { defineRoute } from "../route.ts";
import {
  ErrorResponseSchema,
  errorResponses,
  JourneyDefinitionRef,
  JourneyIdParam,
  jsonContent,
  VersionNumber,
} from "./api-schemas.ts";

/** Requests, responses and route definitions of journey-runs.ts (stats, simulate, enter). */

const StatsQuery = z.object({
  version: VersionNumber.optional().openapi({
    param: { name: "version", in: "query" },
    description: "default: the live version, else the newest",
  }),
});

const MetricsSchema = z.record(z.string(), z.number());
const StatsResponse = z
  .object({
    journeyId: z.string(),
    versionId: z.string(),
    version: z.number().int(),
    status: z.string(),
    nodes: z.array(
      z.object({ id: z.string(), type: z.string(), label: z.string().optional(), metrics: MetricsSchema }),
    ),
    journey: MetricsSchema.openapi({
      description: "journey-level counters: entered, completed, exited, converted",
    }),
    instances: z.object({
      total: z.number().int(),
      running: z.number().int(),
      parked: z.number().int(),
      completed: z.number().int(),
      exited: z.number().int(),
      converted: z.number().int(),
    }),
    goal: z
      .object({
        event: z.string(),
        within: z.string(),
        conversions: z.number().int(),
        conversionRate: z.number().nullable(),
      })
      .nullable(),
  })
  .openapi("JourneyStats");

const ScenarioRef = z.unknown().openapi({ $ref: "#/components/schemas/Scenario" } as never);

const SimulateBody = z
  .object({
    scenarios: z
      .array(ScenarioRef)
      .min(1, "give at least one scenario")
      .max(50, "at most 50 scenarios per call"),
    // a JSON number: unlike path and query parameters, a body is typed, so nothing is coerced
    version: z
      .number({ error: () => "version must be a positive whole number" })
      .int("version must be a positive whole number")
      .min(1, "version must be a positive whole number")
      .optional()
      .openapi({ description: "default: the newest version (usually the draft)" }),
    definition: JourneyDefinitionRef.optional().openapi({
      description: "simulate this definition instead of a stored version (unsaved edits)",
    }),
    start: z
      .string()
      .regex(
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/,
        "start is a local date-time such as 2026-03-02T10:00:00",
      )
      .optional()
      .openapi({
        description: "local date-time of the start in the customer's zone; default 2026-03-02T10:00:00",
      }),
    profileDefault: z
      .object({
        traits: z.record(z.string(), z.unknown()).optional(),
        consent: z.record(z.string(), z.boolean()).optional(),
      })
      .strict()
      .optional()
      .openapi({ description: "the profile each scenario's `profile` is merged over" }),
  })
  .strict()
  .openapi("SimulationRequest");

const VerdictSchema = z.object({
  policy: z.string(),
  verdict: z.string(),
  reason: z.string(),
  until: z.string().nullable(),
  round: z.number().int(),
});

const SimulatedActionSchema = z
  .object({
    channel: z.string(),
    kind: z.string(),
    status: z.enum(["sent", "denied", "held", "review"]),
    at: z.string(),
    offset: z.string(),
    proposedOffset: z.string(),
    nodeId: z.string().nullable(),
    offer: z.object({ kind: z.string(), value: z.number().optional() }).nullable(),
    content: z.unknown(),
    verdicts: z.array(VerdictSchema),
  })
  .openapi("SimulatedAction");

const SimulationResponse = z
  .object({
    journeyId: z.string(),
    version: z.number().int().nullable(),
    results: z.array(
      z.object({
        name: z.string().nullable(),
        start: z.string(),
        end: z.string(),
        timezone: z.string(),
        actions: z.array(SimulatedActionSchema),
        exits: z.array(
          z.object({ status: z.string(), nodeId: z.string(), exitReason: z.string().nullable() }),
        ),
        expectation: z
          .object({ pass: z.boolean(), problems: z.array(z.string()) })
          .nullable()
          .openapi({ description: "when the scenario has `expect`: whether exactly those actions happened" }),
      }),
    ),
    summary: z.object({
      scenarios: z.number().int(),
      withExpectations: z.number().int(),
      passed: z.number().int(),
      actions: z.number().int(),
    }),
  })
  .openapi("SimulationResponse");

const EnterBody = z
  .object({
    userId: z.string().min(1).max(255),
    properties: z.record(z.string(), z.unknown()).optional(),
    idempotencyKey: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "the same key never enters the customer twice" }),
  })
  .strict()
  .openapi("JourneyEntryRequest");

export const journeyRunSpec = {
  stats: defineRoute({
    method: "get",
    path: "/journeys/{id}/stats",
    tags: ["journeys"],
    summary:
      "Per-node counts (entered, waiting, sent, held, skipped, exited) and goal conversion of a version",
    roles: [...READERS],
    request: { params: JourneyIdParam, query: StatsQuery },
    responses: { 200: { description: "stats", content: jsonContent(StatsResponse) }, ...errorResponses(404) },
  }),
  simulate: defineRoute({
    method: "post",
    path: "/journeys/{id}/simulate",
    tags: ["journeys"],
    summary: "Simulate scenarios (the eval scenario format) under the workspace's policies",
    description:
      "Runs the same executor as production on a virtual clock and an isolated store; returns every action with its time, status and policy verdicts, and checks `expect` when a scenario has it.",
    roles: ["cx_lead", "reviewer"],
    request: { params: JourneyIdParam, body: { required: true, content: jsonContent(SimulateBody) } },
    responses: {
      200: { description: "one result per scenario", content: jsonContent(SimulationResponse) },
      ...errorResponses(404, 422),
    },
  }),
  enter: defineRoute({
    method: "post",
    path: "/journeys/{id}/enter",
    tags: ["journey lifecycle"],
    summary: "Enter a customer into an active journey whose trigger is `api`",
    description:
      "The customer runs up to the first wait at once. `entered: false` with a reason when the audience or re-entry rules keep them out.",
    roles: [],
    request: { params: JourneyIdParam, body: { required: true, content: jsonContent(EnterBody) } },
    responses: {
      200: {
        description: "entered, or why not",
        content: jsonContent(
          z
            .object({
              entered: z.boolean(),
              instanceId: z.number().int().optional(),
              status: z.string().optional(),
              nodeId: z.string().optional(),
              reason: z.string().optional(),
            })
            .openapi("JourneyEntryResult"),
        ),
      },
      ...errorResponses(404, 409),
      503: { description: "this process runs no journey runtime", content: jsonContent(ErrorResponseSchema) },
    },
  }),
};
