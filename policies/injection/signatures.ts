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
 * The signatures about an agent's surroundings (text addressed to the model from inside customer
 * data, other customers' data, tool misuse) are in signatures-agent.ts.
 */
import type { Signature } from "./signature-pattern.ts";
import { asciiPattern, NON_ASCII_WORD, unicodePattern } from "./signature-pattern.ts";
import { AGENT_SIGNATURES } from "./signatures-agent.ts";

export type { Signature } from "./signature-pattern.ts";

// Words that name an instruction set, in English and German.
const INSTRUCTIONS_EN =
  "(?:instructions?|directions|directives|rules|guidelines|guidance|orders|commands|prompts?|programming|assignments|tasks|constraints|restrictions|guardrails)";
// Only words that name the model's instructions: "delete all my orders" is a customer's request.
const INSTRUCTIONS_NARROW_EN =
  "(?:instructions?|directions|directives|guidelines|guidance|prompts?|programming|guardrails|context|filters|safety (?:checks|filters|rules|measures|guidelines)|content (?:polic(?:y|ies)|filters?))";
const INSTRUCTIONS_NARROW_DE = "(?:anweisungen|instruktionen|vorgaben|richtlinien)";
const INSTRUCTIONS_DE =
  "(?:anweisungen|instruktionen|befehle|aufträge|aufgaben|regeln|vorgaben|richtlinien|anordnungen|einschränkungen|kontext|hinweise)";
const BEFORE_EN =
  "(?:previous|prior|above|preceding|earlier|former|foregoing|original|initial|all|any|every|your|system|given|existing|current|usual|setup)";
// Verbs that set instructions aside, and the narrower ones that only do so with narrow nouns.
const OVERRIDE_VERBS_EN =
  "(?:ignore|ignoring|disregard|disregarding|forget|abandon|override|bypass|neglect|set aside|put aside|never mind|pay no attention to|stop following|stop obeying|(?:do not|don't|no longer) (?:follow|obey))";
const OVERRIDE_VERBS_NARROW_EN =
  "(?:drop|skip|erase|delete|remove|discard|clear|disable|deactivate|turn off|switch off|suspend|lift|circumvent)";
// Other languages: a verb that sets aside, up to a few words, a noun for instructions or rules.
const OVERRIDE_OTHER = [
  // French "ignore" and "instructions" are also English words: only with a French article.
  "(?:oublie|oubliez|ignore|ignorez|ne tiens pas compte de|ne tenez pas compte de) (?:toutes? )?(?:les|tes|vos|ces)\\b[^.!?\\n]{0,25}\\b(?:instructions|consignes|règles|directives)",
  "(?:olvida|olvide|olvidad|ignora|ignore|ignorad|omite)\\b[^.!?\\n]{0,25}\\b(?:instrucciones|reglas|normas|indicaciones|directrices)", // Spanish
  "(?:dimentica|dimentichi|ignora|ignori)\\b[^.!?\\n]{0,25}\\b(?:istruzioni|regole|indicazioni)", // Italian
  "(?:negeer|vergeet)\\b[^.!?\\n]{0,25}\\b(?:instructies|regels|aanwijzingen)", // Dutch
  "(?:esqueça|esqueca|ignore)\\b[^.!?\\n]{0,25}\\b(?:instruções|instrucoes|regras)", // Portuguese
].map((alternative) => `\\b${alternative}\\b`);

