import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * A prefixed, time-ordered, unguessable id: `jrn_01hx…`. The time part keeps B-tree inserts local;
 * 80 random bits keep ids unguessable.
 */
export function newId(prefix: string): string {
  const time = Date.now().toString(32).padStart(9, "0");
  return `${prefix}_${time}${base32(randomBytes(10))}`;
}

/** A secret token (API keys): 160 random bits. */
export function newSecret(prefix: string): string {
  return `${prefix}_${base32(randomBytes(20))}`;
}
