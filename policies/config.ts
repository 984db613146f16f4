import { z } from "zod";
import { Condition } from "../journeys/format/condition.ts";
import { CHANNELS, Duration, TimeOfDay } from "../journeys/format/schema.ts";
import { toJsonPath } from "../journeys/format/validate.ts";
import { isValidTimeZone } from "../journeys/format/zoned-time.ts";

/**
 * The workspace policy configuration: zod-validated JSON, stored versioned in `policy_configs`.
 * Every section is optional; an absent section takes the safe baseline below (consent for email,
 * SMS and push; quiet hours 21:00–08:00 for SMS and push; PII and injection-echo checks; no
 * promotion of a product being returned). Caps, offer ceilings, suppression conditions and
 * approval rules are opt-in here and switched on in `STARTER_POLICY_CONFIG` for new workspaces.
 *
 * The eval catalog's `policies` object (consent_required, quiet_hours {start,end,channels,action},
 * frequency_cap {per_local_day, channels}) is a valid config as it stands. See docs/policies.md.
 */

const ChannelName = z.enum(CHANNELS, { error: () => `channel must be one of ${CHANNELS.join(", ")}` });
const Channels = z.array(ChannelName);
const RuleName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9_-]+$/, "rule names use lower-case letters, digits, _ and -");
const SegmentNames = z.array(z.string().min(1));
const Category = z.enum(["promotional", "transactional"]);
const ZoneName = z
  .string()
  .refine(isValidTimeZone, { message: "must be an IANA time zone such as Europe/Berlin" });

// ─── Quiet hours ─────────────────────────────────────────────────────────────────────────────────
const QuietAction = z.enum(["defer", "deny"]);

const QuietWindow = z
  .object({
    start: TimeOfDay,
    end: TimeOfDay,
    /** defer: hold until the window ends; deny: drop the action */
    action: QuietAction.default("defer"),
  })
  .strict()
  .refine((window) => window.start !== window.end, {
    message: "start and end are equal; a quiet window needs two different times",
  });
export type QuietWindow = z.output<typeof QuietWindow>;

const UnknownTimezone = z
  .object({
    /**
     * review: a person decides (default); defer: hold until it is outside quiet hours in every zone
     * of `assume_timezones` (the workspace's markets)
     */
    action: z.enum(["review", "defer"]).default("review"),
    assume_timezones: z.array(ZoneName).default([]),
  })
  .strict()
  .refine((rule) => rule.action !== "defer" || rule.assume_timezones.length > 0, {
    message: 'action "defer" needs assume_timezones (the zones the customer may be in)',
    path: ["assume_timezones"],
  });

const QuietHours = z
  .object({
    start: TimeOfDay.default("21:00"),
    end: TimeOfDay.default("08:00"),
    /** channels the window applies to ([] switches quiet hours off) */
    channels: Channels.default(["sms", "push"]),
    action: QuietAction.default("defer"),
    /** a different window for some channels (the channel need not be listed in `channels`) */
    per_channel: z.partialRecord(ChannelName, QuietWindow).default({}),
    unknown_timezone: UnknownTimezone.default({ action: "review", assume_timezones: [] }),
  })
  .strict()
  .refine((hours) => hours.start !== hours.end, {
    message: "start and end are equal; a quiet window needs two different times",
    path: ["end"],
  });

// ─── Frequency caps ──────────────────────────────────────────────────────────────────────────────
const RollingCap = z
  .object({
    /** ISO 8601 duration of the window, e.g. P7D */
    window: Duration,
    max: z.number().int().min(1),
  })
  .strict();

const CapLimits = {
  /** at most this many sends per local calendar day (in the customer's zone) */
  per_local_day: z.number().int().min(1).optional(),
  rolling: z.array(RollingCap).default([]),
};

const FrequencyCap = z
  .object({
    ...CapLimits,
    /** the global cap counts sends on all of these channels together and applies to each of them */
    channels: Channels.default(["email", "sms", "push"]),
    /** caps for a single channel, counting only that channel's sends */
    per_channel: z.partialRecord(ChannelName, z.object(CapLimits).strict()).default({}),
    /** deny (default, as Braze and AJO drop capped messages) or defer until the cap frees up */
    action: z.enum(["deny", "defer"]).default("deny"),
    /** message categories the caps do not hold (their sends still count) */
    exempt_categories: z.array(Category).default([]),
  })
  .strict();

