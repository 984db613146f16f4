import type { ActionOutcome, ActionProposal } from "../../policies/types.ts";
import type { EventRecord } from "../format/evaluate.ts";
import type { ToolCall, ToolResult } from "./data-tools.ts";
import type { NbaChoice, NbaRequest } from "./nba.ts";
import type { TemplateRecord } from "./render.ts";
import type { CustomerSnapshot, InstanceState, StepSink } from "./types.ts";

/** A profile change made by an `update_profile` node. */
export interface ProfileChange {
  set: Record<string, unknown>;
  increment: Record<string, number>;
  unset: string[];
}

/**
 * Everything the executor needs from the world. The Postgres runtime implements it over one
 * transaction (batching calls across instances); the simulator implements it in memory under a
 * virtual clock. Node semantics live only in the executor, so both run the same code.
 */
export interface StepEnvironment extends StepSink {
  now(): Date;
  /** the workspace's zone, used when a customer's zone is unknown (for until_time, logged) */
  workspaceTimezone(workspaceId: string): string;
  /** the customer as of now (loaded before stepping; update_profile keeps it current) */
  customer(profileId: number): CustomerSnapshot;
  /** the customer's events with the given names (for `performed` conditions) */
  history(
    instance: InstanceState,
    needs: ReadonlyMap<string, string | null>,
  ): Promise<readonly EventRecord[]>;
  template(workspaceId: string, templateId: string): Promise<TemplateRecord | undefined>;
  /** the action gateway: policies decide, the action (and its outbox row) is stored */
  propose(proposal: ActionProposal): Promise<ActionOutcome>;
  updateProfile(instance: InstanceState, change: ProfileChange): Promise<void>;
  callTool(call: ToolCall): Promise<ToolResult>;
  chooseAction(request: NbaRequest): Promise<NbaChoice>;
}
