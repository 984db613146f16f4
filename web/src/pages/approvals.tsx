import type { FormEvent } from "react";
import { useId, useMemo, useState } from "react";
import type { ApprovalItem } from "../api/schemas-review.ts";
import { JourneyCanvas } from "../canvas/journey-canvas.tsx";
import { parseJourney } from "../canvas/parse.ts";
import { ApprovalDecision } from "../components/approval-decision.tsx";
import { MessagePreview } from "../components/message-preview.tsx";
import { StepsTable } from "../components/steps-table.tsx";
import {
  DateTime,
  Empty,
  ErrorNotice,
  formatDateTime,
  Loading,
  PageHeading,
  personName,
  relativeTime,
  StatusBadge,
  StatusMessage,
} from "../components/ui.tsx";
import { VerdictList } from "../components/verdicts.tsx";
import { useAsync } from "../hooks.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import { useSession } from "../session/session.tsx";

/** The approval inbox: what the agent or a journey proposes, why a policy asked, and the decision. */

const STATUSES = ["pending", "accepted", "edited", "responded", "ignored", "expired", "withdrawn"];

/**
 * The item's description with key ids replaced by their holders' names: the server wrote it when
 * the item was made, naming keys by id (only admins may list keys).
 */
export function describedWithNames(item: ApprovalItem): string {
  let text = item.request.description ?? "";
  const names: Array<[string | null, string | null | undefined]> = [
    [item.author, item.authorName],
    [item.requestedBy, item.requestedByName],
    [item.decidedBy, item.decidedByName],
  ];
  for (const [id, name] of names) if (id && name) text = text.replaceAll(id, name);
  return text;
}

/** Who asked: the person who asked for it, else the author (a live journey asks for its sends). */
export function askedBy(item: ApprovalItem): string {
  if (item.requestedBy) return personName(item.requestedByName, item.requestedBy);
  if (item.author.startsWith("journey:")) return "a live journey";
  return personName(item.authorName, item.author);
}

export function approvalTitle(item: ApprovalItem): string {
  const args = item.request.action_request.args;
  if (item.kind === "journey_activation") {
    const definition = args.definition as { name?: unknown } | undefined;
    const name = typeof definition?.name === "string" ? definition.name : "a journey";
    return `Put “${name}” version ${String(args.version ?? "?")} live`;
  }
  const who = item.action?.userId ?? `customer ${String(args.profile_id ?? "?")}`;
  const what =
    item.action?.kind === "message"
      ? `${item.action.channel} message`
      : (item.action?.kind ?? item.request.action_request.action);
  return `Send ${what} to ${who}`;
}

function Expiry({ item }: { item: ApprovalItem }) {
  if (item.status !== "pending") return null;
  if (item.expired) return <StatusBadge status="expired" />;
  return (
    <span className="small">
      expires{" "}
      <time dateTime={item.expiresAt} title={formatDateTime(item.expiresAt)}>
        {relativeTime(item.expiresAt)}
      </time>
    </span>
  );
}

function ActionProposal({ item }: { item: ApprovalItem }) {
  const action = item.action;
  if (!action) return <p className="muted">The action this item asked about is no longer available.</p>;
  const preview = action.preview;
  return (
    <>
      <section aria-labelledby={`why-${item.id}`}>
        <h2 id={`why-${item.id}`}>Why a policy asked for review</h2>
        <VerdictList verdicts={action.reviewVerdicts} caption="Verdicts that asked for a person" />
      </section>
      <section aria-labelledby={`preview-${item.id}`}>
        <h2 id={`preview-${item.id}`}>What the customer will see</h2>
        {preview.kind === "message" && (
          <MessagePreview
            message={{
              channel: preview.channel ?? action.channel,
              to: preview.to ?? null,
              subject: preview.subject ?? null,
              title: preview.title ?? null,
              body: preview.body ?? null,
              ctaUrl: preview.ctaUrl ?? null,
              offer: preview.offer ?? null,
            }}
            label="Message preview"
          />
        )}
        {preview.kind === "message" && preview.aiGenerated && (
          <p className="small">This text was written by a model.</p>
        )}
        {preview.kind === "handoff" && (
          <p>
            A task for <strong>{preview.queue}</strong> ({preview.priority} priority): {preview.instructions}
          </p>
        )}
        {preview.kind === "webhook" && (
          <p>
            A {preview.method ?? "POST"} request to <code>{preview.url ?? "the configured URL"}</code>.
          </p>
        )}
        {preview.kind === "unrendered" && <p>{preview.reason}</p>}
        <p className="small">
          {action.userId && (
            <>
              Customer <Link to={`/customers/${encodeURIComponent(action.userId)}`}>{action.userId}</Link>
            </>
          )}
          {action.journeyId && (
            <>
              {" "}
              · journey{" "}
              <Link to={`/journeys/${encodeURIComponent(action.journeyId)}`}>
                {action.journeyName ?? action.journeyId}
              </Link>{" "}
              step <code>{action.nodeId}</code>
            </>
          )}
        </p>
      </section>
    </>
  );
}

