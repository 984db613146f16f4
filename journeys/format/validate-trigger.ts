import { CronExpressionParser } from "cron-parser";
import type { Journey } from "./schema.ts";
import type { CheckContext } from "./validate-conditions.ts";
import { checkCondition, checkEventName } from "./validate-conditions.ts";
import { suggestion } from "./validation-issues.ts";
import { isValidTimeZone } from "./zoned-time.ts";

/** The trigger and the envelope around the graph: audience, exit_on, goal. */
export function checkTriggerAndEnvelope(context: CheckContext, journey: Journey) {
  const { issues, catalog } = context;
  const trigger = journey.trigger;
  switch (trigger.type) {
    case "event":
      checkEventName(context, trigger.event, "$.trigger.event");
      if (trigger.condition) {
        checkCondition(context, trigger.condition, "$.trigger.condition", "trigger", trigger.event);
      }
      for (const [index, match] of (trigger.also ?? []).entries()) {
        checkEventName(context, match.event, `$.trigger.also[${index}].event`);
        if (match.condition) {
          checkCondition(
            context,
            match.condition,
            `$.trigger.also[${index}].condition`,
            "trigger",
            match.event,
          );
        }
      }
      break;
    case "trait_changed":
      if (catalog && !(trigger.trait in catalog.traits)) {
        issues.error(
          "$.trigger.trait",
          "unknown_trait",
          `trait "${trigger.trait}" is not in the workspace's trait catalog.${suggestion(trigger.trait, Object.keys(catalog.traits))}`,
        );
      }
      if (trigger.condition) checkCondition(context, trigger.condition, "$.trigger.condition", "audience");
      break;
    case "segment_entered":
      if (catalog && !catalog.segments.includes(trigger.segment)) {
        issues.error(
          "$.trigger.segment",
          "unknown_segment",
          `segment "${trigger.segment}" does not exist.${suggestion(trigger.segment, catalog.segments)}`,
        );
      }
      break;
    case "schedule":
      checkSchedule(context, trigger.cron, trigger.timezone);
      break;
    case "api":
      break;
  }
  if (journey.audience) checkCondition(context, journey.audience, "$.audience", "audience");
  for (const [index, match] of journey.exit_on.entries()) {
    checkEventName(context, match.event, `$.exit_on[${index}].event`);
    if (match.condition) {
      checkCondition(context, match.condition, `$.exit_on[${index}].condition`, "event", match.event);
    }
  }
  if (journey.goal) {
    checkEventName(context, journey.goal.event, "$.goal.event");
    if (journey.goal.condition) {
      checkCondition(context, journey.goal.condition, "$.goal.condition", "event", journey.goal.event);
    }
  }
}

function checkSchedule({ issues }: CheckContext, cron: string, timezone: string | undefined) {
  try {
    // cron-parser also takes a leading seconds field; the format promises five fields, and a
    // six-field expression would silently mean something else ("0 0 9 * * *" = 09:00:00 daily).
    const fields = cron.trim().split(/\s+/).length;
    if (fields !== 5) throw new Error(`it has ${fields} fields: minute hour day-of-month month day-of-week`);
    CronExpressionParser.parse(cron, { tz: timezone ?? "UTC" });
  } catch (error) {
    issues.error(
      "$.trigger.cron",
      "bad_cron",
      `cron "${cron}" is not a valid five-field cron expression (${(error as Error).message}).`,
    );
  }
  if (timezone && !isValidTimeZone(timezone)) {
    issues.error(
      "$.trigger.timezone",
      "bad_timezone",
      `"${timezone}" is not an IANA time zone such as Europe/Berlin.`,
    );
  }
}
