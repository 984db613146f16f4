import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { newId } from "../../db/ids.ts";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import type { DesignStatus } from "../../db/schema/designs.ts";
import { designEvents, designs } from "../../db/schema/designs.ts";

/** Rows of designer runs (`designs`) and their event stream (`design_events`), as data functions. */

export type DesignRow = typeof designs.$inferSelect;

export interface DesignEvent {
  seq: number;
  type: string;
  data: Record<string, unknown>;
  at: Date;
}

export const UNFINISHED_STATUSES: readonly DesignStatus[] = ["running", "clarifying", "awaiting_approval"];

export async function insertDesign(
  executor: Executor,
  input: { workspaceId: string; goal: string; createdBy: string; model: string; now: Date },
): Promise<DesignRow> {
  const [row] = await executor
    .insert(designs)
    .values({
      id: newId("dsg"),
      workspaceId: input.workspaceId,
      goal: input.goal,
      createdBy: input.createdBy,
      model: input.model,
      status: "running",
      createdAt: input.now,
      updatedAt: input.now,
    })
    .returning();
  return row!;
}

export async function findDesign(
  executor: Executor,
  workspaceId: string,
  id: string,
): Promise<DesignRow | null> {
  const [row] = await executor
    .select()
    .from(designs)
    .where(and(eq(designs.id, id), eq(designs.workspaceId, workspaceId)));
  return row ?? null;
}

export async function designById(executor: Executor, id: string): Promise<DesignRow | null> {
  const [row] = await executor.select().from(designs).where(eq(designs.id, id));
  return row ?? null;
}

/** Newest first; `before` is the previous page's last id (ids are time-ordered). */
export async function listDesigns(
  executor: Executor,
  workspaceId: string,
  options: {
    status?: DesignStatus | undefined;
    before?: string | undefined;
    limit?: number | undefined;
  } = {},
): Promise<{ designs: DesignRow[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const found = await executor
    .select()
    .from(designs)
    .where(
      and(
        eq(designs.workspaceId, workspaceId),
        options.status ? eq(designs.status, options.status) : undefined,
        options.before ? lt(designs.id, options.before) : undefined,
      ),
    )
    .orderBy(desc(designs.id))
    .limit(limit + 1);
  const page = found.slice(0, limit);
  return { designs: page, nextCursor: found.length > limit ? page.at(-1)!.id : null };
}

export async function updateDesign(
  executor: Executor,
  id: string,
  patch: Partial<Omit<typeof designs.$inferInsert, "id" | "workspaceId" | "createdAt">>,
): Promise<void> {
  await executor.update(designs).set(patch).where(eq(designs.id, id));
}

/** Appends events with the next sequence numbers of the design (the lease holder is the only writer). */
export async function appendDesignEvents(
  executor: Executor,
  designId: string,
  events: ReadonlyArray<{ type: string; data: Record<string, unknown> }>,
  at: Date,
): Promise<number> {
  if (events.length === 0) return 0;
  const [last] = await rows<{ seq: number | null }>(
    executor,
    sql`select max(seq)::int as seq from design_events where design_id = ${designId}`,
  );
  const start = Number(last?.seq ?? 0);
  await executor.insert(designEvents).values(
    events.map((event, index) => ({
      designId,
      seq: start + index + 1,
      type: event.type,
      data: event.data,
      at,
    })),
  );
  return start + events.length;
}

export async function designEventsAfter(
  executor: Executor,
  designId: string,
  afterSeq: number,
  limit = 500,
): Promise<DesignEvent[]> {
  const found = await executor
    .select({ seq: designEvents.seq, type: designEvents.type, data: designEvents.data, at: designEvents.at })
    .from(designEvents)
    .where(and(eq(designEvents.designId, designId), gt(designEvents.seq, afterSeq)))
    .orderBy(asc(designEvents.seq))
    .limit(limit);
  return found;
}

/** Takes the design's run lease when nobody holds it (or the holder's ran out, or it is ours). */
export async function claimLease(
  executor: Executor,
  id: string,
  owner: string,
  now: Date,
  leaseMs: number,
): Promise<boolean> {
  const found = await executor
    .update(designs)
    .set({ leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) })
    .where(
      and(
        eq(designs.id, id),
        or(isNull(designs.leaseOwner), lt(designs.leaseUntil, now), eq(designs.leaseOwner, owner)),
      ),
    )
    .returning({ id: designs.id });
  return found.length > 0;
}

export async function releaseLease(executor: Executor, id: string, owner: string): Promise<void> {
  await executor
    .update(designs)
    .set({ leaseOwner: null, leaseUntil: null })
    .where(and(eq(designs.id, id), eq(designs.leaseOwner, owner)));
}

/** Designs that may have work to do: running, or waiting with an input already delivered. */
export async function designsToResume(executor: Executor, now: Date, limit = 100): Promise<DesignRow[]> {
  return executor
    .select()
    .from(designs)
    .where(
      and(
        inArray(designs.status, [...UNFINISHED_STATUSES]),
        or(
          eq(designs.status, "running"),
          isNotNull(designs.pendingInput),
          eq(designs.status, "awaiting_approval"),
        ),
        or(isNull(designs.leaseOwner), lt(designs.leaseUntil, now)),
      ),
    )
    .orderBy(asc(designs.updatedAt))
    .limit(limit);
}
