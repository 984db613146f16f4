import type { StructuredToolInterface } from "@langchain/core/tools";
import { tool } from "@langchain/core/tools";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { loadWorkspaceCatalog } from "../../db/catalog.ts";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { workspaces } from "../../db/schema/workspaces.ts";
import type { ParsedVersionRow } from "../../journeys/versions.ts";
import { workspaceVersions } from "../../journeys/versions.ts";
import { currentPolicyConfig } from "../../policies/config-store.ts";
import { quarantine } from "../../policies/injection/quarantine.ts";
import type { SemanticMemory } from "./memory.ts";
import { memorySearchTool } from "./memory.ts";

/**
 * Read-only data adapters over a workspace, exposed as LangChain tools for the designer: the
 * catalog, the policy config, live journeys, trait values and event volumes, and semantic memory.
 * The workspace is bound by the caller when the tools are built; no tool takes it as an argument,
 * so a model cannot reach another workspace. Nothing here writes, sends or activates.
 */

export type LiveJourneyRow = ParsedVersionRow;

/** Versions customers can enter or are held in (active or paused), with their journeys' names. */
export function liveJourneys(executor: Executor, workspaceId: string): Promise<LiveJourneyRow[]> {
  return workspaceVersions(executor, workspaceId, ["active", "paused"]);
}

export async function workspaceTimezone(executor: Executor, workspaceId: string): Promise<string> {
  const [row] = await executor
    .select({ timezone: workspaces.timezone })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row?.timezone ?? "UTC";
}

const CATALOG_SECTIONS = ["events", "traits", "channels", "segments", "templates", "tools"] as const;

/** The designer's read-only tools for one workspace. */
export function workspaceReadTools(options: {
  db: Executor;
  workspaceId: string;
  memory: SemanticMemory | null;
  now: () => Date;
}): StructuredToolInterface[] {
  const { db, workspaceId } = options;
  const tools: StructuredToolInterface[] = [
    tool(
      async ({ section }) => {
        const catalog = await loadWorkspaceCatalog(db, workspaceId);
        return JSON.stringify(section ? { [section]: catalog[section] } : catalog);
      },
      {
        name: "read_catalog",
        description:
          "The workspace catalog: events with their properties, traits, channels, segments, template ids and tools (one section or all).",
        schema: z.object({ section: z.enum(CATALOG_SECTIONS).optional() }),
      },
    ),
    tool(async () => JSON.stringify((await currentPolicyConfig(db, workspaceId)).config), {
      name: "read_policies",
      description:
        "The workspace policy config in full: consent, quiet hours, frequency caps, suppression rules, offer ceilings, content safety, approval rules.",
      schema: z.object({}),
    }),
    tool(
      async ({ journey_id }) => {
        const live = await liveJourneys(db, workspaceId);
        if (journey_id) {
          const found = live.find((row) => row.journeyId === journey_id);
          return found ? JSON.stringify(found) : `no live journey "${journey_id}" in this workspace`;
        }
        return JSON.stringify(
          live.map((row) => ({
            journeyId: row.journeyId,
            name: row.name,
            version: row.version,
            status: row.status,
          })),
        );
      },
      {
        name: "list_live_journeys",
        description:
          "Live (active or paused) journeys of the workspace; with journey_id, that journey's full definition.",
        schema: z.object({ journey_id: z.string().max(100).optional() }),
      },
    ),
    tool(
      async ({ trait }) => {
        const found = await rows<{ value: string | null; customers: number }>(
          db,
          sql`select left(traits->>${trait}, 120) as value, count(*)::int as customers from profiles
              where workspace_id = ${workspaceId} and merged_into is null and traits ? ${trait}
              group by 1 having count(*) >= 2 order by 2 desc, 1 limit 12`,
        );
        if (found.length === 0) return `no value of trait "${trait}" is shared by two or more customers`;
        const lines = found.map((row) => `${row.value ?? "null"}: ${row.customers}`).join("\n");
        // Trait values come from customers and CRMs: data, never instructions.
        return quarantine(lines, `traits.${trait}`).block;
      },
      {
        name: "trait_values",
        description:
          "The most common values of one trait across the workspace's customers, with how many customers have each.",
        schema: z.object({ trait: z.string().min(1).max(100) }),
      },
    ),
    tool(
      async ({ event, days }) => {
        const since = new Date(options.now().getTime() - (days ?? 30) * 24 * 60 * 60 * 1000);
        const [found] = await rows<{ events: number; customers: number }>(
          db,
          sql`select count(*)::int as events, count(distinct profile_id)::int as customers from events
              where workspace_id = ${workspaceId} and name = ${event} and timestamp >= ${since.toISOString()}::timestamptz`,
        );
        return JSON.stringify({
          event,
          days: days ?? 30,
          events: found?.events ?? 0,
          customers: found?.customers ?? 0,
        });
      },
      {
        name: "event_volume",
        description:
          "How often an event happened recently and for how many customers (to judge a trigger's reach).",
        schema: z.object({
          event: z.string().min(1).max(200),
          days: z.number().int().min(1).max(365).optional(),
        }),
      },
    ),
  ];
  if (options.memory?.available) tools.push(memorySearchTool(options.memory, workspaceId));
  return tools;
}
