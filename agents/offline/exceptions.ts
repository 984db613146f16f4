/**
 * Exceptions said inside one sentence: "email a win-back offer after 1 week unless they are VIP, in
 * which case have their account manager call them", "… except for VIPs, who get a call instead".
 * The condition does not narrow who the sentence is for (an audience of VIPs) and does not join
 * the action before it; it names the customers who get the other action instead. So the sentence
 * is read as two: the main action, then the exception as an "instead" sentence of its own, which
 * the plan drafts as a path for those customers with everyone else on the first one.
 *
 * "Ask customers who score 3 or less to talk to a supervisor, and thank everyone else by email" is
 * the same shape the other way round: the clause about everyone else is the other side of the
 * first one's condition, which the plan reads from a sentence of its own ("Everyone else gets …")
 * and not from a clause joined by "and", where it would become one more action for the same people.
 */
import { findShares } from "./shares.ts";

const UNLESS_IN_WHICH_CASE = /^(.+?)\s*,?\s+unless\s+(.+?),\s*in which case\s*,?\s+(.+)$/;

const EXCEPT_WHO_INSTEAD =
  /^(.+?)\s*,?\s+(?:except(?: for)?|excluding|apart from|other than|but not)\s+(.+?),\s*who\s+(.+\binstead\b.*)$/;

/** "…, and thank everyone else by email", "… while all the others get an email": no comma inside. */
const AND_EVERYONE_ELSE =
  /^(.+?)\s*,?\s+(?:and|but|while|whereas)\s+((?:[a-z-]+ ){0,4}(?:everyone else|everybody else|anyone else|all the others|all others|the others|others)\b[^,;]*)$/;

export interface SplitExceptions {
  sentences: string[];
  /**
   * Positions of the sentences that are exceptions split off their main clause: their action has
   * no time of its own when it says none (the main clause's time belongs to its own verb phrase).
   */
  exceptions: Set<number>;
}

export function splitExceptions(sentences: readonly string[]): SplitExceptions {
  const result: SplitExceptions = { sentences: [], exceptions: new Set() };
  for (const sentence of sentences) {
    const unless = UNLESS_IN_WHICH_CASE.exec(sentence);
    const except = unless ? null : EXCEPT_WHO_INSTEAD.exec(sentence);
    if (!unless && !except) {
      const rest = AND_EVERYONE_ELSE.exec(sentence);
      // "half get an SMS and the others an email": shares of one split, read together by shares.ts
      if (rest && findShares(sentence).length === 0) {
        result.sentences.push(rest[1]!.trim());
        result.exceptions.add(result.sentences.length);
        result.sentences.push(rest[2]!.trim());
      } else result.sentences.push(sentence);
      continue;
    }
    const [, main, who, then] = (unless ?? except)!;
    result.sentences.push(main!.trim());
    result.exceptions.add(result.sentences.length);
    const alternative = /\binstead\b/.test(then!) ? then! : `${then!} instead`;
    result.sentences.push(unless ? `if ${who!}, ${alternative}` : `${who!} ${alternative}`);
  }
  return result;
}
