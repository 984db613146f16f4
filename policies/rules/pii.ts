/**
 * Finds personal data in outgoing text: email addresses, phone numbers, payment card numbers
 * (13–19 digits written as cards are, passing the Luhn check and starting like a card: 2–6) and IBANs (a known country's
 * length and a valid ISO 7064 mod-97 checksum). Checksums keep order numbers and dates from
 * looking like cards or accounts.
 *
 * Phone numbers are the fuzzy case. A digit run counts as a phone number when it is written in
 * international form (+49…, 0049…), in a common national grouping ((555) 123-4567, 030 1234567),
 * or follows a word such as "phone", "call", "Tel.", "Handy" or "WhatsApp"; 8–15 digits.
 */
export type PiiKind = "email" | "phone" | "card" | "iban";

export interface PiiFinding {
  kind: PiiKind;
  /** the text as found */
  value: string;
  /** for comparison: lower-cased email, digits of a phone or card, compact upper-case IBAN */
  normalized: string;
  index: number;
}

/** The email pattern (see emailMatches, which finds exactly its global matches in linear time). */
export const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** EMAIL after its "@", anchored where it is tried */
const EMAIL_DOMAIN = /[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/y;
const IBAN_START = /\b[A-Z]{2}\d{2}/g;
// contiguous, in groups of four (Visa, Mastercard, …) or 4-6-5 (Amex); never after a "+"
const CARD =
  /(?<![\d+-])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{5})(?![\d-])/g;
const PHONE = /(?<![\w+])(?:\+|00)?\(?\d[\d ()./-]{5,20}\d(?![\d])/g;
const PHONE_WORDS =
  /\b(?:phone|tel|telephone|call|mobile|cell|fax|sms|text|whatsapp|signal|telefon|handy|mobil|rufnummer|nummer|anrufen|ruf)\b\.?:?\s*$/i;

const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index--) {
    let digit = digits.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export function ibanValid(text: string): boolean {
  const compact = text.replace(/\s+/g, "").toUpperCase();
  const expected = IBAN_LENGTHS[compact.slice(0, 2)];
  if (expected === undefined || compact.length !== expected || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact))
    return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const value = /\d/.test(character) ? character : String(character.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/**
 * The IBAN-shaped text starting at `start`, exactly as long as the country's IBANs (single spaces
 * between groups allowed), or null. Taking the country's length keeps a following word out of it.
 */
function ibanAt(text: string, start: number): string | null {
  const expected = IBAN_LENGTHS[text.slice(start, start + 2)];
  if (expected === undefined) return null;
  let compact = 0;
  let end = start;
  while (end < text.length && compact < expected) {
    const character = text[end]!;
    if (/[A-Z0-9]/.test(character)) compact++;
    else if (character !== " " || text[end + 1] === " ") return null;
    end++;
  }
  if (compact !== expected || /[A-Za-z0-9]/.test(text[end] ?? "")) return null;
  return text.slice(start, end);
}

const digitsOf = (text: string) => text.replace(/\D/g, "");

function overlaps(index: number, length: number, taken: ReadonlyArray<[number, number]>): boolean {
  return taken.some(([start, end]) => index < end && index + length > start);
}

function isLocalPart(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 46 || // .
    code === 95 || // _
    code === 37 || // %
    code === 43 || // +
    code === 45 // -
  );
}

/**
 * The matches `text.matchAll(EMAIL)` returns, in linear time. The regex tries every start position
 * and scans the rest of a local-part run for an "@" each time: a long run without one ("1111…",
 * "a.a.a.…") costs quadratic time. Here every "@" is visited once: the local part is the run of
 * local-part characters right before it (it cannot contain an "@"), starting no earlier than where the
 * previous match ended, and the domain is EMAIL's own pattern tried right after the "@" — the
 * regex's leftmost match is the first "@" with a non-empty local part and a matching domain.
 */
export function emailMatches(text: string): Array<{ value: string; index: number }> {
  const matches: Array<{ value: string; index: number }> = [];
  let searchFrom = 0;
  let at = text.indexOf("@");
  while (at !== -1) {
    let start = at;
    while (start > searchFrom && isLocalPart(text.charCodeAt(start - 1))) start -= 1;
    if (start < at) {
      EMAIL_DOMAIN.lastIndex = at + 1;
      if (EMAIL_DOMAIN.exec(text)) {
        matches.push({ value: text.slice(start, EMAIL_DOMAIN.lastIndex), index: start });
        searchFrom = EMAIL_DOMAIN.lastIndex;
        at = text.indexOf("@", searchFrom);
        continue;
      }
    }
    at = text.indexOf("@", at + 1);
  }
  return matches;
}

export function findPii(text: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  const taken: Array<[number, number]> = [];
  const record = (finding: PiiFinding) => {
    findings.push(finding);
    taken.push([finding.index, finding.index + finding.value.length]);
  };
  for (const match of emailMatches(text)) {
    record({ kind: "email", value: match.value, normalized: match.value.toLowerCase(), index: match.index });
  }
  for (const match of text.matchAll(IBAN_START)) {
    const value = ibanAt(text, match.index);
    if (value && !overlaps(match.index, value.length, taken) && ibanValid(value)) {
      record({ kind: "iban", value, normalized: value.replace(/\s+/g, ""), index: match.index });
    }
  }
  for (const match of text.matchAll(CARD)) {
    const digits = digitsOf(match[0]);
    if (overlaps(match.index, match[0].length, taken)) continue;
    if (digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && luhnValid(digits)) {
      record({ kind: "card", value: match[0], normalized: digits, index: match.index });
    }
  }
  for (const match of text.matchAll(PHONE)) {
    const value = match[0].replace(/[\s./-]+$/, "");
    if (overlaps(match.index, value.length, taken)) continue;
    const digits = digitsOf(value);
    if (digits.length < 8 || digits.length > 15) continue;
    const before = text.slice(Math.max(0, match.index - 24), match.index);
    const international = /^(?:\+|00)/.test(value);
    const grouped =
      /^\(\d{2,5}\)\s?\d{3,4}[\s.-]?\d{3,5}$/.test(value) ||
      /^\d{3}[.-]\d{3}[.-]\d{4}$/.test(value) ||
      /^0\d{2,5}[\s/-]\d{3,9}(?:[\s-]\d{2,6})?$/.test(value);
    if (international || grouped || PHONE_WORDS.test(before)) {
      record({ kind: "phone", value, normalized: digits, index: match.index });
    }
  }
  return findings.sort((a, b) => a.index - b.index);
}

/** Phone numbers compare on their national part: +49 151 … and 0151 … are the same line. */
export function samePhone(a: string, b: string): boolean {
  const left = digitsOf(a).replace(/^00/, "");
  const right = digitsOf(b).replace(/^00/, "");
  if (left.length < 6 || right.length < 6) return false;
  const tail = Math.min(left.length, right.length, 9);
  return left.slice(-tail) === right.slice(-tail);
}
