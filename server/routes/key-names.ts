import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { apiKeys } from "../../db/schema/workspaces.ts";

/**
 * Display names for the key ids the API reports as authors, requesters and deciders. Only admins
 * may list keys, so without these every other role would read `key_…` where a person's name
 * belongs. A key's name is not a secret (it is what its holder is called in the audit log); the
 * key itself and its hash never leave the keys table. Revoked keys keep their names: who decided
 * something does not change when their key is retired.
 */
export class KeyNames {
  static readonly none = new KeyNames(new Map());

  private constructor(private readonly names: ReadonlyMap<string, string>) {}

  /** Looks up every key id among `ids` in one query (values that are not key ids are skipped). */
  static async load(
    executor: Executor,
    workspaceId: string,
    ids: Iterable<string | null | undefined>,
  ): Promise<KeyNames> {
    const wanted = [...new Set([...ids].filter((id): id is string => typeof id === "string" && id !== ""))];
    if (wanted.length === 0) return KeyNames.none;
    const found = await executor
      .select({ id: apiKeys.id, name: apiKeys.name })
      .from(apiKeys)
      .where(and(eq(apiKeys.workspaceId, workspaceId), inArray(apiKeys.id, wanted)));
    return new KeyNames(new Map(found.map((row) => [row.id, row.name])));
  }

  /** The key's name, or null when `id` is not a key of the workspace (a system actor, "human"). */
  of(id: string | null | undefined): string | null {
    return id ? (this.names.get(id) ?? null) : null;
  }
}
