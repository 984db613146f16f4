import { z } from "@hono/zod-openapi";
import type { JourneyConflict, LiveJourney } from "../../agents/designer/conflicts.ts";
import { findConflicts } from "../../agents/designer/conflicts.ts";
import type { Executor } from "../../db/open.ts";
import type { ParsedVersionRow } from "../../journeys/versions.ts";
import { workspaceVersions } from "../../journeys/versions.ts";
import type { RouteModule } from "../app.ts";
import { READERS } from "../auth.ts";
import { defineRoute } from "../route.ts";
import { errorResponses, jsonContent } from "./api-schemas.ts";

/**
 * The designer's conflict check (agents/designer/conflicts.ts) across the whole workspace, for the
 * console's Conflicts page: every draft or version awaiting approval checked against the live
 * journeys, and every pair of live journeys checked against each other (once per pair). The same
 * static check the designer runs before review; observed overlap from real entries is monitoring's.
 */

const CANDIDATE_STATUSES = ["draft", "pending_approval"] as const;
const LIVE_STATUSES = ["active", "paused"] as const;

const JourneyRef = z.object({
  journeyId: z.string(),
  name: z.string(),
  version: z.number().int(),
  status: z.string(),
});

const OfferSchema = z
  .object({ kind: z.string(), value: z.number().optional(), code: z.string().optional() })
  .loose();

const ConflictSchema = z
  .object({
    kind: z.enum(["same_trigger", "contradictory_offers"]),
    subject: JourneyRef.openapi({ description: "the journey checked (a draft, or a live journey)" }),
    other: JourneyRef.openapi({ description: "the live journey it collides with" }),
    trigger: z.string().openapi({ example: 'event "Checkout Started"' }),
    audienceOverlap: z.enum(["same", "possible"]),
    message: z.string(),
    subjectOffers: z.array(OfferSchema),
    otherOffers: z.array(OfferSchema),
  })
  .openapi("JourneyConflict");

const route = defineRoute({
  method: "get",
  path: "/conflicts",
  tags: ["journeys"],
  summary: "Conflicts between journeys: drafts against live journeys, and live journeys against each other",
  description:
    "Same trigger with overlapping audiences (customers would get both journeys' messages) and contradictory offers on the same moment. A static check of the definitions, conservative: audiences overlap unless their conditions provably exclude each other.",
  roles: [...READERS],
  responses: {
    200: {
      description: "every conflict found",
      content: jsonContent(
        z.object({
          conflicts: z.array(ConflictSchema),
          checked: z.object({ drafts: z.number().int(), live: z.number().int() }),
        }),
      ),
    },
    ...errorResponses(),
  },
});

type Checked = ParsedVersionRow;

/** Each journey's newest draft (or version awaiting approval) and its live version, parsed. */
export async function loadCheckedVersions(executor: Executor, workspaceId: string) {
  const found = await workspaceVersions(executor, workspaceId, [...CANDIDATE_STATUSES, ...LIVE_STATUSES]);
  const drafts = new Map<string, Checked>();
  const live = new Map<string, Checked>();
  for (const row of found) {
    const target = (LIVE_STATUSES as readonly string[]).includes(row.status) ? live : drafts;
    const previous = target.get(row.journeyId);
    if (!previous || previous.version < row.version) target.set(row.journeyId, row);
  }
  // a draft older than the live version is history, not a proposal
  for (const [journeyId, draft] of drafts) {
    const current = live.get(journeyId);
    if (current && current.version > draft.version) drafts.delete(journeyId);
  }
  return { drafts: [...drafts.values()], live: [...live.values()] };
}

function asLive(entry: Checked): LiveJourney {
  return {
    journeyId: entry.journeyId,
    name: entry.name,
    version: entry.version,
    status: entry.status,
    definition: entry.definition,
  };
}

function conflictJson(subject: Checked, conflict: JourneyConflict, others: ReadonlyMap<string, Checked>) {
  const other = others.get(conflict.journeyId);
  return {
    kind: conflict.kind,
    subject: {
      journeyId: subject.journeyId,
      name: subject.name,
      version: subject.version,
      status: subject.status,
    },
    other: {
      journeyId: conflict.journeyId,
      name: conflict.journeyName,
      version: conflict.version,
      status: other?.status ?? "active",
    },
    trigger: conflict.trigger,
    audienceOverlap: conflict.audienceOverlap,
    message: conflict.message,
    subjectOffers: conflict.draftOffers,
    otherOffers: conflict.liveOffers,
  };
}

export function workspaceConflicts(checked: { drafts: Checked[]; live: Checked[] }) {
  const liveById = new Map(checked.live.map((entry) => [entry.journeyId, entry]));
  const conflicts: Array<ReturnType<typeof conflictJson>> = [];
  for (const draft of checked.drafts) {
    const others = checked.live.filter((entry) => entry.journeyId !== draft.journeyId).map(asLive);
    for (const conflict of findConflicts(draft.definition, others)) {
      conflicts.push(conflictJson(draft, conflict, liveById));
    }
  }
  // live against live: each unordered pair once
  for (const subject of checked.live) {
    const others = checked.live.filter((entry) => entry.journeyId > subject.journeyId).map(asLive);
    for (const conflict of findConflicts(subject.definition, others)) {
      conflicts.push(conflictJson(subject, conflict, liveById));
    }
  }
  return conflicts;
}

export const consoleConflictRoutes: RouteModule = {
  api(app, ctx) {
    app.openapi(route, async (c) => {
      const checked = await loadCheckedVersions(ctx.database.db, c.get("principal").workspaceId);
      return c.json(
        {
          conflicts: workspaceConflicts(checked),
          checked: { drafts: checked.drafts.length, live: checked.live.length },
        },
        200,
      );
    });
  },
};
