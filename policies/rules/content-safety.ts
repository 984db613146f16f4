import type { PolicyConfig } from "../config.ts";
import { normalizeForScreening } from "../injection/normalize.ts";
import { matchSignatures } from "../injection/signatures.ts";
import type { ActionProposal, CustomerContext } from "../types.ts";
import type { PiiFinding } from "./pii.ts";
import { findPii, samePhone } from "./pii.ts";
import type { PolicyCheck } from "./verdict.ts";
import { allow, channelLabel, deny, isMessageChannel, review } from "./verdict.ts";

/**
 * Content safety for every message that reaches a customer, AI-written or templated, checked on
 * the rendered text (subject, title, body, link):
 *   - personal data of someone else: email addresses and phone numbers other than the recipient's
 *     own or the workspace's (`pii.allow`), any full card number, any IBAN not on the allow list
 *     → deny;
 *   - text that echoes a prompt injection (the strong screening signatures) or contains one of the
 *     workspace's system-prompt markers → review (or as configured);
 *   - the workspace's banned claims → deny or review, per claim.
 * A message with no rendered text cannot be checked and goes to review unless configured otherwise.
 */
export const contentSafetyPolicy: PolicyCheck = (action, context, config) => {
  if (!isMessageChannel(action.channel)) {
    return allow(
      "content_safety",
      `${channelLabel(action.channel)} carries no customer-facing message text.`,
    );
  }
  const settings = config.content_safety;
  const content = action.payload.content;
  if (!content) {
    const template = action.payload.template ? ` (template "${action.payload.template}")` : "";
    return settings.unrendered === "allow"
      ? allow(
          "content_safety",
          `The message text${template} is not rendered yet; this workspace allows that.`,
        )
      : review(
          "content_safety",
          `The message text${template} was not rendered, so it cannot be checked; a person must look at it.`,
          { unrendered: true },
        );
  }
  const text = [content.subject, content.title, content.body, content.cta_url]
    .filter((part): part is string => typeof part === "string" && part.length > 0)
    .join("\n");
  const findings = [
    ...piiFindings(text, action, context, config),
    ...echoFindings(text, config),
    ...bannedClaimFindings(text, config),
  ];
  if (findings.length === 0) {
    return allow(
      "content_safety",
      "No personal data of others, injection echo or banned claim found in the text.",
    );
  }
  const details = {
    findings: findings.map(({ kind, label, action: verdict }) => ({ kind, label, verdict })),
  };
  const denying = findings.filter((finding) => finding.action === "deny");
  const label = channelLabel(action.channel);
  if (denying.length > 0) {
    return deny("content_safety", `${label} is denied: the text ${sentence(denying)}.`, details);
  }
  return review("content_safety", `${label} needs a person: the text ${sentence(findings)}.`, details);
};

interface Finding {
  kind: "pii" | "injection_echo" | "system_prompt" | "banned_claim";
  /** what was found, masked where it is personal data */
  label: string;
  action: "deny" | "review";
}

function sentence(findings: readonly Finding[]): string {
  return findings.map((finding) => finding.label).join("; ");
}

function piiFindings(
  text: string,
  action: ActionProposal,
  context: CustomerContext,
  config: PolicyConfig,
): Finding[] {
  const settings = config.content_safety.pii;
  const own = recipientAddresses(action, context);
  const allowed = settings.allow.map((entry) => entry.trim());
  return findPii(text)
    .filter((finding) => enabled(finding, settings))
    .filter((finding) => !isOwn(finding, own) && !isAllowed(finding, allowed))
    .map((finding) => ({ kind: "pii" as const, label: describePii(finding), action: "deny" as const }));
}

function enabled(finding: PiiFinding, settings: PolicyConfig["content_safety"]["pii"]): boolean {
  if (finding.kind === "email") return settings.emails;
  if (finding.kind === "phone") return settings.phones;
  if (finding.kind === "card") return settings.cards;
  return settings.ibans;
}

function recipientAddresses(action: ActionProposal, context: CustomerContext): string[] {
  const candidates = [action.payload.to, context.traits.email, context.traits.phone, context.userId];
  return candidates.filter((value): value is string => typeof value === "string" && value.length > 0);
}

/** The customer's own email or phone is fine to mention; their card number never is. */
function isOwn(finding: PiiFinding, own: readonly string[]): boolean {
  if (finding.kind === "email") return own.some((value) => value.toLowerCase() === finding.normalized);
  if (finding.kind === "phone") return own.some((value) => samePhone(value, finding.value));
  return false;
}

function isAllowed(finding: PiiFinding, allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    if (finding.kind === "email") {
      const lower = entry.toLowerCase();
      return lower.startsWith("@") ? finding.normalized.endsWith(lower) : finding.normalized === lower;
    }
    if (finding.kind === "phone") return /\d/.test(entry) && samePhone(entry, finding.value);
    if (finding.kind === "iban") return entry.replace(/\s+/g, "").toUpperCase() === finding.normalized;
    return false;
  });
}

function describePii(finding: PiiFinding): string {
  switch (finding.kind) {
    case "email": {
      const [local = "", domain = ""] = finding.normalized.split("@");
      return `contains another person's email address (${local.slice(0, 1)}***@${domain})`;
    }
    case "phone":
      return `contains a phone number that is not the recipient's (…${finding.normalized.slice(-2)})`;
    case "card":
      return `contains a payment card number (…${finding.normalized.slice(-4)})`;
    case "iban":
      return `contains a bank account number (IBAN ${finding.normalized.slice(0, 2)}…${finding.normalized.slice(-4)})`;
  }
}

function echoFindings(text: string, config: PolicyConfig): Finding[] {
  const settings = config.content_safety;
  const action = settings.injection_echo;
  if (action === "off") return [];
  const normalized = normalizeForScreening(text);
  const findings: Finding[] = matchSignatures(normalized)
    .filter((hit) => hit.strength === "strong")
    .map((hit) => ({
      kind: "injection_echo",
      label: `echoes a prompt injection (${hit.description})`,
      action,
    }));
  for (const marker of settings.system_prompt_markers) {
    if (normalized.includes(normalizeForScreening(marker))) {
      findings.push({
        kind: "system_prompt",
        label: `quotes the system prompt ("${marker.slice(0, 40)}${marker.length > 40 ? "…" : ""}")`,
        action,
      });
    }
  }
  return findings;
}

function bannedClaimFindings(text: string, config: PolicyConfig): Finding[] {
  const settings = config.content_safety;
  const haystack = ` ${foldForClaims(text)} `;
  const findings: Finding[] = [];
  for (const claim of settings.banned_claims) {
    const phrase = typeof claim === "string" ? claim : claim.phrase;
    const needle = foldForClaims(phrase);
    if (needle === "" || !haystack.includes(` ${needle} `)) continue;
    const reason = typeof claim === "string" ? undefined : claim.reason;
    findings.push({
      kind: "banned_claim",
      label: `makes a banned claim ("${phrase}"${reason ? `: ${reason}` : ""})`,
      action: (typeof claim === "string" ? undefined : claim.action) ?? settings.banned_claims_action,
    });
  }
  return findings;
}

/** Lower case, letters and digits only, single spaces: "100% Risk-free!" → "100 risk free". */
function foldForClaims(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}
