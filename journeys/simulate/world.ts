import type { ActionOutcome, ActionProposal, Decide } from "../../policies/types.ts";
import type { Condition } from "../format/condition.ts";
import type { EventRecord } from "../format/evaluate.ts";
import { evaluateCondition } from "../format/evaluate.ts";
import type { CompiledJourney } from "../runtime/compiled.ts";
import type { DataTools, ToolCall, ToolResult } from "../runtime/data-tools.ts";
import type { ProfileChange, StepEnvironment } from "../runtime/environment.ts";
import { advance, applyProfileChange } from "../runtime/executor.ts";
import type { EntryFacts } from "../runtime/matching.ts";
import {
  applyEventToInstance,
  audienceAllows,
  mayStillConvert,
  newInstance,
  reentryBlocks,
  triggerFor,
} from "../runtime/matching.ts";
import type { NbaChoice, NbaRequest, NextBestAction } from "../runtime/nba.ts";
import { RECENT_EVENT_DAYS, RECENT_EVENT_LIMIT } from "../runtime/nba.ts";
import type { TemplateRecord } from "../runtime/render.ts";
import { entryScope } from "../runtime/scope.ts";
import type {
  CounterMetric,
  CustomerSnapshot,
  InstanceState,
  LogEntry,
  RuntimeEvent,
  TriggerRecord,
} from "../runtime/types.ts";
import { eventRecordOf, isOpen } from "../runtime/types.ts";
import { MemoryGateway } from "./memory-gateway.ts";

/**
 * One customer's isolated world under a virtual clock: the simulator's StepEnvironment. Events and
 * due instances are processed in time order (an event and a timer at the same instant: the event
 * first); the journey runs through the same executor and matching rules as the Postgres runtime.
 */

export interface SimulatedSegment {
  id?: string | undefined;
  name: string;
  condition: Condition;
}

export interface WorldOptions {
  compiled: CompiledJourney;
  customer: CustomerSnapshot;
  decide: Decide;
  workspaceTimezone: string;
  templates: ReadonlyMap<string, TemplateRecord>;
  dataTools: DataTools;
  nba: NextBestAction;
  segments: readonly SimulatedSegment[];
  maxSteps?: number | undefined;
  /** events the customer performed before the simulation starts (conditions may look back) */
  priorHistory?: readonly EventRecord[] | undefined;
}

export class SimulationLimitError extends Error {
  readonly code = "simulation_limit";
}

const MAX_ITERATIONS = 100_000;

export class SimulationWorld implements StepEnvironment {
  clock: Date;
  readonly customerState: CustomerSnapshot;
  /** the customer's events so far (history for `performed` conditions) */
  readonly events: EventRecord[];
  readonly instances: InstanceState[] = [];
  readonly steps: LogEntry[] = [];
  readonly counters = new Map<string, number>();
  readonly gateway: MemoryGateway;
  private readonly memberships = new Set<string>();
  private readonly profileChanges: RuntimeEvent[] = [];
  private nextInstanceId = 1;
  private nextMessage = 1;

  constructor(
    private readonly options: WorldOptions,
    start: Date,
  ) {
    this.clock = start;
    this.customerState = {
      ...options.customer,
      traits: { ...options.customer.traits },
      consent: { ...options.customer.consent },
    };
    this.events = [...(options.priorHistory ?? [])];
    this.gateway = new MemoryGateway(options.decide, () => [...this.memberships]);
    // Memberships the customer already has at the start do not count as entering a segment.
    for (const segment of options.segments) {
      if (evaluateCondition(segment.condition, this.segmentScope())) this.memberships.add(segment.name);
    }
  }

