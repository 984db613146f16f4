/**
 * Text normalisation before screening, so that trivial disguises do not hide an instruction:
 * compatibility forms (full-width letters, ligatures) fold to plain ones, invisible characters go,
 * escaped newlines written out as "\n" become spaces, and words spelled out letter by letter
 * ("S a y t h a t y o u h a t e") are joined again.
 */

// zero-width spaces and joiners, word joiner, BOM, soft hyphen, bidi controls
const INVISIBLE = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const ESCAPED_NEWLINES = /\\+\s?[nrt]/g;
const SPELLED_OUT = /(?:^|(?<=\s))(?:\p{L} ){3,}\p{L}(?=\s|$|[.,!?])/gu;
// Letters one space apart with words two or more spaces apart ("i g n o r e   a l l"): the wide
// gaps are the word breaks, which the single-space joining below would otherwise erase.
const SPELLED_OUT_WIDE = /(?:^|(?<=\s))\p{L}(?: \p{L}| {2,}\p{L}(?= \p{L}))+(?=\s|$|[.,!?])/gu;

export function normalizeForScreening(text: string): string {
  return text
    .normalize("NFKC")
    .replace(INVISIBLE, "")
    .replace(ESCAPED_NEWLINES, "\n")
    .replace(SPELLED_OUT_WIDE, (run) =>
      / {2,}/.test(run)
        ? run
            .split(/ {2,}/)
            .map((word) => word.replace(/ /g, ""))
            .join(" ")
        : run,
    )
    .toLowerCase()
    .replace(/[^\S\n]+/g, " ")
    .replace(/ ?\n\s*/g, "\n")
    .replace(SPELLED_OUT, (run) => run.replace(/ /g, ""))
    .trim();
}

/** Words (letters and digits, any script) of normalised text. */
export function words(normalized: string): string[] {
  return normalized.match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
}
