import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "web/e2e/**", "**/*.e2e.test.ts", "scratch/**", ".overture/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // PGlite and PostgreSQL tests are CPU-heavy; two cores, two workers.
    maxWorkers: 2,
  },
});
