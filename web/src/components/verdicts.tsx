import { StatusBadge } from "./ui.tsx";

/** Policy verdicts with their reasons, in evaluation order. */
export function VerdictList({
  verdicts,
  caption,
}: {
  verdicts: Array<{ policy: string; verdict: string; reason: string; until?: string | null; round?: number }>;
  caption: string;
}) {
  if (verdicts.length === 0) return <p className="muted small">No policy verdicts recorded.</p>;
  return (
    <table className="data-table compact">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Policy</th>
          <th scope="col">Verdict</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {verdicts.map((verdict) => (
          <tr key={`${verdict.round ?? 0}:${verdict.policy}:${verdict.reason}`}>
            <th scope="row">{verdict.policy.replaceAll("_", " ")}</th>
            <td>
              <StatusBadge status={verdict.verdict} />
            </td>
            <td>
              {verdict.reason}
              {verdict.until && (
                <span className="muted"> (until {new Date(verdict.until).toLocaleString()})</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
