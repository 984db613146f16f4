import type { Decide, PolicyVerdict } from "../../policies/types.ts";
import { addDuration, formatDuration } from "../format/duration.ts";
import type { MessageContent } from "../format/schema.ts";
import { Journey } from "../format/schema.ts";
import { schemaIssues, type ValidationIssue } from "../format/validate.ts";
import { isValidTimeZone } from "../format/zoned-time.ts";
import type { CompiledJourney } from "../runtime/compiled.ts";
import { compileJourney } from "../runtime/compiled.ts";
import type { DataTools } from "../runtime/data-tools.ts";
import type { NextBestAction } from "../runtime/nba.ts";
import { firstEligibleNba } from "../runtime/nba.ts";
import type { TemplateRecord } from "../runtime/render.ts";
import type { RuntimeEvent } from "../runtime/types.ts";
import { JOURNEY_COUNTER_NODE } from "../runtime/types.ts";
import { type ExpectationReport, matchExpectations } from "./expectations.ts";
import { allowAll, type MemoryAction } from "./memory-gateway.ts";
import { memoryDataTools } from "./memory-tools.ts";
import type { ProfileOverride, ScenarioInput } from "./scenario.ts";
import {
  DEFAULT_CUSTOMER_FACING,
  DEFAULT_START,
  resolveRelativeDates,
  Scenario,
  SimulationCatalog,
  startInstant,
} from "./scenario.ts";
import { type SimulatedSegment, SimulationWorld } from "./world.ts";

/**
 * `simulate(journey, scenario, options)`: one customer, one journey, a virtual clock, an isolated
 * in-memory store, the same executor as production. Returns every action with its time (absolute
 * and as an offset from the start), offer, node, status and verdicts, plus the step log, and —
 * when the scenario has `expect` — whether the expectation holds.
 */

export interface SimulationOptions {
  /** the workspace's policies (e.g. `createDecide(config)`); default: allow everything */
  decide?: Decide | undefined;
  /** local date-time of the start in the customer's zone (default: the catalog's, else 2026-03-02T10:00:00) */
  start?: string | undefined;
  /** zone for customers without a valid traits.timezone, and the workspace zone (default: the catalog's, else UTC) */
  timezone?: string | undefined;
  /** the profile a scenario's `profile` is merged over (default: the catalog's profile_default) */
  profileDefault?: ProfileOverride | undefined;
  /** an eval catalog (../shared/evals/catalog.json shape): start, timezone_default, profile_default, customer_facing */
  catalog?: unknown;
  templates?: readonly TemplateRecord[] | undefined;
  dataTools?: DataTools | undefined;
  nba?: NextBestAction | undefined;
  segments?: readonly SimulatedSegment[] | undefined;
  maxSteps?: number | undefined;
}

export interface SimulatedAction {
  id: number;
  kind: string;
  channel: string;
  /** sent (allowed, would be delivered), denied, held (still deferred at the horizon), review */
  status: "sent" | "denied" | "held" | "review";
  /** when it was sent, or last decided when not sent */
  at: Date;
  offset: string;
  proposedAt: Date;
  proposedOffset: string;
  nodeId: string | undefined;
  offer?: { kind: string; value?: number | undefined } | undefined;
  content?: MessageContent | undefined;
  to?: string | undefined;
  idempotencyKey: string;
  verdicts: Array<PolicyVerdict & { round: number }>;
}

export interface SimulatedStep {
  at: Date;
  offset: string;
  instanceId: number;
  nodeId: string | null;
  kind: string;
  detail?: Record<string, unknown> | undefined;
}

export interface SimulationResult {
  start: Date;
  end: Date;
  timezone: string;
  actions: SimulatedAction[];
  steps: SimulatedStep[];
  instances: Array<{
    id: number;
    status: string;
    nodeId: string;
    variant: string | null;
    exitReason: string | null;
    convertedAt: Date | null;
  }>;
  /** per node: entered, waiting, sent, held, skipped, review, exited, completed, converted */
  counters: Record<string, Partial<Record<string, number>>>;
  traits: Record<string, unknown>;
  expectation?: ExpectationReport | undefined;
}

