import type { Offer } from "../../journeys/format/schema.ts";
import type { ActionPayload } from "../types.ts";

/**
 * What a reviewer sees of an action: the message exactly as the customer will get it (the payload
 * holds the rendered text; nothing is re-rendered here), or the hand-off / webhook it would create.
 */
export type ActionPreview =
  | {
      kind: "message";
      channel: string;
      to: string | null;
      subject: string | null;
      title: string | null;
      body: string;
      ctaUrl: string | null;
      /** "15% off", "EUR 10 off", "free shipping" */
      offer: string | null;
      aiGenerated: boolean;
    }
  | { kind: "handoff"; queue: string; priority: string; instructions: string }
  | { kind: "webhook"; url: string | null; method: string | null; requestBody: unknown }
  | { kind: "unrendered"; channel: string; reason: string };

export function describeOffer(offer: Offer | undefined): string | null {
  if (!offer) return null;
  switch (offer.kind) {
    case "percent_off":
      return `${offer.value}% off${offer.code ? ` (code ${offer.code})` : ""}`;
    case "amount_off":
      return `${offer.currency ? `${offer.currency} ` : ""}${offer.value} off${offer.code ? ` (code ${offer.code})` : ""}`;
    case "free_shipping":
      return `free shipping${offer.code ? ` (code ${offer.code})` : ""}`;
  }
}

export function actionPreview(kind: string, channel: string, payload: ActionPayload): ActionPreview {
  if (kind === "handoff" && payload.handoff) {
    return {
      kind: "handoff",
      queue: payload.handoff.queue,
      priority: payload.handoff.priority,
      instructions: payload.handoff.instructions,
    };
  }
  if (kind === "webhook" || kind === "tool") {
    return {
      kind: "webhook",
      url: payload.request?.url ?? null,
      method: payload.request?.method ?? null,
      requestBody: payload.request?.body ?? null,
    };
  }
  const content = payload.content;
  if (!content) {
    return { kind: "unrendered", channel, reason: "the action carries no rendered content" };
  }
  return {
    kind: "message",
    channel,
    to: typeof payload.to === "string" ? payload.to : null,
    subject: content.subject ?? null,
    title: content.title ?? null,
    body: content.body,
    ctaUrl: content.cta_url ?? null,
    offer: describeOffer(payload.offer),
    aiGenerated: payload.aiGenerated === true,
  };
}
