import type { FormEvent } from "react";
import { useId, useMemo, useState } from "react";
import { Offer } from "../../../journeys/format/schema.ts";
import type { HandoffTask } from "../api/schemas.ts";
import { HANDOFF_STATUSES, HandoffContext } from "../api/schemas.ts";
import { describeOffer } from "../canvas/describe.ts";
import { customerName, HandoffCustomer, HandoffHistory, HandoffWhy } from "../components/handoff-context.tsx";
import type { Tone } from "../components/ui.tsx";
import {
  DateTime,
  Empty,
  ErrorNotice,
  JsonBlock,
  Loading,
  relativeTime,
  StatusBadge,
  StatusMessage,
} from "../components/ui.tsx";
import { useAsync } from "../hooks.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import { useSession } from "../session/session.tsx";

/**
 * Hand-off tasks as work: a queue on the left, the chosen task on the right with everything the
 * person taking it needs (who, why, what happened, what to do) and claim / release / complete.
 * The roles that may work tasks come from the route's x-roles (POST /handoffs/{id}).
 */

const PRIORITY_TONE: Record<string, Tone> = { urgent: "bad", high: "warn", normal: "info", low: "muted" };

function taskAddress(id: number, status: string) {
  const params = new URLSearchParams({ view: "handoffs", ...(status ? { status } : {}), task: String(id) });
  return `/outbox?${params.toString()}`;
}

function parseContext(task: HandoffTask) {
  const parsed = HandoffContext.safeParse(task.context);
  return parsed.success ? parsed.data : null;
}

type OnChanged = (message: string, task: HandoffTask) => void;

