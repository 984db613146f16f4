import net from "node:net";
import nodemailer from "nodemailer";
import SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import type { DeliveryOutcome, ExternalChannelAdapter, OutboundMessage } from "./channel.ts";
import { abortedError, ChannelError, rejected } from "./channel.ts";

export const IDEMPOTENCY_MAIL_HEADER = "X-Overture-Idempotency-Key";

export interface SmtpAdapterOptions {
  /** smtp://user:pass@host:port or smtps://… (SMTP_URL) */
  url: string;
  /** default sender (SMTP_FROM); a workspace may override it with `config.from` */
  from: string;
  /** connection, greeting and socket timeouts in ms (default 15 s) */
  timeoutMs?: number;
}

/** The domain part of the sender, for Message-IDs that belong to us. */
export function senderDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  return match?.[1] ?? "overture.local";
}

/**
 * Derived from the idempotency key alone, so a redelivery of the same outbox row carries the same
 * Message-ID and mail systems (and our crash tests) can tell it is a repeat.
 */
export function messageIdFor(idempotencyKey: string, workspaceId: string, from: string): string {
  const safeKey = idempotencyKey.replace(/[^A-Za-z0-9._-]/g, "_");
  const safeWorkspace = workspaceId.replace(/[^A-Za-z0-9._-]/g, "_");
  return `<outbox-${safeKey}.${safeWorkspace}@${senderDomain(from)}>`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** A plain, safe HTML rendering of the text body: paragraphs, line breaks, one call-to-action link. */
export function htmlBody(body: string, ctaUrl?: string): string {
  const paragraphs = body
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
  const cta =
    ctaUrl && /^https?:\/\//i.test(ctaUrl)
      ? `\n<p><a href="${escapeHtml(ctaUrl)}">${escapeHtml(ctaUrl)}</a></p>`
      : "";
  return `<!doctype html>\n<html><body>\n${paragraphs}${cta}\n</body></html>`;
}

/** nodemailer's error shape: `responseCode` is the SMTP reply code, `code` its own classification. */
interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

function asSmtpFailure(error: unknown): SmtpFailure {
  return typeof error === "object" && error !== null ? (error as SmtpFailure) : {};
}

/** Codes nodemailer uses for local setup problems that a retry cannot fix. */
const SETUP_CODES = new Set(["ECONFIG", "EAUTH", "ENOAUTH", "EOAUTH2", "EENVELOPE", "EMESSAGE", "ESTREAM"]);

/**
 * Email over real SMTP with nodemailer. Each delivery opens its own connection on a socket we create,
 * so aborting destroys that socket: the SMTP dialogue stops and nothing is sent after we gave up.
 * Replies 4xx are "try later" (retryable), 5xx are final (a dead letter).
 */
export function createSmtpAdapter(options: SmtpAdapterOptions): ExternalChannelAdapter {
  const name = "smtp";
  const timeoutMs = options.timeoutMs ?? 15_000;
  try {
    const parsed = new URL(options.url);
    if (parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:") throw new Error(parsed.protocol);
  } catch {
    throw new ChannelError("misconfigured", name, "SMTP_URL must look like smtp://user:pass@host:port");
  }

  return {
    name,
    effect: "external",
    async deliver(message: OutboundMessage, { idempotencyKey, signal }): Promise<DeliveryOutcome> {
      if (!message.to) {
        return rejected("no_recipient", "no email address: neither the payload's `to` nor traits.email");
      }
      if (!message.content) return rejected("invalid_payload", "an email needs `content.body`");
      if (signal.aborted) throw abortedError(name, signal);

      const from = typeof message.config.from === "string" ? message.config.from : options.from;
      const content = message.content;
      const subject = content.subject ?? content.title ?? content.body.split("\n")[0]?.slice(0, 120) ?? "";
      const sockets = new Set<net.Socket>();
      const onAbort = () => {
        for (const socket of sockets) socket.destroy();
      };
      signal.addEventListener("abort", onAbort, { once: true });

      // A transport object rather than options: nodemailer.createTransport({ url }) would drop every
      // option but the URL, including the timeouts and getSocket below.
      const smtpTransport = new SMTPTransport({
        url: options.url,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        // Our own socket, so the abort above can close it. nodemailer still speaks SMTP (and STARTTLS
        // or implicit TLS) over it exactly as it would over one it opened itself.
        getSocket(
          socketOptions: SMTPTransport.Options,
          callback: (error: Error | null, value?: object) => void,
        ) {
          const secure = socketOptions.secure === true;
          const port = Number(socketOptions.port) || (secure ? 465 : 587);
          const host = socketOptions.host ?? "localhost";
          const socket = net.connect({ host, port });
          sockets.add(socket);
          if (signal.aborted) socket.destroy();
          const onError = (error: Error) => callback(error);
          socket.once("error", onError);
          socket.once("connect", () => {
            socket.off("error", onError);
            callback(null, { connection: socket });
          });
        },
      } as SMTPTransport.Options);
      const transport = nodemailer.createTransport(smtpTransport);

      try {
        const info = await transport.sendMail({
          from,
          to: message.to,
          subject,
          text: content.cta_url ? `${content.body}\n\n${content.cta_url}` : content.body,
          html: htmlBody(content.body, content.cta_url),
          messageId: messageIdFor(idempotencyKey, message.workspaceId, from),
          headers: {
            [IDEMPOTENCY_MAIL_HEADER]: idempotencyKey,
            "X-Overture-Workspace": message.workspaceId,
          },
        });
        return { status: "delivered", providerMessageId: info.messageId };
      } catch (error) {
        if (signal.aborted) throw abortedError(name, signal);
        const failure = asSmtpFailure(error);
        const reply = failure.responseCode;
        const detail = `${failure.command ? `${failure.command}: ` : ""}${failure.response ?? failure.message ?? "failed"}`;
        if (reply !== undefined && reply >= 400 && reply < 500) {
          throw new ChannelError("provider_unavailable", name, `SMTP ${reply} (try later): ${detail}`, {
            providerStatus: reply,
            cause: error,
          });
        }
        if (reply !== undefined && reply >= 500) {
          return rejected("recipient_rejected", `SMTP ${reply}: ${detail}`, reply);
        }
        if (failure.code && SETUP_CODES.has(failure.code)) {
          throw new ChannelError("misconfigured", name, `SMTP ${failure.code}: ${detail}`, { cause: error });
        }
        if (failure.code === "ETIMEDOUT") {
          throw new ChannelError("timeout", name, `SMTP timed out: ${detail}`, { cause: error });
        }
        // Connection-level failures (refused, reset, DNS, TLS, protocol): no answer, so try again.
        throw new ChannelError("network", name, `SMTP connection failed: ${detail}`, { cause: error });
      } finally {
        signal.removeEventListener("abort", onAbort);
        for (const socket of sockets) socket.destroy();
        transport.close();
      }
    },
  };
}
