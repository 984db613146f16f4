import type { ChannelAdapter } from "./channel.ts";
import { ChannelError } from "./channel.ts";
import { createSmtpAdapter } from "./email-smtp.ts";
import { createHandoffAdapter } from "./handoff.ts";
import { createSandboxAdapter } from "./sandbox.ts";
import { createWebhookAdapter } from "./webhook.ts";

/** The adapters of one process, by name ("sandbox", "handoff", "webhook", "smtp", …). */
export type AdapterSet = ReadonlyMap<string, ChannelAdapter>;

export interface ChannelSetting {
  adapter: string;
  enabled: boolean;
  config: Record<string, unknown>;
}

export type AdapterChoice =
  | { kind: "adapter"; adapter: ChannelAdapter; config: Record<string, unknown> }
  | { kind: "disabled"; reason: string };

/**
 * Which adapter serves a channel when the workspace has no `channel_settings` row: hand-offs become
 * tasks, webhooks are posted, email goes over SMTP when SMTP_URL is set; everything else (SMS, push,
 * chat, in-app, unknown channels) lands in the sandbox, so nothing leaves the machine by default.
 */
export function defaultAdapterName(channel: string, adapters: AdapterSet): string {
  if (channel === "handoff") return "handoff";
  if (channel === "webhook") return "webhook";
  if (channel === "email" && adapters.has("smtp")) return "smtp";
  return "sandbox";
}

/** A workspace's setting wins over the default; a setting naming an adapter this process lacks is a setup error. */
export function chooseAdapter(
  channel: string,
  setting: ChannelSetting | undefined,
  adapters: AdapterSet,
): AdapterChoice {
  if (setting && !setting.enabled) {
    return { kind: "disabled", reason: `the ${channel} channel is disabled in this workspace's settings` };
  }
  const name = setting?.adapter ?? defaultAdapterName(channel, adapters);
  const adapter = adapters.get(name);
  if (!adapter) {
    const hint = name === "smtp" ? " (set SMTP_URL)" : "";
    throw new ChannelError(
      "misconfigured",
      name,
      `channel "${channel}" is set to adapter "${name}", which this process does not run${hint}; available: ${[...adapters.keys()].join(", ")}`,
    );
  }
  return { kind: "adapter", adapter, config: setting?.config ?? {} };
}

export interface StandardAdapterOptions {
  /** SMTP_URL; absent → no "smtp" adapter, email goes to the sandbox */
  smtpUrl?: string | undefined;
  smtpFrom: string;
  /** WEBHOOK_SECRET */
  webhookSecret: string;
  now?: () => Date;
  webhookTimeoutMs?: number;
}

/** The adapters a server process runs, from its configuration. */
export function createStandardAdapters(options: StandardAdapterOptions): AdapterSet {
  const list: ChannelAdapter[] = [
    createSandboxAdapter(),
    createHandoffAdapter(),
    createWebhookAdapter({
      secret: options.webhookSecret,
      ...(options.now ? { now: options.now } : {}),
      ...(options.webhookTimeoutMs ? { timeoutMs: options.webhookTimeoutMs } : {}),
    }),
  ];
  if (options.smtpUrl) list.push(createSmtpAdapter({ url: options.smtpUrl, from: options.smtpFrom }));
  return new Map(list.map((adapter) => [adapter.name, adapter]));
}
