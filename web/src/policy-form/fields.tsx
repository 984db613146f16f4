import type { ReactNode } from "react";
import { createContext, useContext, useEffect, useId, useState } from "react";
import type { Json, JsonObject, Path } from "./draft.ts";
import { fieldId, getAt, issueBelongsTo, JsonValue, jsonPath } from "./draft.ts";

/**
 * The policy form's inputs. Each is bound to a path in the draft config and shows, right under
 * itself, the server's problems whose path is that field (or inside it), with aria-invalid and
 * aria-describedby so a screen reader announces them with the field.
 */

export interface ConfigIssue {
  path: string;
  message: string;
}

interface FormApi {
  draft: JsonObject;
  set: (path: Path, value: Json | undefined) => void;
  issues: readonly ConfigIssue[];
  /** JSON fields report text that does not parse, so the form does not save it */
  reportUnparsed: (key: string, unparsed: boolean) => void;
}

const FormContext = createContext<FormApi | null>(null);
export const PolicyFormProvider = FormContext.Provider;

export function usePolicyForm(): FormApi {
  const api = useContext(FormContext);
  if (!api) throw new Error("policy fields outside the policy form");
  return api;
}

/** The value at `path` and its problems. */
function useField(path: Path) {
  const form = usePolicyForm();
  const key = jsonPath(path);
  const problems = form.issues.filter((issue) => issueBelongsTo(issue.path, key));
  return {
    form,
    key,
    id: fieldId(key),
    errorId: `${fieldId(key)}-errors`,
    value: getAt(form.draft, path),
    problems,
    set: (value: Json | undefined) => form.set(path, value),
  };
}

export function FieldErrors({ id, problems }: { id: string; problems: readonly ConfigIssue[] }) {
  if (problems.length === 0) return null;
  return (
    <ul id={id} className="field-errors">
      {problems.map((problem) => (
        <li key={`${problem.path}:${problem.message}`}>{problem.message}</li>
      ))}
    </ul>
  );
}

function invalidProps(problems: readonly ConfigIssue[], errorId: string, helpId?: string) {
  const described = [problems.length > 0 ? errorId : null, helpId ?? null].filter(Boolean).join(" ");
  return {
    "aria-invalid": problems.length > 0 ? true : undefined,
    "aria-describedby": described || undefined,
  };
}

function Help({ id, children }: { id: string; children?: ReactNode }) {
  if (!children) return null;
  return (
    <p id={id} className="help">
      {children}
    </p>
  );
}

export function TextField({
  path,
  label,
  help,
  type = "text",
  placeholder,
  width,
}: {
  path: Path;
  label: string;
  help?: ReactNode;
  type?: "text" | "time";
  placeholder?: string;
  width?: "short" | "medium";
}) {
  const field = useField(path);
  const helpId = useId();
  return (
    <div className={`field${width ? ` width-${width}` : ""}${field.problems.length > 0 ? " invalid" : ""}`}>
      <label htmlFor={field.id}>{label}</label>
      <input
        id={field.id}
        type={type}
        value={typeof field.value === "string" ? field.value : ""}
        placeholder={placeholder}
        onChange={(event) => field.set(event.target.value === "" ? undefined : event.target.value)}
        {...invalidProps(field.problems, field.errorId, help ? helpId : undefined)}
      />
      <Help id={helpId}>{help}</Help>
      <FieldErrors id={field.errorId} problems={field.problems} />
    </div>
  );
}

export function NumberField({
  path,
  label,
  help,
  min,
  max,
  step,
  placeholder,
  width = "short",
}: {
  path: Path;
  label: string;
  help?: ReactNode;
  min?: number;
  max?: number;
  step?: number;
  placeholder?: string;
  /** "wide" for a label of a sentence */
  width?: "short" | "medium" | "wide";
}) {
  const field = useField(path);
  const helpId = useId();
  // what was typed, so "0." or "-" can be on the way to a number (a reset remounts the form)
  const [text, setText] = useState(typeof field.value === "number" ? String(field.value) : "");
  return (
    <div className={`field width-${width}${field.problems.length > 0 ? " invalid" : ""}`}>
      <label htmlFor={field.id}>{label}</label>
      <input
        id={field.id}
        type="number"
        inputMode="decimal"
        value={text}
        min={min}
        max={max}
        step={step ?? "any"}
        placeholder={placeholder ?? "not set"}
        onChange={(event) => {
          setText(event.target.value);
          const trimmed = event.target.value.trim();
          field.set(trimmed === "" || Number.isNaN(Number(trimmed)) ? undefined : Number(trimmed));
        }}
        {...invalidProps(field.problems, field.errorId, help ? helpId : undefined)}
      />
      <Help id={helpId}>{help}</Help>
      <FieldErrors id={field.errorId} problems={field.problems} />
    </div>
  );
}

