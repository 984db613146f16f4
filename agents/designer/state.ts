import { MessagesValue, ReducedValue, StateSchema } from "@langchain/langgraph";
import { z } from "zod";
import { HumanResponseSchema } from "../../policies/approvals/types.ts";

/**
 * The designer graph's state, declared with zod. Everything here is checkpointed after every step,
 * so it survives a restart: the conversation with the model, the draft and what was learned about
 * it (validation, lint, conflicts, simulation), the approval it waits for, and the call budget.
 * Journey-shaped values are stored as plain JSON (`unknown`) and re-parsed by the journey schema
 * wherever they are used, never cast.
 */

const Issue = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
  severity: z.enum(["error", "warning"]),
});
export type DesignIssue = z.infer<typeof Issue>;

export const Clarification = z.object({ question: z.string(), answer: z.string() });

export const SimulationReport = z.object({
  customers: z.number().int(),
  /** the replayed window */
  from: z.string(),
  to: z.string(),
  entered: z.number().int(),
  /** plain-language lines: "of 500 customers, 61 would enter", … */
  sentences: z.array(z.string()),
  /** the population summary as computed (journeys/simulate PopulationSummary) */
  summary: z.record(z.string(), z.unknown()),
});
export type SimulationReport = z.infer<typeof SimulationReport>;

export const Submission = z.object({
  journeyId: z.string(),
  versionId: z.string(),
  version: z.number().int(),
  approvalId: z.string(),
});
export type Submission = z.infer<typeof Submission>;

/** What the approval queue reports when it resumes the graph (Command({ resume })). */
export const ReviewOutcome = z.object({
  approvalId: z.string(),
  /** the item's status after the decision: accepted, edited, responded, ignored, expired, withdrawn */
  status: z.string(),
  response: HumanResponseSchema.nullable(),
  decidedBy: z.string().nullable(),
  /** the journey version's status after the decision (active once accepted or edited) */
  versionStatus: z.string().optional(),
});
export type ReviewOutcome = z.infer<typeof ReviewOutcome>;

export const OUTCOMES = ["activated", "rejected", "stopped", "failed"] as const;

const sum = (schema: z.ZodDefault<z.ZodNumber>) =>
  new ReducedValue(schema, { inputSchema: z.number(), reducer: (total: number, add: number) => total + add });
const append = <T extends z.ZodType>(item: T) =>
  new ReducedValue(
    z.array(item).default(() => []),
    {
      inputSchema: z.array(item),
      reducer: (list: z.output<T>[], more: z.output<T>[]) => [...list, ...more],
    },
  );

export const DesignerState = new StateSchema({
  designId: z.string(),
  workspaceId: z.string(),
  goal: z.string(),
  /** the API key that asked; the draft's author (who therefore cannot approve it) */
  createdBy: z.string(),
  /** loaded once per draft round: catalog, policies, live journeys, memory, customer sample */
  context: z.record(z.string(), z.unknown()).nullable().default(null),
  messages: MessagesValue,
  clarifications: append(Clarification),
  /** the question waiting for the CX lead */
  question: z.string().nullable().default(null),
  /** the last submitted draft as the model wrote it */
  draft: z.unknown().nullable().default(null),
  explanation: z.array(z.string()).default(() => []),
  /** the draft after the schema and validator accepted it (defaults applied) */
  journey: z.unknown().nullable().default(null),
  issues: z.array(Issue).default(() => []),
  /** validator rounds that found errors since the last fresh draft request */
  repairRounds: z.number().int().default(0),
  /** model turns that only read (tools) since the last answer */
  toolRounds: z.number().int().default(0),
  lint: z.array(Issue.extend({ severity: z.literal("warning") })).default(() => []),
  conflicts: z.array(z.record(z.string(), z.unknown())).default(() => []),
  simulation: SimulationReport.nullable().default(null),
  submission: Submission.nullable().default(null),
  review: ReviewOutcome.nullable().default(null),
  reviewNotes: append(z.string()),
  /** 1 for the first draft sent to review, +1 per revision after a reviewer's note */
  revision: z.number().int().default(0),
  outcome: z.enum(OUTCOMES).nullable().default(null),
  error: z.string().nullable().default(null),
  llmCalls: sum(z.number().int().default(0)),
  tokens: sum(z.number().int().default(0)),
});

export type DesignerStateValue = typeof DesignerState.State;
export type DesignerUpdate = typeof DesignerState.Update;