export class SimulationInputError extends Error {
  readonly code = "simulation_input";
  constructor(
    message: string,
    readonly issues: ValidationIssue[],
  ) {
    super(message);
  }
}

/** Parses and compiles a journey once, for callers that simulate it many times. */
export function prepareJourney(input: unknown): CompiledJourney {
  const parsed = Journey.safeParse(input);
  if (!parsed.success) {
    throw new SimulationInputError(
      "the journey does not match the journey schema",
      schemaIssues(parsed.error),
    );
  }
  return compileJourney(parsed.data, {
    versionId: "simulation",
    journeyId: "simulation",
    workspaceId: "simulation",
  });
}

function isCompiled(value: unknown): value is CompiledJourney {
  return typeof value === "object" && value !== null && "byId" in value && "journey" in value;
}

const catalogCache = new WeakMap<object, SimulationCatalog>();
export function catalogOf(input: unknown): SimulationCatalog {
  if (input === undefined || input === null) return {};
  if (typeof input === "object") {
    const cached = catalogCache.get(input);
    if (cached) return cached;
  }
  const parsed = SimulationCatalog.safeParse(input);
  if (!parsed.success) {
    throw new SimulationInputError("the catalog is not an eval catalog", schemaIssues(parsed.error));
  }
  if (typeof input === "object") catalogCache.set(input, parsed.data);
  return parsed.data;
}

export interface CustomerInput {
  profileId?: number;
  userId?: string | null;
  traits: Record<string, unknown>;
  consent: Record<string, boolean>;
}

/** Shared set-up of a world (scenario and population runs). */
export function createWorld(
  compiled: CompiledJourney,
  customer: CustomerInput,
  start: Date,
  options: SimulationOptions,
  workspaceTimezone: string,
  priorHistory?: RuntimeEvent[],
): SimulationWorld {
  const templates = new Map((options.templates ?? []).map((template) => [template.id, template]));
  let world: SimulationWorld | undefined;
  const dataTools =
    options.dataTools ??
    memoryDataTools(
      () => world!.customerState,
      () => world!.events,
      () => world!.clock,
      () => world!.segmentNames(),
    );
  world = new SimulationWorld(
    {
      compiled,
      customer: {
        profileId: customer.profileId ?? 1,
        userId: customer.userId ?? "simulated-customer",
        traits: customer.traits,
        consent: customer.consent,
      },
      decide: options.decide ?? allowAll,
      workspaceTimezone,
      templates,
      dataTools,
      nba: options.nba ?? firstEligibleNba,
      segments: options.segments ?? [],
      maxSteps: options.maxSteps,
      priorHistory: priorHistory?.map((event) => ({
        name: event.name ?? event.type,
        properties: event.properties,
        timestamp: event.timestamp,
      })),
    },
    start,
  );
  return world;
}

function actionView(action: MemoryAction, start: Date): SimulatedAction {
  const last = action.rounds[action.rounds.length - 1]!;
  const at = action.queuedAt ?? last.at;
  const payload = action.proposal.payload;
  const offer = payload.offer;
  return {
    id: action.id,
    kind: action.proposal.kind,
    channel: action.proposal.channel,
    status:
      action.status === "queued"
        ? "sent"
        : action.status === "deferred"
          ? "held"
          : action.status === "review"
            ? "review"
            : "denied",
    at,
    offset: formatDuration(at.getTime() - start.getTime()),
    proposedAt: action.proposedAt,
    proposedOffset: formatDuration(action.proposedAt.getTime() - start.getTime()),
    nodeId: action.proposal.nodeId,
    ...(offer ? { offer: { kind: offer.kind, ...("value" in offer ? { value: offer.value } : {}) } } : {}),
    content: payload.content,
    to: payload.to,
    idempotencyKey: action.proposal.idempotencyKey,
    verdicts: action.rounds.flatMap((round) =>
      round.decision.verdicts.map((verdict) => ({ ...verdict, round: round.round })),
    ),
  };
}

