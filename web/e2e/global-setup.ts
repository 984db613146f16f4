import type { TestProject } from "vitest/node";
import type { ServerInfo } from "./server.ts";
import { startServer } from "./server.ts";

/** One server for every browser test file: seeding the demo workspace takes most of a minute. */
export default async function setup(project: TestProject) {
  const server = await startServer();
  project.provide("overture", {
    baseUrl: server.baseUrl,
    keys: server.keys,
    workspaceId: server.workspaceId,
  });
  return async () => {
    await server.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    overture: ServerInfo;
  }
}
