import { z } from "zod";

/** Answers of the approval queue and policy routes (/api/approvals, /api/policies). */

export const Verdict = z.object({
  policy: z.string(),
  verdict: z.string(),
  reason: z.string(),
  until: z.string().nullable().optional(),
});

export const HumanInterrupt = z.object({
  action_request: z.object({ action: z.string(), args: z.record(z.string(), z.unknown()) }),
  config: z.object({
    allow_accept: z.boolean(),
    allow_edit: z.boolean(),
    allow_respond: z.boolean(),
    allow_ignore: z.boolean(),
  }),
  description: z.string().optional(),
});
export type HumanInterrupt = z.infer<typeof HumanInterrupt>;

export const ActionPreview = z
  .object({
    kind: z.string(),
    channel: z.string().optional(),
    to: z.string().nullable().optional(),
    subject: z.string().nullable().optional(),
    title: z.string().nullable().optional(),
    body: z.string().optional(),
    ctaUrl: z.string().nullable().optional(),
    offer: z.string().nullable().optional(),
    aiGenerated: z.boolean().optional(),
    queue: z.string().optional(),
    priority: z.string().optional(),
    instructions: z.string().optional(),
    url: z.string().nullable().optional(),
    method: z.string().nullable().optional(),
    reason: z.string().optional(),
  })
  .loose();
export type ActionPreview = z.infer<typeof ActionPreview>;

export const HumanResponse = z
  .object({ type: z.string(), args: z.unknown().optional(), reason: z.string().optional() })
  .loose();

export const ApprovalItem = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.string(),
  request: HumanInterrupt,
  response: HumanResponse.nullable(),
  author: z.string(),
  authorName: z.string().nullable().optional(),
  requestedBy: z.string().nullable(),
  requestedByName: z.string().nullable().optional(),
  decidedBy: z.string().nullable(),
  decidedByName: z.string().nullable().optional(),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
  expiresAt: z.string(),
  expired: z.boolean(),
  createdAt: z.string(),
  designId: z.string().nullable(),
  action: z
    .object({
      id: z.number(),
      status: z.string(),
      kind: z.string(),
      channel: z.string(),
      profileId: z.number(),
      userId: z.string().nullable(),
      journeyId: z.string().nullable(),
      journeyName: z.string().nullable().optional(),
      nodeId: z.string().nullable(),
      preview: ActionPreview,
      reviewVerdicts: z.array(Verdict),
    })
    .nullable(),
  journey: z
    .object({ journeyId: z.string(), versionId: z.string(), version: z.number(), status: z.string() })
    .nullable(),
});
export type ApprovalItem = z.infer<typeof ApprovalItem>;

export const ApprovalPage = z.object({ items: z.array(ApprovalItem), nextCursor: z.string().nullable() });
export const ApprovalAnswer = z.object({ item: ApprovalItem });
export const ApprovalDecided = z.object({ item: ApprovalItem, effect: z.record(z.string(), z.unknown()) });

export type ApprovalResponseBody =
  | { type: "accept" | "ignore"; reason?: string }
  | { type: "response"; args: string; reason?: string }
  | { type: "edit"; args: { action: string; args: Record<string, unknown> }; reason?: string };

// ─── policies ────────────────────────────────────────────────────────────────────────────────────
const VersionMeta = z.object({
  version: z.number(),
  createdBy: z.string().nullable(),
  createdByName: z.string().nullable().optional(),
  createdAt: z.string(),
  note: z.string().nullable().optional(),
});
export type PolicyVersionMeta = z.infer<typeof VersionMeta>;

export const PolicyState = z.object({
  version: z.number(),
  config: z.record(z.string(), z.unknown()),
  createdBy: z.string().nullable(),
  createdByName: z.string().nullable().optional(),
  createdAt: z.string().nullable(),
  history: z.array(VersionMeta),
  starter: z.record(z.string(), z.unknown()),
});
export type PolicyState = z.infer<typeof PolicyState>;

export const PolicySaved = z.object({
  version: z.number(),
  config: z.record(z.string(), z.unknown()),
  createdBy: z.string().nullable(),
  createdByName: z.string().nullable().optional(),
  createdAt: z.string().nullable(),
});

export const LintResult = z.object({
  valid: z.boolean(),
  issues: z.array(
    z.object({ path: z.string(), code: z.string(), message: z.string(), severity: z.string() }),
  ),
  warnings: z.array(
    z.object({ path: z.string(), code: z.string(), message: z.string(), severity: z.string() }),
  ),
  policyVersion: z.number(),
});
export type LintResult = z.infer<typeof LintResult>;

// ─── conflicts ───────────────────────────────────────────────────────────────────────────────────
const ConflictJourney = z.object({
  journeyId: z.string(),
  name: z.string(),
  version: z.number(),
  status: z.string(),
});
const ConflictOffer = z
  .object({ kind: z.string(), value: z.number().optional(), code: z.string().optional() })
  .loose();

export const Conflict = z.object({
  kind: z.string(),
  subject: ConflictJourney,
  other: ConflictJourney,
  trigger: z.string(),
  audienceOverlap: z.string(),
  message: z.string(),
  subjectOffers: z.array(ConflictOffer),
  otherOffers: z.array(ConflictOffer),
});
export type Conflict = z.infer<typeof Conflict>;

export const ConflictList = z.object({
  conflicts: z.array(Conflict),
  checked: z.object({ drafts: z.number(), live: z.number() }),
});