/** Collects a finished world into the result shape. */
export function resultOf(world: SimulationWorld, start: Date, end: Date, timezone: string): SimulationResult {
  const counters: SimulationResult["counters"] = {};
  for (const [key, value] of world.counters) {
    const [nodeId, metric] = key.split("\u0000") as [string, string];
    counters[nodeId] ??= {};
    counters[nodeId]![metric] = value;
  }
  return {
    start,
    end,
    timezone,
    actions: world.gateway.actions.map((action) => actionView(action, start)),
    steps: world.steps.map((entry) => ({
      at: entry.at,
      offset: formatDuration(entry.at.getTime() - start.getTime()),
      instanceId: entry.instance.id,
      nodeId: entry.nodeId,
      kind: entry.kind,
      detail: entry.detail,
    })),
    instances: world.instances.map((instance) => ({
      id: instance.id,
      status: instance.status,
      nodeId: instance.nodeId,
      variant: instance.variant,
      exitReason: instance.exitReason,
      convertedAt: instance.convertedAt,
    })),
    counters,
    traits: world.customerState.traits,
  };
}

/** The profile a scenario runs with: its `profile` merged over the default profile. */
export function scenarioProfile(
  scenario: Pick<Scenario, "profile">,
  profileDefault: ProfileOverride | undefined,
): { traits: Record<string, unknown>; consent: Record<string, boolean> } {
  return {
    traits: { ...(profileDefault?.traits ?? {}), ...(scenario.profile?.traits ?? {}) },
    consent: { ...(profileDefault?.consent ?? {}), ...(scenario.profile?.consent ?? {}) },
  };
}

/** Scenario events as runtime events: offsets from the start, `"+P14D"` values resolved. */
export function scenarioEvents(scenario: Scenario, start: Date, profileId = 1): RuntimeEvent[] {
  return scenario.events
    .map((event, index) => {
      const timestamp = addDuration(start, event.at);
      if (event.identify !== undefined) {
        return {
          order: index,
          event: {
            profileId,
            name: null,
            type: "identify",
            properties: {},
            timestamp,
            traitsAfter: resolveRelativeDates(event.identify, start) as Record<string, unknown>,
          } satisfies RuntimeEvent,
        };
      }
      return {
        order: index,
        event: {
          profileId,
          name: event.track!,
          type: "track",
          properties: resolveRelativeDates(event.properties ?? {}, start) as Record<string, unknown>,
          timestamp,
        } satisfies RuntimeEvent,
      };
    })
    .sort((a, b) => a.event.timestamp.getTime() - b.event.timestamp.getTime() || a.order - b.order)
    .map((entry) => entry.event);
}

export async function simulate(
  journey: unknown,
  scenarioInput: ScenarioInput | Scenario | unknown,
  options: SimulationOptions = {},
): Promise<SimulationResult> {
  const compiled = isCompiled(journey) ? journey : prepareJourney(journey);
  const parsed = Scenario.safeParse(scenarioInput);
  if (!parsed.success) {
    throw new SimulationInputError(
      "the scenario does not match the scenario format",
      schemaIssues(parsed.error),
    );
  }
  const scenario = parsed.data;
  const catalog = catalogOf(options.catalog);
  const profile = scenarioProfile(scenario, options.profileDefault ?? catalog.profile_default);
  const fallbackZone = options.timezone ?? catalog.timezone_default ?? "UTC";
  const workspaceZone = isValidTimeZone(fallbackZone) ? fallbackZone : "UTC";
  const zone = isValidTimeZone(profile.traits.timezone) ? profile.traits.timezone : workspaceZone;
  const start = startInstant(options.start ?? catalog.start ?? DEFAULT_START, zone);
  const end = addDuration(start, scenario.horizon);
  const world = createWorld(compiled, profile, start, options, workspaceZone);
  await world.run(scenarioEvents(scenario, start), end);
  const result = resultOf(world, start, end, zone);
  if (scenario.expect !== undefined) {
    result.expectation = matchExpectations(
      scenario.expect,
      result.actions,
      start,
      catalog.customer_facing ?? DEFAULT_CUSTOMER_FACING,
    );
  }
  return result;
}

/** Journey-level counters of a result (entered, converted, exited, completed). */
export function journeyCounters(result: SimulationResult): Partial<Record<string, number>> {
  return result.counters[JOURNEY_COUNTER_NODE] ?? {};
}
