import { MESSAGE_CHANNELS } from "../../journeys/format/schema.ts";

/**
 * How customer consent arrives through the Segment API (documented in docs/ingestion.md):
 *
 * 1. `context.consent.categoryPreferences` on any call (Segment's consent management): a category
 *    whose normalised name is a channel (`Email`, `sms`, `In-App` …) sets that channel; a workspace
 *    may map other categories to channels with `settings.consent_categories`
 *    (`{ "Marketing": ["email", "sms", "push"] }`). Unmapped categories change nothing.
 * 2. `traits.consent` on identify: `{ "email": true, "sms": false }`. It is consent, not a trait, so
 *    it is kept out of the profile's traits.
 * 3. track `Unsubscribed` / `Subscribed` with `properties.channel` (a channel, a list of channels, or
 *    "all"); without one they mean email, as in Segment's email event spec.
 *
 * Within one call they apply in that order, so the most explicit statement wins. When two profiles
 * merge, an opt-out on either side wins: nobody is messaged on a channel they refused anywhere.
 */

export const CONSENT_CHANNELS: readonly string[] = MESSAGE_CHANNELS;
export const ALL_CHANNELS = "all";
export const UNSUBSCRIBED_EVENT = "Unsubscribed";
export const SUBSCRIBED_EVENT = "Subscribed";

export type ConsentMap = Record<string, boolean>;
export type CategoryMap = Record<string, readonly string[]>;

export function normaliseCategory(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

/** The workspace's category → channels map from its settings (invalid entries are ignored). */
export function categoryMapFromSettings(settings: Record<string, unknown> | null | undefined): CategoryMap {
  const map: Record<string, string[]> = {};
  for (const channel of CONSENT_CHANNELS) map[channel] = [channel];
  const configured = settings?.consent_categories;
  if (configured && typeof configured === "object" && !Array.isArray(configured)) {
    for (const [category, channels] of Object.entries(configured as Record<string, unknown>)) {
      const list = Array.isArray(channels) ? channels : [channels];
      const valid = list.filter(
        (channel): channel is string => typeof channel === "string" && CONSENT_CHANNELS.includes(channel),
      );
      map[normaliseCategory(category)] = valid;
    }
  }
  return map;
}

export function consentFromCategories(
  preferences: Record<string, boolean>,
  categories: CategoryMap,
): ConsentMap {
  const updates: ConsentMap = {};
  for (const [category, granted] of Object.entries(preferences)) {
    for (const channel of categories[normaliseCategory(category)] ?? []) updates[channel] = granted;
  }
  return updates;
}

/** `properties.channel` of an Unsubscribed/Subscribed event → channels, or an error sentence. */
export function subscriptionChannels(channel: unknown): { channels: string[] } | { error: string } {
  if (channel === undefined || channel === null) return { channels: ["email"] };
  const list = Array.isArray(channel) ? channel : [channel];
  const channels: string[] = [];
  for (const entry of list) {
    if (entry === ALL_CHANNELS) return { channels: [...CONSENT_CHANNELS] };
    if (typeof entry !== "string" || !CONSENT_CHANNELS.includes(entry)) {
      return {
        error: `must be a channel (${CONSENT_CHANNELS.join(", ")}), a list of them, or "${ALL_CHANNELS}"`,
      };
    }
    channels.push(entry);
  }
  return { channels };
}

export function isSubscriptionEvent(event: string): boolean {
  return event === UNSUBSCRIBED_EVENT || event === SUBSCRIBED_EVENT;
}

export function consentFromTrack(event: string, properties: Record<string, unknown>): ConsentMap {
  if (!isSubscriptionEvent(event)) return {};
  const parsed = subscriptionChannels(properties.channel);
  if ("error" in parsed) return {};
  const granted = event === SUBSCRIBED_EVENT;
  return Object.fromEntries(parsed.channels.map((channel) => [channel, granted]));
}

/** Two profiles' consent combined: an opt-out on either side wins. */
export function mergeConsent(a: ConsentMap, b: ConsentMap): ConsentMap {
  const merged: ConsentMap = { ...a };
  for (const [channel, granted] of Object.entries(b)) {
    merged[channel] = channel in merged ? merged[channel]! && granted : granted;
  }
  return merged;
}
