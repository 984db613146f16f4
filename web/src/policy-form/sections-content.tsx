import { useId } from "react";
import { MESSAGE_CHANNELS } from "../../../journeys/format/schema.ts";
import { ConditionField } from "./condition-field.tsx";
import type { Json, Path } from "./draft.ts";
import { getAt, isObject } from "./draft.ts";
import {
  CheckboxField,
  ChoiceSet,
  DurationField,
  JsonField,
  ListField,
  NumberField,
  SelectField,
  TextField,
  usePolicyForm,
} from "./fields.tsx";
import { PolicySection } from "./sections-delivery.tsx";

/** The guardrails about what may be said and to whom: suppression, offers, content, approvals. */

const DENY_OR_REVIEW = [
  ["deny", "refuse it"],
  ["review", "ask a person"],
] as const;

function SuppressionRule({ index, count }: { index: number; count: number }) {
  const form = usePolicyForm();
  const path: Path = ["suppression", "rules", index];
  const name = getAt(form.draft, [...path, "name"]);
  const title = typeof name === "string" && name ? name : `rule ${index + 1}`;
  return (
    <li className="rule-card">
      <div className="rule-head">
        <h3>Rule “{title}”</h3>
        <button type="button" className="button link" onClick={() => form.set(path, undefined)}>
          Remove <span className="visually-hidden">rule {title}</span>
        </button>
      </div>
      <div className="field-row">
        <TextField path={[...path, "name"]} label={`Rule ${index + 1} name`} width="medium" />
        <SelectField
          path={[...path, "action"]}
          label={`Rule ${index + 1}: when it holds`}
          options={DENY_OR_REVIEW}
        />
      </div>
      <ConditionField path={[...path, "when"]} label={`Rule ${index + 1} condition`} optional />
      <ListField
        path={[...path, "segments"]}
        label={`Rule ${index + 1}: or the customer is in one of these segments`}
        rows={2}
        help="Segment names, one per line. With a condition too, both must hold."
      />
      <div className="field-row">
        <ChoiceSet
          path={[...path, "categories"]}
          legend={`Rule ${index + 1}: holds back`}
          choices={["promotional", "transactional"]}
        />
        <ChoiceSet
          path={[...path, "channels"]}
          legend={`Rule ${index + 1}: on channels`}
          choices={MESSAGE_CHANNELS}
          absentMeans="every message channel"
        />
      </div>
      <TextField
        path={[...path, "reason"]}
        label={`Rule ${index + 1}: the reason a reviewer reads`}
        placeholder={count > 0 ? "default: names the rule" : undefined}
      />
    </li>
  );
}

export function SuppressionSection() {
  const form = usePolicyForm();
  const rules = getAt(form.draft, ["suppression", "rules"]);
  const count = Array.isArray(rules) ? rules.length : 0;
  return (
    <PolicySection
      id="suppression"
      title="Suppression"
      summary="Rules that hold messages back from customers in a situation: an open support ticket, a segment. They apply to promotional messages unless you say otherwise; anything with an offer counts as promotional."
    >
      <CheckboxField
        path={["suppression", "returning_products"]}
        label="Never promote a product the customer is returning"
      />
      <ol className="rule-list">
        {Array.from({ length: count }, (_, index) => (
          // rules have no identity of their own: a removal renumbers them, so the cards remount
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <SuppressionRule key={`${index}/${count}`} index={index} count={count} />
        ))}
      </ol>
      <button
        type="button"
        className="button secondary small-button"
        onClick={() =>
          form.set(["suppression", "rules", count], {
            name: `rule-${count + 1}`,
            when: { field: "traits.open_support_tickets", op: "gt", value: 0 },
            categories: ["promotional"],
          })
        }
      >
        Add a suppression rule
      </button>
    </PolicySection>
  );
}

