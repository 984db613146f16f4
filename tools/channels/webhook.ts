import { createHmac, timingSafeEqual } from "node:crypto";
import type { DeliveryOutcome, ExternalChannelAdapter, OutboundMessage } from "./channel.ts";
import { abortedError, ChannelError, rejected } from "./channel.ts";

export const SIGNATURE_HEADER = "X-Overture-Signature";
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

export interface WebhookAdapterOptions {
  /** HMAC-SHA256 secret (WEBHOOK_SECRET) */
  secret: string;
  /** the signature's timestamp; injected so tests control it */
  now?: () => Date;
  /** per-request deadline; the request is cancelled when it passes (default 10 s) */
  timeoutMs?: number;
  /** the longest Retry-After we honour (default 1 h) */
  maxRetryAfterMs?: number;
}

/** `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the scheme Stripe uses. */
export function signPayload(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex");
  return `t=${timestampSeconds},v1=${mac}`;
}

export interface VerifyOptions {
  /** the receiver's clock (default: now) */
  now?: Date;
  /** how old a signature may be, against replays (default 300 s); 0 disables the check */
  toleranceSeconds?: number;
}

/**
 * For receivers: checks `X-Overture-Signature` against the raw request body (the exact bytes, before
 * any JSON parsing). Accepts any of several `v1=` entries, so secrets can be rotated.
 */
export function verifySignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string,
  options: VerifyOptions = {},
): boolean {
  if (!header) return false;
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === "t" && /^\d+$/.test(value)) timestamp = Number(value);
    if (key === "v1" && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === null || signatures.length === 0) return false;
  const tolerance = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (tolerance > 0 && Math.abs(nowSeconds - timestamp) > tolerance) return false;
  const expected = Buffer.from(
    createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex"),
    "utf8",
  );
  return signatures.some((signature) => timingSafeEqual(Buffer.from(signature, "utf8"), expected));
}

/** The JSON a receiver gets: one envelope for every webhook action. */
export function webhookBody(message: OutboundMessage, idempotencyKey: string, sentAt: Date): string {
  return JSON.stringify({
    id: idempotencyKey,
    type: "overture.action",
    sent_at: sentAt.toISOString(),
    workspace_id: message.workspaceId,
    user_id: message.userId,
    channel: message.channel,
    journey: message.origin.journeyId
      ? { id: message.origin.journeyId, version_id: message.origin.versionId, node_id: message.origin.nodeId }
      : null,
    data: message.request?.body ??
      message.request?.args ?? { content: message.content, offer: message.offer },
  });
}

/** The first bytes of an error response, for the dead-letter message; never the whole body. */
async function readExcerpt(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // The excerpt is decoration; the status already decided the outcome.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, limit);
}

function retryAfterMs(header: string | null, now: Date, cap: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now.getTime();
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.min(ms, cap);
}

/**
 * HTTP POST of a JSON envelope, signed, with the outbox id as `Idempotency-Key`. Redirects are not
 * followed (a signed request should reach the configured host, nothing else). The URL comes from the
 * action (`request.url`) or the workspace's channel settings (`config.url`).
 */
export function createWebhookAdapter(options: WebhookAdapterOptions): ExternalChannelAdapter {
  const name = "webhook";
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 3_600_000;
  if (!options.secret) throw new ChannelError("misconfigured", name, "the webhook adapter needs a secret");

  return {
    name,
    effect: "external",
    async deliver(message, { idempotencyKey, signal }): Promise<DeliveryOutcome> {
      const configured = typeof message.config.url === "string" ? message.config.url : undefined;
      const target = message.request?.url ?? configured;
      if (!target) {
        return rejected("no_recipient", "a webhook needs `request.url` or a `url` in the channel settings");
      }
      let url: URL;
      try {
        url = new URL(target);
      } catch {
        return rejected("invalid_url", `"${target}" is not an absolute URL`);
      }
      if (url.protocol !== "https:" && url.protocol !== "http:") {
        return rejected("invalid_url", `webhooks go to http(s) URLs, not ${url.protocol}`);
      }
      if (signal.aborted) throw abortedError(name, signal);

      const sentAt = now();
      const body = webhookBody(message, idempotencyKey, sentAt);
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), timeoutMs);
      // One signal for both: the caller's abort and our deadline both cancel the socket, so no
      // request can still complete (and be acted on) after we reported a failure.
      const combined = AbortSignal.any([signal, deadline.signal]);
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "Overture-Webhooks/1",
            [IDEMPOTENCY_HEADER]: idempotencyKey,
            [SIGNATURE_HEADER]: signPayload(options.secret, body, Math.floor(sentAt.getTime() / 1000)),
          },
          body,
          redirect: "manual",
          signal: combined,
        });
      } catch (error) {
        clearTimeout(timer);
        if (signal.aborted) throw abortedError(name, signal);
        if (deadline.signal.aborted) {
          throw new ChannelError("timeout", name, `no answer from ${url.host} within ${timeoutMs} ms`, {
            cause: error,
          });
        }
        throw new ChannelError("network", name, `could not reach ${url.host}`, { cause: error });
      }

      const status = response.status;
      if (status >= 200 && status < 300) {
        clearTimeout(timer);
        // The status line is the receiver's answer; a slow body must not turn it into a retry.
        await response.body?.cancel().catch(() => undefined);
        const providerId = response.headers.get("x-request-id") ?? response.headers.get("x-message-id");
        return { status: "delivered", providerMessageId: providerId ?? `webhook:${idempotencyKey}` };
      }
      const responseText = await readExcerpt(response, 2048);
      clearTimeout(timer);
      const excerpt = responseText.slice(0, 200);
      if (status >= 500 || status === 429 || status === 408) {
        throw new ChannelError("provider_unavailable", name, `${url.host} answered ${status}: ${excerpt}`, {
          providerStatus: status,
          retryAfterMs: retryAfterMs(response.headers.get("retry-after"), now(), maxRetryAfterMs),
        });
      }
      if (status >= 300 && status < 400) {
        return rejected(
          "request_rejected",
          `${url.host} answered ${status} (redirect to ${response.headers.get("location") ?? "?"}); redirects are not followed`,
          status,
        );
      }
      return rejected("request_rejected", `${url.host} answered ${status}: ${excerpt}`, status);
    },
  };
}
