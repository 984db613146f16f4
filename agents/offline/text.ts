/**
 * The first stage of the offline planner: make a goal regular enough for pattern matching.
 *
 * Normalising rewrites surface variety into one spelling (number words → digits, "e-mail" →
 * "email", "5 euros" → "€5", "24h" → "24 hours") without changing meaning, so that every later
 * recogniser needs to know one form only. Marketing idioms are paraphrased into plain words
 * ("abandons checkout" → "starts checkout without completing the order"); those words are then
 * resolved against the workspace catalog in events.ts like any other, so no event name is fixed here.
 */

const SMALL_NUMBERS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};

const UNIT_WORDS = "(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|business days?|working days?)";

function numberWordsToDigits(text: string): string {
  const words = Object.keys(SMALL_NUMBERS).join("|");
  // "twenty-four", "twenty four"
  let out = text.replace(
    /\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ](one|two|three|four|five|six|seven|eight|nine)\b/g,
    (_m, tens: string, ones: string) => String(SMALL_NUMBERS[tens]! + SMALL_NUMBERS[ones]!),
  );
  // "one" is also a pronoun ("no one", "the one"): only a number before a unit, a percent or "or".
  out = out.replace(
    new RegExp(`\\bone(?=\\s+(?:${UNIT_WORDS}|%|percent|or\\b|to\\b|\\w+\\s+${UNIT_WORDS}))`, "g"),
    "1",
  );
  out = out.replace(new RegExp(`\\b(${words})\\b`, "g"), (match: string) =>
    match === "one" ? match : String(SMALL_NUMBERS[match]),
  );
  return out;
}

const RETURN_FORMS: Record<string, string> = {
  send: "return",
  sends: "returns",
  sent: "returned",
  sending: "returning",
};

