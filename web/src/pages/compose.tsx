import type { FormEvent } from "react";
import { useId, useMemo, useState } from "react";
import type { Design } from "../api/schemas-design.ts";
import { JourneyCanvas } from "../canvas/journey-canvas.tsx";
import { parseJourney } from "../canvas/parse.ts";
import { ProgressList } from "../components/design-progress.tsx";
import { StepsTable } from "../components/steps-table.tsx";
import { DateTime, ErrorNotice, Loading, PageHeading, StatusBadge } from "../components/ui.tsx";
import { useDesignStream } from "../components/use-design-stream.ts";
import { useAsync } from "../hooks.ts";
import { Link, navigate } from "../router.tsx";
import { useSession } from "../session/session.tsx";

/**
 * Compose: a goal in plain language goes to the designer agent; its progress streams in; the draft
 * is drawn as a canvas beside the agent's explanation, with lint warnings pinned to their steps,
 * the simulation summary and conflicts; then it goes to a reviewer.
 */

const EXAMPLES = [
  "When a payment fails, email the customer right away asking them to update their card.",
  "If someone abandons checkout, send an SMS after 1 hour; if they still haven't ordered a day later, email them 10% off.",
  "When a VIP customer's churn risk goes above 0.7, hand them off to their account manager.",
];

export function modelLabel(model: string): string {
  if (model === "offline-planner" || model.startsWith("offline")) {
    return "the offline planner (deterministic, no language model)";
  }
  return model.replace(/^openai:/, "");
}

const WAITING = new Set(["clarifying", "awaiting_approval", "activated", "rejected", "stopped", "failed"]);

