import type { WorkspaceCatalog } from "../journeys/format/catalog.ts";
import { durationMs } from "../journeys/format/duration.ts";
import type { JourneyNode } from "../journeys/format/schema.ts";
import type { PolicyConfig } from "./config.ts";
import type { Visit } from "./lint-paths.ts";
import { DEFAULT_EVENT_HOUR_WEIGHTS, quietShare } from "./lint-paths.ts";
import type { Step, StepsOf, Warnings } from "./lint-steps.ts";
import { describeOffset } from "./lint-steps.ts";
import { minuteInWindow, quietWindowFor } from "./rules/quiet-hours.ts";
import { channelLabel } from "./rules/verdict.ts";

/** Lint checks that depend on when customers reach a step: quiet hours and frequency caps. */
// ─── quiet hours ─────────────────────────────────────────────────────────────────────────────────
export function checkQuietHours(
  paths: readonly Visit[][],
  stepsOf: StepsOf,
  config: PolicyConfig,
  catalog: WorkspaceCatalog | undefined,
  warnings: Warnings,
) {
  const weights = config.lint.event_hour_weights ?? DEFAULT_EVENT_HOUR_WEIGHTS;
  const worst = new Map<
    string,
    { share: number; visit: Visit; step: Step; window: { start: string; end: string; action: string } }
  >();
  for (const path of paths) {
    for (const visit of path) {
      for (const step of stepsOf(visit)) {
        const window = quietWindowFor(step.channel, config);
        if (!window) continue;
        const share = quietShare(visit.anchor, (minute) => minuteInWindow(minute, window), weights);
        if (share === null) continue;
        const previous = worst.get(step.path);
        if (!previous || share > previous.share) worst.set(step.path, { share, visit, step, window });
      }
    }
  }
  for (const { share, visit, step, window } of worst.values()) {
    if (share < config.lint.quiet_hours_share) continue;
    const wait = visit.lastWait;
    const waitField = wait ? waitFieldOf(wait.node) : undefined;
    const at = wait && waitField ? `$.nodes[${wait.index}].${waitField}` : step.path;
    const timing =
      visit.anchor.kind === "clock"
        ? `it runs at ${clockText(visit.anchor.minuteOfDay + Math.round(visit.anchor.sinceMs / 60_000))} local time`
        : `it runs ${describeOffset(visit.anchor.kind === "event" ? visit.anchor.sinceMs : 0)} after the customer's event, estimated against typical local event hours`;
    const outcome = window.action === "deny" ? "denied" : `held until ${window.end}`;
    warnings.add(
      at,
      "quiet_hours_landing",
      `${channelLabel(step.channel)} ${step.name} lands inside quiet hours ${window.start}–${window.end} for about ${Math.round(share * 100)}% of customers (${timing}); those messages will be ${outcome}.${wait ? ` Consider changing wait "${wait.node.id}", e.g. a wait until a daytime hour.` : ""}`,
    );
  }
  const quietChannels = new Set(
    paths
      .flatMap((path) => path.flatMap((visit) => stepsOf(visit)))
      .filter((step) => quietWindowFor(step.channel, config))
      .map((step) => step.channel),
  );
  if (catalog && quietChannels.size > 0 && !("timezone" in catalog.traits)) {
    const outcome =
      config.quiet_hours.unknown_timezone.action === "review"
        ? "wait for a person"
        : "be held until it is daytime in every assumed zone";
    warnings.add(
      "$",
      "timezone_unknown",
      `The workspace has no timezone trait, so quiet hours cannot be checked per customer: every ${[...quietChannels].join("/")} message of this journey will ${outcome}.`,
    );
  }
}

function waitFieldOf(node: JourneyNode): string | undefined {
  if (node.type === "wait") return node.duration ? "duration" : node.until_time ? "until_time" : "until";
  if (node.type === "wait_for_event") return "timeout";
  return undefined;
}

function clockText(minutes: number): string {
  const minute = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

// ─── frequency caps ──────────────────────────────────────────────────────────────────────────────
export function checkFrequency(
  paths: readonly Visit[][],
  stepsOf: StepsOf,
  config: PolicyConfig,
  warnings: Warnings,
) {
  const caps = config.frequency_cap;
  const limits: Array<{ channels: readonly string[]; windowMs: number; max: number; text: string }> = [];
  const add = (
    channels: readonly string[],
    perDay: number | undefined,
    rolling: ReadonlyArray<{ window: string; max: number }>,
    scope: string,
  ) => {
    if (perDay !== undefined)
      limits.push({ channels, windowMs: 86_400_000, max: perDay, text: `${perDay} per local day ${scope}` });
    for (const window of rolling)
      limits.push({
        channels,
        windowMs: durationMs(window.window),
        max: window.max,
        text: `${window.max} per ${window.window} ${scope}`,
      });
  };
  add(caps.channels, caps.per_local_day, caps.rolling, `across ${caps.channels.join(", ")}`);
  for (const [channel, own] of Object.entries(caps.per_channel))
    if (own) add([channel], own.per_local_day, own.rolling, `on ${channel}`);
  if (limits.length === 0) return;
  for (const path of paths) {
    const sends = path.flatMap((visit) =>
      stepsOf(visit)
        .filter((step) => step.kind === "send" && step.node.type === "send")
        .filter((step) => !(step.category && caps.exempt_categories.includes(step.category)))
        .map((step) => ({ step, visit })),
    );
    for (const limit of limits) {
      const counted = sends.filter(({ step }) => limit.channels.includes(step.channel));
      for (const [position, current] of counted.entries()) {
        // earlier sends on this path that are certainly within the window of this one
        const within = counted
          .slice(0, position + 1)
          .filter(({ visit }) => current.visit.hiMs - visit.loMs < limit.windowMs);
        if (within.length <= limit.max) continue;
        warnings.add(
          current.step.path,
          "frequency_cap_path",
          `${channelLabel(current.step.channel)} ${current.step.name} is message ${within.length} within ${describeOffset(limit.windowMs)} on one path (${within.map(({ step }) => `"${step.node.id}"`).join(", ")}); the frequency cap of ${limit.text} will deny it even for customers who got nothing else.`,
        );
      }
    }
  }
}
