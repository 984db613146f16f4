import { z } from "zod";
import { DATA_TOOL_NAMES } from "./tool-args.ts";

/**
 * What a workspace knows about its data: events with their properties, traits, channels,
 * segments, templates and tools. The validator checks journeys against it; the designer agent
 * reads it to resolve names.
 */
export const PropertyType = z.string().min(1); // "string", "number", "datetime", "low|normal|high", ...

export const CatalogEvent = z
  .object({
    description: z.string().default(""),
    properties: z.record(z.string(), PropertyType).default({}),
  })
  .strict();

export const WorkspaceCatalog = z
  .object({
    events: z.record(z.string(), CatalogEvent),
    /** trait name → type or description ("number", "vip|regular", "0..1, from the churn model") */
    traits: z.record(z.string(), z.string()),
    channels: z.array(z.string()),
    segments: z.array(z.string()).default([]),
    /** template ids; absent = templates are not checked */
    templates: z.array(z.string()).optional(),
    /** tool names a `tool` node may call */
    tools: z.array(z.string()).default([]),
  })
  .strict();
export type WorkspaceCatalog = z.output<typeof WorkspaceCatalog>;

/** Tools every workspace has (tools/data adapters and the webhook channel). */
export const BUILT_IN_TOOLS = ["webhook", ...DATA_TOOL_NAMES] as const;
