import { escapeUntrusted } from "../../policies/injection/quarantine.ts";

/**
 * The designer's prompt is a set of tagged sections. Everything placed in one is escaped so that
 * no content can open or close a tag: text goes through the quarantine escaper (`<`, `>`, `&` and
 * their look-alikes become entities), JSON has `<`, `>` and `&` written as \u escapes (still valid
 * JSON). The offline chat model reads the same sections a real model reads; tests check that a
 * forged tag inside customer data stays inert.
 */

export const SECTION = {
  catalog: "workspace_catalog",
  policies: "policy_config",
  liveJourneys: "live_journeys",
  memory: "memory",
  customers: "customer_sample",
  goal: "goal",
  answer: "answer",
  reviewerNote: "reviewer_note",
  validation: "validation_issues",
} as const;
export type SectionName = (typeof SECTION)[keyof typeof SECTION];

/** JSON that cannot contain a tag: `<`, `>` and `&` as \u escapes. */
export function inertJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026");
}

export function textSection(tag: SectionName, text: string): string {
  return `<${tag}>\n${escapeUntrusted(text)}\n</${tag}>`;
}

export function jsonSection(tag: SectionName, value: unknown): string {
  return `<${tag}>\n${inertJson(value)}\n</${tag}>`;
}

/** A section whose body is already safe (quarantine blocks, inert JSON). */
export function rawSection(tag: SectionName, body: string): string {
  return `<${tag}>\n${body}\n</${tag}>`;
}

/** The bodies of every `<tag>…</tag>` section in `text`, in order. */
export function readSections(text: string, tag: SectionName): string[] {
  const found: string[] = [];
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  let from = 0;
  while (true) {
    const start = text.indexOf(open, from);
    if (start < 0) break;
    const end = text.indexOf(close, start + open.length);
    if (end < 0) break;
    found.push(
      text
        .slice(start + open.length, end)
        .replace(/^\n/, "")
        .replace(/\n$/, ""),
    );
    from = end + close.length;
  }
  return found;
}

/** Undoes `escapeUntrusted`'s entities (for readers of text sections, such as the offline model). */
export function unescapeText(text: string): string {
  return text.replace(/&(lt|gt|amp|#x[0-9A-Fa-f]+);/g, (_entity, name: string) => {
    if (name === "lt") return "<";
    if (name === "gt") return ">";
    if (name === "amp") return "&";
    return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
  });
}