  // ─── StepEnvironment ──────────────────────────────────────────────────────────────────────────
  now(): Date {
    return this.clock;
  }
  workspaceTimezone(): string {
    return this.options.workspaceTimezone;
  }
  customer(): CustomerSnapshot {
    return this.customerState;
  }
  async history(): Promise<readonly EventRecord[]> {
    return this.events.filter((event) => event.timestamp.getTime() <= this.clock.getTime());
  }
  async template(_workspaceId: string, templateId: string): Promise<TemplateRecord | undefined> {
    return this.options.templates.get(templateId);
  }
  async propose(proposal: ActionProposal): Promise<ActionOutcome> {
    return this.gateway.propose(proposal, this.customerState, this.events, this.clock);
  }
  async updateProfile(instance: InstanceState, change: ProfileChange): Promise<void> {
    const before = this.customerState.traits;
    const after = applyProfileChange(before, change);
    this.customerState.traits = after;
    this.profileChanges.push({
      profileId: this.customerState.profileId,
      name: null,
      type: "identify",
      properties: {},
      timestamp: this.clock,
      traitsBefore: before,
      traitsAfter: after,
      sourceJourneyId: instance.journeyId,
      entryKey: `upd:${instance.id}:${instance.nodeId}:${instance.book.visits[instance.nodeId] ?? 1}`,
    });
  }
  async callTool(call: ToolCall): Promise<ToolResult> {
    return this.options.dataTools.call(call);
  }
  async chooseAction(request: NbaRequest): Promise<NbaChoice> {
    const since = this.clock.getTime() - RECENT_EVENT_DAYS * 86_400_000;
    const recentEvents = this.events
      .filter(
        (event) => event.timestamp.getTime() >= since && event.timestamp.getTime() <= this.clock.getTime(),
      )
      .slice(-RECENT_EVENT_LIMIT);
    return this.options.nba.choose({ ...request, recentEvents });
  }
  /** the segments the customer is in now (names), for the in-memory data tools */
  segmentNames(): string[] {
    return [...this.memberships];
  }
  record(entry: LogEntry): void {
    this.steps.push(entry);
  }
  count(_versionId: string, nodeId: string, metric: CounterMetric): void {
    const key = `${nodeId}\u0000${metric}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }

  // ─── the event loop ───────────────────────────────────────────────────────────────────────────
  async run(events: readonly RuntimeEvent[], end: Date): Promise<void> {
    let index = 0;
    for (let iteration = 0; ; iteration++) {
      if (iteration > MAX_ITERATIONS) {
        throw new SimulationLimitError(`the simulation did not settle after ${MAX_ITERATIONS} steps`);
      }
      const nextEvent = events[index]?.timestamp.getTime();
      let nextDue: number | undefined;
      for (const instance of this.instances) {
        if (instance.status !== "running" || !instance.dueAt) continue;
        const due = instance.dueAt.getTime();
        if (nextDue === undefined || due < nextDue) nextDue = due;
      }
      const candidates = [nextEvent, nextDue].filter((time): time is number => time !== undefined);
      if (candidates.length === 0) return;
      const next = Math.min(...candidates);
      if (next > end.getTime()) return;
      if (next > this.clock.getTime()) this.clock = new Date(next);
      if (nextEvent !== undefined && nextEvent <= next) {
        await this.handleEvent(events[index++]!);
      } else {
        const due = this.instances
          .filter(
            (instance) => instance.status === "running" && instance.dueAt && instance.dueAt <= this.clock,
          )
          .sort((a, b) => a.dueAt!.getTime() - b.dueAt!.getTime() || a.id - b.id);
        for (const instance of due) await this.step(instance);
      }
      await this.drainProfileChanges();
    }
  }

  private async step(instance: InstanceState) {
    await advance(instance, this.options.compiled, this, { maxSteps: this.options.maxSteps });
  }

  private segmentScope() {
    const trigger: EventRecord = { name: "segment", properties: {}, timestamp: this.clock };
    return entryScope(this.customerState, this.clock, trigger, { history: this.events });
  }

  /** Segments newly entered after a change (memberships left are dropped). */
  private segmentsEntered(): string[] {
    const entered: string[] = [];
    for (const segment of this.options.segments) {
      const member = evaluateCondition(segment.condition, this.segmentScope());
      if (member && !this.memberships.has(segment.name)) {
        this.memberships.add(segment.name);
        entered.push(segment.name);
        if (segment.id) entered.push(segment.id);
      } else if (!member) {
        this.memberships.delete(segment.name);
      }
    }
    return entered;
  }

  async handleEvent(event: RuntimeEvent): Promise<void> {
    const messageId = event.messageId ?? `sim-${this.nextMessage++}`;
    const current: RuntimeEvent = { ...event, messageId, entryKey: event.entryKey ?? `msg:${messageId}` };
    if (current.type === "identify" && current.traitsAfter) {
      const before = this.customerState.traits;
      const after = { ...before, ...current.traitsAfter };
      current.traitsBefore = before;
      current.traitsAfter = after;
      this.customerState.traits = after;
    } else if (current.name !== null) {
      this.events.push(eventRecordOf(current));
    }
    const compiled = this.options.compiled;
    for (const instance of this.instances) {
      if (!isOpen(instance) && !mayStillConvert(compiled, instance, this.clock)) continue;
      const effect = applyEventToInstance(
        compiled,
        instance,
        current,
        this.customerState,
        this.clock,
        this,
        this.events,
      );
      if (effect.resumed) await this.step(instance);
    }
    const segments = this.options.segments.length > 0 ? this.segmentsEntered() : [];
    await this.enter(current, segments);
  }

  private entryFacts(): EntryFacts {
    const mine = this.instances.filter((instance) => instance.journeyId === this.options.compiled.journeyId);
    let lastEnteredAt: Date | null = null;
    for (const instance of mine) {
      if (!lastEnteredAt || instance.enteredAt > lastEnteredAt) lastEnteredAt = instance.enteredAt;
    }
    return { everEntered: mine.length > 0, open: mine.some(isOpen), lastEnteredAt };
  }

  private async enter(event: RuntimeEvent, segmentsEntered: readonly string[]) {
    const compiled = this.options.compiled;
    const trigger = compiled.journey.trigger;
    let record: TriggerRecord | null = null;
    if (trigger.type === "segment_entered") {
      if (segmentsEntered.includes(trigger.segment)) {
        record = {
          name: "segment_entered",
          properties: { segment: trigger.segment },
          timestamp: this.clock,
          messageId: event.messageId,
        };
      }
    } else {
      record = triggerFor(compiled, event, this.customerState, this.clock, this.events);
    }
    if (!record) return;
    await this.tryEnter(record, event.entryKey ?? null);
  }

  /** Audience and re-entry checks, then a new instance that runs at once (api and schedule entries too). */
  async tryEnter(record: TriggerRecord, entryKey: string | null): Promise<InstanceState | null> {
    const compiled = this.options.compiled;
    if (entryKey && this.instances.some((instance) => instance.entryKey === entryKey)) return null;
    if (!audienceAllows(compiled.journey, this.customerState, record, this.clock, this.events)) return null;
    if (reentryBlocks(compiled.journey, this.entryFacts(), this.clock)) return null;
    const instance = newInstance({
      id: this.nextInstanceId++,
      compiled,
      profileId: this.customerState.profileId,
      trigger: record,
      entryKey,
      now: this.clock,
      sink: this,
    });
    this.instances.push(instance);
    await this.step(instance);
    return instance;
  }

  private async drainProfileChanges() {
    while (this.profileChanges.length > 0) {
      const change = this.profileChanges.shift()!;
      const segments = this.options.segments.length > 0 ? this.segmentsEntered() : [];
      await this.enter(change, segments);
    }
  }
}
