import { sql } from "drizzle-orm";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { CustomerScope } from "./customer-events.ts";
import type { ProfileResult } from "./event-facts.ts";
import { profileView } from "./event-facts.ts";

/**
 * profiles.get: the customer's traits (bounded), channel consent, model scores (traits such as
 * churn_risk and purchase_propensity) and the names of the segments they are in now.
 * Null when the profile does not exist in the scope's workspace.
 */
export async function getProfile(executor: Executor, scope: CustomerScope): Promise<ProfileResult | null> {
  const [profile] = await rows<{
    user_id: string | null;
    traits: Record<string, unknown> | null;
    consent: Record<string, boolean> | null;
  }>(
    executor,
    sql`select user_id, traits, consent from profiles
        where id = ${scope.profileId} and workspace_id = ${scope.workspaceId}`,
  );
  if (!profile) return null;
  const segments = await rows<{ name: string }>(
    executor,
    sql`select s.name from segment_memberships m join segments s on s.id = m.segment_id
        where m.profile_id = ${scope.profileId} and s.workspace_id = ${scope.workspaceId}
        order by s.name`,
  );
  return profileView(
    { userId: profile.user_id, traits: profile.traits ?? {}, consent: profile.consent ?? {} },
    segments.map((row) => row.name),
  );
}
