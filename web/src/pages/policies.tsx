import type { FormEvent } from "react";
import { useCallback, useId, useMemo, useRef, useState } from "react";
import { ApiRequestError } from "../api/http.ts";
import type { PolicyState } from "../api/schemas-review.ts";
import { DateTime, ErrorNotice, Loading, PageHeading, personName, StatusMessage } from "../components/ui.tsx";
import { useAsync } from "../hooks.ts";
import type { Json, JsonObject, Path } from "../policy-form/draft.ts";
import { configDraft, fieldId, plainMessage, setAt } from "../policy-form/draft.ts";
import type { ConfigIssue } from "../policy-form/fields.tsx";
import { PolicyFormProvider } from "../policy-form/fields.tsx";
import { PolicyHistory, readablePath } from "../policy-form/history.tsx";
import {
  ApprovalSection,
  ContentSafetySection,
  LintSection,
  OfferSection,
  SuppressionSection,
} from "../policy-form/sections-content.tsx";
import { ConsentSection, FrequencySection, QuietHoursSection } from "../policy-form/sections-delivery.tsx";
import { useSession } from "../session/session.tsx";

/**
 * The workspace policy config as a form, one section per guardrail, field by field (docs/policies.md
 * explains each). The server validates the whole config on save; each problem it names is shown
 * next to its field and listed, with a link to the field, above the form. Parts the form has no
 * controls for are edited as JSON and saved unchanged otherwise.
 */

/** The sections of the form, for the in-page navigation (ids as PolicySection writes them). */
const SECTIONS = [
  ["consent", "Consent"],
  ["quiet-hours", "Quiet hours"],
  ["frequency", "Frequency caps"],
  ["suppression", "Suppression"],
  ["offers", "Offer ceilings"],
  ["content", "Content safety"],
  ["approvals", "Approval rules"],
  ["lint", "Draft checks"],
] as const;

