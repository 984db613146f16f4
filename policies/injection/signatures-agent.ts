import type { Signature } from "./signature-pattern.ts";
import { unicodePattern } from "./signature-pattern.ts";

/**
 * Signatures of indirect injection: instructions that ride inside customer data (a review, a CRM
 * note, a survey comment) and address the model that will later read it, or ask an agent for
 * things no customer may have (other customers' data, tool calls, skipping review). A customer
 * writing to a shop talks about their own order; they do not leave notes "for the AI", label a
 * line "SYSTEM:", or name a tool by its snake_case id.
 */

// The model as the text names it, in English, German, French and Spanish.
const MODEL_NAMES =
  "(?:ai|a\\.i\\.|ai agent|ai assistant|assistant|bot|chatbot|model|llm|gpt|language model|ki|assistent\\w*|sprachmodell|ia|asistente|modèle|modelo)";
// Requests that read another customer's data; "of all customers", "the customer with id 1032".
const DATA_VERBS =
  "(?:list|show|give|send|export|dump|paste|tell|print|forward|share|reveal|what|provide|download|display|email|trigger|post|upload|attach)";
const DATA_NOUNS =
  "(?:(?:email|e-mail|postal|home|billing) addresses|emails|addresses|address|phone numbers?|contact details|personal data|records?|order histor(?:y|ies)|credit card numbers?|card numbers?|passwords?|profiles|data|list|database)";
const OTHER_PEOPLE =
  "(?:(?:of|from|for) (?:all|every|other|the other|another|each) (?:customers?|clients?|users?|buyers?|shoppers?|members?|accounts?)|(?:every|all|other|another) (?:customer|client|user)(?:'s|s'|s)?|(?:full|entire|whole|complete) (?:customer|client|user|contact)|(?:of|for|from) (?:the )?(?:customer|client|user|account|buyer) with (?:the )?(?:id|email|e-mail|number|customer number|account number)|(?:the )?(?:account|customer|user) [a-z0-9_.+-]+@[a-z0-9-]+\\.[a-z.]+)";

