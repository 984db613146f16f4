import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { createScorerNba } from "../../agents/nba/scorer.ts";
import { readCatalogDetails } from "../../db/catalog.ts";
import type { Executor } from "../../db/open.ts";
import { workspaces } from "../../db/schema/workspaces.ts";
import type { Condition } from "../../journeys/format/condition.ts";
import { schemaIssues } from "../../journeys/format/validate.ts";
import { RuntimeError } from "../../journeys/runtime/errors.ts";
import { Scenario } from "../../journeys/simulate/scenario.ts";
import type { SimulationResult } from "../../journeys/simulate/simulate.ts";
import { prepareJourney, SimulationInputError, simulate } from "../../journeys/simulate/simulate.ts";
import { SimulationLimitError } from "../../journeys/simulate/world.ts";
import { versionStats } from "../../journeys/stats.ts";
import type { VersionRecord } from "../../journeys/versions.ts";
import { getVersion, listVersions, parseDefinition } from "../../journeys/versions.ts";
import { PolicyConfigError } from "../../policies/config.ts";
import { currentPolicyConfig } from "../../policies/config-store.ts";
import { createDecide } from "../../policies/engine.ts";
import type { RouteModule } from "../app.ts";
import { ApiError, notFound } from "../errors.ts";
import { defineRoute } from "../route.ts";
import {
  ErrorResponseSchema,
  errorResponses,
  issuesJson,
  JourneyDefinitionRef,
  JourneyIdParam,
  registerFormatSchemas,
  VersionNumber,
} from "./api-schemas.ts";
import { lifecycle } from "./journey-errors.ts";

/**
 * What a journey does, or would do: per-node stats of a version, simulation of eval-format scenarios
 * under the workspace's policies, and entering a customer through an `api` trigger.
 */

const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

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