export function OfferSection() {
  return (
    <PolicySection
      id="offers"
      title="Offer ceilings"
      summary="The largest offer a customer may be given. A rule for a segment or condition replaces these values for the customers it matches (the first match wins)."
    >
      <div className="field-row">
        <NumberField
          path={["offer_ceilings", "max_percent"]}
          label="Largest percentage off"
          min={1}
          max={100}
        />
        <NumberField path={["offer_ceilings", "max_amount"]} label="Largest amount off" min={0} />
        <TextField
          path={["offer_ceilings", "currency"]}
          label="Currency of the amount"
          placeholder="EUR"
          width="short"
        />
        <SelectField path={["offer_ceilings", "action"]} label="Above the ceiling" options={DENY_OR_REVIEW} />
      </div>
      <JsonField
        path={["offer_ceilings", "rules"]}
        label="Ceilings for segments or conditions"
        help='A list such as [{ "name": "vip", "segments": ["VIP"], "max_percent": 40 }].'
        rows={3}
      />
    </PolicySection>
  );
}

/** A banned claim is a phrase, or a phrase with its own action and reason. */
function BannedClaims() {
  const form = usePolicyForm();
  const path: Path = ["content_safety", "banned_claims"];
  const list = getAt(form.draft, path);
  const claims = Array.isArray(list) ? list : [];
  const phraseOf = (claim: Json | undefined) =>
    typeof claim === "string"
      ? claim
      : isObject(claim) && typeof claim.phrase === "string"
        ? claim.phrase
        : "";
  const write = (index: number, phrase: string, action: string) => {
    const current = claims[index];
    const reason = isObject(current) && typeof current.reason === "string" ? current.reason : undefined;
    form.set(
      [...path, index],
      action || reason ? { phrase, ...(action ? { action } : {}), ...(reason ? { reason } : {}) } : phrase,
    );
  };
  return (
    <fieldset className="banned-claims choice-set">
      <legend>Banned claims</legend>
      {claims.length === 0 && <p className="help">No banned claims.</p>}
      <ul className="plain-list">
        {claims.map((claim, index) => {
          const action = isObject(claim) && typeof claim.action === "string" ? claim.action : "";
          return (
            // claims have no identity of their own: a removal renumbers them, so the rows remount
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <li className="field-row entry-row" key={`${index}/${claims.length}`}>
              <ClaimPhrase
                index={index}
                phrase={phraseOf(claim)}
                onChange={(phrase) => write(index, phrase, action)}
              />
              <ClaimAction
                index={index}
                action={action}
                onChange={(next) => write(index, phraseOf(claim), next)}
              />
              <button
                type="button"
                className="button link"
                onClick={() => form.set([...path, index], undefined)}
              >
                Remove <span className="visually-hidden">banned claim {index + 1}</span>
              </button>
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        className="button secondary small-button"
        onClick={() => form.set([...path, claims.length], "")}
      >
        Add a banned claim
      </button>
    </fieldset>
  );
}

function ClaimPhrase({
  index,
  phrase,
  onChange,
}: {
  index: number;
  phrase: string;
  onChange: (text: string) => void;
}) {
  const form = usePolicyForm();
  const id = useId();
  const problems = form.issues.filter((issue) =>
    issue.path.startsWith(`$.config.content_safety.banned_claims[${index}]`),
  );
  return (
    <div className={`field${problems.length > 0 ? " invalid" : ""}`}>
      <label htmlFor={id}>Banned claim {index + 1}</label>
      <input
        id={id}
        value={phrase}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={problems.length > 0 ? true : undefined}
        aria-describedby={problems.length > 0 ? `${id}-errors` : undefined}
      />
      {problems.length > 0 && (
        <ul id={`${id}-errors`} className="field-errors">
          {problems.map((problem) => (
            <li key={problem.path + problem.message}>{problem.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ClaimAction({
  index,
  action,
  onChange,
}: {
  index: number;
  action: string;
  onChange: (next: string) => void;
}) {
  const id = useId();
  return (
    <div className="field width-medium">
      <label htmlFor={id}>Claim {index + 1}: when found</label>
      <select id={id} value={action} onChange={(event) => onChange(event.target.value)}>
        <option value="">as set below</option>
        {DENY_OR_REVIEW.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

export function ContentSafetySection() {
  return (
    <PolicySection
      id="content"
      title="Content safety"
      summary="Checked on the text of every message, written by a person or a model: someone else's personal data, echoes of prompt injections, banned claims."
    >
      <BannedClaims />
      <div className="field-row">
        <SelectField
          path={["content_safety", "banned_claims_action"]}
          label="When a banned claim is found"
          options={DENY_OR_REVIEW}
        />
        <SelectField
          path={["content_safety", "injection_echo"]}
          label="Text that echoes a prompt injection"
          options={[
            ["review", "ask a person"],
            ["deny", "refuse it"],
            ["off", "do not check"],
          ]}
        />
        <SelectField
          path={["content_safety", "unrendered"]}
          label="A message whose text cannot be checked"
          options={[
            ["review", "ask a person"],
            ["allow", "let it through"],
          ]}
        />
      </div>
      <fieldset className="choice-set">
        <legend>Refuse other people's</legend>
        <CheckboxField path={["content_safety", "pii", "emails"]} label="email addresses" />
        <CheckboxField path={["content_safety", "pii", "phones"]} label="phone numbers" />
        <CheckboxField path={["content_safety", "pii", "cards"]} label="payment card numbers" />
        <CheckboxField path={["content_safety", "pii", "ibans"]} label="IBANs" />
      </fieldset>
      <ListField
        path={["content_safety", "pii", "allow"]}
        label="The workspace's own addresses and numbers (allowed in messages)"
        help="support@shop.example, @shop.example, +49301234567 or an IBAN; one per line."
        rows={2}
      />
      <ListField
        path={["content_safety", "system_prompt_markers"]}
        label="Phrases of your system prompts (seeing one in a message means a leak)"
        rows={2}
      />
    </PolicySection>
  );
}

export function ApprovalSection() {
  return (
    <PolicySection
      id="approvals"
      title="Approval rules"
      summary="What waits for a person in the approvals inbox before it reaches a customer, and how long it waits."
    >
      <CheckboxField path={["approvals", "ai_generated"]} label="Content a model wrote waits for a person" />
      <CheckboxField
        path={["approvals", "first_send_of_version"]}
        label="The first send of each new journey version waits for a person"
      />
      <div className="field-row">
        <NumberField
          path={["approvals", "offer_above", "percent"]}
          label="Offers above this percentage wait"
          min={1}
          max={100}
        />
        <NumberField
          path={["approvals", "offer_above", "amount"]}
          label="Offers above this amount wait"
          min={0}
        />
        <SelectField
          path={["approvals", "handoff_priority_at_least"]}
          label="Hand-offs at or above this priority wait"
          options={[
            ["low", "low"],
            ["normal", "normal"],
            ["high", "high"],
            ["urgent", "urgent"],
          ]}
          unset="none wait"
        />
        <DurationField path={["approvals", "expiry"]} label="An item expires after" />
      </div>
      <ListField
        path={["approvals", "sensitive_segments"]}
        label="Anything sent to customers in these segments waits"
        help="Segment names, one per line."
        rows={2}
      />
    </PolicySection>
  );
}

export function LintSection() {
  return (
    <PolicySection
      id="lint"
      title="Draft checks"
      summary="How drafts are checked against these policies before they go live (estimates, not rules)."
    >
      <NumberField
        path={["lint", "quiet_hours_share"]}
        label="Warn when at least this share of customers reaches a step in quiet hours"
        width="wide"
        min={0}
        max={1}
        step={0.05}
      />
      <JsonField
        path={["lint", "event_hour_weights"]}
        label="Share of trigger events per local hour, 0–23 (24 numbers)"
        help="Not set: a typical consumer-app day."
        rows={2}
      />
    </PolicySection>
  );
}
