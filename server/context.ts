import type { Database } from "../db/open.ts";
import type { KeyResolver } from "./auth.ts";
import type { Config } from "./config.ts";
import type { Services } from "./services.ts";

/**
 * What route modules receive. Services are constructed once in services.ts and passed down; route
 * modules never open connections or read the environment themselves.
 */
export interface AppContext {
  config: Config;
  database: Database;
  keys: KeyResolver;
  services: Services;
  /** the clock; tests inject a fake one */
  now: () => Date;
}
