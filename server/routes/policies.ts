import { z } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import { loadWorkspaceCatalog } from "../../db/catalog.ts";
import type { Executor } from "../../db/open.ts";
import { auditLog } from "../../db/schema/policies.ts";
import { validateJourney } from "../../journeys/format/validate.ts";
import { PolicyConfigError, STARTER_POLICY_CONFIG } from "../../policies/config.ts";
import {
  currentPolicyConfig,
  policyConfigHistory,
  policyConfigVersion,
  savePolicyConfig,
} from "../../policies/config-store.ts";
import { lintJourney } from "../../policies/lint.ts";
import type { RouteModule } from "../app.ts";
import { READERS } from "../auth.ts";
import { ApiError, notFound } from "../errors.ts";
import { defineRoute } from "../route.ts";
import {
  errorResponses,
  isoOrNull,
  issuesJson,
  JourneyDefinitionRef,
  jsonContent,
  ValidationIssueSchema,
} from "./api-schemas.ts";
import { jsonBodyGuard } from "./json-body.ts";
import { KeyNames } from "./key-names.ts";

/**
 * The workspace policy config (versioned; PUT stores a new version, audited, and the running
 * gateway uses it from its next batch) and journey lint (the policies checked statically on a
 * draft). The config's fields are documented in docs/policies.md.
 */

const ConfigObject = z.record(z.string(), z.unknown()).openapi("PolicyConfig", {
  description: "the workspace policy config (policies/config.ts); every section optional, defaults filled in",
});

const VersionMeta = z.object({
  version: z.number().int(),
  createdBy: z.string(),
  createdByName: z.string().nullable().openapi({ description: "the saving key's name" }),
  createdAt: z.string(),
  note: z.string().nullable().openapi({ description: "why it was saved (the PUT's note)" }),
});

const PolicyConfigResponse = z
  .object({
    version: z.number().int().openapi({ description: "0 = nothing saved yet: the safe baseline applies" }),
    config: ConfigObject,
    createdBy: z.string().nullable(),
    createdByName: z.string().nullable(),
    createdAt: z.string().nullable(),
    history: z
      .array(VersionMeta)
      .openapi({ description: "the newest saved versions, newest first (see historyLimit)" }),
    starter: ConfigObject.openapi({ description: "the recommended starting config (PUT it to adopt it)" }),
  })
  .openapi("PolicyConfigState");

const LintWarningSchema = z
  .object({
    path: z.string().openapi({ example: "$.nodes[3].offer.value" }),
    code: z.string().openapi({ example: "offer_above_ceiling" }),
    message: z.string(),
    severity: z.literal("warning"),
  })
  .openapi("LintWarning");

const routes = {
  get: defineRoute({
    method: "get",
    path: "/policies",
    tags: ["policies"],
    summary: "The current policy config with its version history",
    roles: [...READERS],
    request: {
      query: z.object({
        historyLimit: z.coerce
          .number({ error: "historyLimit must be a number" })
          .int("historyLimit must be a whole number")
          .min(1, "historyLimit is at least 1")
          .max(1000, "historyLimit is at most 1000")
          .default(100)
          .openapi({ description: "how many of the newest versions `history` lists (default 100)" }),
      }),
    },
    responses: {
      200: { description: "current config", content: jsonContent(PolicyConfigResponse) },
      ...errorResponses(),
    },
  }),
  version: defineRoute({
    method: "get",
    path: "/policies/versions/{version}",
    tags: ["policies"],
    summary: "One stored version of the policy config",
    roles: [...READERS],
    request: {
      params: z.object({
        version: z.coerce
          .number({ error: () => "version must be a whole number" })
          .int("version must be a whole number")
          .min(0, "version must be a whole number")
          .openapi({ param: { name: "version", in: "path" }, example: 1 }),
      }),
    },
    responses: {
      200: {
        description: "the version",
        content: jsonContent(
          z.object({
            version: z.number().int(),
            config: ConfigObject,
            createdBy: z.string().nullable(),
            createdByName: z.string().nullable(),
            createdAt: z.string().nullable(),
          }),
        ),
      },
      ...errorResponses(404),
    },
  }),
  put: defineRoute({
    method: "put",
    path: "/policies",
    tags: ["policies"],
    summary: "Save a new version of the policy config",
    description:
      "Validated in full: 400 names the first bad field (`config.quiet_hours.start`) and lists every issue. Stored as the next version with an audit entry; the gateway uses it from its next batch.",
    roles: [],
    request: {
      body: {
        required: true,
        content: jsonContent(
          z
            .object({
              config: ConfigObject,
              note: z.string().max(500).optional().openapi({ description: "why (kept in the audit log)" }),
            })
            .strict()
            .openapi("PolicyConfigUpdate"),
        ),
      },
    },
    responses: {
      200: {
        description: "saved",
        content: jsonContent(
          z.object({
            version: z.number().int(),
            config: ConfigObject,
            createdBy: z.string().nullable(),
            createdByName: z.string().nullable(),
            createdAt: z.string().nullable(),
          }),
        ),
      },
      ...errorResponses(),
    },
  }),
  lint: defineRoute({
    method: "post",
    path: "/policies/lint",
    tags: ["policies"],
    summary: "Lint a journey against the current policies: warnings with JSON paths",
    description:
      "Always 200 for a JSON body with a definition. A definition that does not validate gets its validation issues and no lint warnings (lint needs a valid journey).",
    roles: [...READERS],
    request: {
      body: {
        required: true,
        content: jsonContent(z.object({ definition: JourneyDefinitionRef }).strict().openapi("LintRequest")),
      },
    },
    responses: {
      200: {
        description: "validation issues and policy warnings",
        content: jsonContent(
          z
            .object({
              valid: z.boolean(),
              issues: z.array(ValidationIssueSchema),
              warnings: z.array(LintWarningSchema),
              policyVersion: z.number().int(),
            })
            .openapi("LintResult"),
        ),
      },
      ...errorResponses(),
    },
  }),
};