export function SelectField({
  path,
  label,
  options,
  unset,
  help,
}: {
  path: Path;
  label: string;
  options: ReadonlyArray<readonly [string, string]>;
  /** the label of "not set" (the policy's default applies); absent: a value is required */
  unset?: string;
  help?: ReactNode;
}) {
  const field = useField(path);
  const helpId = useId();
  const current = typeof field.value === "string" ? field.value : "";
  return (
    <div className={`field width-medium${field.problems.length > 0 ? " invalid" : ""}`}>
      <label htmlFor={field.id}>{label}</label>
      <select
        id={field.id}
        value={current}
        onChange={(event) => field.set(event.target.value === "" ? undefined : event.target.value)}
        {...invalidProps(field.problems, field.errorId, help ? helpId : undefined)}
      >
        {(unset !== undefined || current === "") && <option value="">{unset ?? "choose…"}</option>}
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
      <Help id={helpId}>{help}</Help>
      <FieldErrors id={field.errorId} problems={field.problems} />
    </div>
  );
}

export function CheckboxField({ path, label, help }: { path: Path; label: string; help?: ReactNode }) {
  const field = useField(path);
  const helpId = useId();
  return (
    <div className={`field checkbox-field${field.problems.length > 0 ? " invalid" : ""}`}>
      <label className="checkbox" htmlFor={field.id}>
        <input
          id={field.id}
          type="checkbox"
          checked={field.value === true}
          onChange={(event) => field.set(event.target.checked)}
          {...invalidProps(field.problems, field.errorId, help ? helpId : undefined)}
        />
        {label}
      </label>
      <Help id={helpId}>{help}</Help>
      <FieldErrors id={field.errorId} problems={field.problems} />
    </div>
  );
}

/**
 * A set of names (channels, categories) as checkboxes. `absentMeans` is what an unset field means;
 * with it, clearing every box removes the field (the default applies) instead of storing [].
 */
export function ChoiceSet({
  path,
  legend,
  choices,
  help,
  absentMeans,
}: {
  path: Path;
  legend: string;
  choices: readonly string[];
  help?: ReactNode;
  absentMeans?: string;
}) {
  const field = useField(path);
  const helpId = useId();
  const chosen = Array.isArray(field.value) ? field.value.filter((item) => typeof item === "string") : [];
  const known = [...choices, ...chosen.filter((item) => !choices.includes(item))];
  return (
    <fieldset
      id={field.id}
      className={`choice-set${field.problems.length > 0 ? " invalid" : ""}`}
      aria-describedby={[
        field.problems.length > 0 ? field.errorId : null,
        help || absentMeans ? helpId : null,
      ]
        .filter(Boolean)
        .join(" ")}
    >
      <legend>{legend}</legend>
      {known.map((choice) => (
        <label key={choice} className="checkbox">
          <input
            type="checkbox"
            checked={chosen.includes(choice)}
            onChange={(event) => {
              const next = event.target.checked
                ? known.filter((item) => item === choice || chosen.includes(item))
                : chosen.filter((item) => item !== choice);
              field.set(next.length === 0 && absentMeans ? undefined : next);
            }}
          />
          {choiceLabel(choice)}
        </label>
      ))}
      <Help id={helpId}>
        {help}
        {absentMeans && field.value === undefined && <> None ticked: {absentMeans}.</>}
      </Help>
      <FieldErrors id={field.errorId} problems={field.problems} />
    </fieldset>
  );
}

/** How channel and category names read in the form. */
const CHOICE_LABELS: Record<string, string> = { sms: "SMS", in_app: "in-app", handoff: "hand-off" };
export function choiceLabel(name: string): string {
  return CHOICE_LABELS[name] ?? name.replaceAll("_", " ");
}

/** A list of short texts (segments, zones, phrases), one per line. */
export function ListField({
  path,
  label,
  help,
  rows = 3,
}: {
  path: Path;
  label: string;
  help?: ReactNode;
  rows?: number;
}) {
  const field = useField(path);
  const helpId = useId();
  const items = Array.isArray(field.value) ? field.value.filter((item) => typeof item === "string") : [];
  const [text, setText] = useState(items.join("\n"));
  return (
    <div className={`field${field.problems.length > 0 ? " invalid" : ""}`}>
      <label htmlFor={field.id}>{label}</label>
      <textarea
        id={field.id}
        rows={rows}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          field.set(
            event.target.value
              .split("\n")
              .map((line) => line.trim())
              .filter(Boolean),
          );
        }}
        {...invalidProps(field.problems, field.errorId, helpId)}
      />
      <Help id={helpId}>{help ?? "One per line."}</Help>
      <FieldErrors id={field.errorId} problems={field.problems} />
    </div>
  );
}