function ActivationProposal({ item }: { item: ApprovalItem }) {
  const { client } = useSession();
  const definition = item.request.action_request.args.definition;
  const parsed = useMemo(() => parseJourney(definition), [definition]);
  const lint = useAsync(() => client.lint(definition), [client, definition]);
  const warnings = useMemo(() => [...(lint.data?.issues ?? []), ...(lint.data?.warnings ?? [])], [lint.data]);
  return (
    <section aria-labelledby={`proposal-${item.id}`}>
      <h2 id={`proposal-${item.id}`}>The journey that would go live</h2>
      {item.journey && (
        <p>
          <Link to={`/journeys/${encodeURIComponent(item.journey.journeyId)}`}>Open the journey</Link>{" "}
          (version {item.journey.version}, now <StatusBadge status={item.journey.status} />)
        </p>
      )}
      {!parsed.ok && (
        <p className="notice notice-error">The proposed definition does not parse: {parsed.problem}</p>
      )}
      {parsed.ok && (
        <>
          <JourneyCanvas
            journey={parsed.journey}
            issues={warnings}
            label="Canvas of the journey awaiting approval"
          />
          <details>
            <summary>Steps as text</summary>
            <StepsTable journey={parsed.journey} metrics={null} caption="Steps of the proposed journey" />
          </details>
        </>
      )}
    </section>
  );
}

function ApprovalDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { client, permissions } = useSession();
  const answer = useAsync(() => client.approval(id), [client, id]);
  const [message, setMessage] = useState<string | null>(null);
  if (answer.loading && !answer.data) return <Loading what="the item" />;
  if (!answer.data) return <ErrorNotice error={answer.error} title="The item could not be loaded" />;
  const item = answer.data.item;
  const canDecide =
    item.status === "pending" && !item.expired && permissions.can("POST /approvals/{id}/respond");
  return (
    <article className="approval-detail" aria-labelledby={`item-${item.id}`}>
      <h2 id={`item-${item.id}`} className="item-title">
        {approvalTitle(item)}
      </h2>
      <p>
        <StatusBadge status={item.status} />{" "}
        {item.kind === "journey_activation" ? "Journey activation" : "Single action"} · asked{" "}
        <DateTime value={item.createdAt} /> by {askedBy(item)} · <Expiry item={item} />
        {item.status === "pending" && !item.expired && <> (at {formatDateTime(item.expiresAt)})</>}
      </p>
      {item.request.description && (
        <div className="description">
          <h3>What is proposed</h3>
          {describedWithNames(item)
            .split("\n")
            .map((line) => (
              <p key={line}>{line}</p>
            ))}
        </div>
      )}
      {item.kind === "journey_activation" ? (
        <ActivationProposal item={item} />
      ) : (
        <ActionProposal item={item} />
      )}
      {message && <StatusMessage>{message}</StatusMessage>}
      {item.status !== "pending" && (
        <section aria-labelledby={`decided-${item.id}`}>
          <h2 id={`decided-${item.id}`}>Decision</h2>
          <p data-testid="decision">
            <StatusBadge status={item.status} /> by{" "}
            {item.decidedBy ? personName(item.decidedByName, item.decidedBy) : "the system"}{" "}
            <DateTime value={item.decidedAt} />
            {item.reason && <>: “{item.reason}”</>}
          </p>
          {item.response?.type === "response" && typeof item.response.args === "string" && (
            <p>Note: {item.response.args}</p>
          )}
        </section>
      )}
      {canDecide && (
        <ApprovalDecision
          item={item}
          onDecided={(text) => {
            setMessage(text);
            answer.reload();
            onChanged();
          }}
        />
      )}
      {item.status === "pending" && !permissions.can("POST /approvals/{id}/respond") && (
        <p className="muted">Your role can see this item but not decide it.</p>
      )}
    </article>
  );
}

