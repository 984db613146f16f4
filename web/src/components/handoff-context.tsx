import type { HandoffContext } from "../api/schemas.ts";
import { Link } from "../router.tsx";
import { MessagePreview } from "./message-preview.tsx";
import { DateTime } from "./ui.tsx";

/**
 * A hand-off task's customer context laid out for the person who takes it: who the customer is,
 * why the task exists (journey, step, the event that started it), what they did lately and what
 * they were already told — so nobody asks the customer twice.
 */

/** Traits a person reaches for first, in this order; the rest follow alphabetically. */
const FIRST_TRAITS = [
  "first_name",
  "last_name",
  "email",
  "phone",
  "tier",
  "plan",
  "lifetime_value",
  "orders_count",
  "open_support_tickets",
  "churn_risk",
  "account_manager",
  "timezone",
  "country",
  "locale",
];

function text(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function customerName(context: HandoffContext, fallback: string): string {
  const traits = context.customer?.traits ?? {};
  const parts = [traits.first_name, traits.last_name].filter(
    (part): part is string => typeof part === "string" && part.trim() !== "",
  );
  return parts.length > 0 ? parts.join(" ") : fallback;
}

function orderedTraits(traits: Record<string, unknown>): Array<[string, unknown]> {
  const first = FIRST_TRAITS.filter((name) => name in traits).map((name): [string, unknown] => [
    name,
    traits[name],
  ]);
  const rest = Object.keys(traits)
    .filter((name) => !FIRST_TRAITS.includes(name))
    .sort()
    .map((name): [string, unknown] => [name, traits[name]]);
  return [...first, ...rest];
}

function Properties({ values, label }: { values: Record<string, unknown>; label?: string }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  return (
    <dl className="properties" aria-label={label}>
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name.replaceAll("_", " ")}</dt>
          <dd>{text(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function HandoffCustomer({ context, userId }: { context: HandoffContext; userId: string | null }) {
  const traits = context.customer?.traits ?? {};
  const consent = Object.entries(context.customer?.consent ?? {});
  return (
    <section aria-labelledby="handoff-who">
      <h3 id="handoff-who">Who</h3>
      {userId && (
        <p className="small">
          <Link to={`/customers/${encodeURIComponent(userId)}`}>
            Open {customerName(context, userId)}'s timeline
          </Link>
        </p>
      )}
      {Object.keys(traits).length === 0 ? (
        <p className="muted">No traits known.</p>
      ) : (
        <dl className="properties" aria-label="Customer traits">
          {orderedTraits(traits).map(([name, value]) => (
            <div key={name}>
              <dt>{name.replaceAll("_", " ")}</dt>
              <dd>{text(value)}</dd>
            </div>
          ))}
        </dl>
      )}
      {consent.length > 0 && (
        <p className="small">
          Consent:{" "}
          {consent.map(([channel, given], index) => (
            <span key={channel}>
              {index > 0 && ", "}
              {channel} {given === true ? "opted in" : given === false ? "opted out" : text(given)}
            </span>
          ))}
        </p>
      )}
    </section>
  );
}

export function HandoffWhy({ context, createdAt }: { context: HandoffContext; createdAt: string }) {
  const journey = context.journey;
  return (
    <section aria-labelledby="handoff-why">
      <h3 id="handoff-why">Why</h3>
      {journey ? (
        <p>
          The journey{" "}
          <Link to={`/journeys/${encodeURIComponent(journey.id)}`}>{journey.name ?? journey.id}</Link> asked
          for a person at step <code>{journey.nodeId ?? "?"}</code>
          {journey.variant ? ` (variant ${journey.variant})` : ""} on <DateTime value={createdAt} />.
        </p>
      ) : (
        <p>
          Created <DateTime value={createdAt} /> outside a journey.
        </p>
      )}
      {journey?.trigger?.name && (
        <>
          <p className="small">
            It started when the customer did <strong>{journey.trigger.name}</strong>:
          </p>
          <Properties values={journey.trigger.properties ?? {}} label="The event that started the journey" />
        </>
      )}
    </section>
  );
}

export function HandoffHistory({ context }: { context: HandoffContext }) {
  return (
    <>
      <section aria-labelledby="handoff-events">
        <h3 id="handoff-events">What the customer did lately</h3>
        {context.recentEvents.length === 0 ? (
          <p className="muted">No recent events.</p>
        ) : (
          <ol className="compact-list">
            {context.recentEvents.map((event, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a stored snapshot, never reordered; events may share a timestamp
              <li key={`${event.timestamp}:${index}`}>
                <DateTime value={event.timestamp} /> — <strong>{event.name ?? `${event.type} call`}</strong>
                {event.properties && Object.keys(event.properties).length > 0 && (
                  <span className="muted small">
                    {" "}
                    {Object.entries(event.properties)
                      .slice(0, 4)
                      .map(([name, value]) => `${name}: ${text(value)}`)
                      .join(" · ")}
                  </span>
                )}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="handoff-messages">
        <h3 id="handoff-messages">What they were already told</h3>
        {context.recentMessages.length === 0 ? (
          <p className="muted">No messages sent to them lately.</p>
        ) : (
          <ul className="card-list">
            {context.recentMessages.map((message, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a stored snapshot, never reordered; messages may share a time
              <li key={`${message.at}:${index}`}>
                <p className="small muted">
                  <DateTime value={message.at} /> · {message.status}
                </p>
                <MessagePreview
                  message={{
                    channel: message.channel,
                    subject: message.subject ?? null,
                    body: message.body ?? null,
                  }}
                  label={`${message.channel} message sent before`}
                />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