const routes = {
  stats: defineRoute({
    method: "get",
    path: "/journeys/{id}/stats",
    tags: ["journeys"],
    summary:
      "Per-node counts (entered, waiting, sent, held, skipped, exited) and goal conversion of a version",
    roles: ["viewer", "cx_lead", "reviewer"],
    request: { params: JourneyIdParam, query: StatsQuery },
    responses: { 200: { description: "stats", content: json(StatsResponse) }, ...errorResponses(404) },
  }),
  simulate: defineRoute({
    method: "post",
    path: "/journeys/{id}/simulate",
    tags: ["journeys"],
    summary: "Simulate scenarios (the eval scenario format) under the workspace's policies",
    description:
      "Runs the same executor as production on a virtual clock and an isolated store; returns every action with its time, status and policy verdicts, and checks `expect` when a scenario has it.",
    roles: ["cx_lead", "reviewer"],
    request: { params: JourneyIdParam, body: { required: true, content: json(SimulateBody) } },
    responses: {
      200: { description: "one result per scenario", content: json(SimulationResponse) },
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
    request: { params: JourneyIdParam, body: { required: true, content: json(EnterBody) } },
    responses: {
      200: {
        description: "entered, or why not",
        content: json(
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
      503: { description: "this process runs no journey runtime", content: json(ErrorResponseSchema) },
    },
  }),
};

/** The workspace's newest policy config compiled to a Decide (the safe baseline when it has none). */
async function workspaceDecide(db: Executor, workspaceId: string) {
  try {
    return createDecide((await currentPolicyConfig(db, workspaceId)).config);
  } catch (error) {
    if (error instanceof PolicyConfigError) {
      throw new ApiError(
        409,
        "invalid_policy_config",
        "the workspace's policy config does not validate; fix it first",
      );
    }
    throw error;
  }
}

function resultJson(name: string | undefined, result: SimulationResult) {
  return {
    name: name ?? null,
    start: result.start.toISOString(),
    end: result.end.toISOString(),
    timezone: result.timezone,
    actions: result.actions.map((action) => ({
      channel: action.channel,
      kind: action.kind,
      status: action.status,
      at: action.at.toISOString(),
      offset: action.offset,
      proposedOffset: action.proposedOffset,
      nodeId: action.nodeId ?? null,
      offer: action.offer ?? null,
      content: action.content ?? null,
      verdicts: action.verdicts.map((verdict) => ({
        policy: verdict.policy,
        verdict: verdict.verdict,
        reason: verdict.reason,
        until: verdict.until ? verdict.until.toISOString() : null,
        round: verdict.round,
      })),
    })),
    exits: result.instances.map((instance) => ({
      status: instance.status,
      nodeId: instance.nodeId,
      exitReason: instance.exitReason,
    })),
    expectation: result.expectation
      ? { pass: result.expectation.pass, problems: result.expectation.problems }
      : null,
  };
}

export const journeyRunRoutes: RouteModule = {
  api(app, ctx) {
    registerFormatSchemas(app.openAPIRegistry);
    app.openAPIRegistry.register("Error", ErrorResponseSchema);
    const db = ctx.database.db;

    app.openapi(routes.stats, async (c) => {
      const { id } = c.req.valid("param");
      const { version } = c.req.valid("query");
      const workspaceId = c.get("principal").workspaceId;
      let target: VersionRecord;
      if (version !== undefined) {
        target = await lifecycle(() => getVersion(db, workspaceId, id, version));
      } else {
        const versions = await lifecycle(() => listVersions(db, workspaceId, id));
        target =
          versions.filter((v) => v.status === "active" || v.status === "paused").at(-1) ?? versions.at(-1)!;
      }
      const stats = await versionStats(db, target);
      return c.json({ journeyId: id, ...stats }, 200);
    });

    app.openapi(routes.simulate, async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const workspaceId = c.get("principal").workspaceId;
      const scenarios = body.scenarios.map((scenario, index) => {
        const parsed = Scenario.safeParse(scenario);
        if (parsed.success) return parsed.data;
        const issues = schemaIssues(parsed.error);
        const field = `scenarios[${index}]${issues[0]!.path.slice(1)}`;
        throw new ApiError(400, "invalid_scenario", `${field}: ${issues[0]!.message}`, field, {
          issues: issuesJson(issues),
        });
      });
      let versionNumber: number | null = null;
      let definition: unknown;
      if (body.definition !== undefined) {
        await lifecycle(() => listVersions(db, workspaceId, id)); // the journey must exist here
        definition = await lifecycle(async () => parseDefinition(body.definition));
      } else {
        const target =
          body.version !== undefined
            ? await lifecycle(() => getVersion(db, workspaceId, id, body.version!))
            : (await lifecycle(() => listVersions(db, workspaceId, id))).at(-1)!;
        versionNumber = target.version;
        definition = target.definition;
      }
      const [workspace] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
      if (!workspace) throw notFound("the key's workspace");
      const [decide, catalog] = await Promise.all([
        workspaceDecide(db, workspaceId),
        readCatalogDetails(db, workspaceId),
      ]);
      const compiled = prepareJourney(definition);
      const options = {
        decide,
        timezone: workspace.timezone,
        ...(body.start ? { start: body.start } : {}),
        ...(body.profileDefault ? { profileDefault: body.profileDefault } : {}),
        templates: catalog.templates,
        // agent nodes decide as the runtime's model-free chooser does (docs/nba.md)
        nba: createScorerNba(),
        segments: catalog.segments.map((segment) => ({
          id: segment.id,
          name: segment.name,
          condition: segment.condition as Condition,
        })),
      };
      const results = [];
      for (const [index, scenario] of scenarios.entries()) {
        try {
          results.push(resultJson(scenario.name, await simulate(compiled, scenario, options)));
        } catch (error) {
          if (error instanceof SimulationLimitError) {
            throw new ApiError(
              422,
              "simulation_limit",
              `scenarios[${index}]: ${error.message}`,
              `scenarios[${index}]`,
            );
          }
          if (error instanceof SimulationInputError) {
            throw new ApiError(
              400,
              "invalid_scenario",
              `scenarios[${index}]: ${error.message}`,
              `scenarios[${index}]`,
              {
                issues: issuesJson(error.issues),
              },
            );
          }
          throw error;
        }
      }
      const withExpectations = results.filter((result) => result.expectation !== null);
      return c.json(
        {
          journeyId: id,
          version: versionNumber,
          results,
          summary: {
            scenarios: results.length,
            withExpectations: withExpectations.length,
            passed: withExpectations.filter((result) => result.expectation?.pass).length,
            actions: results.reduce((sum, result) => sum + result.actions.length, 0),
          },
        },
        200,
      );
    });

    app.openapi(routes.enter, async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const workspaceId = c.get("principal").workspaceId;
      const runtime = ctx.services.runtime;
      if (!runtime) {
        throw new ApiError(
          503,
          "runtime_unavailable",
          "this process runs no journey runtime (see OVERTURE_WORKERS)",
        );
      }
      await lifecycle(() => listVersions(db, workspaceId, id));
      try {
        const result = await runtime.enterViaApi({
          workspaceId,
          journeyId: id,
          userId: body.userId,
          ...(body.properties ? { properties: body.properties } : {}),
          ...(body.idempotencyKey ? { idempotencyKey: body.idempotencyKey } : {}),
        });
        return c.json(result, 200);
      } catch (error) {
        if (error instanceof RuntimeError) {
          if (error.code === "profile_not_found")
            throw new ApiError(404, error.code, error.message, "userId");
          throw new ApiError(409, error.code, error.message, "id");
        }
        throw error;
      }
    });
  },
};
