import type { FormEvent } from "react";
import { useId, useState } from "react";
import { z } from "zod";
import { ApiRequestError } from "../api/http.ts";
import type { ApprovalItem, ApprovalResponseBody } from "../api/schemas-review.ts";
import { Verdict } from "../api/schemas-review.ts";
import { useSession } from "../session/session.tsx";
import { ErrorNotice } from "./ui.tsx";
import { VerdictList } from "./verdicts.tsx";

const RefusedVerdicts = z.array(Verdict);

/**
 * The reviewer's answer to one item, as a LangGraph HumanResponse: approve (accept), edit, reject
 * (ignore) or respond with a note, each offered only when the item's config allows it.
 */

type Mode = "choose" | "edit" | "respond";

function messageContent(item: ApprovalItem): { subject: string; body: string } | null {
  const payload = item.request.action_request.args.payload;
  if (!payload || typeof payload !== "object") return null;
  const content = (payload as Record<string, unknown>).content;
  if (!content || typeof content !== "object") return null;
  const { subject, body } = content as Record<string, unknown>;
  return { subject: typeof subject === "string" ? subject : "", body: typeof body === "string" ? body : "" };
}

function editedArgs(item: ApprovalItem, draft: { subject: string; body: string; definition: string }) {
  const args = structuredClone(item.request.action_request.args);
  if (item.kind === "journey_activation") {
    args.definition = JSON.parse(draft.definition) as unknown;
    return args;
  }
  const payload = { ...(args.payload as Record<string, unknown>) };
  const content = { ...((payload.content as Record<string, unknown> | undefined) ?? {}) };
  if (draft.subject) content.subject = draft.subject;
  else delete content.subject;
  content.body = draft.body;
  payload.content = content;
  args.payload = payload;
  return args;
}

export function ApprovalDecision({
  item,
  onDecided,
}: {
  item: ApprovalItem;
  onDecided: (text: string) => void;
}) {
  const { client } = useSession();
  const config = item.request.config;
  const [mode, setMode] = useState<Mode>("choose");
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const original = messageContent(item);
  const [draft, setDraft] = useState({
    subject: original?.subject ?? "",
    body: original?.body ?? "",
    definition: JSON.stringify(item.request.action_request.args.definition ?? null, null, 2),
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ids = { reason: useId(), note: useId(), subject: useId(), body: useId(), definition: useId() };

  async function send(body: ApprovalResponseBody, done: string) {
    setBusy(true);
    setError(null);
    try {
      const answer = await client.respond(item.id, body);
      onDecided(`${done} The item is now ${answer.item.status}.`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const why = reason.trim() ? { reason: reason.trim() } : {};

  function submitEdit(event: FormEvent) {
    event.preventDefault();
    let args: Record<string, unknown>;
    try {
      args = editedArgs(item, draft);
    } catch {
      setError(new Error("The edited journey is not valid JSON."));
      return;
    }
    void send(
      { type: "edit", args: { action: item.request.action_request.action, args }, ...why },
      "Your edit was checked by the policies and approved.",
    );
  }

  function submitResponse(event: FormEvent) {
    event.preventDefault();
    if (!note.trim()) {
      setError(new Error("Write a note for the author."));
      return;
    }
    void send({ type: "response", args: note.trim(), ...why }, "Your note was sent back to the author.");
  }

  const issues = error instanceof ApiRequestError ? error.issues : [];
  // an edit the policies refuse (422) comes back with every verdict of the re-check
  const refused = error instanceof ApiRequestError ? RefusedVerdicts.safeParse(error.details.verdicts) : null;
  const verdicts = refused?.success ? refused.data : [];
  return (
    <section className="decision" aria-labelledby={`decide-${item.id}`}>
      <h2 id={`decide-${item.id}`}>Your decision</h2>
      <label htmlFor={ids.reason}>Why (kept with the decision and in the audit log)</label>
      <textarea id={ids.reason} rows={2} value={reason} onChange={(event) => setReason(event.target.value)} />
      {mode === "choose" && (
        <div className="button-row">
          {config.allow_accept && (
            <button
              type="button"
              className="button primary"
              disabled={busy}
              onClick={() => send({ type: "accept", ...why }, "Approved.")}
            >
              Approve
            </button>
          )}
          {config.allow_edit && (item.kind === "journey_activation" || original) && (
            <button
              type="button"
              className="button secondary"
              disabled={busy}
              onClick={() => setMode("edit")}
            >
              Edit before approving
            </button>
          )}
          {config.allow_respond && (
            <button
              type="button"
              className="button secondary"
              disabled={busy}
              onClick={() => setMode("respond")}
            >
              Respond to the author
            </button>
          )}
          {config.allow_ignore && (
            <button
              type="button"
              className="button danger"
              disabled={busy}
              onClick={() => send({ type: "ignore", ...why }, "Rejected.")}
            >
              Reject
            </button>
          )}
        </div>
      )}
      {mode === "edit" && (
        <form onSubmit={submitEdit} aria-label="Edit before approving">
          {item.kind === "journey_activation" ? (
            <>
              <label htmlFor={ids.definition}>Journey definition (JSON)</label>
              <textarea
                id={ids.definition}
                className="code"
                rows={18}
                value={draft.definition}
                onChange={(event) => setDraft({ ...draft, definition: event.target.value })}
              />
            </>
          ) : (
            <>
              <label htmlFor={ids.subject}>Subject</label>
              <input
                id={ids.subject}
                value={draft.subject}
                onChange={(event) => setDraft({ ...draft, subject: event.target.value })}
              />
              <label htmlFor={ids.body}>Message</label>
              <textarea
                id={ids.body}
                rows={6}
                value={draft.body}
                onChange={(event) => setDraft({ ...draft, body: event.target.value })}
              />
            </>
          )}
          <div className="button-row">
            <button type="submit" className="button primary" disabled={busy}>
              Approve with these changes
            </button>
            <button type="button" className="button secondary" onClick={() => setMode("choose")}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {mode === "respond" && (
        <form onSubmit={submitResponse} aria-label="Respond to the author">
          <label htmlFor={ids.note}>Note for the author (the designer revises the draft)</label>
          <textarea id={ids.note} rows={4} value={note} onChange={(event) => setNote(event.target.value)} />
          <div className="button-row">
            <button type="submit" className="button primary" disabled={busy}>
              Send note
            </button>
            <button type="button" className="button secondary" onClick={() => setMode("choose")}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <ErrorNotice error={error} title="The decision was not accepted" />
      {verdicts.length > 0 && (
        <div className="refused-verdicts" data-testid="refused-verdicts">
          <VerdictList verdicts={verdicts} caption="What the policies said about the edited message" />
          {mode === "edit" && <p className="small">Change the message above and approve again, or cancel.</p>}
        </div>
      )}
      {issues.length > 0 && (
        <ul className="issue-list">
          {issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`}>
              <code>{issue.path}</code> {issue.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