export const AGENT_SIGNATURES: readonly Signature[] = [
  {
    id: "addressed_to_model",
    strength: "strong",
    pattern: unicodePattern(
      [
        // "Note to the AI reading this", "[instruction for the bot: …]"
        `\\b(?:note|message|instructions?|hint|reminder|command|memo|p\\.?s\\.?) (?:to|for) (?:the |any |all |dear )?${MODEL_NAMES}s?\\b(?! manager)`,
        `\\b(?:hinweis|nachricht|anweisung|notiz|ps|p\\.s\\.) (?:an|für) (?:die |den |das )?(?:ki|assistent\\w*|bot|chatbot|sprachmodell)\\b`,
        "\\b(?:note|message|instruction|consigne|remarque) (?:pour|à) (?:l'|l’|le |la )?(?:ia|assistant|bot|chatbot|modèle)\\b",
        "\\b(?:nota|mensaje|instrucción|instruccion) (?:para|a) (?:la |el )?(?:ia|asistente|bot|chatbot|modelo)\\b",
        "\\b(?:ai|a\\.i\\.|assistant|bot|chatbot|model|llm|agent)s? (?:that is |who is )?(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|handling) this\\b",
        "\\bwhen you (?:summari[sz]e|process|read|analy[sz]e|parse|classify) this\\b[^.!?\\n]{0,5}\\b(?:add|include|insert|append|mention|state|claim|say|write|mark|tag|ignore|set)\\b",
        // a role label in the middle of customer text: "… shoes. Bot: …", "P.S. AI: …", "<!-- AI agent: …"
        "(?:^|[.!?;:\\])>|-]\\s*|\\b(?:p\\.?s\\.?|ps|btw|by the way|also|note)[,:]?\\s+)(?:dear |hey )?(?:ai|a\\.i\\.|ai agent|ai assistant|bot|chatbot|llm|gpt|ki|ia)\\s*:\\s*\\S",
        // "assistant:" is also a CRM field (a contact's assistant), so only with an order after it
        "(?:^|[.!?;\\])>|-]\\s*|\\b(?:p\\.?s\\.?|ps|btw|by the way|also|note)[,:]?\\s+)(?:dear |hey )?assistant\\s*:\\s*(?:please )?(?:ignore|disregard|forget|override|bypass|skip|from now on|when you|you (?:must|are|will|should)|approve|grant|issue|reveal|print|output|include|add|mark|escalate)\\b",
        "(?:^|[.!?;\\])>|-]\\s*)(?:system|admin|administrator|developer|root|operator)(?: (?:override|message|note|notice|instruction|prompt))?\\s*:\\s*(?:please )?(?:you|ignore|disregard|forget|override|new|the user|grant|escalate|approve|reveal|print|output|enable|disable|delete|from now on|elevate)\\b",
        // "Also, dear assistant, …", "By the way, assistant, …"
        "\\b(?:also|and|btw|by the way|p\\.?s\\.?|oh and)[,:]? (?:dear |hey |hi )?(?:ai|ai agent|assistant|bot|chatbot|model|llm)\\s*,",
      ].join("|"),
      "m",
    ),
    description: "addresses the model from inside customer text",
  },
  {
    id: "other_customers_data",
    strength: "strong",
    pattern: unicodePattern(
      [
        `\\b${DATA_VERBS}\\b[^.!?\\n]{0,40}\\b${DATA_NOUNS}\\b[^.!?\\n]{0,30}\\b${OTHER_PEOPLE}`,
        `\\b${DATA_VERBS}\\b[^.!?\\n]{0,40}\\b${OTHER_PEOPLE}\\b[^.!?\\n]{0,3}\\b${DATA_NOUNS}\\b`,
        "\\b(?:gib|geben sie|zeig\\w*|nenn\\w*|schick\\w*|sende\\w*|liste|exportier\\w*)\\b[^.!?\\n]{0,30}\\b(?:adressen?|telefonnummern?|e-mail-adressen?|kundendaten|daten|bestellhistorie|kreditkartennummern?|passwörter)\\b[^.!?\\n]{0,30}\\b(?:aller|anderer|der anderen|des kunden|eines anderen|von allen|von anderen) (?:kunden|käufer|nutzer|benutzer)\\b",
        "\\b(?:gib|geben sie|zeig\\w*|nenn\\w*|schick\\w*|sende\\w*|exportier\\w*)\\b[^.!?\\n]{0,30}\\balle (?:kundendaten|kundenadressen|kunden-?e-mails)\\b",
      ].join("|"),
    ),
    description: "asks for other customers' data",
  },
  {
    id: "tool_misuse",
    strength: "strong",
    pattern: unicodePattern(
      [
        "\\b(?:call|use|run|invoke|trigger|execute|fire)\\b[^.!?\\n]{0,20}\\b[a-z]+_[a-z_]+ (?:tool|function|action|command|endpoint)\\b",
        "\\b(?:call|use|run|invoke|trigger|execute)\\b (?:your|the) (?:\\w+ ){0,2}(?:tool|function|action|webhook|api|endpoint)\\b[^.!?\\n]{0,80}(?:\\ball\\b|\\bevery\\b|\\btransfer\\b|\\bwithout\\b|\\bskip\\b|\\bno approval\\b|https?:)",
        "\\b(?:nutze|benutze|verwende)\\b (?:dein|deine|deinen) (?:werkzeug|tool|funktion)",
        "\\b(?:skip|bypass|disregard|ignore|circumvent|without waiting for|no need for|don't wait for|do not wait for) (?:the |any )?(?:approval|review|reviewer|human review|sign-off)(?: step| process)?\\b|\\bno (?:approval|review) (?:needed|required|necessary)\\b",
        "\\bupdate [a-z_]+ set [a-z_]+ ?=|\\bdelete from [a-z_]+\\b|\\bdrop table\\b|\\binsert into [a-z_]+\\b|\\bunion select\\b",
      ].join("|"),
    ),
    description: "asks an agent to misuse its tools or skip review",
  },
];
