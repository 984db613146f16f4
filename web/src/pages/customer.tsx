import { useState } from "react";
import type { Profile, TimelineItem } from "../api/schemas.ts";
import { Timeline } from "../components/timeline.tsx";
import { DateTime, Empty, ErrorNotice, Loading, PageHeading } from "../components/ui.tsx";
import { useAsync } from "../hooks.ts";
import { Link } from "../router.tsx";
import { useSession } from "../session/session.tsx";

const KINDS: Array<{ kind: TimelineItem["kind"]; label: string }> = [
  { kind: "event", label: "Events" },
  { kind: "journey", label: "Journey steps" },
  { kind: "action", label: "Actions and verdicts" },
  { kind: "message", label: "Messages" },
];

function ProfileFacts({ profile }: { profile: Profile }) {
  const traits = Object.entries(profile.traits);
  const scores = Object.entries(profile.scores);
  const consent = Object.entries(profile.consent);
  return (
    <div className="facts">
      <section aria-labelledby="scores-heading">
        <h2 id="scores-heading">Scores</h2>
        {scores.length === 0 ? (
          <p className="muted">No scores.</p>
        ) : (
          <dl className="properties">
            {scores.map(([name, value]) => (
              <div key={name}>
                <dt>{name.replaceAll("_", " ")}</dt>
                <dd>
                  <meter min={0} max={1} value={Math.max(0, Math.min(1, value))} aria-hidden="true" />{" "}
                  {value.toFixed(2)}
                </dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <section aria-labelledby="consent-heading">
        <h2 id="consent-heading">Consent</h2>
        {consent.length === 0 ? (
          <p className="muted">Never asked.</p>
        ) : (
          <ul className="plain">
            {consent.map(([channel, given]) => (
              <li key={channel}>
                {channel}: <strong>{given ? "opted in" : "opted out"}</strong>
              </li>
            ))}
          </ul>
        )}
        <h2>Segments</h2>
        {profile.segments.length === 0 ? (
          <p className="muted">In no segment.</p>
        ) : (
          <ul className="plain">
            {profile.segments.map((segment) => (
              <li key={segment.id}>
                {segment.name} since <DateTime value={segment.enteredAt} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="traits-heading">
        <h2 id="traits-heading">Traits</h2>
        <dl className="properties">
          {traits.map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{typeof value === "string" ? value : JSON.stringify(value)}</dd>
            </div>
          ))}
        </dl>
      </section>
    </div>
  );
}

/** One customer: who they are, and everything that happened to them, newest first. */
export function CustomerPage({ userId }: { userId: string }) {
  const { client } = useSession();
  const [kinds, setKinds] = useState<Set<string>>(new Set(KINDS.map((entry) => entry.kind)));
  const [older, setOlder] = useState<{ items: TimelineItem[]; cursor: string | null } | null>(null);
  const [olderError, setOlderError] = useState<unknown>(null);
  const kindsParam = kinds.size === KINDS.length ? undefined : [...kinds].join(",");

  const profile = useAsync(() => client.profile(userId), [client, userId]);
  const timeline = useAsync(
    () =>
      kinds.size === 0
        ? Promise.resolve({ profileId: 0, items: [], nextCursor: null })
        : client.timeline(userId, { limit: 100, kinds: kindsParam }),
    [client, userId, kindsParam, kinds.size],
  );

  function toggle(kind: string) {
    setOlder(null);
    setKinds((current) => {
      const next = new Set(current);
      if (next.has(kind)) next.delete(kind);
      else next.add(kind);
      return next;
    });
  }

  async function loadOlder() {
    const cursor = older ? older.cursor : timeline.data?.nextCursor;
    if (!cursor) return;
    try {
      const page = await client.timeline(userId, { limit: 100, kinds: kindsParam, cursor });
      setOlder({ items: [...(older?.items ?? []), ...page.items], cursor: page.nextCursor });
    } catch (error) {
      setOlderError(error);
    }
  }

  if (profile.loading && !profile.data) return <Loading what="the customer" />;
  if (!profile.data) return <ErrorNotice error={profile.error} title="The customer could not be loaded" />;
  const person = profile.data.profile;
  const items = [...(timeline.data?.items ?? []), ...(older?.items ?? [])];
  const cursor = older ? older.cursor : timeline.data?.nextCursor;

  return (
    <>
      <PageHeading>{person.name ?? person.userId ?? userId}</PageHeading>
      <p className="lede">
        User id <code>{person.userId ?? "anonymous"}</code>
        {person.email && <> · {person.email}</>} · last seen <DateTime value={person.lastEventAt} /> ·{" "}
        <Link to="/customers">All customers</Link>
      </p>
      <ProfileFacts profile={person} />
      <section aria-labelledby="timeline-heading">
        <div className="section-heading">
          <h2 id="timeline-heading">Timeline</h2>
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              setOlder(null);
              timeline.reload();
            }}
          >
            Refresh
          </button>
        </div>
        <fieldset className="filters">
          <legend>Show</legend>
          {KINDS.map((entry) => (
            <label key={entry.kind} className="checkbox">
              <input type="checkbox" checked={kinds.has(entry.kind)} onChange={() => toggle(entry.kind)} />
              {entry.label}
            </label>
          ))}
        </fieldset>
        <ErrorNotice error={timeline.error} title="The timeline could not be loaded" />
        {timeline.loading && !timeline.data && <Loading what="the timeline" />}
        {timeline.data && items.length === 0 && <Empty>Nothing to show.</Empty>}
        <Timeline items={items} />
        <ErrorNotice error={olderError} title="Older entries could not be loaded" />
        {cursor && (
          <button type="button" className="button secondary" onClick={loadOlder}>
            Show older entries
          </button>
        )}
      </section>
    </>
  );
}
