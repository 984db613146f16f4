import type { Journey as JourneyType } from "../../../journeys/format/schema.ts";
import { Journey } from "../../../journeys/format/schema.ts";

/** A stored or drafted definition, parsed by the journey format itself (never cast). */
export function parseJourney(
  definition: unknown,
): { ok: true; journey: JourneyType } | { ok: false; problem: string } {
  const parsed = Journey.safeParse(definition);
  if (parsed.success) return { ok: true, journey: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    problem: issue ? `${issue.path.join(".") || "definition"}: ${issue.message}` : "not a journey",
  };
}
