import { describe, expect, it } from "vitest";
import { EMAIL, emailMatches, findPii, ibanValid, luhnValid, samePhone } from "./pii.ts";

const kinds = (text: string) => findPii(text).map((finding) => `${finding.kind}:${finding.normalized}`);

describe("personal data in outgoing text", () => {
  it("finds email addresses", () => {
    expect(kinds("Write to jane.doe+shop@mail.example.org today")).toEqual([
      "email:jane.doe+shop@mail.example.org",
    ]);
  });

  it("finds card numbers that pass Luhn, with or without separators", () => {
    expect(kinds("card 4111 1111 1111 1111 on file")).toEqual(["card:4111111111111111"]);
    expect(kinds("card 5500-0000-0000-0004")).toEqual(["card:5500000000000004"]);
    expect(kinds("amex 378282246310005")).toEqual(["card:378282246310005"]);
  });

  it("ignores 16-digit numbers that fail Luhn or do not start like a card", () => {
    expect(kinds("order 4111 1111 1111 1112")).toEqual([]);
    expect(kinds("tracking 1234567812345670")).toEqual([]); // passes Luhn but starts with 1
  });

  it("finds IBANs with a valid checksum and the country's length, grouped or compact", () => {
    expect(kinds("pay to DE89 3704 0044 0532 0130 00 please")).toEqual(["iban:DE89370400440532013000"]);
    expect(kinds("GB82WEST12345698765432")).toEqual(["iban:GB82WEST12345698765432"]);
    expect(ibanValid("DE89 3704 0044 0532 0130 01")).toBe(false);
    expect(ibanValid("DE89 3704 0044 0532 0130")).toBe(false); // too short for DE
    expect(ibanValid("XX89370400440532013000")).toBe(false); // unknown country
  });

  it("finds phone numbers in international form, common groupings, or after a phone word", () => {
    expect(kinds("reach her on +49 151 2345 6789")).toEqual(["phone:4915123456789"]);
    expect(kinds("call (555) 123-4567 now")).toEqual(["phone:5551234567"]);
    expect(kinds("or 555-123-4567")).toEqual(["phone:5551234567"]);
    expect(kinds("Tel. 030 1234567")).toEqual(["phone:0301234567"]);
    expect(kinds("Handy: 01761234567")).toEqual(["phone:01761234567"]);
  });

  it("does not take order numbers, prices, dates or times for phone numbers", () => {
    expect(kinds("Order 12345678 shipped on 2026-03-02 at 10:00 for 1.299,00 EUR")).toEqual([]);
    expect(kinds("Your code SAVE10 is valid until 31.12.2026")).toEqual([]);
  });

  it("compares phone numbers on their national part", () => {
    expect(samePhone("+4915112345678", "0151 1234 5678")).toBe(true);
    expect(samePhone("+4915112345678", "+4915112345679")).toBe(false);
  });

  it("implements Luhn exactly", () => {
    expect(luhnValid("79927398713")).toBe(true);
    expect(luhnValid("79927398710")).toBe(false);
  });
});

describe("emailMatches", () => {
  it("finds exactly what the email pattern finds", () => {
    const pieces = [
      "a",
      "b.c",
      "x_y",
      "1",
      "@",
      "@ex",
      ".",
      "..",
      "-",
      "+",
      "%",
      ".com",
      ".de",
      "io",
      " ",
      ",",
      "ü",
      "\n",
      "@@",
      "a@b",
      "@mail.de",
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const fixed = [
      "mail ann@example.com, bob.smith+x@mail.co.uk.",
      "x@a.bc.d@e.fg",
      "a@b.cdx@y.zz",
      "@@a@b.cc",
      "a@b",
      "a.@b.cc",
    ];
    const generated = Array.from({ length: 5_000 }, () =>
      Array.from(
        { length: 1 + Math.floor(next() * 14) },
        () => pieces[Math.floor(next() * pieces.length)],
      ).join(""),
    );
    let found = 0;
    for (const text of [...fixed, ...generated]) {
      const expected = [...text.matchAll(EMAIL)].map((match) => ({ value: match[0], index: match.index }));
      found += expected.length;
      expect(emailMatches(text), JSON.stringify(text)).toEqual(expected);
    }
    expect(found).toBeGreaterThan(500);
  });
});
