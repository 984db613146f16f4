export * from "./backoff.ts";
export * from "./channel.ts";
export * from "./dispatcher.ts";
export { createSmtpAdapter, IDEMPOTENCY_MAIL_HEADER, messageIdFor } from "./email-smtp.ts";
export { createHandoffAdapter } from "./handoff.ts";
export { OUTBOX_NOTIFY_CHANNEL, requeueDeadLetter } from "./outbox-store.ts";
export * from "./routing.ts";
export { createSandboxAdapter } from "./sandbox.ts";
export { createWebhookAdapter, SIGNATURE_HEADER, signPayload, verifySignature } from "./webhook.ts";
