import type { TimelineItem } from "../api/schemas.ts";
import { Link } from "../router.tsx";
import { MessagePreview } from "./message-preview.tsx";
import { DateTime, StatusBadge } from "./ui.tsx";
import { VerdictList } from "./verdicts.tsx";

/** One customer's story, one entry per event, journey step, action (with verdicts) and message. */

const STEP_TEXT: Record<string, string> = {
  entered: "entered",
  node: "reached step",
  waiting: "is waiting at",
  resumed: "resumed at",
  timeout: "timed out at",
  action: "acted at",
  held: "was held at",
  skipped: "skipped",
  parked: "waits for a reviewer at",
  converted: "converted in",
  exited: "left",
  completed: "completed",
};

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function Properties({ values }: { values: Record<string, unknown> }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  return (
    <dl className="properties">
      {entries.slice(0, 12).map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{typeof value === "string" ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function journeyLink(journeyId: string | null, name: string | null) {
  if (!journeyId) return <span>a journey</span>;
  return <Link to={`/journeys/${encodeURIComponent(journeyId)}`}>{name ?? journeyId}</Link>;
}

function Entry({ item }: { item: TimelineItem }) {
  switch (item.kind) {
    case "event":
      return (
        <>
          <p className="timeline-title">
            {item.type === "track" ? (
              <>
                Did <strong>{item.name}</strong>
              </>
            ) : (
              <>
                <strong>{item.type}</strong> call
              </>
            )}
          </p>
          <Properties values={item.properties} />
          {item.traits && <Properties values={item.traits} />}
        </>
      );
    case "journey": {
      const verb = STEP_TEXT[item.step] ?? item.step;
      const atNode = item.nodeId && !["entered", "exited", "completed", "converted"].includes(item.step);
      return (
        <p className="timeline-title">
          Journey {journeyLink(item.journeyId, item.journeyName)}: {verb}
          {atNode && (
            <>
              {" "}
              <code>{item.nodeId}</code>
            </>
          )}
          {item.step === "exited" && item.detail && typeof item.detail.reason === "string" && (
            <span className="muted"> ({item.detail.reason})</span>
          )}
        </p>
      );
    }
    case "action":
      return (
        <>
          <p className="timeline-title">
            {capitalize(item.actionKind === "message" ? `${item.channel} message` : item.actionKind)} from{" "}
            {journeyLink(item.journeyId, item.journeyName)} <StatusBadge status={item.status} />
            {item.verdict && (
              <>
                {" "}
                decided <StatusBadge status={item.verdict} />
              </>
            )}
          </p>
          {item.reason && <p className="small">{item.reason}</p>}
          <details>
            <summary>Policy verdicts ({item.decisions.length})</summary>
            <VerdictList verdicts={item.decisions} caption={`Verdicts for action ${item.actionId}`} />
          </details>
        </>
      );
    case "message":
      return (
        <>
          <p className="timeline-title">
            Message {item.sandbox ? "delivered to the sandbox" : `via ${item.adapter ?? item.channel}`}{" "}
            <StatusBadge status={item.status} />
            {item.lastError && <span className="error-text"> {item.lastError}</span>}
          </p>
          {item.handoff ? (
            <p>
              Hand-off task to <strong>{item.handoff.queue}</strong> ({item.handoff.priority} priority),{" "}
              {item.handoff.status}.{" "}
              <Link to={`/outbox?view=handoffs&task=${item.handoff.taskId}`}>Open the task</Link>
            </p>
          ) : (
            <MessagePreview
              message={{ channel: item.channel, to: item.recipient, subject: item.subject, body: item.body }}
              label={`${item.channel} message as sent`}
            />
          )}
        </>
      );
  }
}

const KIND_LABEL: Record<TimelineItem["kind"], string> = {
  event: "Event",
  journey: "Journey",
  action: "Action",
  message: "Message",
};

export function Timeline({ items }: { items: TimelineItem[] }) {
  return (
    <ol className="timeline">
      {items.map((item) => (
        <li key={item.id} className={`timeline-item kind-${item.kind}`} data-kind={item.kind}>
          <div className="timeline-when">
            <span className="timeline-kind">{KIND_LABEL[item.kind]}</span>
            <DateTime value={item.at} />
          </div>
          <div className="timeline-what">
            <Entry item={item} />
          </div>
        </li>
      ))}
    </ol>
  );
}
