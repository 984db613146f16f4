import type { NextBestAction } from "../../journeys/runtime/nba.ts";
import type { TextSignals } from "../../predict/text-signals.ts";
import type { ModelSettings } from "../model.ts";
import { createDesignerModel, modelName } from "../model.ts";
import { OFFLINE_MODEL } from "../offline/planner.ts";
import type { Deadline } from "./model-chooser.ts";
import { ModelNba } from "./model-chooser.ts";
import { createScorerNba } from "./scorer.ts";

/**
 * The runtime's next-best-action step, chosen once at start-up (server/services.ts injects it):
 * with a real model configured, the model-backed chooser (falling back to the scorer); without one
 * — the default — or with OVERTURE_NBA_MODEL=off, the deterministic scorer. The offline planner
 * drafts journeys; it does not choose actions, so it never stands in here.
 */
export interface NbaSettings extends ModelSettings {
  /** "off": always the scorer; a model name: that model for this step (default: OVERTURE_MODEL) */
  OVERTURE_NBA_MODEL?: string | undefined;
  /** the whole step's deadline, model call and retries included (default 10 s) */
  OVERTURE_NBA_TIMEOUT_MS?: number | undefined;
}

export const NBA_DEFAULT_TIMEOUT_MS = 10_000;

export function createNextBestAction(
  settings: NbaSettings,
  options: { textSignals?: TextSignals; deadline?: (ms: number) => Deadline; maxConcurrent?: number } = {},
): NextBestAction {
  if (settings.OVERTURE_NBA_MODEL === "off" || modelName(settings) === OFFLINE_MODEL) {
    return createScorerNba(options.textSignals);
  }
  const timeoutMs = settings.OVERTURE_NBA_TIMEOUT_MS ?? NBA_DEFAULT_TIMEOUT_MS;
  const model = createDesignerModel(
    {
      ...settings,
      OVERTURE_MODEL: settings.OVERTURE_NBA_MODEL ?? settings.OVERTURE_MODEL,
      OVERTURE_MODEL_TIMEOUT_MS: timeoutMs,
      // One retry at most: the deadline covers all attempts, and the scorer is a fine answer.
      OVERTURE_MODEL_MAX_ATTEMPTS: Math.min(2, settings.OVERTURE_MODEL_MAX_ATTEMPTS ?? 2),
    },
    { retry: { baseDelayMs: 200, maxDelayMs: 1_000 } },
  );
  return new ModelNba({
    model,
    timeoutMs,
    textSignals: options.textSignals,
    deadline: options.deadline,
    maxConcurrent: options.maxConcurrent,
  });
}
