import { defineConfig } from "vitest/config";

/**
 * Browser tests of the console (`npm run test:e2e`): real headless Chromium against a real server
 * started once by the global setup. Kept out of `npm test`, which must pass without Chromium.
 */
export default defineConfig({
  test: {
    include: ["web/e2e/**/*.e2e.test.ts"],
    globalSetup: ["web/e2e/global-setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: "forks",
    // one server, one browser at a time: the tests share the demo workspace and two cores
    maxWorkers: 1,
    fileParallelism: false,
  },
});
