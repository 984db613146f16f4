import { toJSONSchema, z } from "zod";
import { Journey } from "../../journeys/format/schema.ts";

/**
 * The two ways a drafting turn ends, as tools the model calls (structured output through tool
 * calling, so one model call can either read more, ask, or answer): `submit_journey` carries the
 * draft, whose `journey` is then parsed by the journey zod schema and the validator, never trusted;
 * `ask_clarification` carries one question for the CX lead.
 */

export const SUBMIT_JOURNEY = "submit_journey";
export const ASK_CLARIFICATION = "ask_clarification";

export const SubmitJourneyArgs = z.object({
  /** checked by the journey schema and validator after the call, with issues fed back */
  journey: z.unknown(),
  explanation: z.array(z.string()).default([]),
});
export type SubmitJourneyArgs = z.output<typeof SubmitJourneyArgs>;

export const AskClarificationArgs = z.object({
  question: z.string().min(1).max(2000),
  missing: z.array(z.string()).default([]),
});
export type AskClarificationArgs = z.output<typeof AskClarificationArgs>;

/** An OpenAI-format function tool (what `bindTools` accepts besides LangChain tools). */
export interface FunctionToolSpec {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** OpenAI documents `anyOf` for function parameters; zod emits `oneOf` for discriminated unions. */
function anyOfInsteadOfOneOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(anyOfInsteadOfOneOf);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key === "oneOf" ? "anyOf" : key,
      anyOfInsteadOfOneOf(inner),
    ]),
  );
}

let journeyParameters: Record<string, unknown> | null = null;

/** The journey format's JSON Schema (input side), with its `$defs` hoisted to the parameters' root. */
function submitParameters(): Record<string, unknown> {
  if (journeyParameters) return journeyParameters;
  const {
    $defs,
    $schema: _dialect,
    ...journey
  } = toJSONSchema(Journey, {
    io: "input",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  journeyParameters = anyOfInsteadOfOneOf({
    type: "object",
    properties: {
      journey: { ...journey, description: "the journey definition in the Overture journey format" },
      explanation: {
        type: "array",
        items: { type: "string" },
        description:
          "one plain-language sentence per decision you made (trigger, waits, channels, offers, conditions)",
      },
    },
    required: ["journey", "explanation"],
    $defs,
  }) as Record<string, unknown>;
  return journeyParameters;
}

export function answerToolSpecs(): FunctionToolSpec[] {
  return [
    {
      type: "function",
      function: {
        name: SUBMIT_JOURNEY,
        description:
          "Submit the journey draft. It is validated against the workspace catalog; if it has problems you get them back with their JSONPaths and must submit a corrected journey.",
        parameters: submitParameters(),
      },
    },
    {
      type: "function",
      function: {
        name: ASK_CLARIFICATION,
        description:
          "Ask the CX lead one question when the goal cannot be turned into a journey (no trigger, no action, ambiguous event). Do not ask about details you can default sensibly.",
        parameters: {
          type: "object",
          properties: {
            question: { type: "string", description: "one question, in plain language" },
            missing: {
              type: "array",
              items: {
                type: "string",
                enum: ["trigger", "event", "action", "channel", "audience", "timing", "other"],
              },
            },
          },
          required: ["question"],
        },
      },
    },
  ];
}
