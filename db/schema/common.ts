import { timestamp } from "drizzle-orm/pg-core";

/** Every timestamp is timestamptz, read as a JS Date. */
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
export const createdAt = () => at("created_at").notNull().defaultNow();