function ErrorSummary({
  issues,
  summaryRef,
}: {
  issues: readonly ConfigIssue[];
  summaryRef: React.RefObject<HTMLDivElement | null>;
}) {
  if (issues.length === 0) return null;
  return (
    <div className="notice notice-error error-summary" role="alert" tabIndex={-1} ref={summaryRef}>
      <h2>Not saved: {issues.length === 1 ? "one problem" : `${issues.length} problems`} to fix</h2>
      <ul>
        {issues.map((issue) => (
          <li key={`${issue.path}:${issue.message}`}>
            <a
              href={`#${fieldId(issue.path)}`}
              onClick={(event) => {
                const target = document.getElementById(fieldId(issue.path));
                if (!target) return;
                event.preventDefault();
                target.scrollIntoView({ block: "center" });
                target.focus();
              }}
            >
              {readablePath(issue.path)}
            </a>
            : {issue.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

function PolicyForm({
  state,
  editable,
  onSaved,
}: {
  state: PolicyState;
  editable: boolean;
  onSaved: (version: number) => void;
}) {
  const { client } = useSession();
  const original = useMemo(() => configDraft(state.config), [state.config]);
  const [draft, setDraft] = useState<JsonObject>(original);
  // a reset swaps the whole draft: the fields (which keep what is being typed) start afresh
  const [generation, setGeneration] = useState(0);
  const [issues, setIssues] = useState<ConfigIssue[]>([]);
  const [general, setGeneral] = useState<unknown>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [unparsed, setUnparsed] = useState<ReadonlySet<string>>(new Set());
  const summaryRef = useRef<HTMLDivElement>(null);
  const noteId = useId();

  const set = useCallback((path: Path, value: Json | undefined) => {
    setDraft((current) => {
      const next = setAt(current, path, value);
      return next !== null && typeof next === "object" && !Array.isArray(next) ? next : current;
    });
  }, []);
  const reportUnparsed = useCallback((key: string, bad: boolean) => {
    setUnparsed((current) => {
      if (current.has(key) === bad) return current;
      const next = new Set(current);
      if (bad) next.add(key);
      else next.delete(key);
      return next;
    });
  }, []);
  const api = useMemo(() => ({ draft, set, issues, reportUnparsed }), [draft, set, issues, reportUnparsed]);
  const changed = JSON.stringify(draft) !== JSON.stringify(original);

  function replace(config: JsonObject) {
    setDraft(config);
    setIssues([]);
    setGeneral(null);
    setGeneration((value) => value + 1);
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setGeneral(null);
    if (unparsed.size > 0) {
      setGeneral(new Error("Some JSON fields do not parse yet; they are marked below."));
      return;
    }
    setBusy(true);
    try {
      const saved = await client.savePolicies(draft, note.trim() || undefined);
      setIssues([]);
      setNote("");
      onSaved(saved.version);
    } catch (error) {
      if (error instanceof ApiRequestError && error.issues.length > 0) {
        setIssues(error.issues.map((issue) => ({ path: issue.path, message: plainMessage(issue.message) })));
        // the summary says what to fix and links to each field
        window.setTimeout(() => summaryRef.current?.focus(), 0);
      } else {
        setGeneral(error);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} aria-label="The policy config" noValidate className="policy-form">
      {editable && (
        <p className="form-tools">
          <button
            type="button"
            className="button secondary"
            onClick={() => replace(configDraft(state.starter))}
          >
            Start from the recommended config
          </button>{" "}
          <span className="help">
            Fills the form with the rules most teams start with; nothing is saved until you save.
          </span>
        </p>
      )}
      <ErrorSummary issues={issues} summaryRef={summaryRef} />
      <ErrorNotice error={general} title="Not saved" />
      <PolicyFormProvider value={api}>
        <fieldset disabled={!editable} className="policy-sections" key={generation}>
          <legend className="visually-hidden">Guardrails</legend>
          <ConsentSection />
          <QuietHoursSection />
          <FrequencySection />
          <SuppressionSection />
          <OfferSection />
          <ContentSafetySection />
          <ApprovalSection />
          <LintSection />
        </fieldset>
      </PolicyFormProvider>
      {editable && (
        <div className={`save-bar${changed ? " unsaved" : ""}`}>
          <div className="save-note">
            <label htmlFor={noteId}>Why this change (kept in the history and the audit log)</label>
            <input id={noteId} value={note} onChange={(event) => setNote(event.target.value)} />
          </div>
          <div className="button-row">
            <button type="submit" className="button primary" disabled={busy || !changed}>
              {busy ? "Saving…" : "Save as a new version"}
            </button>
            <button
              type="button"
              className="button secondary"
              disabled={!changed}
              onClick={() => replace(original)}
            >
              Undo my changes
            </button>
          </div>
          <p className="help" aria-live="polite">
            {changed ? "You have unsaved changes." : "No unsaved changes."}
          </p>
        </div>
      )}
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
        The guardrails every action passes: consent, quiet hours, frequency caps, suppression, offer ceilings,
        content safety and approval rules.{" "}
        <span data-testid="policy-version">
          {state.version === 0 ? "Nothing saved yet: the safe baseline applies." : `Version ${state.version}`}
        </span>
        {state.createdAt && (
          <>
            , saved <DateTime value={state.createdAt} /> by {personName(state.createdByName, state.createdBy)}
          </>
        )}
        .
      </p>
      <nav className="section-nav" aria-label="Policy sections">
        <ul>
          {SECTIONS.map(([id, title]) => (
            <li key={id}>
              <a href={`#section-${id}`}>{title}</a>
            </li>
          ))}
          <li>
            <a href="#policy-history">History</a>
          </li>
        </ul>
      </nav>
      {message && <StatusMessage>{message}</StatusMessage>}
      {!canEdit && <p className="muted">Your role can read the policies; an admin changes them.</p>}
      <PolicyForm
        // a saved version starts the form afresh from what the server stored
        key={state.version}
        state={state}
        editable={canEdit}
        onSaved={(version) => {
          setMessage(`Saved as version ${version}. The gateway applies it from its next batch.`);
          policies.reload();
        }}
      />
      <section aria-labelledby="policy-history">
        <h2 id="policy-history">History</h2>
        <PolicyHistory history={state.history} />
      </section>
    </>
  );
}
