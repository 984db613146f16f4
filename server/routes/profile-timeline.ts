import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../db/open.ts";
import { rows } from "../../db/open.ts";
import { isoText } from "./profile-queries.ts";

/**
 * One customer's timeline, newest first: the events they sent, every journey step from
 * instance_log, every action with all its policy verdicts, and every message as handed to the
 * channel (sandbox content, outbox delivery status, hand-off task). Histories of profiles merged
 * into this one are included. Each kind is read with its own index-ordered, limited scan; the page
 * is the newest `limit` of their union, and the cursor is the last item's (time, kind, id).
 */

export const TIMELINE_KINDS = ["event", "journey", "action", "message"] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];
const RANK: Record<TimelineKind, number> = { event: 1, journey: 2, action: 3, message: 4 };

const Cursor = z.object({
  at: z.string().regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/),
  rank: z.number().int(),
  id: z.number().int(),
});
export type TimelineCursor = z.infer<typeof Cursor>;

export function encodeCursor(cursor: TimelineCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

/** The cursor, or null when it is not one this API issued. */
export function decodeCursor(text: string): TimelineCursor | null {
  try {
    const parsed = Cursor.safeParse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface TimelineItem {
  kind: TimelineKind;
  /** `<kind>:<row id>`, unique within the timeline */
  id: string;
  at: string;
  [key: string]: unknown;
}

interface Branch {
  kind: TimelineKind;
  /** the timestamp and id columns, and the FROM … WHERE of the branch */
  at: SQL;
  id: SQL;
  data: SQL;
  from: SQL;
}

function branches(profileIds: SQL): Branch[] {
  return [
    {
      kind: "event",
      at: sql`e.timestamp`,
      id: sql`e.id`,
      data: sql`jsonb_build_object(
        'eventId', e.id, 'type', e.type, 'name', e.name, 'messageId', e.message_id,
        'properties', e.properties, 'traits', e.traits, 'userId', e.user_id, 'anonymousId', e.anonymous_id,
        'receivedAt', ${isoText(sql`e.received_at`)})`,
      from: sql`from events e where e.profile_id in ${profileIds}`,
    },
    {
      kind: "journey",
      at: sql`l.at`,
      id: sql`l.id`,
      data: sql`jsonb_build_object(
        'instanceId', l.instance_id, 'journeyId', l.journey_id, 'journeyName', j.name, 'versionId', l.version_id,
        'nodeId', l.node_id, 'step', l.kind, 'detail', l.detail)`,
      from: sql`from instance_log l left join journeys j on j.id = l.journey_id where l.profile_id in ${profileIds}`,
    },
    {
      kind: "action",
      at: sql`a.created_at`,
      id: sql`a.id`,
      data: sql`jsonb_build_object(
        'actionId', a.id, 'actionKind', a.kind, 'channel', a.channel, 'status', a.status,
        'journeyId', a.journey_id, 'journeyName', j.name, 'versionId', a.version_id, 'nodeId', a.node_id,
        'instanceId', a.instance_id, 'verdict', a.verdict, 'reason', a.reason, 'payload', a.payload,
        'decidedAt', ${isoText(sql`a.decided_at`)}, 'queuedAt', ${isoText(sql`a.queued_at`)},
        'decisions', coalesce((
          select jsonb_agg(jsonb_build_object(
                   'round', d.round, 'policy', d.policy, 'verdict', d.verdict, 'reason', d.reason,
                   'until', ${isoText(sql`d.until`)}, 'details', d.details, 'at', ${isoText(sql`d.created_at`)})
                 order by d.round, d.id)
          from decisions d where d.action_id = a.id), '[]'::jsonb))`,
      from: sql`from actions a left join journeys j on j.id = a.journey_id where a.profile_id in ${profileIds}`,
    },
    {
      kind: "message",
      at: sql`o.created_at`,
      id: sql`o.id`,
      data: sql`jsonb_build_object(
        'outboxId', o.id, 'actionId', o.action_id, 'channel', o.channel, 'status', o.status,
        'attempts', o.attempts, 'adapter', o.adapter, 'lastError', o.last_error, 'lastErrorCode', o.last_error_code,
        'sentAt', ${isoText(sql`o.sent_at`)}, 'journeyId', a.journey_id, 'nodeId', a.node_id,
        'recipient', coalesce(s.recipient, o.payload->>'to'),
        'subject', coalesce(s.subject, o.payload->'content'->>'subject'),
        'body', coalesce(s.body, o.payload->'content'->>'body'),
        'sandbox', s.id is not null,
        'handoff', case when h.id is null then null else jsonb_build_object(
          'taskId', h.id, 'queue', h.queue, 'priority', h.priority, 'status', h.status, 'assignee', h.assignee) end)`,
      // through actions, whose profile index serves this; outbox has no profile index of its own
      from: sql`from actions a join outbox o on o.action_id = a.id
        left join sandbox_messages s on s.outbox_id = o.id
        left join handoff_tasks h on h.outbox_id = o.id
        where a.profile_id in ${profileIds}`,
    },
  ];
}

export async function loadTimeline(
  executor: Executor,
  profileId: number,
  options: {
    limit: number;
    cursor?: TimelineCursor | undefined;
    kinds?: readonly TimelineKind[] | undefined;
  },
): Promise<{ items: TimelineItem[]; nextCursor: string | null }> {
  const kinds = new Set(options.kinds?.length ? options.kinds : TIMELINE_KINDS);
  const profileIds = sql`(select ${profileId}::bigint union all select id from profiles where merged_into = ${profileId})`;
  const limit = options.limit + 1;
  const selects = branches(profileIds)
    .filter((branch) => kinds.has(branch.kind))
    .map((branch) => {
      const rank = RANK[branch.kind];
      const after = options.cursor
        ? sql`and (${branch.at}, ${rank}::int, ${branch.id}) <
                  (${options.cursor.at}::timestamptz, ${options.cursor.rank}::int, ${options.cursor.id}::bigint)`
        : sql``;
      return sql`(select ${branch.kind}::text as kind, ${rank}::int as rank, ${branch.id} as id, ${branch.at} as at,
                         ${branch.data} as data
                  ${branch.from} ${after}
                  order by ${branch.at} desc, ${branch.id} desc limit ${limit})`;
    });
  if (selects.length === 0) return { items: [], nextCursor: null };
  const found = await rows<{
    kind: TimelineKind;
    rank: number;
    id: number;
    cursor_at: string;
    data: Record<string, unknown>;
  }>(
    executor,
    sql`select kind, rank, id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at, data
        from (${sql.join(selects, sql` union all `)}) items
        order by at desc, rank desc, id desc limit ${limit}`,
  );
  const page = found.slice(0, options.limit);
  const last = page[page.length - 1];
  const nextCursor =
    found.length > options.limit && last
      ? encodeCursor({ at: last.cursor_at, rank: Number(last.rank), id: Number(last.id) })
      : null;
  return {
    items: page.map((row) => ({
      kind: row.kind,
      id: `${row.kind}:${Number(row.id)}`,
      at: `${row.cursor_at.slice(0, 23)}Z`,
      ...row.data,
    })),
    nextCursor,
  };
}
