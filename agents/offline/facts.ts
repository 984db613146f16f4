import type { WorkspaceCatalog } from "../../journeys/format/catalog.ts";
import type { Condition } from "../../journeys/format/condition.ts";
import type { HandoffMention, ProfileUpdateMention, SendMention } from "./actions.ts";

import type { EventIndex, EventMention } from "./events.ts";
import type { OfferMention, SplitMention } from "./offers.ts";
import type { TimeExpression } from "./time-expressions.ts";
import type { UnplacedAction } from "./unplaced-actions.ts";

/** What one sentence states, as the analysis finds it (analyse.ts) and the plan reads it (plan.ts). */

export interface ConditionFact {
  /** fields are written for the trigger/event scope: traits.*, event.properties.* */
  condition: Condition;
  kind: "trait" | "property";
  /** the event whose property this is */
  event?: string | undefined;
  negated: boolean;
  /** "rises above" — a change of a trait, which can start a journey */
  change: boolean;
  trait?: string | undefined;
  label: string;
  start: number;
  end: number;
}

export interface EventFact {
  mention: EventMention;
  negated: boolean;
  /** "since signing up": names the start of a period, not something to wait for */
  since: boolean;
  /** the subject is a pronoun ("if they rate us") — the same customer, later in this journey */
  pronounSubject: boolean;
  /** introduced by if/when/once/whenever */
  conditional: boolean;
  /** named after "stop …" / "exit …": ends the journey rather than being waited for */
  endsJourney: boolean;
  /** present perfect ("if they've opened the app since …"): something that has happened, not to await */
  perfect?: boolean;
  /** "whose payment failed in the last 7 days": a look back over this window (ISO duration) */
  history?: string;
  conditions: ConditionFact[];
}

export interface DatetimeFact {
  time: Extract<TimeExpression, { kind: "before" }>;
  event: string;
  property: string;
  phrase: string;
}

/**
 * "unless they've updated their card": a negated condition in which no event, trait, property or
 * text signal was found. It must not be dropped in silence: the plan reads it as the event that
 * settles the trigger, or asks about it.
 */
export interface UnplacedClause {
  /** the clause as written, cue included */
  text: string;
  /** where its words begin (after the cue) and where the clause ends */
  start: number;
  end: number;
  /** introduced by if ("if they haven't …", "only if they still …"), which binds what follows */
  conditional: boolean;
  /** said of the customer ("they", "the customer"), not of something else ("unless it's urgent") */
  customerSubject: boolean;
  /** "if they seem grumpy": a positive condition, never read as a settling event not happening */
  positive: boolean;
}

export interface SentenceFacts {
  index: number;
  text: string;
  clauses: Array<{ start: number; end: number }>;
  offers: OfferMention[];
  split: SplitMention | null;
  handoffs: HandoffMention[];
  updates: ProfileUpdateMention[];
  sends: SendMention[];
  times: TimeExpression[];
  events: EventFact[];
  /** trait conditions, and property conditions no event of this sentence owns */
  conditions: ConditionFact[];
  datetimes: DatetimeFact[];
  /** "give them 3 days to upload their documents": an event awaited for a stated time */
  window: { fact: EventFact; ms: number; months: number; text: string } | null;
  /** negated conditions naming nothing the planner could resolve ("unless they've updated their card") */
  unplaced: UnplacedClause[];
  /** instructions naming a channel or a person of ours that no action came from */
  unplacedActions: UnplacedAction[];
  markers: {
    otherwise: boolean;
    who: boolean;
    also: boolean;
    parallel: boolean;
    stop: boolean;
    prohibition: boolean;
  };
  notes: string[];
}

export interface AnalysisContext {
  catalog: WorkspaceCatalog;
  index: EventIndex;
  /** events mentioned so far, the trigger first */
  mentioned: string[];
  triggerEvent: string | null;
  lastDatetime: { event: string; property: string } | null;
}
