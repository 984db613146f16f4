/**
 * Action verb phrases the recognisers found nothing in. "… and have their account manager
 * introduce themselves" once drafted as the email alone: a phrase that asks us to do something
 * on a channel or through a person of ours, and that no message, hand-off or profile update came
 * from, would vanish from the draft. It is asked about, quoting it, instead.
 *
 * Only instructions count: the verb opens the sentence or follows a comma, "and", "then" or
 * "also". A channel or a person said as context ("writes in chat", "opens the email", "who spoke
 * to an agent", "a welcome email from the VIP team") has its subject before it, or hangs off an
 * action that was understood, and is left alone; so is a prohibition ("never text them").
 */

/** Verbs that ask us to act; "have"/"get"/"let" make someone of ours act. */
const INSTRUCTED_VERB =
  /(?<=(?:^|[,;:] |\b(?:and|then|also|please|just|immediately|finally|first) ))(?:send|email|text|message|notify|ping|remind|nudge|call|ring|phone|contact|reach out|follow up|have|get|let|ask|tell|hand|pass|transfer|route|escalate|connect|put|offer|invite|loop|bring|involve|alert|arrange|schedule|book|assign|give|show|thank|push)\b/g;
/** Where one verb phrase ends: the next joined clause. */
const PHRASE_END = /\s*(?:[,;.:]|\b(?:and|then|but|or|unless|otherwise|if|when|while|whereas)\b)/g;
/** A channel named in the phrase. */
const CHANNEL =
  /\b(?:e-?mails?|sms(?:es)?|text messages?|texts?|push(?: notifications?)?|notifications?|in-app(?: messages?)?|chat messages?|whatsapp|phone calls?|calls?)\b/;
/** A person of ours named in the phrase, by what they are. */
const PERSON =
  /\b(?:agents?|account managers?|managers?|supervisors?|team|reps?|representatives?|specialists?|staff|colleagues?|advisors?|advisers?|experts?|officers?|team leads?|human)\b/;
/** Consent to a channel is a condition the fallbacks read, never an action of ours. */
const CONSENT = /\b(?:allow|accept|enabl|consent|opt(?:ed)? (?:in|out)|unsubscrib|disabl|block)/;

export interface UnplacedAction {
  text: string;
  start: number;
  end: number;
}

/**
 * Instructed verb phrases naming a channel or a person of ours that overlap no action the
 * recognisers placed (`actions`: sends, hand-offs, profile updates).
 */
export function unplacedActions(
  text: string,
  actions: ReadonlyArray<{ start: number; end: number }>,
): UnplacedAction[] {
  const found: UnplacedAction[] = [];
  for (const verb of text.matchAll(INSTRUCTED_VERB)) {
    const start = verb.index;
    PHRASE_END.lastIndex = start + verb[0].length;
    const end = PHRASE_END.exec(text)?.index ?? text.length;
    if (found.some((phrase) => phrase.end > start)) continue;
    if (actions.some((span) => span.start < end && span.end > start)) continue;
    const words = text.slice(start, end);
    if (!(CHANNEL.test(words) || PERSON.test(words)) || CONSENT.test(words)) continue;
    found.push({ text: words.trim(), start, end });
  }
  return found;
}