/** Lower-cases and regularises a goal; the result is what every recogniser reads. */
export function normaliseGoal(goal: string): string {
  let text = goal
    .replace(/[\u2018\u2019\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u2033]/g, '"')
    .replace(/[\u2013\u2014]/g, " - ")
    .replace(/\u00A0/g, " ")
    // "Cancelled subscriptions → win-back email": an arrow in a headline separates like a colon.
    .replace(/\s*(?:\u2192|->|=>)\s*/g, ": ")
    .toLowerCase();
  text = text
    .replace(/\be-mails?\b/g, (m) => (m.endsWith("s") ? "emails" : "email"))
    .replace(/\be-mail(ed|ing)\b/g, "email$1")
    .replace(/\btext-message/g, "text message")
    .replace(/\bin app\b(?=\s+(?:messages?|notifications?|banners?|cards?|pop-?ups?|modals?))/g, "in-app")
    .replace(/\bhalf an hour\b/g, "30 minutes")
    .replace(/\ban hour and a half\b/g, "90 minutes")
    .replace(/\ba day and a half\b/g, "36 hours")
    .replace(/\ba couple of\b/g, "2")
    .replace(/\b(a|one) fortnight\b/g, "2 weeks")
    .replace(/\bfortnight\b/g, "2 weeks")
    .replace(/\bovernight\b/g, "the next day");
  text = numberWordsToDigits(text);
  // "1,000" / "12,500.50": a thousands separator is not a clause break, and numbers are compared whole.
  while (/\d,\d{3}\b/.test(text)) text = text.replace(/(\d),(\d{3})\b/g, "$1$2");
  text = text
    // "an hour", "a day", "a week" → "1 hour" …
    .replace(/\b(?:an?|one)\s+(minute|hour|day|week|month)\b/g, "1 $1")
    .replace(/\bthe following day\b/g, "the next day")
    .replace(/\btomorrow\b/g, "the next day")
    .replace(/\b(\d+(?:\.\d+)?)\s*(?:percent|per cent|pct)\b/g, "$1%")
    .replace(/\b(\d+(?:\.\d+)?)\s+%/g, "$1%")
    .replace(/\b(\d+(?:\.\d+)?)\s*(?:euros?|eur)\b/g, "€$1")
    .replace(/\beur\s*(\d+(?:\.\d+)?)\b/g, "€$1")
    .replace(/\b(\d+(?:\.\d+)?)\s*€/g, "€$1")
    .replace(/\b(\d+(?:\.\d+)?)\s*(?:dollars?|usd|bucks)\b/g, "$$$1")
    .replace(/\busd\s*(\d+(?:\.\d+)?)\b/g, "$$$1")
    .replace(/\b(\d+(?:\.\d+)?)\s*(?:pounds?|gbp)\b/g, "£$1")
    .replace(/\b(\d+)\s*(?:h|hr|hrs)\b/g, "$1 hours")
    .replace(/\b(\d+)\s*(?:min|mins)\b/g, "$1 minutes")
    .replace(/\b(\d+)d\b/g, "$1 days")
    .replace(/\b(\d+)w\b/g, "$1 weeks")
    .replace(/\b(\d+)-(minute|hour|day|week|month)\b/g, "$1 $2")
    .replace(/\b(\d+)\s+(business|working) days?\b/g, "$1 days")
    .replace(/\bplease\b/g, "")
    // States named by their opposite event: "still unpaid" → not paid, "still open" → not closed.
    .replace(
      /\bun(paid|resolved|answered|submitted|read|delivered|shipped|completed|finished|uploaded|signed|booked|confirmed)\b/g,
      "not $1",
    )
    .replace(
      /\b(is|are|remains?|stays?|was)( still)? open\b(?! (?:to|for|on|in|the|a|an)\b)/g,
      "$1$2 not closed",
    )
    .replace(
      /\b(it|that|this|ticket|case|application|order)'s( still)? open\b(?! (?:to|for|on|in|the|a|an)\b)/g,
      "$1 is$2 not closed",
    )
    // "anything gets sent back", "sends it back", "the product comes back": a return.
    .replace(/\b(?:gets?|got|is|was|are|were|been|being) sent back\b/g, "is returned")
    .replace(
      /\b(send|sends|sent|sending) ((?:it|them|something|anything|(?:the |an? |their |his |her )?(?:items?|products?|orders?|parcels?|purchases?|goods)) )back\b/g,
      (_m, verb: string, object: string) => `${RETURN_FORMS[verb]} ${object.trim()}`,
    )
    .replace(
      /\b(it|something|anything|(?:the |an? |their |his |her )?(?:items?|products?|orders?|parcels?|purchases?|goods)) (?:comes?|came|coming) back\b/g,
      "$1 is returned",
    )
    // Marketing idioms → plain words the event resolver understands.
    .replace(/\b(?:checks?|checked|checking) out\b/g, "completes the order")
    // "doesn't complete checkout": the order after a started checkout (both events are named).
    .replace(
      /\b(complet(?:es|ed|ing|e)) (?:the |their |a )?checkout\b/g,
      "$1 the order after starting checkout",
    )
    .replace(
      /\b(has|have|hasn't|haven't|had|hadn't|not|never|yet|still|who|they|someone|somebody|customers?|users?|he|she|already) ordered\b/g,
      "$1 completed an order",
    )
    // "starts checkout and fails to purchase": a person failing to do something has not done it;
    // said with "doesn't" the verb is read as the negated event, never as a failure event ("a
    // payment fails to go through" has a thing as its subject and keeps its failure).
    .replace(
      /\b(and|but|or|then|they|he|she|who|customers?|users?|someone|somebody|people|applicants?|still|also|just|if|never) (fails|fail|failed) to\b/g,
      (_m, before: string, verb: string) =>
        `${before} ${verb === "fails" ? "doesn't" : verb === "fail" ? "don't" : "didn't"}`,
    )
    // "doesn't order", "if they don't order", "never orders", "fails to order": after a negation
    // the bare verb is the same purchase as "hasn't ordered", or the clause would name no event and
    // its wait would be dropped ("order" is a noun in every catalog, never an action).
    .replace(
      /\b(doesn't|don't|didn't|does not|do not|did not|won't|will not|not|never|fails? to|failed to|yet to) (?:(?:still|yet|even|actually|ever) )?order(s?)\b(?! (?:status|number|confirmation|details|id)\b)/g,
      (_m, negation: string, third: string) => `${negation} complete${third} an order`,
    )
    .replace(
      /\b(someone|somebody|customer|who|user|he|she|first-time customer) orders\b/g,
      "$1 completes an order",
    )
    // "stop if they order", "as soon as people order": the plural present, after its subject only
    // ("in order to" and "order status" stay nouns).
    .replace(
      /\b(they|customers|users|people|shoppers|buyers) order\b(?! (?:status|number|confirmation|details|id)\b)/g,
      "$1 complete an order",
    )
    .replace(/\b(?:ordering|checking out)\b/g, "completing an order")
    // "the payment hasn't gone through" → succeeded
    .replace(/\b(?:go|goes|went|gone|going) through\b/g, "succeeds")
    // NPS vocabulary
    .replace(/\bpromoters?\b(?:\s*\(\s*9\s*(?:-|to|or|–)\s*10\s*\))?/g, "people who score 9 or 10")
    .replace(/\bdetractors?\b(?:\s*\(\s*0\s*(?:-|to|–)\s*6\s*\))?/g, "people who score 6 or lower")
    .replace(/\bpassives?\b(?:\s*\(\s*7\s*(?:-|to|or|–)\s*8\s*\))?/g, "people who score 7 or 8")
    // "after their last order": an order that was placed, not one that shipped or arrived.
    .replace(/\b(last|latest|most recent|previous|first|recent) (order|purchase)\b/g, "$1 completed $2")
    .replace(
      /\b(after|since|of|following) (their|the|an|a|his|her) order\b(?! (?:is|was|has|ships|shipped|arrives|arrived|gets|got|is delivered|was delivered))/g,
      "$1 $2 completed order",
    )
    .replace(
      /\bleav(?:e|es|ing)? (?:a |an |the |some |their |his |her )?(?:products?|items?|things?|something|stuff|goods) (?:in|inside) (?:their |the |a |his |her )?(?:shopping )?(?:cart|basket)\b/g,
      "add a product to the cart",
    )
    .replace(/[ \t]+/g, " ")
    .trim();
  return paraphraseAbandonment(text);
}

const CONTRASTED_GROUP =
  /,\s+(?:but|while|whereas)\s+(?=(?:the |all |our |other )?(?:(?!(?:only|never|not|no|except|to|for|without|anyone|everyone)\b)[a-z-]+ ){0,2}(?:customers|users|people|members|clients|vips|subscribers|shoppers|travell?ers|buyers|applicants|ones)\b)/;

const LISTED_GROUP =
  /\s*[:,]\s+(?=(?:the |all |our |other )?(?:(?!(?:only|never|not|no|except|to|for|without|anyone|everyone|and|or|then|who)\b)[a-z-]+ ){0,2}(?:customers|users|people|members|clients|vips|subscribers|shoppers|travell?ers|buyers|applicants) (?:get|gets|receive|receives|go|goes|are|should|will|must)\b)/;

/** "…: if they do, email them, if not, text them": an outcome said with "if they do" / "if so"… */
const OUTCOME_CUE = /\bif (?:they|he|she|it) (?:do|does|did)\b|\bif so\b/;
/** …and each outcome of it, after a comma or colon, is a sentence of its own. */
const OUTCOME_CLAUSE =
  /\s*[:,]\s+(?=(?:and |but )?(?:if (?:they|he|she|it) (?:do|does|did|don't|do not|doesn't|does not|didn't|did not|haven't|have not|hasn't|has not)\b|if so\b|if not\b|otherwise\b))/;

/** Splits on sentence ends; a dot between digits (0.7) or in "e.g." does not end a sentence. */
export function splitSentences(text: string): string[] {
  const protectedText = text.replace(/\be\.g\./g, "eg").replace(/\bi\.e\./g, "ie");
  return (
    protectedText
      .split(/(?<=[.!?;])\s+|\n+/)
      // "…, but regular customers only get a survey": a new group as the subject is a sentence of its own.
      .flatMap((sentence) => sentence.split(CONTRASTED_GROUP))
      // "When churn risk goes above 0.8: VIPs get handed to …, regular customers get an email":
      // a list of groups, each with its own verb, is a sentence per group.
      .flatMap((sentence) => sentence.split(LISTED_GROUP))
      .flatMap((sentence) => (OUTCOME_CUE.test(sentence) ? sentence.split(OUTCOME_CLAUSE) : [sentence]))
      .map((sentence) => sentence.replace(/[.!?;]+$/, "").trim())
      .filter((sentence) => sentence.length > 0)
  );
}

export interface Token {
  /** the surface text (lower case) */
  text: string;
  stem: string;
  start: number;
  end: number;
}

/** Past forms and nominalisations a suffix stripper gets wrong. */
const IRREGULAR_STEMS: Record<string, string> = {
  bought: "buy",
  buys: "buy",
  buying: "buy",
  paid: "pay",
  pays: "pay",
  sent: "send",
  left: "leav",
  began: "begin",
  begun: "begin",
  wrote: "writ",
  written: "writ",
  spent: "spend",
  gave: "give",
  got: "get",
  made: "make",
  cancelled: "cancel",
  canceled: "cancel",
  cancelling: "cancel",
  canceling: "cancel",
  cancellation: "cancel",
  cancellations: "cancel",
  departure: "depart",
  departures: "depart",
  delivery: "deliver",
  deliveries: "deliver",
  failure: "fail",
  failures: "fail",
  shipment: "ship",
  shipments: "ship",
  purchase: "purchas",
  purchases: "purchas",
  purchased: "purchas",
  purchasing: "purchas",
  registration: "regist",
  registered: "regist",
  registers: "regist",
  register: "regist",
  success: "succeed",
  successful: "succeed",
  application: "applic",
  applications: "applic",
  documents: "document",
  uploads: "upload",
  signup: "signup",
  signups: "signup",
  "sign-up": "signup",
  "sign-ups": "signup",
  login: "login",
  logins: "login",
  "log-in": "login",
  checkout: "checkout",
  checkouts: "checkout",
  booking: "book",
  bookings: "book",
  rating: "rat",
  ratings: "rat",
  answers: "answer",
  news: "news",
};

const VOWELS = /[aeiouy]/;

/** A light suffix stripper (Porter-like), enough to make "shipped", "ships" and "shipping" agree. */
export function stem(word: string): string {
  const lower = word.toLowerCase().replace(/'s$/, "");
  const irregular = IRREGULAR_STEMS[lower];
  if (irregular) return irregular;
  let base = lower;
  if (base.length <= 3) return base;
  if (/ies$/.test(base) && base.length > 4) base = `${base.slice(0, -3)}y`;
  else if (/ied$/.test(base) && base.length > 4) base = `${base.slice(0, -3)}y`;
  else if (/(ss|us|is)$/.test(base)) {
    // keep "address", "status", "analysis"
  } else if (/(ches|shes|xes|zes|sses)$/.test(base)) base = base.slice(0, -2);
  else if (/s$/.test(base)) base = base.slice(0, -1);
  let stripped = false;
  if (/eed$/.test(base)) return base; // succeed, proceed
  if (/ing$/.test(base) && base.length > 5 && VOWELS.test(base.slice(0, -3))) {
    base = base.slice(0, -3);
    stripped = true;
  } else if (/ed$/.test(base) && base.length > 4 && VOWELS.test(base.slice(0, -2))) {
    base = base.slice(0, -2);
    stripped = true;
  }
  if (stripped && base.length >= 4 && /([^aeioulsz])\1$/.test(base)) base = base.slice(0, -1);
  if (/e$/.test(base) && base.length > 3) base = base.slice(0, -1);
  return base;
}

/** Phrasal verbs the catalog writes as one word ("Signed Up", "Checkout"). */
const PHRASAL = /\b(sign(?:s|ed|ing)?|log(?:s|ged|ging)?|opt(?:s|ed|ing)?) (up|in|out)\b/g;

export function tokenize(sentence: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /[€$£]?\d+(?:\.\d+)?%?|[a-z]+(?:['-][a-z]+)*/g;
  for (const match of sentence.matchAll(pattern)) {
    tokens.push({
      text: match[0],
      stem: stem(match[0]),
      start: match.index,
      end: match.index + match[0].length,
    });
  }
  // Merge "sign up" and friends into one token so that they match "Signed Up".
  for (const match of sentence.matchAll(PHRASAL)) {
    const first = tokens.findIndex((token) => token.start === match.index);
    if (first < 0) continue;
    const verb = stem(match[1]!);
    const particle = match[2]!;
    const merged = `${verb}${particle}`;
    const second = tokens[first + 1];
    if (!second) continue;
    tokens.splice(first, 2, {
      text: match[0],
      stem: merged,
      start: tokens[first]!.start,
      end: second.end,
    });
  }
  return tokens;
}

/** Words that never carry meaning for matching. */
export const STOPWORDS = new Set([
  "a",
  "an",
  "the",
  "of",
  "to",
  "in",
  "on",
  "for",
  "and",
  "or",
  "but",
  "with",
  "was",
  "were",
  "is",
  "are",
  "be",
  "been",
  "will",
  "by",
  "at",
  "as",
  "it",
  "its",
  "their",
  "them",
  "they",
  "this",
  "that",
  "e",
  "g",
  "eg",
  "new",
  "from",
  "has",
  "have",
  "had",
]);

/**
 * Replaces a span with "#" so later recognisers skip it while offsets stay valid. "#" is neither a
 * word character nor a space, so word boundaries around a masked span still hold.
 */
export function maskSpan(text: string, start: number, end: number, char = "#"): string {
  return text.slice(0, start) + char.repeat(Math.max(0, end - start)) + text.slice(end);
}

/**
 * The mask of a time expression. Words on either side of a time belong to different phrases
 * ("uploaded their documents | 6 hours after | the failure"), so an event mention never takes its
 * object words from across one.
 */
export const TIME_MASK = "~";

/** Character ranges of the comma/semicolon-separated clauses of a sentence. */
export function clauseRanges(sentence: string): Array<{ start: number; end: number }> {
  const ranges: Array<{ start: number; end: number }> = [];
  let start = 0;
  for (const match of sentence.matchAll(/,|\s-\s|:/g)) {
    // A comma inside a number (1,000) does not separate clauses.
    const before = sentence[match.index - 1] ?? "";
    const after = sentence[match.index + 1] ?? "";
    if (match[0] === "," && /\d/.test(before) && /\d/.test(after)) continue;
    ranges.push({ start, end: match.index });
    start = match.index + match[0].length;
  }
  ranges.push({ start, end: sentence.length });
  return ranges.filter((range) => sentence.slice(range.start, range.end).trim().length > 0);
}

export function clauseIndexAt(ranges: ReadonlyArray<{ start: number; end: number }>, offset: number): number {
  const index = ranges.findIndex((range) => offset >= range.start && offset < range.end);
  return index >= 0 ? index : ranges.length - 1;
}

/** English singular of a simple noun ("laptops" → "laptop", "batteries" → "battery"). */
export function singular(word: string): string {
  if (/ies$/.test(word) && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ches|shes|xes|sses)$/.test(word)) return word.slice(0, -2);
  if (/[^su]s$/.test(word) && word.length > 3) return word.slice(0, -1);
  return word;
}

/**
 * "Abandoning" something is not an event any catalog records: it is the start of a purchase that
 * was never finished. Each abandonable thing is paraphrased into the events that are recorded, in
 * the grammatical form it was said in, because the form decides how the later stages read it: a
 * finite verb ("abandons checkout") is an event with a subject, a passive ("a checkout is
 * abandoned") an event said of its object, and a bare noun phrase ("abandoned baskets: push …",
 * "cart abandonment") a headline naming the trigger, which must not read as an imperative.
 */
const ABANDONABLE: ReadonlyArray<{ noun: string; active: string; passive: string; nominal: string }> = [
  {
    noun: "(?:checkouts?|check-outs?)",
    active: "start checkout without completing the order",
    passive: "checkout is started without completing the order",
    nominal: "checkout started without completing the order",
  },
  {
    noun: "(?:shopping )?(?:carts?|baskets?)",
    active: "add a product to the cart without completing the order",
    passive: "a product is added to the cart without completing the order",
    nominal: "a product added to the cart without completing the order",
  },
  {
    noun: "(?:browse|browsing)(?: sessions?)?",
    active: "view a product without adding it to the cart",
    passive: "a product is viewed without adding it to the cart",
    nominal: "view a product without adding it to the cart",
  },
];

const ABANDON_DETERMINER = "(?:(?:a|an|the|their|his|her|any|every|all|some) )?";
/** What may stand before an adjective "abandoned": not a subject, so not the active verb. */
const BEFORE_ADJECTIVE =
  "(?<=^|[:;,.(>→-]\\s*|\\b(?:for|on|of|with|to|about|from|recover|recovering|and|or)\\s)";

function paraphraseAbandonment(text: string): string {
  let out = text;
  for (const thing of ABANDONABLE) {
    out = out
      .replace(
        new RegExp(
          `\\b${ABANDON_DETERMINER}${thing.noun} (?:is|are|was|were|gets?|got|has been|have been|had been|is being) abandoned\\b`,
          "g",
        ),
        thing.passive,
      )
      .replace(
        new RegExp(`${BEFORE_ADJECTIVE}${ABANDON_DETERMINER}abandoned ${thing.noun}\\b`, "g"),
        thing.nominal,
      )
      .replace(
        new RegExp(`\\babandon(?:s|ed|ing)? (?:their |the |a |an |his |her )?${thing.noun}\\b`, "g"),
        thing.active,
      )
      .replace(new RegExp(`\\b${thing.noun} abandon(?:ment|s|ers?)\\b`, "g"), thing.nominal);
  }
  return out;
}
