import type { MessageChannel, MessageContent, Offer } from "../../journeys/format/schema.ts";

/**
 * Message copy for drafted sends. The offline planner writes plain, short copy chosen first by the
 * purpose words of the message's own clause ("itinerary", "reminder", "apology", "review"), then by
 * what started the journey (a failed payment, a confirmed booking), so that a reviewer sees a
 * sensible draft to edit rather than a placeholder — and never copy about another topic (an
 * abandoned-cart line for a booking confirmation). It never invents facts (prices, dates).
 */

/** What a message is about, beyond its own clause. */
export interface MessageTopic {
  /** the whole goal, normalised */
  goal: string;
  /** the event that starts the journey ("Booking Confirmed"), when one does */
  triggerEvent: string | null;
}

interface Purpose {
  /** the message's own words that ask for this copy */
  pattern: RegExp;
  /** the trigger event names this copy fits when the message says nothing (null: none; absent: `pattern`) */
  trigger?: RegExp | null;
  subject: (topic: string | null) => string;
  body: (topic: string | null) => string;
  transactional: boolean;
}

const fixed = (text: string) => () => text;

// Started but not finished: only then is "you left something behind" the message's topic.
const ABANDONED =
  /\babandon|\bleft (?:\w+ )?behind\b|\b(?:without|hasn't|haven't|has not|have not|didn't|doesn't|don't|not|never|still)\b[^.;]{0,40}\b(?:complet|order|buy|bought|purchas|check(?:ed|s)? ?out|pa(?:y|id))/;
const ABANDONABLE = /\b(?:checkout|check-out|cart|basket)\b/;

const ABANDONMENT: Purpose = {
  pattern: /\bcheckout|\bcart\b|\bbasket|\bleft\b|\bremind|\bnudge/,
  subject: fixed("You left something behind"),
  body: fixed("You left something behind. Pick up where you left off."),
  transactional: false,
};

const PURPOSES: Purpose[] = [
  {
    pattern: /\b(?:update (?:their|your|the) (?:card|payment)|card|payment|invoice|billing)\b/,
    // a payment that went through is no reason to say one did not
    trigger: /\b(?:payment|charge|invoice)\b.*\b(?:failed|declined|overdue)\b/,
    subject: fixed("Your payment didn't go through"),
    body: fixed("Your last payment didn't go through. Please update your card so nothing gets interrupted."),
    transactional: true,
  },
  {
    pattern: /\bapolog|\bsorry\b/,
    subject: fixed("We're sorry"),
    body: fixed("We're sorry about what happened. Thank you for your patience — we're on it."),
    transactional: true,
  },
  {
    pattern: /\bwhat went wrong\b|\bfeedback\b|\bask (?:them )?why\b/,
    subject: fixed("What went wrong?"),
    body: fixed("We'd love to hear what went wrong so we can do better. It takes a minute."),
    transactional: true,
  },
  {
    pattern: /\b(?:csat|nps|survey|rate us|rating)\b/,
    // a submitted survey is not a request for one
    trigger: null,
    subject: fixed("How did we do?"),
    body: fixed("How did we do? Please rate your recent experience — it takes a few seconds."),
    transactional: true,
  },
  {
    pattern: /\breview\b/,
    subject: fixed("How are you finding it?"),
    body: fixed("We hope you're enjoying it. Would you take a moment to leave a short review?"),
    transactional: false,
  },
  {
    pattern: /\b(?:recommend|alternative|cross-?sell|you might like|similar)\w*/,
    subject: fixed("Picked for you"),
    body: fixed("We picked a few products we think you'll like."),
    transactional: false,
  },
  {
    pattern: /\bwin-?back\b|\bmiss you\b|\bcome back\b/,
    subject: fixed("We miss you"),
    body: fixed("We miss you. Come back and see what's new."),
    transactional: false,
  },
  {
    pattern: /\bwelcome\b/,
    trigger: /\bsigned up\b|\bjoined\b|\bregistered\b/,
    subject: fixed("Welcome aboard"),
    body: fixed("Welcome! Here's how to get started."),
    transactional: false,
  },
  {
    pattern: /\btips?\b|\bhow to\b|\bget started\b|\bonboard/,
    subject: fixed("A few tips to get started"),
    body: fixed("Here are a few tips to get the most out of your account."),
    transactional: false,
  },
  {
    pattern: /\bdocument|\bupload/,
    // documents that arrived are not missing
    trigger: /\b(?:document|upload)\w*\b.*\bfailed\b/,
    subject: fixed("Your documents are still missing"),
    body: fixed("Your application is waiting for your documents. Upload them to continue."),
    transactional: true,
  },
  {
    pattern: /\bitinerar/,
    subject: fixed("Your itinerary"),
    body: fixed("Here is your itinerary, with everything you need for your trip."),
    transactional: true,
  },
  {
    pattern: /\breceipt\b/,
    subject: fixed("Your receipt"),
    body: (topic) => `Thank you. Here is the receipt for your ${topic ?? "purchase"}.`,
    transactional: true,
  },
  {
    pattern: /\bconfirm/,
    trigger: /\bconfirmed\b/,
    subject: (topic) => `Your ${topic ?? "request"} is confirmed`,
    body: (topic) => `This confirms your ${topic ?? "request"}. We'll be in touch if anything changes.`,
    transactional: true,
  },
  {
    pattern: /\btrial\b|\bupgrade\b/,
    // a trial that just started does not end soon
    trigger: null,
    subject: fixed("Your trial ends soon"),
    body: fixed("Your trial ends soon. Upgrade to keep everything you've set up."),
    transactional: false,
  },
  {
    pattern: /\bship|\bon its way\b|\btracking\b/,
    subject: fixed("Your order is on its way"),
    body: fixed("Good news: your order is on its way."),
    transactional: true,
  },
  {
    pattern: /\bdelay|\blate\b/,
    subject: (topic) => `Your ${topic ?? "delivery"} is delayed`,
    body: (topic) => `Your ${topic ?? "delivery"} is running late. We're sorry for the wait.`,
    transactional: true,
  },
  {
    // A reminder is about whatever started the journey (a booking, a trial), never a guessed cart.
    pattern: /\bremind|\bnudge/,
    trigger: null,
    subject: (topic) => (topic ? `A reminder about your ${topic}` : "A quick reminder"),
    body: (topic) => (topic ? `Just a reminder about your ${topic}.` : "Just a quick reminder from us."),
    transactional: false,
  },
  {
    pattern: /\bthank/,
    subject: fixed("Thank you"),
    body: fixed("Thank you for being with us."),
    transactional: false,
  },
];

// Copy only a trigger asks for: the message's own words never pick these.
const TRIGGER_ONLY: Purpose[] = [
  {
    pattern: /$^/,
    trigger: /\btrial started\b/,
    subject: fixed("Your trial"),
    body: fixed("Here's how to get the most out of your trial."),
    transactional: false,
  },
  {
    pattern: /$^/,
    trigger: /\b(?:order|purchase) completed\b|\bpurchased\b/,
    subject: fixed("Thank you for your order"),
    body: fixed("Thank you for your order."),
    transactional: false,
  },
  {
    pattern: /$^/,
    trigger: /\bdelivered\b/,
    subject: fixed("Your order has arrived"),
    body: fixed("Your order has arrived. We hope you enjoy it."),
    transactional: false,
  },
];

/** "Booking Confirmed" → "booking": the event's name without its action (and without participles). */
function triggerTopic(event: string | null): string | null {
  if (!event) return null;
  const words = event.toLowerCase().split(/\s+/).slice(0, -1);
  const nouns = words.filter((word) => !/ed$/.test(word));
  return nouns.length > 0 ? nouns.join(" ") : null;
}

/** The neutral line when neither the message nor the trigger says what it is about. */
const NEUTRAL: Purpose = {
  pattern: /$^/,
  subject: (topic) => (topic ? `About your ${topic}` : "A note from us"),
  body: (topic) => (topic ? `Here's an update about your ${topic}.` : "Here's a quick note from us."),
  transactional: false,
};

function choosePurpose(purpose: string, about: MessageTopic): { chosen: Purpose; ownWords: boolean } {
  const abandoned = ABANDONED.test(about.goal) && ABANDONABLE.test(about.goal);
  if (abandoned && ABANDONMENT.pattern.test(purpose)) return { chosen: ABANDONMENT, ownWords: true };
  const own = PURPOSES.find((entry) => entry.pattern.test(purpose));
  if (own) return { chosen: own, ownWords: true };
  if (abandoned) return { chosen: ABANDONMENT, ownWords: false };
  const trigger = about.triggerEvent?.toLowerCase() ?? "";
  const fromTrigger = [...PURPOSES, ...TRIGGER_ONLY].find((entry) => {
    const pattern = entry.trigger === undefined ? entry.pattern : entry.trigger;
    return trigger !== "" && pattern !== null && pattern.test(trigger);
  });
  return { chosen: fromTrigger ?? NEUTRAL, ownWords: false };
}

export function offerText(offer: Offer): string {
  const code = "code" in offer && offer.code ? ` with code ${offer.code}` : "";
  switch (offer.kind) {
    case "percent_off":
      return `${offer.value}% off${offer.applies_to ? ` ${offer.applies_to}` : ""}${code}`;
    case "amount_off": {
      const symbol =
        offer.currency === "EUR" ? "€" : offer.currency === "GBP" ? "£" : offer.currency === "USD" ? "$" : "";
      return `${symbol}${offer.value}${symbol ? "" : ` ${offer.currency ?? ""}`.trimEnd()} off${offer.applies_to ? ` ${offer.applies_to}` : ""}${code}`;
    }
    case "free_shipping":
      return `free shipping on your next order${code}`;
  }
}

export function messageContent(
  channel: MessageChannel,
  purpose: string,
  offer: Offer | undefined,
  about: MessageTopic,
  variant?: string,
): { content: MessageContent; category: "promotional" | "transactional" | undefined } {
  const { chosen, ownWords } = choosePurpose(purpose, about);
  const topic = triggerTopic(about.triggerEvent);
  const offerLine = offer ? ` Here's ${offerText(offer)}.` : "";
  const body = `${chosen.body(topic)}${offerLine}`;
  const subject = variant ? `${chosen.subject(topic)} (${variant})` : chosen.subject(topic);
  // An offer makes a message promotional; a message whose own words make it a service message is
  // transactional. Anything else — including copy chosen only from the trigger — is left to the
  // workspace default rather than guessed (the runtime treats it as promotional only with an
  // offer), so that suppression rules are not triggered by a guess of the planner.
  const category = offer ? "promotional" : ownWords && chosen.transactional ? "transactional" : undefined;
  switch (channel) {
    case "email":
      return { content: { subject, body }, category };
    case "push":
    case "in_app":
      return { content: { title: subject, body }, category };
    case "sms":
    case "chat":
      return { content: { body }, category };
  }
}
