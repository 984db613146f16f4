import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { ApprovalStatus } from "../../db/schema/policies.ts";
import { toJsonPath } from "../../journeys/format/validate.ts";
import type { ApprovalItem, HumanResponse } from "./types.ts";
import { ApprovalError, HumanResponseSchema } from "./types.ts";

/** Who may answer an approval item, and how: the answer's shape, what the item allows, no self-approval. */

/** Statuses an answer leads to. */
export const STATUS_OF: Record<HumanResponse["type"], Exclude<ApprovalStatus, "pending">> = {
  accept: "accepted",
  edit: "edited",
  response: "responded",
  ignore: "ignored",
};

export function parseResponse(input: unknown): HumanResponse {
  const parsed = HumanResponseSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = toJsonPath(issue.path).replace(/^\$\.?/, "") || "type";
  throw new ApprovalError("invalid_response", `${field}: ${issue.message}`, { field });
}

export function responseAllowed(item: ApprovalItem, type: HumanResponse["type"]): boolean {
  const config = item.request.config;
  switch (type) {
    case "accept":
      return config.allow_accept;
    case "edit":
      return config.allow_edit;
    case "response":
      return config.allow_respond;
    case "ignore":
      return config.allow_ignore;
  }
}

/** Keys that may not approve the item: its author, the requester, and whoever asked the designer. */
export async function authorsOf(tx: Executor, item: ApprovalItem): Promise<Set<string>> {
  const authors = new Set<string>([item.author]);
  if (item.requestedBy) authors.add(item.requestedBy);
  if (item.journeyVersionId) {
    const found = await rows<{ author: string; created_by: string | null }>(
      tx,
      sql`select v.author, d.created_by from journey_versions v left join designs d on d.id = v.design_id
          where v.id = ${item.journeyVersionId}`,
    );
    for (const row of found) {
      authors.add(row.author);
      if (row.created_by) authors.add(row.created_by);
    }
  }
  return authors;
}
