import { z } from "zod";
import type { Executor } from "../../db/open.ts";
import { MessageContent, Offer } from "../../journeys/format/schema.ts";

/**
 * The one channel interface. The dispatcher hands every adapter the same `OutboundMessage` and the
 * outbox id as idempotency key. Three outcomes, kept apart on purpose:
 * - `delivered`: the provider (or our own table) accepted the message;
 * - `rejected` (a value): the provider answered definitively "no" (recipient refused, 4xx from a
 *   webhook, nothing to send to). Retrying cannot help; the row becomes a dead letter at once;
 * - a thrown `ChannelError`: no definitive answer (network, timeout, 5xx, 429, SMTP 4xx), retryable,
 *   or our own setup is broken (not retryable). Anything else thrown is treated as retryable and
 *   bounded by the maximum number of attempts.
 */

export interface MessageOrigin {
  journeyId: string | null;
  versionId: string | null;
  nodeId: string | null;
  instanceId: number | null;
}

export interface HandoffRequest {
  queue: string;
  priority: string;
  instructions: string;
}

export interface WebhookRequest {
  url?: string | undefined;
  method?: string | undefined;
  body?: unknown;
  tool?: string | undefined;
  args?: Record<string, unknown> | undefined;
}

/** What an adapter delivers: the outbox row, its action's origin and the resolved recipient. */
export interface OutboundMessage {
  outboxId: number;
  actionId: number;
  workspaceId: string;
  profileId: number;
  userId: string | null;
  channel: string;
  /** email address, phone number, push token…: the payload's `to`, else the profile's trait */
  to: string | null;
  content: MessageContent | null;
  offer: Offer | null;
  category: "promotional" | "transactional" | null;
  handoff: HandoffRequest | null;
  request: WebhookRequest | null;
  origin: MessageOrigin;
  /** the payload exactly as the runtime stored it */
  payload: Record<string, unknown>;
  /** the workspace's `channel_settings.config` for this channel ({} when none) */
  config: Record<string, unknown>;
}

export interface DeliveryOptions {
  /** the outbox id: the same on every attempt, so receivers can drop repeats */
  idempotencyKey: string;
  /** aborting cancels the delivery (the request or connection is closed, not left running) */
  signal: AbortSignal;
}

export type DeliveryOutcome =
  | { status: "delivered"; providerMessageId: string }
  | {
      status: "rejected";
      code: RejectionCode;
      reason: string;
      /** HTTP status or SMTP reply code when the provider answered */
      providerStatus?: number | undefined;
    };

export const REJECTION_CODES = [
  "no_recipient",
  "invalid_payload",
  "invalid_url",
  "recipient_rejected",
  "request_rejected",
  "channel_disabled",
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export const rejected = (
  code: RejectionCode,
  reason: string,
  providerStatus?: number,
): Extract<DeliveryOutcome, { status: "rejected" }> => ({ status: "rejected", code, reason, providerStatus });

/** An adapter whose effect leaves our database (SMTP, webhook): at-least-once with a stable key. */
export interface ExternalChannelAdapter {
  readonly name: string;
  readonly effect: "external";
  deliver(message: OutboundMessage, options: DeliveryOptions): Promise<DeliveryOutcome>;
}

/**
 * An adapter whose whole effect is rows in our own database (sandbox, hand-off). It writes with the
 * dispatcher's transaction, which also marks the outbox row sent: exactly once, crash or not.
 */
export interface LocalChannelAdapter {
  readonly name: string;
  readonly effect: "database";
  deliver(tx: Executor, message: OutboundMessage, options: DeliveryOptions): Promise<DeliveryOutcome>;
}

export type ChannelAdapter = ExternalChannelAdapter | LocalChannelAdapter;

export const CHANNEL_ERROR_CODES = [
  /** connection refused/reset, DNS, socket closed */
  "network",
  /** the adapter's own deadline passed; the request was cancelled */
  "timeout",
  /** the caller's signal aborted the delivery */
  "aborted",
  /** the provider said "try later": HTTP 5xx/429/408, SMTP 4xx */
  "provider_unavailable",
  /** our setup is wrong (unknown adapter, missing secret); needs a person, not a retry */
  "misconfigured",
] as const;
export type ChannelErrorCode = (typeof CHANNEL_ERROR_CODES)[number];

const RETRYABLE: Record<ChannelErrorCode, boolean> = {
  network: true,
  timeout: true,
  aborted: true,
  provider_unavailable: true,
  misconfigured: false,
};

/** A failed delivery without a definitive answer; `retryable` follows from the code alone. */
export class ChannelError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: ChannelErrorCode,
    readonly adapter: string,
    message: string,
    readonly details: {
      providerStatus?: number | undefined;
      /** the provider asked us to wait this long (Retry-After) */
      retryAfterMs?: number | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "ChannelError";
    this.retryable = RETRYABLE[code];
  }
}

export function abortedError(adapter: string, signal: AbortSignal): ChannelError {
  return new ChannelError("aborted", adapter, "the delivery was aborted before it finished", {
    cause: signal.reason,
  });
}

/**
 * The outbox payload as the runtime writes it (policies/types.ts ActionPayload). Parsed, not cast:
 * unknown keys are kept in `payload` but ignored here.
 */
export const OutboxPayload = z
  .object({
    content: MessageContent.strip().optional(),
    offer: Offer.optional(),
    category: z.enum(["promotional", "transactional"]).optional(),
    to: z.string().min(1).optional(),
    handoff: z
      .object({
        queue: z.string().min(1).default("support"),
        priority: z.string().min(1).default("normal"),
        instructions: z.string().min(1),
      })
      .optional(),
    request: z
      .object({
        url: z.string().optional(),
        method: z.string().optional(),
        body: z.unknown().optional(),
        tool: z.string().optional(),
        args: z.record(z.string(), z.unknown()).optional(),
      })
      .optional(),
  })
  .loose();
export type OutboxPayload = z.output<typeof OutboxPayload>;