// ─── Suppression ─────────────────────────────────────────────────────────────────────────────────
const SuppressionRule = z
  .object({
    name: RuleName,
    /** the customer condition that suppresses (traits.*, consent.*, local.*) */
    when: Condition.optional(),
    /** or: the customer is in one of these segments */
    segments: SegmentNames.optional(),
    /** which messages it holds back (default: promotional ones) */
    categories: z.array(Category).default(["promotional"]),
    /** limit to these channels (default: every message channel) */
    channels: Channels.optional(),
    action: z.enum(["deny", "review"]).default("deny"),
    /** the sentence a reviewer reads; default names the rule */
    reason: z.string().max(500).optional(),
  })
  .strict()
  .refine((rule) => rule.when !== undefined || (rule.segments?.length ?? 0) > 0, {
    message: "a suppression rule needs a condition (when) or segments",
  });
export type SuppressionRule = z.output<typeof SuppressionRule>;

const Suppression = z
  .object({
    rules: z.array(SuppressionRule).default([]),
    /** never promote a product the customer is returning */
    returning_products: z.boolean().default(true),
  })
  .strict();

// ─── Offer ceilings ──────────────────────────────────────────────────────────────────────────────
const OverAction = z.enum(["deny", "review"]);

const CeilingRule = z
  .object({
    name: RuleName,
    segments: SegmentNames.optional(),
    when: Condition.optional(),
    max_percent: z.number().gt(0).lte(100).optional(),
    max_amount: z.number().gt(0).optional(),
    action: OverAction.optional(),
  })
  .strict()
  .refine((rule) => rule.when !== undefined || (rule.segments?.length ?? 0) > 0, {
    message: "a ceiling rule needs segments or a condition (when) saying whom it is for",
  })
  .refine((rule) => rule.max_percent !== undefined || rule.max_amount !== undefined, {
    message: "a ceiling rule needs max_percent or max_amount",
  });
export type CeilingRule = z.output<typeof CeilingRule>;

const OfferCeilings = z
  .object({
    max_percent: z.number().gt(0).lte(100).optional(),
    max_amount: z.number().gt(0).optional(),
    /** currency of max_amount (ISO 4217); offers in another currency go to review */
    currency: z.string().length(3).optional(),
    action: OverAction.default("deny"),
    /** per segment or condition; the first rule that matches the customer replaces the global ceiling */
    rules: z.array(CeilingRule).default([]),
  })
  .strict();

// ─── Content safety ──────────────────────────────────────────────────────────────────────────────
const BannedClaim = z.union([
  z.string().min(2),
  z
    .object({
      phrase: z.string().min(2),
      action: OverAction.optional(),
      reason: z.string().max(500).optional(),
    })
    .strict(),
]);

const ContentSafety = z
  .object({
    pii: z
      .object({
        emails: z.boolean().default(true),
        phones: z.boolean().default(true),
        cards: z.boolean().default(true),
        ibans: z.boolean().default(true),
        /** the workspace's own addresses and numbers: "support@shop.example", "@shop.example", "+49301234567", an IBAN */
        allow: z.array(z.string().min(3)).default([]),
      })
      .strict()
      .default({ emails: true, phones: true, cards: true, ibans: true, allow: [] }),
    /** outgoing text that echoes an injection or system-prompt content */
    injection_echo: z.enum(["review", "deny", "off"]).default("review"),
    /** distinctive phrases of the workspace's system prompts; seeing one in a message means a leak */
    system_prompt_markers: z.array(z.string().min(8)).default([]),
    banned_claims: z.array(BannedClaim).default([]),
    banned_claims_action: OverAction.default("deny"),
    /** a message whose rendered text is not in the proposal cannot be checked */
    unrendered: z.enum(["review", "allow"]).default("review"),
  })
  .strict();

// ─── Approval rules ──────────────────────────────────────────────────────────────────────────────
export const HANDOFF_PRIORITIES = ["low", "normal", "high", "urgent"] as const;

const Approvals = z
  .object({
    /** content a model wrote waits for a person */
    ai_generated: z.boolean().default(false),
    /** offers above these values wait for a person */
    offer_above: z
      .object({ percent: z.number().gt(0).lte(100).optional(), amount: z.number().gt(0).optional() })
      .strict()
      .optional(),
    /** anything sent to customers in these segments waits for a person */
    sensitive_segments: SegmentNames.default([]),
    /** the first send of each new journey version waits for a person */
    first_send_of_version: z.boolean().default(false),
    /** hand-offs at or above this priority wait for a person */
    handoff_priority_at_least: z.enum(HANDOFF_PRIORITIES).optional(),
    /** how long a review item waits before it expires (expired = not sent) */
    expiry: Duration.default("P2D"),
  })
  .strict();

