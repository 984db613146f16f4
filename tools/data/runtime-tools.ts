import type { StructuredToolInterface } from "@langchain/core/tools";
import { tool } from "@langchain/core/tools";
import type { Database, Executor } from "../../db/open.ts";
import type { DataToolName } from "../../journeys/format/tool-args.ts";
import {
  DATA_TOOL_ARGS,
  DATA_TOOL_NAMES,
  isDataToolName,
  parseToolArgs,
} from "../../journeys/format/tool-args.ts";
import type { DataTools, ToolResult } from "../../journeys/runtime/data-tools.ts";
import { quarantine } from "../../policies/injection/quarantine.ts";
import type { CustomerScope } from "./customer-events.ts";
import type { SemanticMemory } from "./memory.ts";
import { searchMemory } from "./memory-search.ts";
import { recentOrders } from "./orders.ts";
import { getProfile } from "./profiles.ts";
import { RecommendationCache, recommendProducts } from "./recommend.ts";
import { openTicketsOf } from "./tickets.ts";

/**
 * The data adapters behind one entry point: the runtime's `DataTools` (a journey's `tool` node)
 * and LangChain tools bound to one customer (for agents). Both validate arguments with the same zod
 * schemas (tool-args.ts), run read-only SQL in the caller's transaction, and return small JSON.
 * Bad arguments, an unknown tool, a missing profile or memory without pgvector are expected
 * outcomes (`ok: false`, the journey's on_error path); a database error is thrown (retried).
 */

export interface DataToolDeps {
  memory: SemanticMemory | null;
  /** shared by the calls of one process (catalog.recommend's popular lists and product details) */
  recommendations?: RecommendationCache | undefined;
}

export async function runDataTool(
  name: DataToolName,
  executor: Executor,
  scope: CustomerScope,
  rawArgs: Record<string, unknown>,
  deps: DataToolDeps,
): Promise<ToolResult> {
  switch (name) {
    case "profiles.get": {
      const parsed = parseToolArgs(name, rawArgs);
      if (!parsed.ok) return parsed;
      const profile = await getProfile(executor, scope);
      return profile
        ? { ok: true, value: profile }
        : { ok: false, error: `profiles.get: profile ${scope.profileId} does not exist in this workspace` };
    }
    case "orders.recent": {
      const parsed = parseToolArgs(name, rawArgs);
      if (!parsed.ok) return parsed;
      return { ok: true, value: await recentOrders(executor, scope, parsed.args) };
    }
    case "tickets.open": {
      const parsed = parseToolArgs(name, rawArgs);
      if (!parsed.ok) return parsed;
      return { ok: true, value: await openTicketsOf(executor, scope, parsed.args) };
    }
    case "catalog.recommend": {
      const parsed = parseToolArgs(name, rawArgs);
      if (!parsed.ok) return parsed;
      return { ok: true, value: await recommendProducts(executor, scope, parsed.args, deps.recommendations) };
    }
    case "memory.search": {
      const parsed = parseToolArgs(name, rawArgs);
      if (!parsed.ok) return parsed;
      if (!deps.memory) return { ok: false, error: "memory.search: semantic memory is not configured" };
      return searchMemory(deps.memory, executor, scope.workspaceId, parsed.args);
    }
  }
}

export interface RuntimeDataToolsOptions extends DataToolDeps {
  /** used when a call comes without a transaction (outside the runtime) */
  database: Database;
  now: () => Date;
}

/** The runtime's DataTools over the workspace's database (wired in server/services.ts). */
export function createRuntimeDataTools(options: RuntimeDataToolsOptions): DataTools {
  const deps: DataToolDeps = {
    memory: options.memory,
    recommendations: options.recommendations ?? new RecommendationCache(),
  };
  return {
    async call(call, context) {
      if (!isDataToolName(call.tool)) {
        return {
          ok: false,
          error: `tool "${call.tool}" is not a data tool (data tools: ${DATA_TOOL_NAMES.join(", ")})`,
        };
      }
      const scope = { workspaceId: call.workspaceId, profileId: call.profileId, now: options.now() };
      return runDataTool(call.tool, context?.executor ?? options.database.db, scope, call.args, deps);
    },
  };
}

/** OpenAI function names allow no dots: `orders.recent` is offered to a model as `orders_recent`. */
export function langChainToolName(name: DataToolName): string {
  return name.replace(".", "_");
}

const DESCRIPTIONS: Record<DataToolName, string> = {
  "profiles.get":
    "The customer's traits, channel consent, model scores (churn_risk, purchase_propensity) and segments.",
  "orders.recent":
    "The customer's recent orders (newest first) with totals, categories and products, and whether each was returned or cancelled.",
  "tickets.open": "The customer's open support tickets with topic, priority and age.",
  "catalog.recommend":
    "Products to recommend to the customer from the shop's own data: co-viewed/co-bought with what they looked at, then popular in its category; never what they are returning.",
  "memory.search": "Content templates, past journeys and notes of this workspace similar to a query.",
};

/**
 * The data tools as LangChain tools for an agent, bound to one customer: the model chooses
 * arguments, never the customer or workspace. Results are customer data, so they reach the model
 * inside a quarantine block.
 */
export function customerDataTools(options: {
  executor: Executor;
  scope: CustomerScope;
  deps: DataToolDeps;
  only?: readonly DataToolName[];
}): StructuredToolInterface[] {
  const names = options.only ?? DATA_TOOL_NAMES;
  return names.map((name) =>
    tool(
      async (input: Record<string, unknown>) => {
        const result = await runDataTool(name, options.executor, options.scope, input, options.deps);
        if (!result.ok) return result.error;
        return quarantine(JSON.stringify(result.value), `tool.${name}`).block;
      },
      {
        name: langChainToolName(name),
        description: DESCRIPTIONS[name],
        schema: DATA_TOOL_ARGS[name],
      },
    ),
  );
}
