import type { EventRecord } from "../../journeys/format/evaluate.ts";
import type { NbaRequest } from "../../journeys/runtime/nba.ts";
import type { TextSignals } from "../../predict/text-signals.ts";
import { defaultTextSignals } from "../../predict/text-signals.ts";
import { openTickets, scoresOf } from "../../tools/data/event-facts.ts";

/**
 * What a next-best-action step knows about the customer, read from the request alone (the step
 * environment already put the recent events in it): model scores, how frustrated their own recent
 * words sound, open tickets, tier, which channels they use, and what the objective asks for.
 * Pure and deterministic: the scorer decides from it, and the model's prompt shows it.
 */

/** Property keys whose string values the customer wrote themselves. */
export const CUSTOMER_TEXT_KEYS = ["text", "comment", "message", "feedback", "body"] as const;
/** Customer text older than this no longer says how they feel now. */
export const FRUSTRATION_WINDOW_MS = 7 * 86_400_000;
/** A channel the customer used this recently counts as one they engage with. */
export const ENGAGEMENT_WINDOW_MS = 14 * 86_400_000;

export interface CustomerText {
  /** where it came from: `<event name>.<property>` */
  source: string;
  text: string;
  at: Date;
}

export interface ObjectiveFocus {
  retain: boolean;
  convert: boolean;
  support: boolean;
  engage: boolean;
  /** keep offers small: cost, margin, "without a discount" */
  thrift: boolean;
  /** channels the objective names ("prefer SMS") */
  channels: string[];
}

export interface CustomerSignals {
  churnRisk: number | null;
  purchasePropensity: number | null;
  /** 0 … 1, the highest over the customer's own words of the last 7 days (and the trigger's) */
  frustration: number;
  /** the intent of their latest words (predict/text-signals), or null without any */
  intent: string | null;
  openTickets: number;
  vip: boolean;
  lifetimeValue: number | null;
  /** channels with recent activity (push/in_app after App Opened, chat after a chat message, …) */
  engagedChannels: string[];
  texts: CustomerText[];
  objective: ObjectiveFocus;
}

const OBJECTIVE_PATTERNS: Record<Exclude<keyof ObjectiveFocus, "channels">, RegExp> = {
  retain:
    /\b(churn|retain|retention|keep|save|win[- ]?back|win (\w+ ){0,3}back|cancel|leav|stay|loyal|lapsed|dormant)/i,
  convert:
    /\b(purchas|buy|convert|conversion|sale|sell|upsell|cross-?sell|revenue|order|checkout|cart|basket|upgrade)/i,
  support:
    /\b(support|resolve|help|complain|satisf|service|frustrat|angry|issue|problem|ticket|apolog|recover)/i,
  engage: /\b(engage|activat|onboard|adopt|habit|reactivat|open the app|come back)/i,
  thrift:
    /\b(cost|margin|cheap|budget|profit|without (a |any )?(discount|offer|incentive)|minimi[sz]e (the )?(discount|spend)|smallest (discount|offer)|least (discount|spend))/i,
};

const CHANNEL_WORDS: Record<string, RegExp> = {
  email: /\be-?mails?\b/i,
  sms: /\b(sms|texts?|text messages?)\b/i,
  push: /\bpush\b/i,
  in_app: /\bin[- _]app\b/i,
  chat: /\bchat\b/i,
};

/** Events that show a customer uses a channel. */
const ENGAGEMENT_EVENTS: Record<string, readonly string[]> = {
  push: ["App Opened", "Push Opened", "Push Clicked"],
  in_app: ["App Opened"],
  chat: ["Chat Message Received"],
  email: ["Email Opened", "Email Clicked", "Email Link Clicked"],
  sms: ["SMS Clicked", "SMS Replied"],
};

export function objectiveFocus(objective: string): ObjectiveFocus {
  return {
    retain: OBJECTIVE_PATTERNS.retain.test(objective),
    convert: OBJECTIVE_PATTERNS.convert.test(objective),
    support: OBJECTIVE_PATTERNS.support.test(objective),
    engage: OBJECTIVE_PATTERNS.engage.test(objective),
    thrift: OBJECTIVE_PATTERNS.thrift.test(objective),
    channels: Object.entries(CHANNEL_WORDS)
      .filter(([, pattern]) => pattern.test(objective))
      .map(([channel]) => channel),
  };
}

/** The customer's own words in these events, oldest first (bounded: 20 texts of 2,000 characters). */
export function customerTexts(events: readonly EventRecord[]): CustomerText[] {
  const found: CustomerText[] = [];
  for (const event of events) {
    for (const key of CUSTOMER_TEXT_KEYS) {
      const value = event.properties[key];
      if (typeof value === "string" && value.trim() !== "") {
        found.push({ source: `${event.name}.${key}`, text: value.slice(0, 2000), at: event.timestamp });
      }
    }
  }
  return found.sort((a, b) => a.at.getTime() - b.at.getTime()).slice(-20);
}

const score = (value: unknown) => (typeof value === "number" && value >= 0 && value <= 1 ? value : null);

/** The recent events plus the trigger (when it is not already among them), oldest first. */
export function eventsOf(request: NbaRequest): EventRecord[] {
  const recent = [...(request.recentEvents ?? [])];
  const trigger = request.trigger;
  const known = recent.some(
    (event) => event.name === trigger.name && event.timestamp.getTime() === trigger.timestamp.getTime(),
  );
  if (!known && trigger.name) recent.push(trigger);
  return recent.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
}

export function customerSignals(
  request: NbaRequest,
  textSignals: TextSignals = defaultTextSignals,
): CustomerSignals {
  const traits = request.customer.traits;
  const events = eventsOf(request);
  const now = request.now.getTime();
  const texts = customerTexts(events);
  const fresh = texts.filter((entry) => now - entry.at.getTime() <= FRUSTRATION_WINDOW_MS);
  const frustration = fresh.reduce((max, entry) => Math.max(max, textSignals.frustration(entry.text)), 0);
  const latest = fresh.at(-1);
  const engaged = Object.entries(ENGAGEMENT_EVENTS)
    .filter(([, names]) =>
      events.some(
        (event) => names.includes(event.name) && now - event.timestamp.getTime() <= ENGAGEMENT_WINDOW_MS,
      ),
    )
    .map(([channel]) => channel);
  const scores = scoresOf(traits);
  const lifetimeValue = traits.lifetime_value;
  return {
    churnRisk: score(scores.churn_risk),
    purchasePropensity: score(scores.purchase_propensity),
    frustration: Math.round(frustration * 100) / 100,
    intent: latest ? textSignals.intent(latest.text) : null,
    openTickets: openTickets(events, traits, request.now, { limit: 1 }).count,
    vip: traits.tier === "vip",
    lifetimeValue: typeof lifetimeValue === "number" && Number.isFinite(lifetimeValue) ? lifetimeValue : null,
    engagedChannels: engaged,
    texts,
    objective: objectiveFocus(request.objective),
  };
}
