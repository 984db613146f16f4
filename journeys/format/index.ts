export * from "./catalog.ts";
export * from "./condition.ts";
export * from "./duration.ts";
export * from "./evaluate.ts";
export * from "./field-path.ts";
export * from "./schema.ts";
export * from "./validate.ts";
export * from "./zoned-time.ts";
