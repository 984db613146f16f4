import { z } from "zod";

/**
 * The answers of the management API the console reads, as documented in /openapi.json. Objects are
 * parsed leniently about extra fields (the server may add some) and strictly about the ones shown.
 */

const iso = z.string();
const JsonObject = z.record(z.string(), z.unknown());

export const Workspace = z.object({
  id: z.string(),
  name: z.string(),
  timezone: z.string(),
  role: z.string(),
  channels: z.array(z.string()),
  policyVersion: z.number().nullable().optional(),
  counts: z.object({
    profiles: z.number(),
    events: z.number(),
    journeys: z.number(),
    liveJourneys: z.number(),
  }),
});
export type Workspace = z.infer<typeof Workspace>;

export const VERSION_STATUSES = ["draft", "pending_approval", "active", "paused", "archived"] as const;

export const VersionSummary = z.object({
  id: z.string(),
  journeyId: z.string(),
  version: z.number(),
  status: z.string(),
  draftedBy: z.string(),
  author: z.string(),
  authorName: z.string().nullable().optional(),
  designId: z.string().nullable(),
  createdAt: iso,
  activatedAt: iso.nullable(),
  pausedAt: iso.nullable(),
  archivedAt: iso.nullable(),
});
export type VersionSummary = z.infer<typeof VersionSummary>;

export const Version = VersionSummary.extend({ definition: z.unknown() });
export type Version = z.infer<typeof Version>;

export const JourneySummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  createdBy: z.string(),
  createdByName: z.string().nullable().optional(),
  createdAt: iso,
  updatedAt: iso,
  latestVersion: z.number(),
  latestStatus: z.string(),
  liveVersion: z.number().nullable(),
  liveStatus: z.string().nullable(),
});
export type JourneySummary = z.infer<typeof JourneySummary>;

export const JourneyList = z.object({ journeys: z.array(JourneySummary) });

export const JourneyDetail = z.object({
  journey: JourneySummary,
  versions: z.array(VersionSummary),
  live: Version.nullable(),
  latest: Version,
});
export type JourneyDetail = z.infer<typeof JourneyDetail>;

export const VersionAnswer = z.object({ version: Version });
export const TransitionAnswer = z.object({ version: VersionSummary });

export const ValidationIssue = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
  severity: z.enum(["error", "warning"]),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

const ValueChange = z.object({ path: z.string(), before: z.unknown(), after: z.unknown() });
export type ValueChange = z.infer<typeof ValueChange>;

export const JourneyDiff = z.object({
  from: z.number(),
  to: z.number(),
  identical: z.boolean(),
  envelope: z.array(ValueChange),
  nodes: z.object({
    added: z.array(z.unknown()),
    removed: z.array(z.unknown()),
    changed: z.array(z.object({ id: z.string(), type: z.string(), changes: z.array(ValueChange) })),
  }),
});
export type JourneyDiff = z.infer<typeof JourneyDiff>;

export const NodeMetrics = z.record(z.string(), z.number());
export type NodeMetrics = z.infer<typeof NodeMetrics>;

export const JourneyStats = z.object({
  journeyId: z.string(),
  versionId: z.string(),
  version: z.number(),
  status: z.string(),
  nodes: z.array(
    z.object({ id: z.string(), type: z.string(), label: z.string().optional(), metrics: NodeMetrics }),
  ),
  /** journey-level counters (entered, completed, exited, converted) */
  journey: NodeMetrics.optional(),
  instances: z.object({
    total: z.number(),
    running: z.number(),
    parked: z.number(),
    completed: z.number(),
    exited: z.number(),
    converted: z.number(),
  }),
  goal: z
    .object({
      event: z.string(),
      within: z.string(),
      conversions: z.number(),
      conversionRate: z.number().nullable(),
    })
    .nullable(),
});
export type JourneyStats = z.infer<typeof JourneyStats>;

