export * from "./expectations.ts";
export * from "./memory-gateway.ts";
export * from "./population.ts";
export * from "./scenario.ts";
export * from "./simulate.ts";
