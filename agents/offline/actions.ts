import type { MessageChannel } from "../../journeys/format/schema.ts";

/**
 * What the journey should *do*, as said in a goal: messages on a channel ("text them", "an SMS
 * reminder", "by email", "a push notification"), hand-offs to people ("hand the conversation to a
 * senior agent", "have their account manager call them", "create a task for the support team")
 * and profile updates ("upgrade them to VIP"). Offers and splits are in offers.ts.
 */

// ─── Messages ────────────────────────────────────────────────────────────────────────────────────

export interface SendMention {
  channel: MessageChannel;
  start: number;
  end: number;
  text: string;
}

const CHANNEL_PATTERNS: Array<{ channel: MessageChannel; pattern: RegExp }> = [
  { channel: "push", pattern: /\bpush(?:[- ](?:notifications?|messages?|alerts?|notes?))?\b/g },
  {
    channel: "in_app",
    pattern:
      /\bin-app(?: (?:messages?|notifications?|banners?|cards?|pop-?ups?|modals?|notes?))?\b|\b(?:show|display)\w* (?:them |him |her )?(?:a |an )?(?:message|banner|card|pop-?up|note) in the app\b|(?<=\b(?:ask|tell|show|display|remind|notify|message|nudge|prompt|invite|thank|let)\w*(?: [\w'-]+){0,6}) (?:in|inside|within) the (?:mobile )?app\b/g,
  },
  {
    channel: "sms",
    pattern:
      /\b(?:sms(?:es)?|text messages?)\b|\btext(?:s|ed|ing)?\b(?= (?:[a-z]+ )?(?:them|him|her|the|customers?|people|users?|everyone|us|a|an|their|reminder|nudge|with|\d))|\b(?:a|an|another|one|the) text\b(?! (?:property|field|says|of))|\b(?:be|been|being|get|gets|are|is) texted\b|\band texted\b/g,
  },
  { channel: "email", pattern: /\bemail(?:s|ed|ing)?\b(?! address)|\bnewsletter\b/g },
  {
    channel: "chat",
    pattern:
      /\b(?:via|through|over|by) (?:live |the )?chat\b(?! messages?)|\b(?:send|write|drop) (?:them |him |her |the customer )?(?:a )?(?:proactive )?chat message\b|\bchat with them\b|\brepl(?:y|ies)(?: to them)? (?:in|via|through|over) (?:the )?chat\b|(?<=\b(?:message|repl|respond|write|answer|send|tell|contact|reach|follow|offer|ping|invite)\w*(?: [\w'-]+){0,4}) (?:in|via|through|over|on) (?:the )?(?:live )?chat\b(?! messages?)/g,
  },
];

/**
 * The channel a customer wrote or spoke on, said as context: "if a customer writes in chat that …",
 * "when they reply by email", "the customer mentions on a call". A subject that is the customer and
 * one of their verbs of saying before the preposition make it where the customer spoke; "reply in
 * chat" with no subject stays an instruction to us.
 */
const CUSTOMER_SAID_ON = new RegExp(
  "\\b(?:customers?|they|he|she|who|someone|anyone|users?|shoppers?|clients?|travell?ers?|passengers?|applicants?|subscribers?|people|person|guests?)" +
    // "a customer who is very frustrated writes in chat": a mood said of the subject in between
    "(?: who (?:is|are|was|were|seems?|sounds?|looks?|feels?|appears?|gets?)(?: [a-z]+){1,2})?" +
    "(?: (?:still|then|also|just|first|later|again))?" +
    " (?:writes?|wrote|written|writing|says?|said|saying|repl(?:y|ies|ied)|respond(?:s|ed)?|mentions?|mentioned|asks?|asked|complain(?:s|ed)?|tells? us|told us|messages? us|messaged us|contacts? us|contacted us|reach(?:es)? out|reached out|gets? in touch|got in touch|talks? to us|talked to us|spoke to us|speaks? to us|chats? with us|chatted with us|raises?|raised|brings? up|brought up)" +
    "(?: (?!and\\b|then\\b)[\\w'-]+){0,3}" +
    " (?:in|by|via|over|on|through) (?:the |a |an |their |our )?(?:live |mobile |phone )?(?:chat|e-?mail|sms|text|app|call|phone)\\w*$",
);

const SEND_VERBS =
  /\b(?:send|sends|sending|get|gets|getting|receive|receives|give|gives|deliver|trigger|fire|push|with|by|via|an?|another)\s+(?:\w+\s+){0,3}$/;

/** Every message the goal asks for; channel words that only refer to an earlier message are skipped. */
export function findSends(sentence: string): SendMention[] {
  const found: SendMention[] = [];
  for (const { channel, pattern } of CHANNEL_PATTERNS) {
    for (const match of sentence.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      const before = sentence.slice(Math.max(0, start - 40), start);
      // "gets no email", "never text them", "without an email": not an action.
      if (
        /\b(?:no|not|never|without|nothing|don't|do not|doesn't|neither|nor)\s+(?:\w+\s+){0,2}$/.test(before)
      )
        continue;
      // "hasn't allowed push notifications", "opted out of texts": consent to a channel, not a message.
      if (
        /\b(?:allow(?:s|ed|ing)?|accept(?:s|ed)?|enabl(?:e|es|ed)|consent(?:s|ed)? to|opt(?:s|ed)? (?:in|out) (?:to|of|from)|unsubscrib(?:e|es|ed) from|turn(?:s|ed)? (?:on|off)|disabl(?:e|es|ed)|block(?:s|ed)?)\s+(?:\w+\s+)?$/.test(
          before,
        )
      )
        continue;
      // "after the sms", "since the email", "open the email": a reference, not a new message.
      if (
        /\b(?:after|since|before|than|following|of|opens?|opened|clicks?|clicked|reads?|read|ignores?|ignored)\s+(?:the|their|that|this|our|an?|any)?\s*(?:\w+\s+)?$/.test(
          before,
        )
      )
        continue;
      if (/\b(?:the|that|this|their)\s+$/.test(before) && !SEND_VERBS.test(before)) continue;
      if (CUSTOMER_SAID_ON.test(sentence.slice(Math.max(0, start - 80), end))) continue;
      // "if push isn't allowed", "when email fails": the channel as a condition, not a message.
      if (
        /^\s*(?:isn't|is not|aren't|are not|can't|cannot|is unavailable|is blocked|fails|is off|is disabled)\b/.test(
          sentence.slice(end),
        )
      )
        continue;
      found.push({ channel, start, end, text: match[0] });
    }
  }
  found.sort((a, b) => a.start - b.start);
  // "text them an SMS reminder": one message, said twice.
  const merged: SendMention[] = [];
  for (const mention of found) {
    const previous = merged[merged.length - 1];
    if (
      previous &&
      previous.channel === mention.channel &&
      mention.start - previous.end < 25 &&
      !/\band\b|,/.test(sentence.slice(previous.end, mention.start))
    ) {
      previous.end = mention.end;
      previous.text = sentence.slice(previous.start, previous.end);
      continue;
    }
    if (merged.some((other) => mention.start < other.end && other.start < mention.end)) continue;
    merged.push(mention);
  }
  return merged;
}

// ─── Hand-offs to people ─────────────────────────────────────────────────────────────────────────

export interface HandoffMention {
  queue: string;
  priority: "low" | "normal" | "high" | "urgent";
  role: string;
  /** what the person should do, when the goal says ("call them", "reach out") */
  task: string | null;
  start: number;
  end: number;
  text: string;
}

const ROLE =
  "(?:(?!(?:so|and|or|then|who|that|to)\\b)[a-z-]+ ){0,3}(?:agents?|managers?|supervisors?|team|humans?|person|reps?|representatives?|specialists?|staff|support|colleagues?|advisors?|advisers?|experts?|desk|queue|sales|success|billing|finance|collections|retention|onboarding|officers?|someone|somebody|lead)\\b";
const TASK =
  "(?:(?:call|reach out|contact|phone|ring|follow up|get in touch|email|message|check|talk|speak|visit|review|help|handle|resolve|sort|know)\\w*(?: (?:to|with|on|in on) them| them| the customer| him| her| back| up| in)?|give (?:them|the customer|him|her) a (?:call|ring|buzz)|on (?:it|the case|this)|involved)";

/**
 * Any verb phrase a person of ours is made to do: a verb (not a joining or a time word, not a
 * participle — "have their account manager assigned" is a state) and what it takes.
 */
const ANY_TASK =
  "(?!(?:and|or|but|so|then|who|that|to|with|within|in|on|at|for|from|by|after|before|when|if|be|been|is|are|was|were|assigned|named)\\b)[a-z]+(?<!ed)(?: (?:themselves|himself|herself|them|the customer|him|her|in|up|out|back|hello|to them|with them|in touch))*";

/**
 * A person of ours by what they are ("their account manager", "our VIP team"), not by a desk or a
 * department word alone, which a customer's own things also end in ("an open support ticket").
 */
const PERSON =
  "(?:(?!(?:so|and|or|then|who|that|to)\\b)[a-z-]+ ){0,3}(?:agents?|managers?|supervisors?|team|humans?|person|reps?|representatives?|specialists?|staff|colleagues?|advisors?|advisers?|experts?|officers?|lead)\\b";
/**
 * "have"/"get" said to us, at the start of an instruction; "customers who have an account manager"
 * and "they get a team discount" say what someone has or receives.
 */
const INSTRUCTION = "(?<=(?:^|[,;:] |\\b(?:and|then|also|please|or|to|just|immediately) ))";

const HANDOFF_PATTERNS: RegExp[] = [
  new RegExp(
    `\\b(?:hand|pass|transfer|route|escalate|assign|forward|refer|send|connect|put|flag)(?:s|ed|ing)?\\b(?: (?:it|them|him|her|this|that|the (?:customer|conversation|chat|case|ticket|user|application|applicant|thread)|over|through))*? ?(?:over )?to (?:a |an |the |their |our |his |her )?(?<role>${ROLE})\\b(?: to (?<task>${TASK}))?`,
    "g",
  ),
  new RegExp(
    `\\bescalat(?:e|es|ed|ing|ion)\\b(?: (?:it|them|this|the (?:case|customer|conversation|ticket)))?(?: (?:to|with) (?:a |an |the |their |our )?(?<role>${ROLE}))?`,
    "g",
  ),
  new RegExp(
    `\\b(?:create|open|raise|file|log|add|make) (?:a |an |the )(?:(?:follow-up|follow up|callback|call-back|urgent|support|manual|review|high-priority|priority|human)[ -])*(?:task|ticket|case|callback|call-back|to-do|todo)\\b(?: (?:for|to) (?:a |an |the |their |our )?(?<role>${ROLE}))?(?: to (?<task>${TASK}))?`,
    "g",
  ),
  new RegExp(
    // "have someone from the billing team give them a ring": the team says which queue.
    `\\b(?:have|get|ask|tell|let|make)s? (?:a |an |the |their |our |his |her )?(?<role>${ROLE})(?: (?:from|in|on) (?:the |our |a |their )?(?<team>${ROLE}))? (?:to )?(?<task>${TASK})`,
    "g",
  ),
  new RegExp(`\\b(?:notify|alert|ping|inform|page)s? (?:a |an |the |their |our )?(?<role>${ROLE})\\b`, "g"),
  // "VIPs go straight to their account manager", "get routed straight to a human agent"
  new RegExp(
    `\\b(?:go|goes|get|gets|are|is|be)(?: (?:routed|sent|passed|put through|transferred|forwarded|escalated|handed over|handed|connected))? (?:straight |directly |right )?(?:over |through )?to (?:a |an |the |their |our |his |her )?(?<role>${ROLE})`,
    "g",
  ),
  new RegExp(
    `\\b(?:(?:gets?|receives?|getting) (?:a |an )?|(?:a|an) )(?:phone |personal |follow-up |quick )?(call|visit|callback|call-back|phone call) from (?:a |an |the |their |our )?(?<role>${ROLE})`,
    "g",
  ),
  new RegExp(
    `\\b(?:a|an|the|their) (?<role>${ROLE}) (?:should |must |will |needs to |has to |then |personally |also )?(?<task>(?:calls|phones|rings|contacts|emails|visits|reaches out to|follows up with|gets in touch with|checks in with) (?:them|the customer|him|her))`,
    "g",
  ),
  new RegExp(
    `\\b(?:a|an|the|their) (?<role>${ROLE}) (?:should|must|will|needs to|has to) (?<task>${TASK})`,
    "g",
  ),
  // "have their account manager introduce themselves", "get our VIP team to say hello": a person of
  // ours made to act on the customer is a hand-off whatever the verb; the verbs TASK lists are only
  // the ones the patterns above need to tell a hand-off from other words.
  new RegExp(
    `${INSTRUCTION}(?:have|let) (?:a |an |the |their |our |his |her |someone from (?:the |our |their )?)(?<role>${PERSON}) (?<task>${ANY_TASK})`,
    "g",
  ),
  new RegExp(
    `${INSTRUCTION}(?:get|ask|tell) (?:a |an |the |their |our |his |her |someone from (?:the |our |their )?)(?<role>${PERSON}) to (?<task>${ANY_TASK})`,
    "g",
  ),
  // "ask them to talk to a supervisor", "put them through to", "connect them with", "offer them a
  // call with": the customer is sent to the person, which is the same hand-off. The mention starts
  // at "to talk", so who is asked ("every customer who submits a survey") stays for the recognisers.
  new RegExp(
    `(?<=\\b(?:ask|asks|invite|invites|encourage|encourages|offer|offers)\\b[^,;.]{0,80}? )(?:to (?:talk|speak|chat) (?:to|with)|a (?:call|chat|meeting|session) with) (?:a |an |the |their |our |his |her )?(?<role>${ROLE})\\b`,
    "g",
  ),
  new RegExp(
    `\\b(?:connect|connects|put|puts) (?:them|the customer|him|her) (?:with|through to) (?:a |an |the |their |our |his |her )?(?<role>${ROLE})\\b`,
    "g",
  ),
  /\b(?:call|phone|ring) (?:them|the customer|him|her)(?: back)?\b/g,
  /\bhand-?offs?\b|\bhandovers?\b|\bhuman (?:follow-up|takeover|review)\b/g,
];

/** The queue a role names; the runtime routes hand-off tasks by it. */
export function queueFor(role: string): string {
  const text = role.toLowerCase();
  if (/account manager|account exec|\bam\b/.test(text)) return "account_manager";
  if (/senior|tier[- ]?2|second[- ]line|expert/.test(text)) return "senior_support";
  if (/supervisor|team lead|\blead\b|\bmanager\b/.test(text)) return "supervisor";
  if (/sales/.test(text)) return "sales";
  if (/billing|finance|collections?/.test(text)) return "billing";
  if (/success/.test(text)) return "customer_success";
  if (/retention/.test(text)) return "retention";
  const specific = text
    .replace(
      /\b(?:a|an|the|their|our|human|real|live|customer|follow-up|agents?|persons?|people|humans?|reps?|representatives?|staff|someone|somebody|team|support|desk|queue|colleagues?)\b/g,
      " ",
    )
    .trim()
    .replace(/\s+/g, "_");
  return specific && /^[a-z_]{3,40}$/.test(specific) ? specific : "support";
}

export function priorityFor(text: string, queue: string): HandoffMention["priority"] {
  if (/\burgent(?:ly)?\b|\basap\b|\bemergency\b/.test(text)) return "urgent";
  if (/\blow[- ]priority\b|\bwhen (?:they|someone) (?:has|have) time\b/.test(text)) return "low";
  if (/\bnormal[- ]priority\b/.test(text)) return "normal";
  if (
    /\bhigh[- ]priority\b|\bimmediately\b|\bstraight away\b|\bright away\b|\bright now\b|\bat once\b|\bwithin (?:the|1) hour\b|\bwithin \d+ minutes\b|\bescalat|\bvip\b/.test(
      text,
    ) ||
    queue === "senior_support" ||
    queue === "supervisor"
  ) {
    return "high";
  }
  return "normal";
}

export function findHandoffs(sentence: string): HandoffMention[] {
  const found: HandoffMention[] = [];
  for (const pattern of HANDOFF_PATTERNS) {
    for (const match of sentence.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (found.some((other) => start < other.end && other.start < end)) continue;
      // "hand them to a loan officer so someone can call them": the purpose of that hand-off, not a second one.
      const purposeOf = found.find(
        (other) =>
          other.end <= start &&
          /^\s*,?\s*(?:so(?: that)?|in order to|to|who (?:can|will|should|could))\b[^,;]{0,40}$/.test(
            sentence.slice(other.end, start),
          ),
      );
      if (purposeOf) {
        purposeOf.task ??= /\b(?:call|phone|ring)\b/.test(match[0]) ? "call them" : null;
        continue;
      }
      const before = sentence.slice(Math.max(0, start - 30), start);
      if (/\b(?:no|not|never|without|don't|do not)\s+(?:\w+\s+)?$/.test(before)) continue;
      const role =
        match.groups?.team ??
        match.groups?.role ??
        (/escalat/.test(match[0]) ? "supervisor" : "support agent");
      const queue = queueFor(role);
      found.push({
        queue,
        priority: priorityFor(sentence, queue),
        role: role.trim(),
        // "let them know", "get someone on it" say who, not what to do.
        task:
          match.groups?.task && !/^(?:know|on |involved)/.test(match.groups.task)
            ? match.groups.task
            : /\b(?:call|phone|ring)\b/.test(match[0])
              ? "call them"
              : null,
        start,
        end,
        text: match[0],
      });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

// ─── Profile updates ─────────────────────────────────────────────────────────────────────────────

export interface ProfileUpdateMention {
  trait: string;
  value: string;
  start: number;
  end: number;
  text: string;
}

/** "upgrade them to VIP", "mark the customer as vip", "set their plan to pro" (enumerated traits only). */
export function findProfileUpdates(
  sentence: string,
  traits: ReadonlyArray<{ name: string; values: readonly string[] }>,
): ProfileUpdateMention[] {
  const found: ProfileUpdateMention[] = [];
  const pattern =
    /\b(?:upgrade|move|promote|set|mark|tag|make|change|switch|flag|label|downgrade)s? (?:them|the customer|him|her|the user|the account|their ([a-z_]+)) (?:to|as) (?:an? |the )?([a-z0-9_-]+)\b/g;
  for (const match of sentence.matchAll(pattern)) {
    const named = match[1]?.replace(/ /g, "_");
    const value = match[2]!;
    const trait = traits.find(
      (entry) =>
        (named === undefined || entry.name === named) &&
        entry.values.some((candidate) => candidate.toLowerCase() === value.replace(/s$/, "")),
    );
    if (!trait) continue;
    found.push({
      trait: trait.name,
      value: trait.values.find((candidate) => candidate.toLowerCase() === value.replace(/s$/, ""))!,
      start: match.index,
      end: match.index + match[0].length,
      text: match[0],
    });
  }
  return found;
}
