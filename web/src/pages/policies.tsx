import type { FormEvent } from "react";
import { useId, useState } from "react";
import { ApiRequestError } from "../api/http.ts";
import type { PolicyState } from "../api/schemas-review.ts";
import { DateTime, ErrorNotice, JsonBlock, Loading, PageHeading, StatusMessage } from "../components/ui.tsx";
import { useAsync } from "../hooks.ts";
import { useSession } from "../session/session.tsx";

/**
 * The workspace policy config, one section per guardrail. Editing happens per section as JSON (the
 * config's fields are documented in docs/policies.md); the server validates the whole config, and
 * each problem is shown under the section it is in, with its path.
 */

type Sections = Record<string, string>;

function sectionsOf(config: Record<string, unknown>, starter: Record<string, unknown>): Sections {
  const names = [...new Set([...Object.keys(config), ...Object.keys(starter)])];
  return Object.fromEntries(
    names.map((name) => [name, name in config ? JSON.stringify(config[name], null, 2) : ""]),
  );
}

/** `$.config.quiet_hours.start` → "quiet_hours" */
export function sectionOfPath(path: string): string | null {
  const match = /^\$\.config\.([A-Za-z0-9_]+)/.exec(path) ?? /^config\.([A-Za-z0-9_]+)/.exec(path);
  return match?.[1] ?? null;
}

function SectionField({
  name,
  value,
  errors,
  onChange,
}: {
  name: string;
  value: string;
  errors: string[];
  onChange: (text: string) => void;
}) {
  const id = useId();
  const errorId = useId();
  return (
    <div className={`policy-section${errors.length > 0 ? " invalid" : ""}`}>
      <label htmlFor={id}>{name.replaceAll("_", " ")}</label>
      <textarea
        id={id}
        className="code"
        rows={Math.min(16, Math.max(3, value.split("\n").length + 1))}
        value={value}
        placeholder="(not set: the default applies)"
        spellCheck={false}
        aria-invalid={errors.length > 0 ? true : undefined}
        aria-describedby={errors.length > 0 ? errorId : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {errors.length > 0 && (
        <ul id={errorId} className="field-errors">
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Editor({ state, onSaved }: { state: PolicyState; onSaved: (version: number) => void }) {
  const { client } = useSession();
  const [sections, setSections] = useState<Sections>(() => sectionsOf(state.config, state.starter));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [general, setGeneral] = useState<unknown>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const noteId = useId();

  async function save(event: FormEvent) {
    event.preventDefault();
    setGeneral(null);
    const config: Record<string, unknown> = {};
    const found: Record<string, string[]> = {};
    for (const [name, text] of Object.entries(sections)) {
      if (!text.trim()) continue;
      try {
        config[name] = JSON.parse(text) as unknown;
      } catch (error) {
        found[name] = [`not valid JSON: ${error instanceof Error ? error.message : String(error)}`];
      }
    }
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const saved = await client.savePolicies(config, note.trim() || undefined);
      setNote("");
      onSaved(saved.version);
    } catch (error) {
      if (error instanceof ApiRequestError && error.issues.length > 0) {
        const bySection: Record<string, string[]> = {};
        const rest: string[] = [];
        for (const issue of error.issues) {
          const section = sectionOfPath(issue.path);
          const text = `${issue.path.replace(/^\$\.config\./, "")}: ${issue.message}`;
          if (section && section in sections) bySection[section] = [...(bySection[section] ?? []), text];
          else rest.push(text);
        }
        setErrors(bySection);
        setGeneral(
          rest.length > 0
            ? new Error(rest.join("; "))
            : new Error("The config has problems; see the marked sections."),
        );
      } else {
        setGeneral(error);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} aria-label="Edit the policy config" noValidate>
      <ErrorNotice error={general} title="Not saved" />
      {Object.entries(sections).map(([name, value]) => (
        <SectionField
          key={name}
          name={name}
          value={value}
          errors={errors[name] ?? []}
          onChange={(text) => setSections({ ...sections, [name]: text })}
        />
      ))}
      <label htmlFor={noteId}>Why this change (kept in the audit log)</label>
      <input id={noteId} value={note} onChange={(event) => setNote(event.target.value)} />
      <div className="button-row">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? "Saving…" : "Save as a new version"}
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={() => setSections(sectionsOf(state.starter, state.starter))}
        >
          Start from the recommended config
        </button>
      </div>
    </form>
  );
}

export function PoliciesPage() {
  const { client, permissions } = useSession();
  const policies = useAsync(() => client.policies(), [client]);
  const [message, setMessage] = useState<string | null>(null);
  const canEdit = permissions.can("PUT /policies");

  if (policies.loading && !policies.data) return <Loading what="the policy config" />;
  if (!policies.data)
    return <ErrorNotice error={policies.error} title="The policy config could not be loaded" />;
  const state = policies.data;
  return (
    <>
      <PageHeading>Policies</PageHeading>
      <p className="lede">
        The guardrails every action passes: consent, suppression, content safety, offer ceilings, frequency
        caps, quiet hours and approval rules.{" "}
        {state.version === 0 ? "Nothing saved yet: the safe baseline applies." : `Version ${state.version}`}
        {state.createdAt && (
          <>
            , saved <DateTime value={state.createdAt} /> by {state.createdBy ?? "—"}
          </>
        )}
        .
      </p>
      {message && <StatusMessage>{message}</StatusMessage>}
      {canEdit ? (
        <Editor
          // a saved version starts the editor afresh from what the server stored
          key={state.version}
          state={state}
          onSaved={(version) => {
            setMessage(`Saved as version ${version}. The gateway applies it from its next batch.`);
            policies.reload();
          }}
        />
      ) : (
        <>
          <p className="muted">Your role can read the policies; an admin changes them.</p>
          <JsonBlock value={state.config} label="Current policy config" />
        </>
      )}
      <section aria-labelledby="policy-history">
        <h2 id="policy-history">History</h2>
        <ol className="plain" reversed>
          {state.history.map((entry) => (
            <li key={entry.version}>
              Version {entry.version}, <DateTime value={entry.createdAt} /> by {entry.createdBy ?? "—"}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
