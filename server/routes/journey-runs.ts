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
import { ErrorResponseSchema, issuesJson, registerFormatSchemas } from "./api-schemas.ts";
import { lifecycle } from "./journey-errors.ts";
import { journeyRunSpec as routes } from "./journey-runs-spec.ts";

/**
 * What a journey does, or would do: per-node stats of a version, simulation of eval-format scenarios
 * under the workspace's policies, and entering a customer through an `api` trigger.
 */

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
