/**
 * Exceptions said inside one sentence: "email a win-back offer after 1 week unless they are VIP, in
 * which case have their account manager call them", "… except for VIPs, who get a call instead".
 * The condition does not narrow who the sentence is for (an audience of VIPs) and does not join
 * the action before it; it names the customers who get the other action instead. So the sentence
 * is read as two: the main action, then the exception as an "instead" sentence of its own, which
 * the plan drafts as a path for those customers with everyone else on the first one.
 */

const UNLESS_IN_WHICH_CASE = /^(.+?)\s*,?\s+unless\s+(.+?),\s*in which case\s*,?\s+(.+)$/;

const EXCEPT_WHO_INSTEAD =
  /^(.+?)\s*,?\s+(?:except(?: for)?|excluding|apart from|other than|but not)\s+(.+?),\s*who\s+(.+\binstead\b.*)$/;

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
      result.sentences.push(sentence);
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
