import type { StructuredToolInterface } from "@langchain/core/tools";
import type { Journey } from "../../journeys/format/schema.ts";
import type { TemplateRecord } from "../../journeys/runtime/render.ts";
import type { PopulationCustomer } from "../../journeys/simulate/population.ts";
import type { DesignContextInput } from "./context.ts";
import type { ReviewOutcome, Submission } from "./state.ts";

/**
 * Everything the designer graph reads from or asks of the outside world, injected (STYLE: inject
 * what varies). `db-environment.ts` implements it over the project's database, the versions
 * lifecycle and the approval queue; the eval drafter implements it over an eval catalog.
 *
 * Note what is not here: nothing sends, nothing writes customer data, and activation only happens
 * through the approval queue and the versions lifecycle after a person accepted.
 */

export interface CustomerSample {
  customers: PopulationCustomer[];
  /** replay window: events from `from` on are replayed, earlier ones are history */
  from: Date;
  to: Date;
  /** the workspace's templates, so template sends render as they would live */
  templates: TemplateRecord[];
}

export interface SubmissionRequest {
  designId: string;
  workspaceId: string;
  createdBy: string;
  journey: Journey;
  /** "offline-planner" or "model:<name>" */
  draftedBy: string;
  /** the previous submission of this design (a revision saves into the same journey) */
  previous: Submission | null;
}

export interface ActivationConfirmation {
  versionId: string;
  /** the version's status now ("active" when the activation went through) */
  status: string;
  /** the definition now live (a reviewer's edit may have changed it) */
  definition: unknown;
}

export interface DesignOutcomeRecord {
  workspaceId: string;
  designId: string;
  goal: string;
  journey: Journey | null;
  explanation: readonly string[];
  outcome: "activated" | "rejected" | "stopped" | "failed";
  note?: string | undefined;
}

export interface DesignerEnvironment {
  /** catalog, policies, live journeys, memory hits and a customer summary, read once per design */
  loadContext(input: { workspaceId: string; goal: string }): Promise<DesignContextInput>;
  /** the read-only tools the model may call, bound to the design's workspace */
  readTools(workspaceId: string): StructuredToolInterface[];
  /** real customers with their recent event histories, for the population simulation */
  sampleCustomers(input: {
    workspaceId: string;
    designId: string;
    size: number;
    now: Date;
  }): Promise<CustomerSample>;
  /** stores the draft as a journey version and puts an activation item in the approval queue */
  submitForApproval(request: SubmissionRequest): Promise<Submission>;
  /** after an accept: makes sure the version went live through the versions lifecycle */
  confirmActivation(input: {
    workspaceId: string;
    submission: Submission;
    review: ReviewOutcome;
  }): Promise<ActivationConfirmation>;
  /** remembers the design (goal, journey, outcome) in semantic memory for future designs */
  recordOutcome(record: DesignOutcomeRecord): Promise<void>;
}
