import type { FormEvent } from "react";
import { useId, useState } from "react";
import type { OutboxItem } from "../api/schemas.ts";
import { MessagePreview } from "../components/message-preview.tsx";
import {
  DateTime,
  Empty,
  ErrorNotice,
  Loading,
  PageHeading,
  StatusBadge,
  StatusMessage,
} from "../components/ui.tsx";
import { ViewSwitch } from "../components/view-switch.tsx";
import { useAsync } from "../hooks.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import { useSession } from "../session/session.tsx";
import { HandoffsView } from "./handoffs.tsx";

/** What the channels did: every outbox row with the message as delivered, dead letters, hand-offs. */

function OutboxRow({ item, onRetry }: { item: OutboxItem; onRetry?: (item: OutboxItem) => void }) {
  const shown = item.sandbox ?? item.content;
  return (
    <li className="card outbox-item" data-outbox-id={item.id}>
      <div className="card-head">
        <StatusBadge status={item.status} /> <strong>{item.channel}</strong> via {item.adapter ?? "—"} to{" "}
        {item.userId ? (
          <Link to={`/customers/${encodeURIComponent(item.userId)}`}>{item.userId}</Link>
        ) : (
          "an anonymous customer"
        )}
        {item.journeyId && (
          <>
            {" "}
            from <Link to={`/journeys/${encodeURIComponent(item.journeyId)}`}>journey</Link>
            {item.nodeId && (
              <>
                {" "}
                step <code>{item.nodeId}</code>
              </>
            )}
          </>
        )}
      </div>
      <div className="muted small">
        Queued <DateTime value={item.createdAt} />
        {item.sentAt && (
          <>
            , sent <DateTime value={item.sentAt} />
          </>
        )}
        , {item.attempts} attempt{item.attempts === 1 ? "" : "s"}
      </div>
      {shown && (
        <MessagePreview
          message={{
            channel: item.channel,
            to: item.sandbox?.recipient ?? null,
            subject: shown.subject,
            body: shown.body,
          }}
          label={`${item.channel} message ${item.id}`}
        />
      )}
      {item.lastError && (
        <p className="error-text">
          Last error{item.lastErrorCode ? ` (${item.lastErrorCode})` : ""}: {item.lastError}
        </p>
      )}
      {onRetry && (
        <button type="button" className="button secondary" onClick={() => onRetry(item)}>
          Retry delivery of message {item.id}
        </button>
      )}
    </li>
  );
}

function MessagesView() {
  const { client } = useSession();
  const { search } = useLocation();
  const channel = search.get("channel") ?? "";
  const status = search.get("status") ?? "";
  const userId = search.get("userId") ?? "";
  const [filters, setFilters] = useState({ channel, status, userId });
  const page = useAsync(
    () =>
      client.outbox({
        channel: channel || undefined,
        status: status || undefined,
        userId: userId || undefined,
        limit: 50,
      }),
    [client, channel, status, userId],
  );
  const ids = { channel: useId(), status: useId(), user: useId() };

  function apply(event: FormEvent) {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) if (value.trim()) params.set(name, value.trim());
    const query = params.toString();
    navigate(`/outbox${query ? `?${query}` : ""}`);
  }

  return (
    <>
      <form className="inline-form" onSubmit={apply} aria-label="Filter messages">
        <label htmlFor={ids.channel}>Channel</label>
        <select
          id={ids.channel}
          value={filters.channel}
          onChange={(e) => setFilters({ ...filters, channel: e.target.value })}
        >
          <option value="">any</option>
          {["email", "sms", "push", "in_app", "chat", "webhook", "handoff"].map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <label htmlFor={ids.status}>Status</label>
        <select
          id={ids.status}
          value={filters.status}
          onChange={(e) => setFilters({ ...filters, status: e.target.value })}
        >
          <option value="">any</option>
          {["pending", "sending", "sent", "failed", "dead"].map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <label htmlFor={ids.user}>Customer</label>
        <input
          id={ids.user}
          value={filters.userId}
          placeholder="user id"
          onChange={(e) => setFilters({ ...filters, userId: e.target.value })}
        />
        <button type="submit" className="button primary">
          Filter
        </button>
        <button type="button" className="button secondary" onClick={page.reload}>
          Refresh
        </button>
      </form>
      <ErrorNotice error={page.error} title="The outbox could not be loaded" />
      {page.loading && !page.data && <Loading what="messages" />}
      {page.data && page.data.items.length === 0 && (
        <Empty>
          {channel || status || userId ? (
            <>
              No messages match these filters. <Link to="/outbox">Show every message</Link>.
            </>
          ) : (
            "No messages yet. When a live journey sends something, it shows here with exactly what the customer saw."
          )}
        </Empty>
      )}
      {page.data && page.data.items.length > 0 && (
        <ul className="card-list" aria-label="Messages, newest first">
          {page.data.items.map((item) => (
            <OutboxRow key={item.id} item={item} />
          ))}
        </ul>
      )}
    </>
  );
}

function DeadLettersView() {
  const { client, permissions } = useSession();
  const page = useAsync(() => client.deadLetters({ limit: 50 }), [client]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const canRetry = permissions.can("POST /outbox/{id}/retry");

  async function retry(item: OutboxItem) {
    setError(null);
    try {
      await client.retryDeadLetter(item.id);
      setMessage(`Message ${item.id} is queued again.`);
      page.reload();
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <>
      {message && <StatusMessage>{message}</StatusMessage>}
      <ErrorNotice error={error} title="The retry was refused" />
      <ErrorNotice error={page.error} title="Dead letters could not be loaded" />
      {page.loading && !page.data && <Loading what="dead letters" />}
      {page.data && page.data.items.length === 0 && (
        <Empty>No dead letters: every message was delivered or is still being tried.</Empty>
      )}
      {page.data && page.data.items.length > 0 && (
        <ul className="card-list" aria-label="Dead letters, newest first">
          {page.data.items.map((item) => (
            <OutboxRow key={item.id} item={item} {...(canRetry ? { onRetry: retry } : {})} />
          ))}
        </ul>
      )}
    </>
  );
}

export function OutboxPage() {
  const { search } = useLocation();
  const view = search.get("view") ?? "messages";
  return (
    <>
      <PageHeading>Outbox</PageHeading>
      <p className="lede">
        Every message the journeys queued, with what the sandbox stored: exactly what the customer would have
        seen.
      </p>
      <ViewSwitch
        label="Outbox views"
        current={view}
        views={[
          { id: "messages", label: "Messages", to: "/outbox" },
          { id: "dead", label: "Dead letters", to: "/outbox?view=dead" },
          { id: "handoffs", label: "Hand-off tasks", to: "/outbox?view=handoffs" },
        ]}
      />
      {view === "dead" ? <DeadLettersView /> : view === "handoffs" ? <HandoffsView /> : <MessagesView />}
    </>
  );
}