// ─── Lint estimates ──────────────────────────────────────────────────────────────────────────────
const Lint = z
  .object({
    /**
     * Relative share of trigger events per local hour 0–23, used to estimate when a step lands
     * (default: a typical consumer-app day; see docs/policies.md)
     */
    event_hour_weights: z.array(z.number().min(0)).length(24).optional(),
    /** warn when at least this share of customers reaches a step inside quiet hours */
    quiet_hours_share: z.number().gt(0).lte(1).default(0.5),
  })
  .strict();

// ─── The config ──────────────────────────────────────────────────────────────────────────────────
export const PolicyConfig = z
  .object({
    /** channels that need an explicit opt-in (consent.<channel> = true); an opt-out always denies */
    consent_required: Channels.default(["email", "sms", "push"]),
    /** channels where transactional messages need no opt-in (an explicit opt-out still denies) */
    transactional_consent_exempt: Channels.default([]),
    quiet_hours: QuietHours.default(() => QuietHours.parse({})),
    frequency_cap: FrequencyCap.default(() => FrequencyCap.parse({})),
    suppression: Suppression.default(() => Suppression.parse({})),
    offer_ceilings: OfferCeilings.default(() => OfferCeilings.parse({})),
    content_safety: ContentSafety.default(() => ContentSafety.parse({})),
    approvals: Approvals.default(() => Approvals.parse({})),
    lint: Lint.default(() => Lint.parse({})),
  })
  .strict();

export type PolicyConfig = z.output<typeof PolicyConfig>;
export type PolicyConfigInput = z.input<typeof PolicyConfig>;

export interface PolicyConfigIssue {
  /** JSONPath inside the config, e.g. `$.quiet_hours.start` */
  path: string;
  message: string;
}

export class PolicyConfigError extends Error {
  readonly code = "invalid_policy_config";
  constructor(readonly issues: PolicyConfigIssue[]) {
    super(
      `invalid policy config: ${issues
        .slice(0, 3)
        .map((issue) => `${issue.path}: ${issue.message}`)
        .join("; ")}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ""}`,
    );
    this.name = "PolicyConfigError";
  }
}

export type PolicyConfigResult =
  | { ok: true; config: PolicyConfig }
  | { ok: false; issues: PolicyConfigIssue[] };

export function safeParsePolicyConfig(input: unknown): PolicyConfigResult {
  const parsed = PolicyConfig.safeParse(input ?? {});
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({
      path: toJsonPath(issue.path),
      message:
        issue.code === "unrecognized_keys"
          ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `"${key}"`).join(", ")}`
          : issue.message,
    })),
  };
}

/** Parses a workspace policy config, filling defaults; throws PolicyConfigError naming each bad path. */
export function parsePolicyConfig(input: unknown): PolicyConfig {
  const result = safeParsePolicyConfig(input);
  if (!result.ok) throw new PolicyConfigError(result.issues);
  return result.config;
}

/** The safe baseline: what `{}` means. */
export const DEFAULT_POLICY_CONFIG: PolicyConfig = parsePolicyConfig({});

/**
 * What a new workspace starts with: the baseline plus the rules most teams want on day one. The
 * policy API seeds version 1 with it; every value is editable.
 */
export const STARTER_POLICY_CONFIG_INPUT: PolicyConfigInput = {
  consent_required: ["email", "sms", "push"],
  quiet_hours: { start: "21:00", end: "08:00", channels: ["sms", "push"], action: "defer" },
  frequency_cap: {
    per_local_day: 3,
    rolling: [{ window: "P7D", max: 10 }],
    channels: ["email", "sms", "push"],
    per_channel: { sms: { per_local_day: 1 } },
  },
  suppression: {
    rules: [
      {
        name: "open-support-ticket",
        when: { field: "traits.open_support_tickets", op: "gt", value: 0 },
        categories: ["promotional"],
        reason: "the customer has an open support ticket; promotions wait until it is resolved",
      },
    ],
    returning_products: true,
  },
  offer_ceilings: { max_percent: 30, action: "deny" },
  approvals: {
    ai_generated: true,
    offer_above: { percent: 20 },
    first_send_of_version: true,
    handoff_priority_at_least: "urgent",
    expiry: "P2D",
  },
};
export const STARTER_POLICY_CONFIG: PolicyConfig = parsePolicyConfig(STARTER_POLICY_CONFIG_INPUT);
