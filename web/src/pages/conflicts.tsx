import type { Conflict } from "../api/schemas-review.ts";
import { Empty, ErrorNotice, Loading, PageHeading, StatusBadge } from "../components/ui.tsx";
import { useAsync } from "../hooks.ts";
import { Link } from "../router.tsx";
import { useSession } from "../session/session.tsx";

/** The designer's conflict check over the workspace: drafts against live journeys, live against live. */

function offerText(offers: Conflict["subjectOffers"]): string {
  return offers
    .map((offer) =>
      offer.kind === "percent_off"
        ? `${offer.value ?? "?"}% off`
        : offer.kind === "amount_off"
          ? `${offer.value ?? "?"} off`
          : offer.kind.replaceAll("_", " "),
    )
    .join(", ");
}

function JourneyName({ journey }: { journey: Conflict["subject"] }) {
  return (
    <>
      <Link to={`/journeys/${encodeURIComponent(journey.journeyId)}`}>{journey.name}</Link> (v
      {journey.version}, <StatusBadge status={journey.status} />)
    </>
  );
}

function sentence(conflict: Conflict): string {
  const who =
    conflict.audienceOverlap === "same" ? "the same customers" : "customers who may be in both audiences";
  if (conflict.kind === "contradictory_offers") {
    return `Different offers on ${conflict.trigger} to ${who}: ${offerText(conflict.subjectOffers)} versus ${offerText(conflict.otherOffers)}.`;
  }
  return `Both start on ${conflict.trigger} for ${who}, who would receive both journeys' messages.`;
}

function ConflictTable({ conflicts, caption }: { conflicts: Conflict[]; caption: string }) {
  return (
    <table className="data-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Journey</th>
          <th scope="col">Collides with</th>
          <th scope="col">Conflict</th>
        </tr>
      </thead>
      <tbody>
        {conflicts.map((conflict) => (
          <tr key={`${conflict.kind}:${conflict.subject.journeyId}:${conflict.other.journeyId}`}>
            <td>
              <JourneyName journey={conflict.subject} />
            </td>
            <td>
              <JourneyName journey={conflict.other} />
            </td>
            <td>
              <strong>
                {conflict.kind === "contradictory_offers" ? "Contradictory offers" : "Same trigger"}
              </strong>
              <div>{sentence(conflict)}</div>
              {conflict.subject.status === "draft" || conflict.subject.status === "pending_approval" ? (
                <div className="muted small">{conflict.message}</div>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ConflictsPage() {
  const { client } = useSession();
  const list = useAsync(() => client.conflicts(), [client]);
  const drafts =
    list.data?.conflicts.filter(
      (c) => c.subject.status === "draft" || c.subject.status === "pending_approval",
    ) ?? [];
  const live = list.data?.conflicts.filter((c) => !drafts.includes(c)) ?? [];
  return (
    <>
      <PageHeading>Conflicts</PageHeading>
      <p className="lede">
        Journeys that start on the same moment for overlapping customers, or make different offers for it.
        Arbitration by priority decides who messages first; a conflict here means someone should decide on
        purpose.
      </p>
      <ErrorNotice error={list.error} title="Conflicts could not be checked" />
      {list.loading && !list.data && <Loading what="conflicts" />}
      {list.data && (
        <p className="muted">
          Checked {list.data.checked.drafts} draft{list.data.checked.drafts === 1 ? "" : "s"} and{" "}
          {list.data.checked.live} live journey{list.data.checked.live === 1 ? "" : "s"}.
        </p>
      )}
      {list.data && list.data.conflicts.length === 0 && <Empty>No conflicts between journeys.</Empty>}
      {drafts.length > 0 && (
        <ConflictTable conflicts={drafts} caption="Drafts and versions awaiting approval" />
      )}
      {live.length > 0 && <ConflictTable conflicts={live} caption="Live journeys" />}
    </>
  );
}
