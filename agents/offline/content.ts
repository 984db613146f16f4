import type { MessageChannel, MessageContent, Offer } from "../../journeys/format/schema.ts";

/**
 * Message copy for drafted sends. The offline planner writes plain, short copy chosen by the
 * purpose words of the goal ("reminder", "apology", "review", "win-back"), so that a reviewer sees
 * a sensible draft to edit rather than a placeholder. It never invents facts (prices, dates).
 */

interface Purpose {
  pattern: RegExp;
  subject: string;
  body: string;
  transactional: boolean;
}

const PURPOSES: Purpose[] = [
  {
    pattern: /\b(?:update (?:their|your|the) (?:card|payment)|card|payment|invoice|billing)\b/,
    subject: "Your payment didn't go through",
    body: "Your last payment didn't go through. Please update your card so nothing gets interrupted.",
    transactional: true,
  },
  {
    pattern: /\bapolog|\bsorry\b/,
    subject: "We're sorry",
    body: "We're sorry about what happened. Thank you for your patience — we're on it.",
    transactional: true,
  },
  {
    pattern: /\bwhat went wrong\b|\bfeedback\b|\bask (?:them )?why\b/,
    subject: "What went wrong?",
    body: "We'd love to hear what went wrong so we can do better. It takes a minute.",
    transactional: true,
  },
  {
    pattern: /\b(?:csat|nps|survey|rate us|rating)\b/,
    subject: "How did we do?",
    body: "How did we do? Please rate your recent experience — it takes a few seconds.",
    transactional: true,
  },
  {
    pattern: /\breview\b/,
    subject: "How are you finding it?",
    body: "We hope you're enjoying your order. Would you leave a short review?",
    transactional: false,
  },
  {
    pattern: /\b(?:recommend|alternative|cross-?sell|you might like|similar)\w*/,
    subject: "Picked for you",
    body: "We picked a few products we think you'll like.",
    transactional: false,
  },
  {
    pattern: /\bwin-?back\b|\bmiss you\b|\bcome back\b/,
    subject: "We miss you",
    body: "We miss you. Come back and see what's new.",
    transactional: false,
  },
  {
    pattern: /\bwelcome\b/,
    subject: "Welcome aboard",
    body: "Welcome! Here's how to get started.",
    transactional: false,
  },
  {
    pattern: /\btips?\b|\bhow to\b|\bget started\b|\bonboard/,
    subject: "A few tips to get started",
    body: "Here are a few tips to get the most out of your account.",
    transactional: false,
  },
  {
    pattern: /\bdocument|\bupload/,
    subject: "Your documents are still missing",
    body: "Your application is waiting for your documents. Upload them to continue.",
    transactional: true,
  },
  {
    pattern: /\btrial\b|\bupgrade\b/,
    subject: "Your trial ends soon",
    body: "Your trial ends soon. Upgrade to keep everything you've set up.",
    transactional: false,
  },
  {
    pattern: /\bship|\bon its way\b|\btracking\b/,
    subject: "Your order is on its way",
    body: "Good news: your order is on its way.",
    transactional: true,
  },
  {
    pattern: /\bdelay|\blate\b/,
    subject: "Your delivery is delayed",
    body: "Your delivery is running late. We're sorry for the wait.",
    transactional: true,
  },
  {
    pattern: /\bremind|\bnudge|\bcheckout|\bcart|\bbasket|\bleft\b/,
    subject: "You left something behind",
    body: "You left something behind. Pick up where you left off.",
    transactional: false,
  },
  { pattern: /\bthank/, subject: "Thank you", body: "Thank you for being with us.", transactional: false },
];

const GENERIC: Purpose = {
  pattern: /$^/,
  subject: "A note from us",
  body: "We have something for you.",
  transactional: false,
};

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
  variant?: string,
): { content: MessageContent; category: "promotional" | "transactional" | undefined } {
  const chosen = PURPOSES.find((entry) => entry.pattern.test(purpose)) ?? GENERIC;
  const offerLine = offer ? ` Here's ${offerText(offer)}.` : "";
  const body = `${chosen.body}${offerLine}`;
  const subject = variant ? `${chosen.subject} (${variant})` : chosen.subject;
  // An offer makes a message promotional; service messages are transactional. Anything else is left
  // to the workspace default rather than guessed (the runtime treats it as promotional only with an
  // offer), so that suppression rules are not triggered by a guess of the planner.
  const category = offer ? "promotional" : chosen.transactional ? "transactional" : undefined;
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
