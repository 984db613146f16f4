import { useId, useState } from "react";
import { COMPARISON_OPS } from "../../../journeys/format/condition.ts";
import type { Clause, ClauseSet } from "./condition-clauses.ts";
import { clausesOf, conditionOf, OP_LABELS, VALUELESS_OPS } from "./condition-clauses.ts";
import type { Path } from "./draft.ts";
import { fieldId, getAt, issueBelongsTo, jsonPath } from "./draft.ts";
import { FieldErrors, JsonField, usePolicyForm } from "./fields.tsx";

/**
 * A rule's condition: a builder for the common case (comparisons on the customer's traits,
 * consent or local clock, joined by all / any), JSON for everything else the condition language
 * can say. A condition the builder cannot show faithfully opens as JSON.
 */

const FIELD_SUGGESTIONS = [
  "traits.open_support_tickets",
  "traits.tier",
  "traits.lifetime_value",
  "traits.orders_count",
  "traits.churn_risk",
  "traits.country",
  "traits.plan",
  "consent.email",
  "consent.sms",
  "consent.push",
  "local.hour",
  "local.weekday",
];

export function ConditionField({ path, label, optional }: { path: Path; label: string; optional?: boolean }) {
  const form = usePolicyForm();
  const value = getAt(form.draft, path);
  const [initial] = useState(() => clausesOf(value));
  const [mode, setMode] = useState<"builder" | "json">(initial ? "builder" : "json");
  const [set, setSet] = useState<ClauseSet>(
    initial ?? { join: "all", clauses: [{ field: "traits.", op: "eq", value: "" }] },
  );
  const suggestionsId = useId();
  const key = jsonPath(path);
  const problems = form.issues.filter((issue) => issueBelongsTo(issue.path, key));
  const present = value !== undefined;

  const write = (next: ClauseSet) => {
    setSet(next);
    form.set(path, conditionOf(next));
  };
  const change = (index: number, patch: Partial<Clause>) =>
    write({
      ...set,
      clauses: set.clauses.map((clause, at) => (at === index ? { ...clause, ...patch } : clause)),
    });

  if (mode === "json") {
    return (
      <div className="condition-field">
        <JsonField
          path={path}
          label={`${label} (JSON)`}
          help="A condition of the journey format: all / any / not / { field, op, value } / { performed, within }."
          rows={4}
        />
        {clausesOf(value) && (
          <button
            type="button"
            className="button link"
            onClick={() => {
              const shown = clausesOf(value);
              if (shown) setSet(shown);
              setMode("builder");
            }}
          >
            Edit {label.toLowerCase()} with the builder
          </button>
        )}
      </div>
    );
  }

  return (
    <fieldset id={fieldId(key)} className={`condition-field${problems.length > 0 ? " invalid" : ""}`}>
      <legend>{label}</legend>
      {optional && !present ? (
        <p className="help">
          No condition.{" "}
          <button type="button" className="button link" onClick={() => write(set)}>
            Add a condition
          </button>
        </p>
      ) : (
        <>
          {set.clauses.length > 1 && (
            <p className="condition-join">
              <label className="checkbox">
                <input
                  type="radio"
                  name={`${key}-join`}
                  checked={set.join === "all"}
                  onChange={() => write({ ...set, join: "all" })}
                />
                all of these hold
              </label>
              <label className="checkbox">
                <input
                  type="radio"
                  name={`${key}-join`}
                  checked={set.join === "any"}
                  onChange={() => write({ ...set, join: "any" })}
                />
                any of these holds
              </label>
            </p>
          )}
          <datalist id={suggestionsId}>
            {FIELD_SUGGESTIONS.map((suggestion) => (
              <option key={suggestion} value={suggestion} />
            ))}
          </datalist>
          <ul className="clauses">
            {set.clauses.map((clause, index) => (
              <ClauseRow
                // clauses have no identity of their own; their position is their name
                // biome-ignore lint/suspicious/noArrayIndexKey: see above
                key={index}
                clause={clause}
                number={index + 1}
                suggestions={suggestionsId}
                label={label}
                onChange={(patch) => change(index, patch)}
                onRemove={
                  set.clauses.length > 1
                    ? () => write({ ...set, clauses: set.clauses.filter((_, at) => at !== index) })
                    : optional
                      ? () => form.set(path, undefined)
                      : null
                }
              />
            ))}
          </ul>
          <div className="button-row">
            <button
              type="button"
              className="button secondary small-button"
              onClick={() =>
                write({ ...set, clauses: [...set.clauses, { field: "traits.", op: "eq", value: "" }] })
              }
            >
              Add a comparison
            </button>
            <button type="button" className="button link" onClick={() => setMode("json")}>
              Edit as JSON
            </button>
          </div>
        </>
      )}
      <FieldErrors id={`${fieldId(key)}-errors`} problems={problems} />
    </fieldset>
  );
}

function ClauseRow({
  clause,
  number,
  suggestions,
  label,
  onChange,
  onRemove,
}: {
  clause: Clause;
  number: number;
  suggestions: string;
  label: string;
  onChange: (patch: Partial<Clause>) => void;
  onRemove: (() => void) | null;
}) {
  const ids = { field: useId(), op: useId(), value: useId() };
  const needsValue = !VALUELESS_OPS.has(clause.op);
  return (
    <li className="clause">
      <div>
        <label htmlFor={ids.field}>
          Field{" "}
          <span className="visually-hidden">
            of comparison {number} in {label.toLowerCase()}
          </span>
        </label>
        <input
          id={ids.field}
          list={suggestions}
          value={clause.field}
          spellCheck={false}
          onChange={(event) => onChange({ field: event.target.value })}
        />
      </div>
      <div>
        <label htmlFor={ids.op}>
          Comparison <span className="visually-hidden">{number}</span>
        </label>
        <select
          id={ids.op}
          value={clause.op}
          onChange={(event) => {
            const op = COMPARISON_OPS.find((candidate) => candidate === event.target.value);
            if (op) onChange({ op });
          }}
        >
          {COMPARISON_OPS.map((op) => (
            <option key={op} value={op}>
              {OP_LABELS[op]}
            </option>
          ))}
        </select>
      </div>
      {needsValue && (
        <div>
          <label htmlFor={ids.value}>
            Value <span className="visually-hidden">of comparison {number}</span>
          </label>
          <input
            id={ids.value}
            value={clause.value}
            placeholder={clause.op === "in" || clause.op === "not_in" ? "a, b, c" : "0"}
            onChange={(event) => onChange({ value: event.target.value })}
          />
        </div>
      )}
      {onRemove && (
        <button type="button" className="button link" onClick={onRemove}>
          Remove <span className="visually-hidden">comparison {number}</span>
        </button>
      )}
    </li>
  );
}