function TaskActions({ task, onChanged }: { task: HandoffTask; onChanged: OnChanged }) {
  const { client } = useSession();
  const [completing, setCompleting] = useState(false);
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const noteId = useId();

  async function run(update: Parameters<typeof client.updateHandoff>[1], done: string) {
    setBusy(true);
    setError(null);
    try {
      const answer = await client.updateHandoff(task.id, update);
      setCompleting(false);
      setNote("");
      onChanged(`${done} Task ${answer.task.id} is now ${answer.task.status}.`, answer.task);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  function complete(event: FormEvent) {
    event.preventDefault();
    if (!note.trim()) {
      setError(new Error("Say what was done: the note stays with the task and in the customer's story."));
      return;
    }
    void run({ action: "complete", note: note.trim() }, "Done.");
  }

  if (task.status === "done") return null;
  return (
    <section className="decision" aria-labelledby={`work-${task.id}`}>
      <h3 id={`work-${task.id}`}>Work on it</h3>
      {!completing && (
        <div className="button-row">
          {task.status === "open" && (
            <button
              type="button"
              className="button primary"
              disabled={busy}
              onClick={() => run({ action: "claim" }, "Claimed: it is yours.")}
            >
              Claim
            </button>
          )}
          {task.status === "claimed" && (
            <button
              type="button"
              className="button secondary"
              disabled={busy}
              onClick={() => run({ action: "release" }, "Released: back in the queue.")}
            >
              Release
            </button>
          )}
          <button
            type="button"
            className={`button ${task.status === "claimed" ? "primary" : "secondary"}`}
            disabled={busy}
            onClick={() => setCompleting(true)}
          >
            Complete with a note…
          </button>
        </div>
      )}
      {completing && (
        <form onSubmit={complete} aria-label="Complete the task">
          <label htmlFor={noteId}>What was done</label>
          <textarea id={noteId} rows={3} value={note} onChange={(event) => setNote(event.target.value)} />
          <div className="button-row">
            <button type="submit" className="button primary" disabled={busy}>
              Mark as done
            </button>
            <button type="button" className="button secondary" onClick={() => setCompleting(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <ErrorNotice error={error} title="Not changed" />
    </section>
  );
}

function TaskDetail({ task, onChanged }: { task: HandoffTask; onChanged: OnChanged }) {
  const { permissions } = useSession();
  const context = useMemo(() => parseContext(task), [task]);
  const who = context
    ? customerName(context, task.userId ?? "the customer")
    : (task.userId ?? "the customer");
  const offer = Offer.safeParse(context?.request?.offer);
  return (
    <article className="handoff-detail" aria-labelledby={`task-${task.id}`}>
      <h2 id={`task-${task.id}`} className="item-title">
        {who}: {task.queue.replaceAll("_", " ")}
      </h2>
      <p>
        <StatusBadge status={task.status} />{" "}
        <StatusBadge
          status={task.priority}
          tone={PRIORITY_TONE[task.priority] ?? "muted"}
          label={`${task.priority} priority`}
        />{" "}
        {task.status === "claimed" && task.assignee && (
          <>
            claimed by <strong>{task.assignee}</strong> <DateTime value={task.claimedAt ?? null} />
          </>
        )}
        {task.status === "open" && <>waiting {relativeTime(task.createdAt).replace(" ago", "")}</>}
      </p>
      <section aria-labelledby={`todo-${task.id}`} className="todo">
        <h3 id={`todo-${task.id}`}>What to do</h3>
        <p data-testid="handoff-instructions">{task.instructions}</p>
        {offer.success && <p>Offer you may make: {describeOffer(offer.data)}</p>}
      </section>
      {task.status === "done" && (
        <section aria-labelledby={`done-${task.id}`}>
          <h3 id={`done-${task.id}`}>Done</h3>
          <p data-testid="handoff-note">
            {task.assignee ?? "Someone"} on <DateTime value={task.completedAt ?? null} />: “{task.note}”
          </p>
        </section>
      )}
      {permissions.can("POST /handoffs/{id}") ? (
        <TaskActions key={`${task.id}:${task.status}`} task={task} onChanged={onChanged} />
      ) : (
        task.status !== "done" && <p className="muted">Your role can see hand-off tasks but not work them.</p>
      )}
      {context ? (
        <div className="handoff-context">
          <HandoffWhy context={context} createdAt={task.createdAt} />
          <HandoffCustomer context={context} userId={task.userId} />
          <HandoffHistory context={context} />
        </div>
      ) : (
        <JsonBlock value={task.context} label="The task's context as stored" />
      )}
    </article>
  );
}

export function HandoffsView() {
  const { client } = useSession();
  const { search } = useLocation();
  const status = search.get("status") ?? "";
  const selected = Number(search.get("task") ?? "") || null;
  const page = useAsync(() => client.handoffs({ status: status || undefined, limit: 100 }), [client, status]);
  const [message, setMessage] = useState<string | null>(null);
  // the task as the last change left it: still shown when the filter no longer lists it (claimed
  // from the open queue), so the person can go on working it
  const [changed, setChanged] = useState<HandoffTask | null>(null);
  const statusId = useId();
  const listed = page.data?.items.find((item) => item.id === selected) ?? null;
  const mine = changed?.id === selected ? changed : null;
  const task = mine && (!listed || (mine.updatedAt ?? "") >= (listed.updatedAt ?? "")) ? mine : listed;

  return (
    <>
      <form
        className="inline-form"
        aria-label="Filter hand-off tasks"
        onSubmit={(event) => event.preventDefault()}
      >
        <label htmlFor={statusId}>Status</label>
        <select
          id={statusId}
          value={status}
          onChange={(event) => {
            const params = new URLSearchParams({ view: "handoffs" });
            if (event.target.value) params.set("status", event.target.value);
            navigate(`/outbox?${params.toString()}`);
          }}
        >
          <option value="">any</option>
          {HANDOFF_STATUSES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <button type="button" className="button secondary" onClick={page.reload}>
          Refresh
        </button>
      </form>
      {message && <StatusMessage>{message}</StatusMessage>}
      <ErrorNotice error={page.error} title="Hand-off tasks could not be loaded" />
      {page.loading && !page.data && <Loading what="hand-off tasks" />}
      {page.data && page.data.items.length === 0 && !task && (
        <Empty>
          No {status || ""} hand-off tasks. A journey's hand-off step creates one when it reaches a customer,
          with everything a person needs to take over.
        </Empty>
      )}
      {page.data && (page.data.items.length > 0 || task) && (
        <div className="split-view">
          <section className="inbox" aria-labelledby="handoff-queue">
            <h2 id="handoff-queue" className="visually-hidden">
              Tasks
            </h2>
            {page.data.items.length === 0 && <Empty>No {status || ""} hand-off tasks left.</Empty>}
            <ul className="inbox-list">
              {page.data.items.map((item) => {
                const context = parseContext(item);
                return (
                  <li key={item.id}>
                    <Link
                      to={taskAddress(item.id, status)}
                      aria-current={item.id === selected ? "true" : undefined}
                      className="inbox-item"
                    >
                      <span className="inbox-title">
                        {context
                          ? customerName(context, item.userId ?? "a customer")
                          : (item.userId ?? "a customer")}
                        {" · "}
                        {item.queue.replaceAll("_", " ")}
                      </span>
                      <span className="inbox-meta">
                        <StatusBadge status={item.status} />{" "}
                        <StatusBadge status={item.priority} tone={PRIORITY_TONE[item.priority] ?? "muted"} />{" "}
                        · {item.assignee ? `${item.assignee} · ` : ""}
                        created {relativeTime(item.createdAt)}
                      </span>
                      <span className="inbox-why">{item.instructions}</span>
                    </Link>
                  </li>
                );
              })}
            </ul>
          </section>
          <div className="detail-pane">
            {task ? (
              <TaskDetail
                task={task}
                onChanged={(text, updated) => {
                  setMessage(text);
                  setChanged(updated);
                  page.reload();
                }}
              />
            ) : selected ? (
              <p className="muted">
                Task {selected} is not in this list; choose another or change the filter.
              </p>
            ) : (
              <p className="muted">
                Choose a task to see who it is for, why, what happened, and to work on it.
              </p>
            )}
          </div>
        </div>
      )}
    </>
  );
}
