import { DateTime, Empty, ErrorNotice, Loading, PageHeading, StatusBadge } from "../components/ui.tsx";
import { useAsync } from "../hooks.ts";
import { Link } from "../router.tsx";
import { useSession } from "../session/session.tsx";

/** Every journey with its newest version's status and the version that is live. */
export function JourneysPage() {
  const { client, permissions } = useSession();
  const journeys = useAsync(() => client.journeys(), [client]);
  return (
    <>
      <PageHeading
        actions={
          permissions.can("POST /designs") ? (
            <Link className="button primary" to="/compose">
              Compose a journey
            </Link>
          ) : null
        }
      >
        Journeys
      </PageHeading>
      <ErrorNotice error={journeys.error} title="Journeys could not be loaded" />
      {journeys.loading && !journeys.data && <Loading what="journeys" />}
      {journeys.data && journeys.data.journeys.length === 0 && (
        <Empty>No journeys yet. A CX lead can compose one from a goal.</Empty>
      )}
      {journeys.data && journeys.data.journeys.length > 0 && (
        <table className="data-table">
          <caption className="visually-hidden">Journeys of this workspace</caption>
          <thead>
            <tr>
              <th scope="col">Journey</th>
              <th scope="col">Live</th>
              <th scope="col">Newest version</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {journeys.data.journeys.map((journey) => (
              <tr key={journey.id}>
                <td>
                  <Link to={`/journeys/${encodeURIComponent(journey.id)}`}>{journey.name}</Link>
                  {journey.description && <div className="muted small">{journey.description}</div>}
                </td>
                <td>
                  {journey.liveVersion !== null && journey.liveStatus ? (
                    <span className="nowrap">
                      <StatusBadge status={journey.liveStatus} /> v{journey.liveVersion}
                    </span>
                  ) : (
                    <span className="muted">not live</span>
                  )}
                </td>
                <td className="nowrap">
                  <StatusBadge status={journey.latestStatus} /> v{journey.latestVersion}
                </td>
                <td>
                  <DateTime value={journey.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
