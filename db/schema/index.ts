export * from "./actions.ts";
export * from "./designs.ts";
export * from "./journeys.ts";
export * from "./policies.ts";
export * from "./profiles.ts";
export * from "./workspaces.ts";