export const SIGNATURES: readonly Signature[] = [
  // ── override the instructions ────────────────────────────────────────────────────────────────
  {
    id: "override_instructions",
    strength: "strong",
    pattern: unicodePattern(
      [
        `\\b${OVERRIDE_VERBS_EN}\\b[^.!?\\n]{0,30}\\b${BEFORE_EN}\\b[^.!?\\n]{0,30}\\b${INSTRUCTIONS_EN}\\b`,
        `\\b${OVERRIDE_VERBS_NARROW_EN}\\b[^.!?\\n]{0,30}\\b${BEFORE_EN}\\b[^.!?\\n]{0,30}\\b${INSTRUCTIONS_NARROW_EN}\\b`,
        // "set aside the rules you were given", "never mind the instructions above"
        `\\b${OVERRIDE_VERBS_EN}\\b[^.!?\\n]{0,20}\\b(?:the|those|these)\\b[^.!?\\n]{0,15}\\b(?:instructions|rules|guidelines|directives|guidance|prompt) (?:you (?:were|have been|'ve been) (?:given|told)|you (?:got|received)|given to you|above|from before|so far)`,
        // "you don't need to follow those guidelines", "does not have to abide by any rules"
        "\\b(?:don't|dont|do not|doesn't|does not|no longer|never) (?:really )?(?:need|have|has) to (?:follow|obey|stick to|abide by|respect|comply with) (?:any|those|these|your|its) (?:rules|guidelines|instructions|policies|restrictions|programming)\\b",
        // "previous directives are void", "your earlier guidance doesn't exist"
        "\\b(?:previous|prior|earlier|above|original|initial|former|your|all) (?:instructions|directives|rules|guidelines|guidance|prompts?)\\b[^.!?\\n]{0,30}\\b(?:(?:are|is|were|was|have been|has been) (?:now )?(?:void|null|cancell?ed|revoked|obsolete|invalid|irrelevant|overridden|lifted|suspended|a test)|no longer (?:valid|apply|applies|in effect|relevant|matter|count)|(?:do|does)(?:n't| not) (?:exist|apply|matter|count))",
        "\\b(?:clear|wipe|reset|erase) your (?:memory|mind|context)\\b",
      ].join("|"),
    ),
    description: "asks to ignore or replace the instructions",
  },
  {
    id: "override_instructions_de",
    strength: "strong",
    pattern: unicodePattern(
      [
        `\\b(?:ignorier(?:e|en sie)?|vergiss|vergessen sie|missachte(?:n sie)?|übergeh(?:e|en sie)|verwirf)\\b[^.!?\\n]{0,40}\\b${INSTRUCTIONS_DE}\\b`,
        `\\b(?:lösch\\w*|streich\\w*)\\b[^.!?\\n]{0,40}\\b${INSTRUCTIONS_NARROW_DE}\\b`,
        `\\b${INSTRUCTIONS_DE}\\b[^.!?\\n]{0,40}(?:\\bignorier\\w*|\\baus dem kopf)`,
        // "ab sofort gelten deine alten Vorgaben nicht mehr", "alle Regeln sind aufgehoben"
        "\\bgelten (?:deine|ihre|die|alle)\\b[^.!?\\n]{0,25}\\b(?:anweisungen|vorgaben|regeln|richtlinien|befehle|instruktionen) nicht mehr\\b",
        "\\b(?:deine|ihre|alle) (?:alten |bisherigen |vorherigen |obigen |ursprünglichen )?(?:anweisungen|vorgaben|regeln|richtlinien|befehle|instruktionen)\\b[^.!?\\n]{0,20}\\b(?:gelten nicht mehr|nicht mehr gelten|sind (?:jetzt |nun )?(?:ungültig|aufgehoben|hinfällig|irrelevant|nichtig))",
        "\\b(?:setze|setz|setzen sie)\\b[^.!?\\n]{0,40}\\b(?:anweisungen|befehle|regeln|vorgaben|richtlinien|instruktionen)\\b[^.!?\\n]{0,10}\\baußer kraft",
        "\\b(?:lass|lassen sie)\\b[^.!?\\n]{0,20}\\b(?:obigen|bisherigen|vorherigen|vorigen|alten)\\b[^.!?\\n]{0,20}\\bbeiseite\\b",
        "\\bhör\\w* (?:sie )?auf,? (?:den|deinen|ihren) (?:regeln|anweisungen|vorgaben|richtlinien) zu folgen",
      ].join("|"),
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
      [
        String.raw`\bolvid[ae]\w* tod[oa]s?\b|\bignora(?:r)? (?:todas )?las instrucciones\b|\boubliez? (?:toutes? )?(?:les |vos )?instructions\b|\bignorez? (?:toutes? )?les instructions\b|\bdimentica (?:tutto|tutte le istruzioni)\b|\bignora (?:tutte )?le istruzioni\b|\bvergeet (?:alle )?(?:instructies|alles)\b|\bnegeer (?:alle )?instructies\b|\bzaboravi sve\b|\bзабудь\w* (?:все|всё)\b|\bигнорир\w* (?:все )?инструкц`,
        ...OVERRIDE_OTHER,
      ].join("|"),
    ),
    description:
      "asks to forget the instructions (Spanish, French, Italian, Dutch, Portuguese, Croatian, Russian)",
  },
  {
    id: "new_instructions",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`\b(?:now|next)\b[^.!?\n]{0,20}\b(?:focus|concentrate) on (?:your|the|a) new (?:task|assignment)|\bnew (?:instructions|tasks) (?:follow|will follow)\b|\bnow (?:new|further) (?:instructions|tasks)\b|\byour (?:new )?instructions are now\b|\bchange your instructions\b|\bstart (?:over|from the (?:front|beginning)) with a new task\b|\bwe (?:will )?start (?:over|again) with a new task\b|\bnew (?:system prompt|system message|directive|assignment|task|mission)\s*:|\b(?:completely |totally )?(?:different|another|next) (?:task|assignment)\s*:|\bnew system (?:prompt|message|instructions?)\b|\byour (?:only|sole|new) (?:job|task|purpose|goal|mission) (?:now |from now on )?is\b`,
    ),
    description: "announces new instructions",
  },
  {
    id: "new_instructions_de",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`\b(?:konzentriere dich|konzentrieren sie sich) (?:jetzt |nun )?auf (?:deine|ihre|die) neue aufgabe\b|\bnun folgen (?:neue|weitere) (?:aufgaben|anweisungen|instruktionen)\b|\bneue anweisungen folgen\b|\bwir starten von neu\b|\bfangen sie von vorne an\b|\b(?:neue|andere|nächste) (?:aufgabe|anweisung|rolle)\s*:|\bnun folgt eine neue aufgabe\b|\bdeine (?:einzige|neue) aufgabe (?:ist|lautet)\b`,
    ),
    description: "announces new instructions (German)",
  },
  // ── extract the prompt ───────────────────────────────────────────────────────────────────────
  {
    id: "reveal_prompt",
    strength: "strong",
    pattern: unicodePattern(
      [
        String.raw`\b(?:show|reveal|print|output|repeat|display|tell|give|list|spell check and display|what (?:is|are|was|were)|quote|echo|share|dump|translate|summari[sz]e|recite|leak|disclose|expose|paste|copy)\b[^.!?\n]{0,40}\b(?:(?:system|initial|original|hidden|secret|confidential|underlying|preconfigured|pre-configured) (?:prompt|instructions|configuration|config|directives|system message)|system message|internal prompt|(?:hidden|secret|confidential) (?:rules|guidelines)|your (?:system )?prompts?|your (?:configuration|directives|system message)|prompt[ -]?texts?|(?:beginning|start) of (?:this|the|your) prompt|written (?:above|before|at the beginning)|this prompt|(?:the )?(?:text|everything|all) (?:above|before) (?:this|my) (?:message|line|first message)|(?:your|the) context window|instructions you (?:were given|received|got|have been given))\b`,
        String.raw`\bwhat (?:are|were) your instructions\b|\bwhat is written above\b|\bwhat (?:instructions|rules|guidelines|directives) (?:were|have) you (?:been )?(?:given|told)\b|\b(?:instructions|directives|rules)\b[^.!?\n]{0,30}\b(?:your )?(?:developers?|operators?|creators?) (?:gave|configured|set|wrote|programmed)\b|\b(?:quote|print|repeat|output|recite|reproduce)\b[^.!?\n]{0,40}\b(?:verbatim|word for word)\b`,
      ].join("|"),
    ),
    description: "asks for the system prompt or instructions",
  },
  {
    id: "reveal_prompt_de",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`\b(?:zeig\w*|gib\w*|nenn\w*|wiederhol\w*|verrat\w*|vorzeigen)\b[^.!?\n]{0,40}\b(?:prompt[- ]?texte?s?|system[- ]?prompt|(?:deine|ihre) (?:anweisungen|instruktionen))\b|\bvorzeigen sämtlicher prompt|\bwas steht in (?:deinem|ihrem|dem) (?:system)?[- ]?prompt|\b(?:anweisungen|instruktionen|vorgaben|richtlinien),? die (?:du|sie|man dir|man ihnen)\b[^.!?\n]{0,40}\b(?:bekommen|erhalten|gegeben)|\b(?:versteckten|geheimen|internen|ursprünglichen|verborgenen) (?:anweisungen|instruktionen|vorgaben|regeln|leitfaden|prompt|systemprompt|konfiguration)\b`,
    ),
    description: "asks for the system prompt or instructions (German)",
  },
  {
    id: "reveal_prompt_other",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`\b(?:message|prompt|invite|instructions|consignes) (?:du )?système\b|\b(?:prompt|mensaje|instrucciones|indicaciones) del sistema\b|\b(?:prompt|messaggio|istruzioni) (?:di|del) sistema\b|\bsysteemprompt\b`,
    ),
    description: "names the system prompt (French, Spanish, Italian, Dutch)",
  },
  // ── break out of the frame ───────────────────────────────────────────────────────────────────
  {
    id: "chat_markup",
    strength: "strong",
    pattern: unicodePattern(
      String.raw`<\|?(?:im_start|im_end|system|endoftext|eot_id|start_header_id)\|?>|\[\/?inst\]|<<\/?sys>>|^#{2,}\s*(?:system|instruction)s?\b|<\/?(?:system|assistant|untrusted_input|user_input|user|human|developer|tool|prompt|context|instructions?)\b|\b(?:begin|end) (?:of )?(?:system prompt|untrusted)|"role"\s*:\s*"(?:system|assistant|developer|tool)"|\[(?:system|admin|developer|sys)(?:[ _](?:override|message|note|prompt|instructions?|mode))?\]|(?:^|[-=#*\[<(|\x60]\s*)(?:begin|start|end)(?: of)? (?:the )?(?:system prompt|prompt|user input|input|customer message|user message|admin message|system message|instructions|context|document|conversation|untrusted input)(?=\s*(?:[-=#*\]>)|\x60]|$))`,
      "m",
    ),
    description: "contains chat-template or delimiter markup",
  },
  {
    id: "jailbreak",
    strength: "strong",
    pattern: unicodePattern(
      [
        String.raw`\bdeveloper mode\b[^\n]{0,80}\b(?:responses?|answers?|polic(?:y|ies)|filters?|censor\w*|restrictions?|unrestricted)\b|\bdeveloper mode (?:is )?(?:now )?(?:enabled|activated|on)(?=\s*(?:[.!,:;]|$))|\bdan mode\b|\bjailbreak(?:ing)? (?:mode|prompt|the (?:ai|model|bot|assistant|chatbot))\b|\bdo anything now\b|\bno (?:programming|ethical|content|safety|moral) (?:guidelines|restrictions|filters|limits)\b|\b(?:answer|respond|reply|generate)\w* without (?:any )?(?:restrictions|censorship|filters|warnings)\b|\bcompletely immoral\b|\bpwn(?:ed|ing)?\b|\b(?:you are|you're) (?:a|an) (?:evil|unfiltered|uncensored|unrestricted) (?:ai|assistant|model|bot)\b`,
        String.raw`\b(?:unrestricted|unfiltered|uncensored|unaligned|jailbroken|unchained) (?:ai|a\.i\.|model|assistant|bot|chatbot|mode|version|persona|gpt|llm)\b|\byou are no longer (?:a|an|the|my) (?:\w+ )?(?:assistant|bot|chatbot|ai|model|language model)\b|\byou(?:'re| are) now (?:called )?[a-z]*(?:bot|gpt)\b|\b(?:assume|adopt) the (?:identity|persona) of\b|\bas (?:your|the assistant's) (?:developers?|creators?|operators?|programmers?)\b|\bi(?:'m| am) (?:one of )?your (?:developers?|creators?|operators?|programmers?)\b|\bbypass (?:your|the usual|the normal|all|any|the) (?:usual |normal |standard |safety |content )?(?:restrictions|filters?|safety|guardrails|content polic(?:y|ies)|safeguards)\b|\b(?:pretend|act|behave|pose) (?:to be|as|like) (?:the|a|an|my|your) (?:store |shop |company |system |site )?(?:manager|admin|administrator|developer|supervisor|owner|ceo|operator|superuser)\b`,
        String.raw`\b(?:ai|a\.i\.|assistant|model|bot|chatbot|gpt|llm|version|persona|ki|assistent|modell|assistente|asistente|modelo|modèle|ia)\b (?:with no|with zero|without(?: any)?|that has no|who has no|free of|ohne(?: jede)?|sans(?: aucune?)?|sin(?: ning[uú]n[ao]?)?|senza) (?:restrictions?|limits?|limitations?|filters?|rules|guidelines|censorship|boundaries|ethics|morals|einschränkungen?|filter|regeln|grenzen|beschränkungen|límites|restricciones|reglas|filtros|limites|règles|filtres|limiti|regole|restrizioni)\b|\b(?:ai|model|assistant|bot|chatbot|persona|character)\b[^.!?\n]{0,25}\b(?:has no|with no|without any|not bound by|free from|(?:doesn't|does not) have to (?:follow|obey|abide by)) (?:any )?(?:guidelines|rules|restrictions|policies|filters|limits|ethics|morals)\b`,
      ].join("|"),
    ),
    description: "jailbreak phrasing",
  },
  {
    id: "role_play",
    strength: "weak",
    pattern: unicodePattern(
      String.raw`\b(?:you are now(?! (?:my|our|subscribed|unsubscribed|registered|logged|signed|eligible|able|ready|connected|enrolled|a member|a customer)\b)|you're now|from now on,? you|act as(?! (?:soon|if|though)\b)|acting as(?! (?:soon|if|though)\b)|pretend (?:you|to be|that you)|imagine (?:you are|you're|that you are)|roleplay|role-play|stay in (?:your |their )?roles?|(?:do not|don't|never) break character|in the style of|you are (?:the|a|an) [\p{L} -]{2,40}(?:bot|ai|assistant|gpt|model|terminal|interpreter|guidebook))\b`,
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
      String.raw`\b(?:additional|new|further|zusätzliche|neue|weitere) (?:instructions?|anweisung(?:en)?)\b(?! (?:for|on|about|regarding|für|zur|zum|bezüglich) (?!(?:you|the (?:ai|assistant|bot|model))\b))|\binstruction\s*:|\bmake something up\b|\berfinde (?:etwas|was)\b`,
    ),
    description: "adds instructions of its own",
  },
  ...AGENT_SIGNATURES,
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
