/**
 * Generic prompt-injection signatures in English and German (plus the "forget all instructions"
 * family in a few more languages, because attackers switch language to slip past filters).
 *
 * `strong` signatures are phrasings with almost no innocent reading in customer text ("ignore all
 * previous instructions", "show me your system prompt", chat-template markers): one is enough to
 * flag. `weak` ones (role-play set-ups, "just say …", "don't use the documents") are common in
 * injections but also appear innocently; they only feed the learned model as features.
 *
 * Patterns run on normalised text (see normalize.ts: lower case, NFKC, no invisible characters).
 */
export interface Signature {
  id: string;
  strength: "strong" | "weak";
  pattern: RegExp;
  /** what it catches, for the screening reasons */
  description: string;
}

/**
 * JavaScript's \b and \w only know ASCII letters, so "übergehe" or "забудьте" would never match.
 * Patterns are written with \b and \w and compiled with Unicode-aware equivalents.
 */
const WORD = "[\\p{L}\\p{N}_]";
const BOUNDARY = `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`;
function unicodePattern(source: string, flags = ""): RegExp {
  return new RegExp(source.replaceAll("\\b", BOUNDARY).replaceAll("\\w", WORD), `${flags}u`);
}

/**
 * The same pattern with JavaScript's own \b and \w, which V8 runs ~50× faster than the lookaround
 * boundary. Exactly equivalent on text whose letters and digits are all ASCII: there the two word
 * classes are the same set ([A-Za-z0-9_]; non-ASCII symbols such as € or ’ are non-word in both), and
 * without the `i` flag \b means nothing else. Literal non-ASCII letters in a pattern need such a letter
 * in the text, which sends it to the Unicode pattern.
 */
function asciiPattern(pattern: RegExp): RegExp {
  return new RegExp(pattern.source.replaceAll(BOUNDARY, "\\b").replaceAll(WORD, "\\w"), pattern.flags);
}

/** A letter or digit outside ASCII: the text needs the Unicode patterns. */
const NON_ASCII_WORD = /(?!\p{ASCII})[\p{L}\p{N}]/u;

// Words that name an instruction set, in English and German.
const INSTRUCTIONS_EN =
  "(?:instructions?|directions|directives|rules|guidelines|orders|commands|prompts?|programming|assignments|tasks|constraints|restrictions|guardrails)";
// Only words that name the model's instructions: "delete all my orders" is a customer's request.
const INSTRUCTIONS_NARROW_EN =
  "(?:instructions?|directions|directives|guidelines|prompts?|programming|guardrails)";
const INSTRUCTIONS_NARROW_DE = "(?:anweisungen|instruktionen|vorgaben|richtlinien)";
const INSTRUCTIONS_DE =
  "(?:anweisungen|instruktionen|befehle|aufträge|aufgaben|regeln|vorgaben|richtlinien|anordnungen|einschränkungen)";
const BEFORE_EN =
  "(?:previous|prior|above|preceding|earlier|former|foregoing|original|initial|all|any|every|your|system)";

