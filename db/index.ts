export * from "./open.ts";
export * as tables from "./schema/index.ts";
export { EMBEDDING_DIMENSIONS, memoryItems } from "./schema-vector/memory.ts";