function GoalForm() {
  const { client } = useSession();
  const [goal, setGoal] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const goalId = useId();
  const helpId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!goal.trim()) {
      setError(new Error("Describe the journey's goal first."));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await client.createDesign(goal.trim());
      navigate(`/compose/${encodeURIComponent(created.design.id)}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="panel" aria-label="Describe a journey">
      <label htmlFor={goalId}>What should the journey achieve?</label>
      <textarea
        id={goalId}
        rows={4}
        value={goal}
        onChange={(event) => setGoal(event.target.value)}
        aria-describedby={helpId}
      />
      <p id={helpId} className="help">
        Name the trigger, timing, channels and offers in plain language. The designer asks when something is
        unclear, and nothing goes live before a reviewer approves it.
      </p>
      <div className="button-row">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? "Starting…" : "Draft the journey"}
        </button>
      </div>
      <fieldset className="filters examples">
        <legend>Or start from an example (it fills the box above)</legend>
        <div className="button-row">
          {EXAMPLES.map((example) => (
            <button type="button" key={example} className="button secondary" onClick={() => setGoal(example)}>
              {example}
            </button>
          ))}
        </div>
      </fieldset>
      <ErrorNotice error={error} title="The designer could not start" />
    </form>
  );
}

function QuestionPanel({ design, onAnswered }: { design: Design; onAnswered: () => void }) {
  const { client } = useSession();
  const [answer, setAnswer] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const answerId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!answer.trim()) {
      setError(new Error("Write an answer first."));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await client.answerDesign(design.id, answer.trim());
      setAnswer("");
      onAnswered();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel question" aria-labelledby="question-heading">
      <h2 id="question-heading">The designer asks</h2>
      <p>{design.question}</p>
      <form onSubmit={submit}>
        <label htmlFor={answerId}>Your answer</label>
        <textarea id={answerId} rows={3} value={answer} onChange={(event) => setAnswer(event.target.value)} />
        <div className="button-row">
          <button type="submit" className="button primary" disabled={busy}>
            Answer
          </button>
        </div>
      </form>
      <ErrorNotice error={error} title="The answer was not accepted" />
    </section>
  );
}

function ReviewPanel({ design }: { design: Design }) {
  if (design.approvalId) {
    return (
      <section className="panel" aria-labelledby="review-heading">
        <h2 id="review-heading">Review</h2>
        <p data-testid="submitted">
          {design.status === "activated"
            ? "A reviewer approved it: the journey is live."
            : design.status === "rejected"
              ? "A reviewer rejected it."
              : "Submitted for review. A reviewer decides in the approvals inbox; nothing reaches a customer before."}
        </p>
        <div className="button-row">
          <Link className="button secondary" to={`/approvals/${encodeURIComponent(design.approvalId)}`}>
            Open the approval item
          </Link>
          {design.journeyId && (
            <Link className="button secondary" to={`/journeys/${encodeURIComponent(design.journeyId)}`}>
              Open the journey
            </Link>
          )}
        </div>
      </section>
    );
  }
  if (design.status === "failed") {
    return (
      <p className="notice notice-error" role="alert">
        The designer could not produce a valid journey{design.error ? `: ${design.error}` : "."}
      </p>
    );
  }
  return null;
}

function DesignView({ designId }: { designId: string }) {
  const { client } = useSession();
  const design = useAsync(() => client.design(designId), [client, designId]);
  const stream = useDesignStream(client, designId, design.reload);

  const data = design.data?.design;
  const parsed = useMemo(() => (data?.draft ? parseJourney(data.draft) : null), [data?.draft]);
  const pinned = useMemo(() => [...(data?.issues ?? []), ...(data?.lint ?? [])], [data?.issues, data?.lint]);

  if (design.loading && !data) return <Loading what="the design" />;
  if (!data) return <ErrorNotice error={design.error} title="The design could not be loaded" />;

  return (
    <>
      <p className="lede">Goal: “{data.goal}”</p>
      <p>
        <StatusBadge status={data.status} /> Drafted by{" "}
        <strong data-testid="model">{modelLabel(data.model)}</strong>
        {typeof data.llmCalls === "number" && (
          <span className="muted">
            {" "}
            · {data.llmCalls} model call{data.llmCalls === 1 ? "" : "s"}
          </span>
        )}{" "}
        · <Link to="/compose">New goal</Link>
      </p>
      <ErrorNotice error={stream.error} title="Progress could not be streamed (trying again)" />
      {data.status === "clarifying" && data.question && (
        <QuestionPanel
          design={data}
          onAnswered={() => {
            design.reload();
            // the designer is working again: follow it now, not at the next check
            stream.resume();
          }}
        />
      )}
      <ReviewPanel design={data} />
      <div className="compose-grid">
        <div>
          {parsed?.ok ? (
            <>
              <JourneyCanvas journey={parsed.journey} issues={pinned} label="Canvas of the drafted journey" />
              <details>
                <summary>Steps as text</summary>
                <StepsTable journey={parsed.journey} metrics={null} caption="Steps of the draft" />
              </details>
            </>
          ) : parsed && !parsed.ok ? (
            <p className="notice notice-warn">The current draft does not parse yet: {parsed.problem}</p>
          ) : (
            <p className="muted">
              {WAITING.has(data.status) ? "No draft." : "The draft appears here as soon as it validates."}
            </p>
          )}
          {data.simulation && (
            <section className="panel" aria-labelledby="simulation-heading">
              <h2 id="simulation-heading">Simulation</h2>
              <ul data-testid="simulation">
                {data.simulation.sentences.map((sentence) => (
                  <li key={sentence}>{sentence}</li>
                ))}
              </ul>
            </section>
          )}
        </div>
        <div>
          {data.explanation.length > 0 && (
            <section className="panel" aria-labelledby="explanation-heading">
              <h2 id="explanation-heading">What it does</h2>
              <ol data-testid="explanation">
                {data.explanation.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ol>
            </section>
          )}
          {(pinned.length > 0 || data.conflicts.length > 0) && (
            <section className="panel" aria-labelledby="checks-heading">
              <h2 id="checks-heading">Warnings and conflicts</h2>
              <ul>
                {pinned.map((issue) => (
                  <li key={`${issue.path}:${issue.message}`}>
                    <code>{issue.path}</code> {issue.message}
                  </li>
                ))}
                {data.conflicts.map((conflict) => (
                  <li key={conflict.message}>
                    {conflict.message}{" "}
                    {conflict.journeyId && (
                      <Link to={`/journeys/${encodeURIComponent(conflict.journeyId)}`}>
                        Open {conflict.journeyName ?? "the journey"}
                      </Link>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <ProgressList entries={stream.entries} phase={stream.phase} />
        </div>
      </div>
    </>
  );
}

function RecentDesigns() {
  const { client } = useSession();
  const recent = useAsync(() => client.designs({ limit: 10 }), [client]);
  if (!recent.data || recent.data.designs.length === 0)
    return <ErrorNotice error={recent.error} title="Recent designs could not be loaded" />;
  return (
    <section aria-labelledby="recent-designs">
      <h2 id="recent-designs">Recent designs</h2>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Goal</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {recent.data.designs.map((entry) => (
            <tr key={entry.id}>
              <td>
                <Link to={`/compose/${encodeURIComponent(entry.id)}`}>{entry.goal}</Link>
              </td>
              <td>
                <StatusBadge status={entry.status} />
              </td>
              <td>
                <DateTime value={entry.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function ComposePage({ designId }: { designId: string | null }) {
  return (
    <>
      <PageHeading>Compose</PageHeading>
      {designId ? (
        <DesignView key={designId} designId={designId} />
      ) : (
        <>
          <GoalForm />
          <RecentDesigns />
        </>
      )}
    </>
  );
}
