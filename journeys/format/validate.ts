import type { WorkspaceCatalog } from "./catalog.ts";
import type { Condition } from "./condition.ts";
import { Condition as ConditionSchema } from "./condition.ts";
import { Journey } from "./schema.ts";
import { checkCondition, triggerEventNames } from "./validate-conditions.ts";
import { checkGraph } from "./validate-graph.ts";
import { checkNodes } from "./validate-nodes.ts";
import { checkTriggerAndEnvelope } from "./validate-trigger.ts";
import type { ValidationIssue, ValidationResult } from "./validation-issues.ts";
import { IssueList, schemaIssues } from "./validation-issues.ts";

// The validator's public names stay importable from here: callers import this file, not its parts.
export type { ValidationIssue, ValidationResult } from "./validation-issues.ts";
export { schemaIssues, toJsonPath } from "./validation-issues.ts";

/**
 * Parses and checks a journey. Returns every problem found, each with its JSONPath and a sentence;
 * `ok` is false when any problem is an error (warnings alone do not block activation).
 */
export function validateJourney(input: unknown, catalog?: WorkspaceCatalog): ValidationResult {
  const parsed = Journey.safeParse(input);
  if (!parsed.success) return { ok: false, issues: schemaIssues(parsed.error) };
  const journey = parsed.data;
  const issues = new IssueList();
  const context = { issues, catalog, triggerEvents: triggerEventNames(journey) };
  checkGraph(issues, journey);
  checkTriggerAndEnvelope(context, journey);
  checkNodes(context, journey);
  return issues.hasErrors()
    ? { ok: false, journey, issues: issues.items }
    : { ok: true, journey, issues: issues.items };
}

/**
 * Checks a standalone condition (a segment definition, a policy suppression rule) as the audience of
 * a journey would be checked: schema, readable namespaces (traits, consent, local; no event or vars)
 * and catalog names. Paths are reported from `$`, the condition itself.
 */
export function validateCondition(
  input: unknown,
  catalog?: WorkspaceCatalog,
): { ok: true; condition: Condition; issues: ValidationIssue[] } | { ok: false; issues: ValidationIssue[] } {
  const parsed = ConditionSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: schemaIssues(parsed.error) };
  const issues = new IssueList();
  checkCondition({ issues, catalog, triggerEvents: [] }, parsed.data, "$", "audience");
  return issues.hasErrors()
    ? { ok: false, issues: issues.items }
    : { ok: true, condition: parsed.data, issues: issues.items };
}
