import type { RouteModule } from "./app.ts";
import { ingestRoutes } from "./ingest/routes.ts";
import { healthRoutes } from "./routes/health.ts";

/** Every route module the server mounts, in order. */
export const routeModules: RouteModule[] = [healthRoutes, ingestRoutes];
