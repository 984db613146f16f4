import { z } from "zod";
import { isDuration } from "./duration.ts";

/**
 * Conditions: a small typed AST evaluated against a customer at one moment.
 *
 * Field paths name one value:
 *   traits.<name>              profile trait (predictive scores are traits too: traits.churn_risk)
 *   consent.<channel>          true / false / absent
 *   event.name, event.properties.<p>, event.timestamp
 *                              the event being matched (trigger, wait_for_event, exit_on, goal)
 *   trigger.name, trigger.properties.<p>, trigger.timestamp
 *                              the event that started this journey instance
 *   vars.<name>                values saved by `tool` and `agent` nodes
 *   local.hour, local.weekday  the customer's local clock (0 = Sunday)
 *   journey.variant            the split variant this instance took
 */
export const FIELD_NAMESPACES = [
  "traits",
  "consent",
  "event",
  "trigger",
  "vars",
  "local",
  "journey",
] as const;

export const COMPARISON_OPS = [
  "eq",
  "neq",
  "gt",
  "gte",
  "lt",
  "lte",
  "in",
  "not_in",
  "contains",
  "not_contains",
  "starts_with",
  "exists",
  "not_exists",
] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/**
 * Transforms derive a value from the field before comparing:
 *   lower / length         string helpers
 *   days_since / days_until  whole days between a datetime value and now
 *   sentiment              -1 (very negative) … 1 (very positive), from the text classifier
 *   frustration            0 … 1, how angry or frustrated the text sounds
 *   intent                 a label such as "complaint", "cancel", "contact_human_agent"
 */
export const TRANSFORMS = [
  "lower",
  "length",
  "days_since",
  "days_until",
  "sentiment",
  "frustration",
  "intent",
] as const;
export type Transform = (typeof TRANSFORMS)[number];

export const FieldPath = z
  .string()
  .min(1)
  .regex(/^[a-z_]+(\.[A-Za-z0-9_$-]+)+$/, "a field path looks like traits.tier or event.properties.total");

/** A literal, or a reference to another field (`{ "ref": "trigger.properties.cart_id" }`). */
export const ValueRef = z.object({ ref: FieldPath }).strict();
export const Literal = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const ConditionValue = z.union([Literal, z.array(Literal), ValueRef]);
export type ConditionValue = z.infer<typeof ConditionValue>;

export interface CompareCondition {
  field: string;
  op: ComparisonOp;
  value?: ConditionValue;
  transform?: Transform;
}

export interface PerformedCondition {
  /** event name the customer performed */
  performed: string;
  /** look back this far from now (ISO 8601); absent = all history */
  within?: string;
  /** "entry": only events since this instance entered the journey */
  since?: "entry";
  /** filters the counted events; fields are event.* */
  where?: Condition;
  /** at least this many (default 1) */
  min_count?: number;
}

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | CompareCondition
  | PerformedCondition;

export const CompareConditionSchema = z
  .object({
    field: FieldPath,
    op: z.enum(COMPARISON_OPS),
    value: ConditionValue.optional(),
    transform: z.enum(TRANSFORMS).optional(),
  })
  .strict()
  .superRefine((leaf, ctx) => {
    const needsValue = leaf.op !== "exists" && leaf.op !== "not_exists";
    if (needsValue && leaf.value === undefined) {
      ctx.addIssue({ code: "custom", path: ["value"], message: `operator "${leaf.op}" needs a value` });
    }
    if (
      (leaf.op === "in" || leaf.op === "not_in") &&
      leaf.value !== undefined &&
      !Array.isArray(leaf.value)
    ) {
      ctx.addIssue({ code: "custom", path: ["value"], message: `operator "${leaf.op}" needs a list value` });
    }
  });

export const Condition: z.ZodType<Condition> = z
  .lazy(() =>
    z.union([
      z.object({ all: z.array(Condition).min(1) }).strict(),
      z.object({ any: z.array(Condition).min(1) }).strict(),
      z.object({ not: Condition }).strict(),
      CompareConditionSchema,
      z
        .object({
          performed: z.string().min(1),
          within: z
            .string()
            .refine((text) => isDuration(text), "within must be an ISO 8601 duration such as P7D")
            .optional(),
          since: z.literal("entry").optional(),
          where: Condition.optional(),
          min_count: z.number().int().min(1).optional(),
        })
        .strict(),
    ]),
  )
  .meta({ id: "Condition", description: "all / any / not / {field, op, value} / {performed, within}" });

export function isCompare(condition: Condition): condition is CompareCondition {
  return "field" in condition;
}
export function isPerformed(condition: Condition): condition is PerformedCondition {
  return "performed" in condition;
}

/** Visits every leaf with its JSON-path suffix (for validators and history pre-loading). */
export function* walkCondition(
  condition: Condition,
  path = "",
): Generator<{ leaf: CompareCondition | PerformedCondition; path: string }> {
  if ("all" in condition) {
    for (const [index, child] of condition.all.entries())
      yield* walkCondition(child, `${path}.all[${index}]`);
  } else if ("any" in condition) {
    for (const [index, child] of condition.any.entries())
      yield* walkCondition(child, `${path}.any[${index}]`);
  } else if ("not" in condition) {
    yield* walkCondition(condition.not, `${path}.not`);
  } else {
    yield { leaf: condition, path };
    if (isPerformed(condition) && condition.where) yield* walkCondition(condition.where, `${path}.where`);
  }
}
