import { z } from "@hono/zod-openapi";
import { STEP_KINDS } from "../../db/schema/journeys.ts";
import type { RouteModule } from "../app.ts";
import { READERS } from "../auth.ts";
import { badRequest, notFound } from "../errors.ts";
import { defineRoute } from "../route.ts";
import { errorResponses, jsonContent } from "./api-schemas.ts";
import { loadProfile, resolveProfileId, SCORE_TRAITS, searchProfiles } from "./profile-queries.ts";
import type { TimelineKind } from "./profile-timeline.ts";
import { decodeCursor, loadTimeline, TIMELINE_KINDS } from "./profile-timeline.ts";

/**
 * The Profiles API: the one customer view the console and every later part read. A profile is
 * addressed by its user id (or, for anonymous visitors, an anonymous id); merged profiles answer
 * with the profile they were merged into.
 */

const Timestamp = z.string().openapi({ format: "date-time", example: "2026-05-01T10:00:00.000Z" });
const JsonObject = z.record(z.string(), z.unknown());

const ProfileSummarySchema = z
  .object({
    profileId: z.number().int(),
    userId: z.string().nullable().openapi({ description: "null for anonymous visitors" }),
    anonymousIds: z.array(z.string()),
    email: z.string().nullable(),
    name: z.string().nullable().openapi({ description: "traits.name, or first and last name" }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    lastEventAt: Timestamp.nullable(),
  })
  .openapi("ProfileSummary");

export const ProfileSchema = ProfileSummarySchema.extend({
  traits: JsonObject,
  scores: z.record(z.string(), z.number()).openapi({
    description: `numeric model scores among the traits: ${SCORE_TRAITS.join(", ")}, and traits ending in _score, _risk or _propensity`,
    example: { churn_risk: 0.82, purchase_propensity: 0.1 },
  }),
  consent: z.record(z.string(), z.boolean()).openapi({
    description: "channel → opted in (true) / out (false); absent = never asked",
    example: { email: true, sms: false },
  }),
  identities: z.array(
    z.object({ kind: z.enum(["user_id", "anonymous_id"]), value: z.string(), createdAt: Timestamp }),
  ),
  segments: z.array(z.object({ id: z.string(), name: z.string(), enteredAt: Timestamp })),
  mergedProfileIds: z.array(z.number().int()).openapi({ description: "profiles merged into this one" }),
}).openapi("Profile");

const itemBase = { id: z.string().openapi({ example: "event:42" }), at: Timestamp };

const EventItem = z
  .object({
    kind: z.literal("event"),
    ...itemBase,
    eventId: z.number().int(),
    type: z.enum(["identify", "track", "page", "screen", "group", "alias"]),
    name: z.string().nullable(),
    messageId: z.string(),
    properties: JsonObject,
    traits: JsonObject.nullable(),
    userId: z.string().nullable(),
    anonymousId: z.string().nullable(),
    receivedAt: Timestamp,
  })
  .openapi("TimelineEvent");

const JourneyItem = z
  .object({
    kind: z.literal("journey"),
    ...itemBase,
    instanceId: z.number().int(),
    journeyId: z.string(),
    journeyName: z.string().nullable(),
    versionId: z.string(),
    nodeId: z.string().nullable(),
    step: z.enum(STEP_KINDS).openapi({ description: "entered, node, waiting, resumed, … exited, completed" }),
    detail: JsonObject.nullable(),
  })
  .openapi("TimelineJourneyStep");

const DecisionSchema = z
  .object({
    round: z.number().int(),
    policy: z.string(),
    verdict: z.enum(["allow", "deny", "defer", "review"]),
    reason: z.string(),
    until: Timestamp.nullable(),
    details: JsonObject.nullable(),
    at: Timestamp,
  })
  .openapi("PolicyDecision");

const ActionItem = z
  .object({
    kind: z.literal("action"),
    ...itemBase,
    actionId: z.number().int(),
    actionKind: z.string().openapi({ example: "message" }),
    channel: z.string(),
    status: z.string().openapi({ example: "queued" }),
    journeyId: z.string().nullable(),
    journeyName: z.string().nullable(),
    versionId: z.string().nullable(),
    nodeId: z.string().nullable(),
    instanceId: z.number().int().nullable(),
    verdict: z.string().nullable(),
    reason: z.string().nullable(),
    payload: JsonObject,
    decidedAt: Timestamp.nullable(),
    queuedAt: Timestamp.nullable(),
    decisions: z.array(DecisionSchema).openapi({ description: "every policy verdict, in evaluation order" }),
  })
  .openapi("TimelineAction");

const MessageItem = z
  .object({
    kind: z.literal("message"),
    ...itemBase,
    outboxId: z.number().int(),
    actionId: z.number().int(),
    channel: z.string(),
    status: z.string().openapi({ example: "sent" }),
    attempts: z.number().int(),
    adapter: z.string().nullable(),
    lastError: z.string().nullable(),
    lastErrorCode: z.string().nullable(),
    sentAt: Timestamp.nullable(),
    journeyId: z.string().nullable(),
    nodeId: z.string().nullable(),
    recipient: z.string().nullable(),
    subject: z.string().nullable(),
    body: z.string().nullable(),
    sandbox: z
      .boolean()
      .openapi({ description: "delivered to the sandbox outbox (what the customer would see)" }),
    handoff: z
      .object({
        taskId: z.number().int(),
        queue: z.string(),
        priority: z.string(),
        status: z.string(),
        assignee: z.string().nullable(),
      })
      .nullable(),
  })
  .openapi("TimelineMessage");

export const TimelineItemSchema = z
  .discriminatedUnion("kind", [EventItem, JourneyItem, ActionItem, MessageItem])
  .openapi("TimelineItem");

const ProfileParam = z.object({
  userId: z
    .string()
    .min(1)
    .max(255)
    .openapi({
      param: { name: "userId", in: "path" },
      description: "a user id, or an anonymous id",
      example: "97980cfea0067",
    }),
});

const Limit = (max: number, fallback: number) =>
  z.coerce
    .number({ error: () => `limit must be a whole number from 1 to ${max}` })
    .int(`limit must be a whole number from 1 to ${max}`)
    .min(1, `limit must be a whole number from 1 to ${max}`)
    .max(max, `limit must be a whole number from 1 to ${max}`)
    .default(fallback);

const routes = {
  list: defineRoute({
    method: "get",
    path: "/profiles",
    tags: ["profiles"],
    summary: "Search customers by user id, anonymous id, email or name",
    roles: [...READERS],
    request: {
      query: z.object({
        q: z.string().max(200).optional().openapi({ description: "exact id, or part of an email or name" }),
        limit: Limit(200, 50).openapi({ example: 50 }),
        cursor: z.string().max(40).optional().openapi({ description: "nextCursor of the previous page" }),
      }),
    },
    responses: {
      200: {
        description: "live profiles, newest first",
        content: jsonContent(
          z.object({ profiles: z.array(ProfileSummarySchema), nextCursor: z.string().nullable() }),
        ),
      },
      ...errorResponses(),
    },
  }),
  get: defineRoute({
    method: "get",
    path: "/profiles/{userId}",
    tags: ["profiles"],
    summary: "One customer: traits, scores, consent, identities, segments",
    roles: [...READERS],
    request: { params: ProfileParam },
    responses: {
      200: { description: "the profile", content: jsonContent(z.object({ profile: ProfileSchema })) },
      ...errorResponses(404),
    },
  }),
  timeline: defineRoute({
    method: "get",
    path: "/profiles/{userId}/timeline",
    tags: ["profiles"],
    summary: "One customer's events, journey steps, actions with policy verdicts and messages, newest first",
    roles: [...READERS],
    request: {
      params: ProfileParam,
      query: z.object({
        limit: Limit(500, 100).openapi({ example: 100 }),
        cursor: z.string().max(200).optional().openapi({ description: "nextCursor of the previous page" }),
        kinds: z
          .string()
          .max(100)
          .optional()
          .openapi({
            description: `comma-separated subset of ${TIMELINE_KINDS.join(", ")}`,
            example: "action,message",
          }),
      }),
    },
    responses: {
      200: {
        description: "a page of the timeline",
        content: jsonContent(
          z.object({
            profileId: z.number().int(),
            items: z.array(TimelineItemSchema),
            nextCursor: z.string().nullable(),
          }),
        ),
      },
      ...errorResponses(404),
    },
  }),
};

function parseKinds(text: string | undefined): TimelineKind[] | undefined {
  if (!text) return undefined;
  const kinds = text
    .split(",")
    .map((kind) => kind.trim())
    .filter(Boolean);
  const unknown = kinds.filter((kind) => !(TIMELINE_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) {
    throw badRequest(`kinds: ${unknown.join(", ")} is not one of ${TIMELINE_KINDS.join(", ")}`, "kinds");
  }
  return kinds as TimelineKind[];
}

export const profileRoutes: RouteModule = {
  api(app, ctx) {
    const db = ctx.database.db;

    app.openapi(routes.list, async (c) => {
      const { q, limit, cursor } = c.req.valid("query");
      let before: number | undefined;
      if (cursor !== undefined) {
        before = Number(cursor);
        if (!/^\d{1,15}$/.test(cursor))
          throw badRequest("cursor: use the nextCursor of the previous page", "cursor");
      }
      const page = await searchProfiles(db, c.get("principal").workspaceId, { query: q, limit, before });
      return c.json(
        {
          profiles: page.profiles.map(({ traits: _traits, ...summary }) => summary),
          nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
        },
        200,
      );
    });

    app.openapi(routes.get, async (c) => {
      const { userId } = c.req.valid("param");
      const workspaceId = c.get("principal").workspaceId;
      const profileId = await resolveProfileId(db, workspaceId, userId);
      const profile = profileId === null ? null : await loadProfile(db, workspaceId, profileId);
      if (!profile) throw notFound(`profile "${userId}"`, "userId");
      return c.json({ profile }, 200);
    });

    app.openapi(routes.timeline, async (c) => {
      const { userId } = c.req.valid("param");
      const { limit, cursor, kinds } = c.req.valid("query");
      const decoded = cursor === undefined ? undefined : decodeCursor(cursor);
      if (decoded === null) throw badRequest("cursor: use the nextCursor of the previous page", "cursor");
      const workspaceId = c.get("principal").workspaceId;
      const profileId = await resolveProfileId(db, workspaceId, userId);
      if (profileId === null) throw notFound(`profile "${userId}"`, "userId");
      const page = await loadTimeline(db, profileId, { limit, cursor: decoded, kinds: parseKinds(kinds) });
      // rows are built by SQL to this schema's shape; the route test parses every item with it
      const items = page.items as unknown as Array<z.infer<typeof TimelineItemSchema>>;
      return c.json({ profileId, items, nextCursor: page.nextCursor }, 200);
    });
  },
};
