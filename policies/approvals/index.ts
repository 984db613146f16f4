export * from "./action-items.ts";
export * from "./activation-items.ts";
export * from "./preview.ts";
export * from "./queue.ts";
export * from "./store.ts";
export * from "./types.ts";