export function ApprovalsPage({ selectedId }: { selectedId: string | null }) {
  const { client } = useSession();
  const { search } = useLocation();
  const status = search.get("status") ?? "pending";
  const kind = search.get("kind") ?? "";
  const [filters, setFilters] = useState({ status, kind });
  const list = useAsync(
    () =>
      client.approvals({
        status: status === "all" ? undefined : status,
        kind: kind || undefined,
        limit: 100,
      }),
    [client, status, kind],
  );
  const ids = { status: useId(), kind: useId() };
  const query = `?${new URLSearchParams({ status, ...(kind ? { kind } : {}) }).toString()}`;

  function apply(event: FormEvent) {
    event.preventDefault();
    const params = new URLSearchParams({
      status: filters.status,
      ...(filters.kind ? { kind: filters.kind } : {}),
    });
    navigate(`/approvals?${params.toString()}`);
  }

  return (
    <>
      <PageHeading>Approvals</PageHeading>
      <form className="inline-form" onSubmit={apply} aria-label="Filter approvals">
        <label htmlFor={ids.status}>Status</label>
        <select
          id={ids.status}
          value={filters.status}
          onChange={(event) => setFilters({ ...filters, status: event.target.value })}
        >
          {STATUSES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
          <option value="all">all</option>
        </select>
        <label htmlFor={ids.kind}>Kind</label>
        <select
          id={ids.kind}
          value={filters.kind}
          onChange={(event) => setFilters({ ...filters, kind: event.target.value })}
        >
          <option value="">any</option>
          <option value="journey_activation">journey activations</option>
          <option value="action">single actions</option>
        </select>
        <button type="submit" className="button primary">
          Filter
        </button>
        <button type="button" className="button secondary" onClick={list.reload}>
          Refresh
        </button>
      </form>
      <div className="split-view">
        <section className="inbox" aria-labelledby="inbox-heading">
          <h2 id="inbox-heading" className="visually-hidden">
            Items
          </h2>
          <ErrorNotice error={list.error} title="The inbox could not be loaded" />
          {list.loading && !list.data && <Loading what="approvals" />}
          {list.data && list.data.items.length === 0 && (
            <Empty>
              {status === "pending"
                ? "Nothing waits for a decision. An item arrives when someone asks to put a journey live, or when a policy holds a message for a person (see Policies › Approval rules)."
                : `No ${status === "all" ? "" : `${status} `}items${kind ? " of this kind" : ""}.`}
            </Empty>
          )}
          {list.data && list.data.items.length > 0 && (
            <ul className="inbox-list">
              {list.data.items.map((item) => (
                <li key={item.id}>
                  <Link
                    to={`/approvals/${encodeURIComponent(item.id)}${query}`}
                    aria-current={item.id === selectedId ? "true" : undefined}
                    className="inbox-item"
                  >
                    <span className="inbox-title">{approvalTitle(item)}</span>
                    <span className="inbox-meta">
                      <StatusBadge status={item.status} />{" "}
                      {item.kind === "journey_activation" ? "activation" : "action"} ·{" "}
                      {item.status === "pending"
                        ? item.expired
                          ? "expired"
                          : `expires ${relativeTime(item.expiresAt)}`
                        : `decided by ${personName(item.decidedByName, item.decidedBy)}`}
                    </span>
                    {item.request.description && (
                      <span className="inbox-why">{describedWithNames(item).split("\n")[0]}</span>
                    )}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
        <div className="detail-pane">
          {selectedId ? (
            <ApprovalDetail key={selectedId} id={selectedId} onChanged={list.reload} />
          ) : list.data && list.data.items.length === 0 ? (
            <p className="muted">When there is an item, what it proposes and why it asks is shown here.</p>
          ) : (
            <p className="muted">Choose an item to see what is proposed and decide it.</p>
          )}
        </div>
      </div>
    </>
  );
}
