import { useMemo, useState } from "react";
import type { JourneyDetail, JourneyStats, NodeMetrics, Version } from "../api/schemas.ts";
import { describeTrigger, humanDuration } from "../canvas/describe.ts";
import { TRIGGER_ID } from "../canvas/graph.ts";
import { JourneyCanvas } from "../canvas/journey-canvas.tsx";
import { parseJourney } from "../canvas/parse.ts";
import { StepsTable } from "../components/steps-table.tsx";
import {
  DateTime,
  ErrorNotice,
  Loading,
  PageHeading,
  personName,
  StatusBadge,
  StatusMessage,
} from "../components/ui.tsx";
import { VersionHistory } from "../components/version-diff.tsx";
import { useAsync, useInterval } from "../hooks.ts";
import { Link } from "../router.tsx";
import { useSession } from "../session/session.tsx";

/** How often the live counts refresh. */
const STATS_POLL_MS = 5000;

/** "Written by Dana" or "Drafted by the offline planner for Dana". */
export function authorship(version: Pick<Version, "draftedBy" | "author" | "authorName">): string {
  const who = personName(version.authorName, version.author);
  if (version.draftedBy === "human") return `Written by ${who}`;
  const drafter =
    version.draftedBy === "offline-planner"
      ? "the offline planner"
      : version.draftedBy.replace(/^model:/, "");
  return `Drafted by ${drafter} for ${who}`;
}

export function metricsByNode(stats: JourneyStats | undefined): Map<string, NodeMetrics> | null {
  if (!stats) return null;
  // the journey-level counters (how many entered at all) are shown on the trigger box
  const byNode = new Map(stats.nodes.map((node) => [node.id, node.metrics]));
  const journey = stats.journey ?? byNode.get("$journey");
  if (journey) byNode.set(TRIGGER_ID, journey);
  byNode.delete("$journey");
  return byNode;
}

function GoalSummary({ stats }: { stats: JourneyStats }) {
  const { goal, instances } = stats;
  return (
    <dl className="summary-grid" aria-label="Journey totals">
      <div>
        <dt>Customers entered</dt>
        <dd>{instances.total}</dd>
      </div>
      <div>
        <dt>In progress</dt>
        <dd>{instances.running + instances.parked}</dd>
      </div>
      <div>
        <dt>Finished</dt>
        <dd>{instances.completed + instances.exited}</dd>
      </div>
      <div>
        <dt>Goal conversion</dt>
        <dd data-testid="goal-conversion">
          {goal
            ? `${goal.conversions} of ${instances.total}${goal.conversionRate === null ? "" : ` (${(goal.conversionRate * 100).toFixed(1)} %)`}`
            : "no goal"}
        </dd>
        {goal && (
          <dd className="muted small">
            {goal.event} within {humanDuration(goal.within)}
          </dd>
        )}
      </div>
    </dl>
  );
}