const DURATION_UNITS = [
  ["PT", "M", "minutes"],
  ["PT", "H", "hours"],
  ["P", "D", "days"],
  ["P", "W", "weeks"],
] as const;

/** `P7D` → 7 days; null when the duration has more than one part (edited as text then). */
export function splitDuration(text: string): { amount: number; unit: number } | null {
  for (const [index, [prefix, suffix]] of DURATION_UNITS.entries()) {
    const match = new RegExp(`^${prefix}(\\d+)${suffix}$`).exec(text);
    if (match) return { amount: Number(match[1]), unit: index };
  }
  return null;
}

/** An ISO 8601 duration as a number and a unit (7 days = P7D); other durations as text. */
export function DurationField({ path, label, help }: { path: Path; label: string; help?: ReactNode }) {
  const field = useField(path);
  const helpId = useId();
  const unitId = useId();
  const text = typeof field.value === "string" ? field.value : "";
  const split = text === "" ? { amount: Number.NaN, unit: 2 } : splitDuration(text);
  const [unit, setUnit] = useState(split?.unit ?? 2);
  if (split === null)
    return <TextField path={path} label={`${label} (ISO 8601, e.g. P1DT12H)`} help={help} />;
  const write = (amount: number, unitIndex: number) => {
    const [prefix, suffix] = DURATION_UNITS[unitIndex] ?? DURATION_UNITS[2];
    field.set(Number.isFinite(amount) && amount > 0 ? `${prefix}${amount}${suffix}` : undefined);
  };
  return (
    <div className={`field duration-field${field.problems.length > 0 ? " invalid" : ""}`}>
      <label htmlFor={field.id}>{label}</label>
      <div className="duration-inputs">
        <input
          id={field.id}
          type="number"
          min={1}
          step={1}
          value={Number.isFinite(split.amount) ? split.amount : ""}
          placeholder="not set"
          onChange={(event) => write(Number(event.target.value || Number.NaN), unit)}
          {...invalidProps(field.problems, field.errorId, help ? helpId : undefined)}
        />
        <label htmlFor={unitId} className="visually-hidden">
          {label}: unit
        </label>
        <select
          id={unitId}
          value={unit}
          onChange={(event) => {
            setUnit(Number(event.target.value));
            write(split.amount, Number(event.target.value));
          }}
        >
          {DURATION_UNITS.map(([, , name], index) => (
            <option key={name} value={index}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <Help id={helpId}>{help}</Help>
      <FieldErrors id={field.errorId} problems={field.problems} />
    </div>
  );
}

/** The JSON fallback: any part of the config the form has no controls for. */
export function JsonField({
  path,
  label,
  help,
  rows = 6,
}: {
  path: Path;
  label: string;
  help?: ReactNode;
  rows?: number;
}) {
  const field = useField(path);
  const helpId = useId();
  const [text, setText] = useState(field.value === undefined ? "" : JSON.stringify(field.value, null, 2));
  const [unparsed, setUnparsed] = useState<string | null>(null);
  const { reportUnparsed } = field.form;
  useEffect(() => {
    reportUnparsed(field.key, unparsed !== null);
    return () => reportUnparsed(field.key, false);
  }, [reportUnparsed, field.key, unparsed]);
  const problems = unparsed ? [{ path: field.key, message: unparsed }, ...field.problems] : field.problems;
  return (
    <div className={`field${problems.length > 0 ? " invalid" : ""}`}>
      <label htmlFor={field.id}>{label}</label>
      <textarea
        id={field.id}
        className="code"
        rows={Math.min(14, Math.max(rows, text.split("\n").length + 1))}
        value={text}
        spellCheck={false}
        placeholder="(not set: the default applies)"
        onChange={(event) => {
          setText(event.target.value);
          if (!event.target.value.trim()) {
            setUnparsed(null);
            field.set(undefined);
            return;
          }
          try {
            const parsed = JsonValue.safeParse(JSON.parse(event.target.value));
            if (!parsed.success) throw new Error("not JSON");
            setUnparsed(null);
            field.set(parsed.data);
          } catch (error) {
            setUnparsed(`not valid JSON yet: ${error instanceof Error ? error.message : String(error)}`);
          }
        }}
        {...invalidProps(problems, field.errorId, help ? helpId : undefined)}
      />
      <Help id={helpId}>{help}</Help>
      <FieldErrors id={field.errorId} problems={problems} />
    </div>
  );
}
