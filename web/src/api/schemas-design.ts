import { z } from "zod";

/**
 * The designer agent's API (/api/designs): a design is one run from a goal to a journey draft
 * awaiting approval; its progress streams as server-sent events of the types below.
 */

const Issue = z
  .object({
    path: z.string(),
    message: z.string(),
    code: z.string().optional(),
    severity: z.string().optional(),
  })
  .loose();

export const Design = z
  .object({
    id: z.string(),
    goal: z.string(),
    status: z.string(),
    model: z.string(),
    question: z.string().nullable().optional(),
    journeyId: z.string().nullable().optional(),
    versionId: z.string().nullable().optional(),
    version: z.number().nullable().optional(),
    approvalId: z.string().nullable().optional(),
    draft: z.unknown().optional(),
    explanation: z.array(z.string()).optional().default([]),
    issues: z.array(Issue).optional().default([]),
    lint: z.array(Issue).optional().default([]),
    conflicts: z
      .array(
        z
          .object({
            message: z.string(),
            journeyId: z.string().optional(),
            journeyName: z.string().optional(),
          })
          .loose(),
      )
      .optional()
      .default([]),
    simulation: z
      .object({ customers: z.number(), entered: z.number(), sentences: z.array(z.string()) })
      .loose()
      .nullable()
      .optional(),
    summary: z.unknown().optional(),
    error: z.string().nullable().optional(),
    llmCalls: z.number().optional(),
    tokens: z.number().optional(),
    revision: z.number().optional(),
    createdBy: z.string().optional(),
    createdByName: z.string().nullable().optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  })
  .loose();
export type Design = z.infer<typeof Design>;

export const DesignAnswer = z.object({ design: Design });
export const DesignPage = z.object({ designs: z.array(Design), nextCursor: z.string().nullable() });

/** One progress event (the graph's stream, stored and replayed). Unknown types are shown generically. */
export const DesignEvent = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("model_call"),
    call: z.number(),
    tokens: z.number(),
    attempts: z.number(),
    answer: z.array(z.string()),
  }),
  z.object({ type: z.literal("tool_call"), name: z.string(), args: z.unknown() }),
  z.object({ type: z.literal("tool_result"), name: z.string(), chars: z.number(), ok: z.boolean() }),
  z.object({
    type: z.literal("validation_round"),
    round: z.number(),
    ok: z.boolean(),
    errors: z.number(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })),
  }),
  z.object({ type: z.literal("lint"), warnings: z.number(), codes: z.array(z.string()) }),
  z.object({ type: z.literal("conflicts"), conflicts: z.number(), messages: z.array(z.string()) }),
  z.object({
    type: z.literal("simulation"),
    customers: z.number(),
    entered: z.number(),
    sentences: z.array(z.string()),
  }),
  z.object({ type: z.literal("question"), question: z.string() }),
  z.object({
    type: z.literal("submitted"),
    approvalId: z.string(),
    journeyId: z.string(),
    version: z.number(),
  }),
]);
export type DesignEvent = z.infer<typeof DesignEvent>;