/** The note each save carried, from its audit entry (found by subject, which is indexed). */
async function saveNotes(executor: Executor, workspaceId: string, versions: number[]) {
  if (versions.length === 0) return new Map<number, string>();
  const found = await executor
    .select({ subject: auditLog.subject, data: auditLog.data })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.workspaceId, workspaceId),
        eq(auditLog.kind, "policy_config.saved"),
        inArray(
          auditLog.subject,
          versions.map((version) => `policy_config:${version}`),
        ),
      ),
    );
  const notes = new Map<number, string>();
  for (const row of found) {
    const note = row.data.note;
    if (typeof note === "string" && note) notes.set(Number(row.subject.slice("policy_config:".length)), note);
  }
  return notes;
}

export const policyRoutes: RouteModule = {
  api(app, ctx) {
    const db = ctx.database.db;
    // the routes that take a body
    for (const path of ["/policies", "/policies/lint"]) app.use(path, jsonBodyGuard());

    app.openapi(routes.get, async (c) => {
      const workspaceId = c.get("principal").workspaceId;
      const { historyLimit } = c.req.valid("query");
      const [current, history] = await Promise.all([
        currentPolicyConfig(db, workspaceId),
        policyConfigHistory(db, workspaceId, historyLimit),
      ]);
      const [names, notes] = await Promise.all([
        KeyNames.load(db, workspaceId, [current.createdBy, ...history.map((entry) => entry.createdBy)]),
        saveNotes(
          db,
          workspaceId,
          history.map((entry) => entry.version),
        ),
      ]);
      return c.json(
        {
          version: current.version,
          config: current.config as unknown as Record<string, unknown>,
          createdBy: current.createdBy,
          createdByName: names.of(current.createdBy),
          createdAt: isoOrNull(current.createdAt),
          history: history.map((entry) => ({
            ...entry,
            createdByName: names.of(entry.createdBy),
            createdAt: entry.createdAt.toISOString(),
            note: notes.get(entry.version) ?? null,
          })),
          starter: STARTER_POLICY_CONFIG as unknown as Record<string, unknown>,
        },
        200,
      );
    });

    app.openapi(routes.version, async (c) => {
      const { version } = c.req.valid("param");
      const found = await policyConfigVersion(db, c.get("principal").workspaceId, version);
      if (!found) throw notFound(`policy config version ${version}`, "version");
      return c.json(
        {
          version: found.version,
          config: found.config as unknown as Record<string, unknown>,
          createdBy: found.createdBy,
          createdByName: (await KeyNames.load(db, c.get("principal").workspaceId, [found.createdBy])).of(
            found.createdBy,
          ),
          createdAt: isoOrNull(found.createdAt),
        },
        200,
      );
    });

    app.openapi(routes.put, async (c) => {
      const body = c.req.valid("json");
      const principal = c.get("principal");
      try {
        const saved = await savePolicyConfig(db, {
          workspaceId: principal.workspaceId,
          config: body.config,
          actor: principal.keyId,
          note: body.note,
          now: ctx.now(),
        });
        ctx.services.policies.invalidate(principal.workspaceId);
        return c.json(
          {
            version: saved.version,
            config: saved.config as unknown as Record<string, unknown>,
            createdBy: saved.createdBy,
            createdByName: principal.name,
            createdAt: isoOrNull(saved.createdAt),
          },
          200,
        );
      } catch (error) {
        if (error instanceof PolicyConfigError) {
          const first = error.issues[0];
          const field = `config${first?.path.slice(1) ?? ""}`;
          throw new ApiError(
            400,
            "invalid_policy_config",
            `${field}: ${first?.message ?? "invalid"}`,
            field,
            {
              issues: error.issues.map((issue) => ({
                path: `$.config${issue.path.slice(1)}`,
                message: issue.message,
              })),
            },
          );
        }
        throw error;
      }
    });

    app.openapi(routes.lint, async (c) => {
      const body = c.req.valid("json");
      if (body.definition === undefined) {
        throw new ApiError(
          400,
          "invalid_request",
          "definition: required (a journey definition object)",
          "definition",
        );
      }
      const workspaceId = c.get("principal").workspaceId;
      const [catalog, config] = await Promise.all([
        loadWorkspaceCatalog(db, workspaceId),
        ctx.services.policies.current(db, workspaceId),
      ]);
      const validation = validateJourney(body.definition, catalog);
      const warnings =
        validation.ok && validation.journey
          ? lintJourney(validation.journey, config.stored.config, catalog)
          : [];
      return c.json(
        {
          valid: validation.ok,
          issues: issuesJson(validation.issues),
          warnings,
          policyVersion: config.stored.version,
        },
        200,
      );
    });
  },
};
