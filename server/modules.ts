import type { RouteModule } from "./app.ts";
import { ingestRoutes } from "./ingest/routes.ts";
import { approvalRoutes } from "./routes/approvals.ts";
import { auditRoutes } from "./routes/audit.ts";
import { catalogRoutes } from "./routes/catalog.ts";
import { consoleRoutes } from "./routes/console.ts";
import { consoleConflictRoutes } from "./routes/console-conflicts.ts";
import { designRoutes } from "./routes/designs.ts";
import { docsRoutes } from "./routes/docs.ts";
import { handoffRoutes } from "./routes/handoffs.ts";
import { healthRoutes } from "./routes/health.ts";
import { journeyRunRoutes } from "./routes/journey-runs.ts";
import { journeyRoutes } from "./routes/journeys.ts";
import { keyRoutes } from "./routes/keys.ts";
import { outboxRoutes } from "./routes/outbox.ts";
import { policyRoutes } from "./routes/policies.ts";
import { profileRoutes } from "./routes/profiles.ts";

/** Every route module the server mounts, in order. */
export const routeModules: RouteModule[] = [
  healthRoutes,
  ingestRoutes,
  journeyRoutes,
  journeyRunRoutes,
  profileRoutes,
  catalogRoutes,
  outboxRoutes,
  handoffRoutes,
  approvalRoutes,
  policyRoutes,
  auditRoutes,
  keyRoutes,
  designRoutes,
  consoleConflictRoutes,
  docsRoutes,
  // last: the console answers every other GET with its single-page app
  consoleRoutes,
];