// ─── Profiles ────────────────────────────────────────────────────────────────────────────────────
export const ProfileSummary = z.object({
  profileId: z.number(),
  userId: z.string().nullable(),
  anonymousIds: z.array(z.string()),
  email: z.string().nullable(),
  name: z.string().nullable(),
  createdAt: iso,
  updatedAt: iso,
  lastEventAt: iso.nullable(),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

export const ProfilePage = z.object({ profiles: z.array(ProfileSummary), nextCursor: z.string().nullable() });

export const Profile = ProfileSummary.extend({
  traits: JsonObject,
  scores: z.record(z.string(), z.number()),
  consent: z.record(z.string(), z.boolean()),
  identities: z.array(z.object({ kind: z.string(), value: z.string(), createdAt: iso })),
  segments: z.array(z.object({ id: z.string(), name: z.string(), enteredAt: iso })),
  mergedProfileIds: z.array(z.number()),
});
export type Profile = z.infer<typeof Profile>;

export const PolicyDecision = z.object({
  round: z.number(),
  policy: z.string(),
  verdict: z.string(),
  reason: z.string(),
  until: iso.nullable(),
  details: JsonObject.nullable().optional(),
  at: iso.optional(),
});
export type PolicyDecision = z.infer<typeof PolicyDecision>;

const timelineBase = { id: z.string(), at: iso };

export const TimelineItem = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("event"),
    ...timelineBase,
    type: z.string(),
    name: z.string().nullable(),
    messageId: z.string(),
    properties: JsonObject,
    traits: JsonObject.nullable(),
  }),
  z.object({
    kind: z.literal("journey"),
    ...timelineBase,
    journeyId: z.string(),
    journeyName: z.string().nullable(),
    nodeId: z.string().nullable(),
    step: z.string(),
    detail: JsonObject.nullable(),
  }),
  z.object({
    kind: z.literal("action"),
    ...timelineBase,
    actionId: z.number(),
    actionKind: z.string(),
    channel: z.string(),
    status: z.string(),
    journeyId: z.string().nullable(),
    journeyName: z.string().nullable(),
    nodeId: z.string().nullable(),
    verdict: z.string().nullable(),
    reason: z.string().nullable(),
    payload: JsonObject,
    decisions: z.array(PolicyDecision),
  }),
  z.object({
    kind: z.literal("message"),
    ...timelineBase,
    outboxId: z.number(),
    actionId: z.number(),
    channel: z.string(),
    status: z.string(),
    attempts: z.number(),
    adapter: z.string().nullable(),
    lastError: z.string().nullable(),
    sentAt: iso.nullable(),
    journeyId: z.string().nullable(),
    nodeId: z.string().nullable(),
    recipient: z.string().nullable(),
    subject: z.string().nullable(),
    body: z.string().nullable(),
    sandbox: z.boolean(),
    handoff: z
      .object({ taskId: z.number(), queue: z.string(), priority: z.string(), status: z.string() })
      .loose()
      .nullable(),
  }),
]);
export type TimelineItem = z.infer<typeof TimelineItem>;

export const TimelinePage = z.object({
  profileId: z.number(),
  items: z.array(TimelineItem),
  nextCursor: z.string().nullable(),
});

// ─── Outbox ──────────────────────────────────────────────────────────────────────────────────────
export const OutboxItem = z.object({
  id: z.number(),
  actionId: z.number(),
  profileId: z.number(),
  userId: z.string().nullable(),
  channel: z.string(),
  status: z.string(),
  attempts: z.number(),
  adapter: z.string().nullable(),
  journeyId: z.string().nullable(),
  nodeId: z.string().nullable(),
  createdAt: iso,
  nextAttemptAt: iso.nullable(),
  sentAt: iso.nullable(),
  lastError: z.string().nullable(),
  lastErrorCode: z.string().nullable(),
  content: z.object({ subject: z.string().nullable(), body: z.string().nullable() }).nullable(),
  sandbox: z
    .object({
      recipient: z.string().nullable(),
      subject: z.string().nullable(),
      body: z.string(),
      createdAt: iso,
    })
    .nullable(),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

export const OutboxPage = z.object({ items: z.array(OutboxItem), nextCursor: z.string().nullable() });

/**
 * What a hand-off task carries so nobody asks the customer twice (tools/channels/handoff.ts): who
 * they are, what they did, what they were already told, the journey and step it came from, and
 * the request. Parsed leniently: a task is still workable when a part is missing.
 */
export const HandoffContext = z
  .object({
    customer: z
      .object({
        userId: z.string().nullable().optional(),
        traits: JsonObject.optional().default({}),
        consent: z.record(z.string(), z.unknown()).optional().default({}),
      })
      .loose()
      .nullable()
      .optional(),
    recentEvents: z
      .array(
        z
          .object({
            type: z.string(),
            name: z.string().nullable().optional(),
            properties: JsonObject.nullable().optional(),
            timestamp: iso,
          })
          .loose(),
      )
      .optional()
      .default([]),
    recentMessages: z
      .array(
        z
          .object({
            channel: z.string(),
            status: z.string(),
            subject: z.string().nullable().optional(),
            body: z.string().nullable().optional(),
            journeyId: z.string().nullable().optional(),
            at: iso,
          })
          .loose(),
      )
      .optional()
      .default([]),
    journey: z
      .object({
        id: z.string(),
        name: z.string().nullable().optional(),
        nodeId: z.string().nullable().optional(),
        variant: z.string().nullable().optional(),
        trigger: z
          .object({ name: z.string().optional(), properties: JsonObject.optional() })
          .loose()
          .nullable()
          .optional(),
      })
      .loose()
      .nullable()
      .optional(),
    request: z
      .object({
        queue: z.string().nullable().optional(),
        priority: z.string().nullable().optional(),
        instructions: z.string().nullable().optional(),
        offer: z.unknown().optional(),
      })
      .loose()
      .nullable()
      .optional(),
  })
  .loose();
export type HandoffContext = z.infer<typeof HandoffContext>;

export const HANDOFF_STATUSES = ["open", "claimed", "done"] as const;

export const HandoffTask = z.object({
  id: z.number(),
  profileId: z.number().optional(),
  userId: z.string().nullable(),
  queue: z.string(),
  priority: z.string(),
  instructions: z.string(),
  status: z.string(),
  assignee: z.string().nullable(),
  note: z.string().nullable(),
  context: z.record(z.string(), z.unknown()).optional().default({}),
  createdAt: iso,
  updatedAt: iso.optional(),
  claimedAt: iso.nullable().optional(),
  completedAt: iso.nullable().optional(),
});
export type HandoffTask = z.infer<typeof HandoffTask>;
export const HandoffPage = z.object({ items: z.array(HandoffTask), nextCursor: z.string().nullable() });
