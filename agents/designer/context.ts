import { z } from "zod";
import { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { Journey } from "../../journeys/format/schema.ts";
import { Journey as JourneySchema } from "../../journeys/format/schema.ts";
import type { PolicyConfig } from "../../policies/config.ts";
import { PolicyConfig as PolicyConfigSchema } from "../../policies/config.ts";
import type { LiveJourney } from "./conflicts.ts";

/**
 * What the designer knows about the workspace before its first model call, loaded deterministically
 * (no tool round trips) and kept in the checkpointed state: the catalog, the policy config, the
 * live journeys, memory hits for the goal, and a summary of real customers' trait values.
 */

const MemoryHit = z.object({
  id: z.number(),
  kind: z.enum(["template", "journey", "note"]),
  refId: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  similarity: z.number(),
});

export const MemoryContext = z.union([
  z.object({ available: z.literal(true), embedder: z.string(), hits: z.array(MemoryHit) }),
  z.object({ available: z.literal(false), reason: z.string() }),
]);

export const CustomerProfileSummary = z.object({
  /** how many customers the summary was computed from */
  customers: z.number().int(),
  /** trait → most frequent values with counts (strings written by customers or CRMs: untrusted) */
  values: z.record(z.string(), z.array(z.object({ value: z.string(), count: z.number().int() }))),
  /** numeric traits: range and median */
  numeric: z.record(z.string(), z.object({ min: z.number(), max: z.number(), median: z.number() })),
});
export type CustomerProfileSummary = z.infer<typeof CustomerProfileSummary>;

export const LiveJourneyRecord = z.object({
  journeyId: z.string(),
  name: z.string(),
  version: z.number().int(),
  status: z.string(),
  definition: z.unknown(),
});

export const DesignContext = z.object({
  timezone: z.string(),
  catalog: WorkspaceCatalog,
  /** the workspace policy config (parsed with PolicyConfig where used) */
  policies: z.record(z.string(), z.unknown()),
  policyVersion: z.number().int(),
  liveJourneys: z.array(LiveJourneyRecord),
  memory: MemoryContext,
  customers: CustomerProfileSummary.nullable(),
});
export type DesignContext = z.output<typeof DesignContext>;
export type DesignContextInput = z.input<typeof DesignContext>;

/** The context as stored in state, parsed (the state holds plain JSON). */
export function readContext(value: unknown): DesignContext {
  return DesignContext.parse(value);
}

export function contextPolicies(context: DesignContext): PolicyConfig {
  return PolicyConfigSchema.parse(context.policies);
}

export function contextLiveJourneys(context: DesignContext): LiveJourney[] {
  return context.liveJourneys.flatMap((live) => {
    const parsed = JourneySchema.safeParse(live.definition);
    return parsed.success ? [{ ...live, definition: parsed.data as Journey }] : [];
  });
}