function LifecycleActions({
  detail,
  onChanged,
}: {
  detail: JourneyDetail;
  onChanged: (message: string) => void;
}) {
  const { client, permissions } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const live = detail.live;
  const latest = detail.latest;

  async function run(action: () => Promise<string>) {
    setBusy(true);
    setError(null);
    try {
      onChanged(await action());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const buttons = [];
  if (live?.status === "active" && permissions.can("POST /journeys/{id}/versions/{version}/pause")) {
    buttons.push(
      <button
        key="pause"
        type="button"
        className="button secondary"
        disabled={busy}
        onClick={() =>
          run(async () => {
            await client.transition(detail.journey.id, live.version, "pause");
            return `Version ${live.version} paused: no new customers enter; those inside are held.`;
          })
        }
      >
        Pause v{live.version}
      </button>,
    );
  }
  if (live?.status === "paused" && permissions.can("POST /journeys/{id}/versions/{version}/resume")) {
    buttons.push(
      <button
        key="resume"
        type="button"
        className="button primary"
        disabled={busy}
        onClick={() =>
          run(async () => {
            await client.transition(detail.journey.id, live.version, "resume");
            return `Version ${live.version} resumed.`;
          })
        }
      >
        Resume v{live.version}
      </button>,
    );
  }
  if (latest.status === "draft" && permissions.can("POST /journeys/{id}/versions/{version}/activate")) {
    buttons.push(
      <button
        key="activate"
        type="button"
        className="button secondary"
        disabled={busy}
        onClick={() =>
          run(async () => {
            const outcome = await client.activate(detail.journey.id, latest.version);
            return outcome.outcome === "pending_approval"
              ? `Version ${latest.version} waits for a reviewer${outcome.reason ? `: ${outcome.reason}` : "."}`
              : `Version ${latest.version} is live.`;
          })
        }
      >
        Activate draft v{latest.version}
      </button>,
    );
  }
  if (buttons.length === 0 && !error) return null;
  return (
    <div className="lifecycle">
      <div className="button-row">{buttons}</div>
      <ErrorNotice error={error} title="The change was refused" />
    </div>
  );
}

export function JourneyPage({ journeyId }: { journeyId: string }) {
  const { client } = useSession();
  const detail = useAsync(() => client.journey(journeyId), [client, journeyId]);
  const [chosen, setChosen] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const data = detail.data;
  const shownVersion = chosen ?? data?.live?.version ?? data?.latest.version ?? null;
  const stats = useAsync(
    () => (shownVersion === null ? Promise.resolve(undefined) : client.stats(journeyId, shownVersion)),
    [client, journeyId, shownVersion],
  );
  useInterval(stats.reload, shownVersion === null ? null : STATS_POLL_MS);

  const version = useAsync(async () => {
    if (!data || shownVersion === null) return undefined;
    if (data.live?.version === shownVersion) return data.live;
    if (data.latest.version === shownVersion) return data.latest;
    return (await client.version(journeyId, shownVersion)).version;
  }, [client, data, journeyId, shownVersion]);
  const parsed = useMemo(() => (version.data ? parseJourney(version.data.definition) : null), [version.data]);
  const metrics = useMemo(() => metricsByNode(stats.data), [stats.data]);

  if (detail.loading && !data) return <Loading what="the journey" />;
  if (!data) return <ErrorNotice error={detail.error} title="The journey could not be loaded" />;

  return (
    <>
      <PageHeading>{data.journey.name}</PageHeading>
      <p className="lede">{data.journey.description}</p>
      <p>
        {data.journey.liveVersion !== null && data.journey.liveStatus ? (
          <>
            Live: <StatusBadge status={data.journey.liveStatus} /> version {data.journey.liveVersion}.{" "}
          </>
        ) : (
          "Not live. "
        )}
        Newest: <StatusBadge status={data.journey.latestStatus} /> version {data.journey.latestVersion}.{" "}
        <Link to="/journeys">All journeys</Link>
      </p>
      {message && <StatusMessage>{message}</StatusMessage>}
      <LifecycleActions
        detail={data}
        onChanged={(text) => {
          setMessage(text);
          detail.reload();
          stats.reload();
        }}
      />

      <div className="toolbar">
        <label htmlFor="version-select">Show version</label>
        <select
          id="version-select"
          value={shownVersion ?? ""}
          onChange={(event) => setChosen(Number(event.target.value))}
        >
          {[...data.versions].reverse().map((entry) => (
            <option key={entry.id} value={entry.version}>
              v{entry.version} ({entry.status.replaceAll("_", " ")})
            </option>
          ))}
        </select>
        {stats.data && (
          <span className="muted small" aria-live="off">
            Counts refresh every {STATS_POLL_MS / 1000} s
          </span>
        )}
      </div>
      <ErrorNotice error={stats.error} title="Live counts could not be loaded" />
      {stats.data && <GoalSummary stats={stats.data} />}
      <ErrorNotice error={version.error} title="The version could not be loaded" />
      {parsed && !parsed.ok && (
        <p className="notice notice-error" role="alert">
          This version's definition does not parse as a journey: {parsed.problem}
        </p>
      )}
      {parsed?.ok && (
        <>
          <p>
            Starts when {describeTrigger(parsed.journey.trigger)}.{" "}
            {version.data && (
              <span className="muted">
                {authorship(version.data)}, created <DateTime value={version.data.createdAt} />.
              </span>
            )}
          </p>
          <JourneyCanvas
            journey={parsed.journey}
            metrics={metrics}
            label={`Journey canvas of version ${shownVersion}, with live counts per step`}
          />
          <StepsTable
            journey={parsed.journey}
            metrics={metrics}
            caption={`Steps of version ${shownVersion}`}
          />
        </>
      )}
      <VersionHistory journeyId={journeyId} versions={data.versions} />
    </>
  );
}
