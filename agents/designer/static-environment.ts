import type { StructuredToolInterface } from "@langchain/core/tools";
import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { PopulationCustomer } from "../../journeys/simulate/population.ts";
import type { PolicyConfig } from "../../policies/config.ts";
import type { LiveJourney } from "./conflicts.ts";
import type { DesignerEnvironment } from "./environment.ts";

/**
 * A designer environment over fixed data instead of a database: an eval catalog and its policies,
 * optionally live journeys and customers. The eval drafter uses it and stops the graph before
 * submission, so it never needs an approval queue; asking it to submit is a programming error.
 */

export class StaticEnvironmentError extends Error {
  readonly code = "static_environment";
}

export interface StaticWorkspace {
  catalog: WorkspaceCatalog;
  policies: PolicyConfig;
  timezone?: string;
  liveJourneys?: readonly LiveJourney[];
  customers?: readonly PopulationCustomer[];
  /** replay window for `customers` (default: the 30 days before `now`) */
  window?: { from: Date; to: Date };
  readTools?: (workspaceId: string) => StructuredToolInterface[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function staticEnvironment(workspace: StaticWorkspace): DesignerEnvironment {
  const refuse = (what: string): never => {
    throw new StaticEnvironmentError(
      `${what} needs a database; this environment only drafts (stop before submit_for_approval)`,
    );
  };
  return {
    async loadContext() {
      return {
        timezone: workspace.timezone ?? "UTC",
        catalog: workspace.catalog,
        policies: { ...workspace.policies },
        policyVersion: 0,
        liveJourneys: (workspace.liveJourneys ?? []).map((live) => ({
          ...live,
          definition: live.definition,
        })),
        memory: { available: false, reason: "no semantic memory in a static (eval) workspace" },
        customers: null,
      };
    },
    readTools(workspaceId) {
      return workspace.readTools?.(workspaceId) ?? [];
    },
    async sampleCustomers({ now, size }) {
      const window = workspace.window ?? { from: new Date(now.getTime() - 30 * DAY_MS), to: now };
      return { customers: [...(workspace.customers ?? [])].slice(0, size), ...window, templates: [] };
    },
    async submitForApproval() {
      return refuse("submitting for approval");
    },
    async confirmActivation() {
      return refuse("activation");
    },
    async recordOutcome() {
      // nothing to remember without memory
    },
  };
}
