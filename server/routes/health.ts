import { sql } from "drizzle-orm";
import type { RouteModule } from "../app.ts";

/** Liveness and readiness for load balancers: no key needed. */
export const healthRoutes: RouteModule = {
  root(app, ctx) {
    app.get("/health", async (c) => {
      await ctx.database.db.execute(sql`select 1`);
      return c.json({ ok: true, database: ctx.database.kind, vector: ctx.database.vector });
    });
  },
};