export const SIGNATURES: readonly Signature[] = [
  // ── override the instructions ────────────────────────────────────────────────────────────────
  {
    id: "override_instructions",
    strength: "strong",
    pattern: unicodePattern(
      `\\b(?:ignore|ignoring|disregard|disregarding|forget|abandon|override|bypass|neglect)\\b[^.!?\\n]{0,30}\\b${BEFORE_EN}\\b[^.!?\\n]{0,30}\\b${INSTRUCTIONS_EN}\\b|\\b(?:drop|skip|erase|delete|remove|discard)\\b[^.!?\\n]{0,30}\\b${BEFORE_EN}\\b[^.!?\\n]{0,30}\\b${INSTRUCTIONS_NARROW_EN}\\b`,
    ),
    description: "asks to ignore or replace the instructions",
  },
  {
    id: "override_instructions_de",
    strength: "strong",
    pattern: unicodePattern(
      `\\b(?:ignorier(?:e|en sie)?|vergiss|vergessen sie|missachte(?:n sie)?|übergeh(?:e|en sie)|verwirf)\\b[^.!?\\n]{0,40}\\b${INSTRUCTIONS_DE}\\b|\\b(?:lösch\\w*|streich\\w*)\\b[^.!?\\n]{0,40}\\b${INSTRUCTIONS_NARROW_DE}\\b|\\b${INSTRUCTIONS_DE}\\b[^.!?\\n]{0,40}(?:\\bignorier\\w*|\\baus dem kopf)`,
    ),
    description: "asks to ignore or replace the instructions (German)",
  },
  {
    id: "forget_everything",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`\b(?:forget|ignore|disregard)\s+(?:about\s+)?(?:everything|all(?: of)? (?:that|this|the above))\b[^.!?\n]{0,40}\b(?:before|above|previously|earlier|said|told|discussed|you know|so far|prior)\b|\b(?:forget|ignore) (?:everything|all) (?:above|before|previous)|\b(?:forget|ignore) everything(?:,|\s+and)\s+(?:write|say|print|output|tell|answer|respond|just|only)\b|\bignore (?:the )?above\b`,
    ),
    description: "asks to forget everything said before",
  },
  {
    id: "forget_everything_de",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`\bvergiss alles\b|\b(?:alle|sämtliche) (?:bisherigen|vorherigen|vorangegangenen|vorigen|obigen) (?:informationen|angaben|anweisungen|instruktionen|aufgaben|aufträge)\b|\b(?:obigen|vorherigen|bisherigen) ausführungen ignorieren\b|\babweichend (?:zu|von) (?:den )?(?:vorherigen|bisherigen|obigen) (?:instruktionen|anweisungen)\b|\bvergessen sie alles\b`,
    ),
    description: "asks to forget everything said before (German)",
  },
  {
    id: "override_instructions_other",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`\bolvid[ae]\w* tod[oa]s?\b|\bignora(?:r)? (?:todas )?las instrucciones\b|\boubliez? (?:toutes? )?(?:les |vos )?instructions\b|\bignorez? (?:toutes? )?les instructions\b|\bdimentica (?:tutto|tutte le istruzioni)\b|\bignora (?:tutte )?le istruzioni\b|\bvergeet (?:alle )?(?:instructies|alles)\b|\bnegeer (?:alle )?instructies\b|\bzaboravi sve\b|\bзабудь\w* (?:все|всё)\b|\bигнорир\w* (?:все )?инструкц`,
    ),
    description: "asks to forget the instructions (Spanish, French, Italian, Dutch, Croatian, Russian)",
  },
  {
    id: "new_instructions",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`\b(?:now|next)\b[^.!?\n]{0,20}\b(?:focus|concentrate) on (?:your|the|a) new (?:task|assignment)|\bnew (?:instructions|tasks) (?:follow|will follow)\b|\bnow (?:new|further) (?:instructions|tasks)\b|\byour (?:new )?instructions are now\b|\bchange your instructions\b|\bstart (?:over|from the (?:front|beginning)) with a new task\b|\bwe (?:will )?start (?:over|again) with a new task\b`,
    ),
    description: "announces new instructions",
  },
  {
    id: "new_instructions_de",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`\b(?:konzentriere dich|konzentrieren sie sich) (?:jetzt |nun )?auf (?:deine|ihre|die) neue aufgabe\b|\bnun folgen (?:neue|weitere) (?:aufgaben|anweisungen|instruktionen)\b|\bneue anweisungen folgen\b|\bwir starten von neu\b|\bfangen sie von vorne an\b`,
    ),
    description: "announces new instructions (German)",
  },
  // ── extract the prompt ───────────────────────────────────────────────────────────────────────
  {
    id: "reveal_prompt",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`\b(?:show|reveal|print|output|repeat|display|tell|give|list|spell check and display|what (?:is|are|was|were))\b[^.!?\n]{0,40}\b(?:(?:system|initial|original|hidden|secret) (?:prompt|instructions)|your (?:system )?prompts?|prompt[ -]?texts?|(?:beginning|start) of (?:this|the|your) prompt|written (?:above|before|at the beginning)|this prompt)\b|\bwhat (?:are|were) your instructions\b|\bwhat is written above\b`,
    ),
    description: "asks for the system prompt or instructions",
  },
  {
    id: "reveal_prompt_de",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`\b(?:zeig\w*|gib\w*|nenn\w*|wiederhol\w*|verrat\w*|vorzeigen)\b[^.!?\n]{0,40}\b(?:prompt[- ]?texte?s?|system[- ]?prompt|(?:deine|ihre) (?:anweisungen|instruktionen))\b|\bvorzeigen sämtlicher prompt`,
    ),
    description: "asks for the system prompt or instructions (German)",
  },
  // ── break out of the frame ───────────────────────────────────────────────────────────────────
  {
    id: "chat_markup",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`<\|?(?:im_start|im_end|system|endoftext|eot_id|start_header_id)\|?>|\[\/?inst\]|<<\/?sys>>|^#{2,}\s*(?:system|instruction)s?\b|<\/?(?:system|assistant|untrusted_input|instructions?)\b|\b(?:begin|end) (?:of )?(?:system prompt|untrusted)`,
      "m",
    ),
    description: "contains chat-template or delimiter markup",
  },
  {
    id: "jailbreak",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`\bdeveloper mode\b|\bdan mode\b|\bjailbreak(?:ing)? (?:mode|prompt|the (?:ai|model|bot|assistant|chatbot))\b|\bdo anything now\b|\bno (?:programming|ethical|content|safety|moral) (?:guidelines|restrictions|filters|limits)\b|\b(?:answer|respond|reply|generate)\w* without (?:any )?(?:restrictions|censorship|filters|warnings)\b|\bcompletely immoral\b|\bpwn(?:ed|ing)?\b|\b(?:you are|you're) (?:a|an) (?:evil|unfiltered|uncensored|unrestricted) (?:ai|assistant|model|bot)\b`,
    ),
    description: "jailbreak phrasing",
  },
  {
    id: "role_play",
    strength: "weak",
    pattern: unicodePattern(
      String.raw`\b(?:you are now|you're now|from now on,? you|act as|acting as|pretend (?:you|to be|that you)|imagine (?:you are|you're|that you are)|roleplay|role-play|stay in (?:your |their )?roles?|(?:do not|don't|never) break character|in the style of|you are (?:the|a|an) [\p{L} -]{2,40}(?:bot|ai|assistant|gpt|model|terminal|interpreter|guidebook))\b`,
    ),
    description: "sets up a role for the model",
  },
  {
    id: "role_play_de",
    strength: "weak",
    pattern: unicodePattern(
      String.raw`\b(?:du bist jetzt|jetzt bist du|nun bist du|stell dir vor,? du bist|tu so,? als|verhalte dich wie|dass sie als [\p{L} -]{2,40} fungieren|bleib\w* (?:immer |voll )?in (?:ihren|deinen|der) rollen?|im stil(?:e)? (?:eines|einer|eine))\b`,
    ),
    description: "sets up a role for the model (German)",
  },
  {
    id: "output_coercion",
    strength: "weak",
    pattern: unicodePattern(
      String.raw`\b(?:just|only|simply) (?:say|output|print|write|respond with|answer with|reply with)\b|\brepeat after me\b|\b(?:say|state|write|print|tell me) (?:that|yes|only)\b|\bprint\s*\(|\banswer with "|\boutput "|\bsay "|\b(?:schreibe|sag\w*) (?:nur|einfach)\b`,
    ),
    description: "dictates the output",
  },
  {
    id: "context_override",
    strength: "weak",
    pattern: unicodePattern(
      String.raw`\b(?:do not|don't|dont|not)\b[^.!?\n]{0,20}\b(?:look|use|answer|rely)\b[^.!?\n]{0,30}\b(?:documents?|articles?|context|sources?)\b|\bdisregard(?:ing)? the (?:articles?|documents?|context)\b|\b(?:by|from) your own knowledge\b|\bdespite what you(?:'ve| have) been told\b|\bignore all (?:provided )?(?:context|documents|articles)\b|\buse also information in the prompt\b`,
    ),
    description: "tells the model to ignore its documents or context",
  },
  {
    id: "praise_then_pivot",
    strength: "weak",
    pattern: unicodePattern(
      String.raw`\b(?:well done|very good|very well done|excellent performance|simply great|great job|that is (?:enough|done)|that's (?:enough|done))\b[^\n]{0,80}\b(?:now|but now)\b|\b(?:gut gemacht|sehr gut|ausgezeichnete leistung|einfach großartig|das genügt|das ist erledigt)\b[^\n]{0,80}\b(?:nun|jetzt)\b`,
    ),
    description: "praises, then pivots to a new task",
  },
  {
    id: "attention_stop",
    strength: "weak",
    pattern: unicodePattern(String.raw`(?:^|[.!?]\s+|\s-\s)(?:attention|achtung|stop|stopp|halt)\b\s*[-:,!]`),
    description: "interrupts with attention/stop",
  },
  {
    id: "role_assignment",
    strength: "weak",
    pattern: unicodePattern(
      String.raw`(?:^|[.!?]\s+)(?:you are|you're|be|du bist|sie sind|seien sie|sei)\s+(?!not\b|nicht\b|so\b)(?:a |an |the |ein |eine |der |die |das )?[\p{L}\p{N}][^.!?]{0,60}[.,:]`,
    ),
    description: "assigns the model an identity",
  },
  {
    id: "fake_context",
    strength: "weak",
    pattern: unicodePattern(
      String.raw`(?:^|\s)\$?(?:context|kontext|documents?|dokumente?|artikel|article)\s*(?:context\s*)?[:{"][^\n]{0,300}|\b(?:context|kontext|documents?|artikel)\b[^\n]{0,200}\b(?:question|frage)\s*:?\s`,
    ),
    description: "smuggles its own context or documents",
  },
  {
    id: "few_shot_io",
    strength: "weak",
    pattern: unicodePattern(String.raw`\b(?:input|eingabe)\s*:[^\n]{0,80}\b(?:output|ausgabe)\s*:`),
    description: "dictates answers by example (input/output pairs)",
  },
  {
    id: "code_request",
    strength: "weak",
    pattern: unicodePattern(
      String.raw`\b(?:generate|write|create|schreibe?|generiere\w*|erstelle\w*)\b[^.!?\n]{0,30}(?:\bcode\b|c\+\+|\bpython\b|\bjavascript\b|\bsql\b|\bscript\b)`,
    ),
    description: "asks for program code",
  },
  {
    id: "extra_instruction",
    strength: "weak",
    pattern: unicodePattern(
      String.raw`\b(?:additional|new|further|zusätzliche|neue|weitere) (?:instructions?|anweisung(?:en)?)\b|\binstruction\s*:|\bmake something up\b|\berfinde (?:etwas|was)\b`,
    ),
    description: "adds instructions of its own",
  },
];

export interface SignatureHit {
  id: string;
  strength: "strong" | "weak";
  description: string;
}

const ASCII_PATTERNS = new Map(SIGNATURES.map((signature) => [signature, asciiPattern(signature.pattern)]));

export function matchSignatures(normalized: string): SignatureHit[] {
  const ascii = !NON_ASCII_WORD.test(normalized);
  return SIGNATURES.filter((signature) =>
    (ascii ? ASCII_PATTERNS.get(signature)! : signature.pattern).test(normalized),
  ).map(({ id, strength, description }) => ({ id, strength, description }));
}

/** For tests: every signature's Unicode pattern and its ASCII twin. */
export function signaturePatternPairs(): Array<{ id: string; unicode: RegExp; ascii: RegExp }> {
  return SIGNATURES.map((signature) => ({
    id: signature.id,
    unicode: signature.pattern,
    ascii: ASCII_PATTERNS.get(signature)!,
  }));
}
