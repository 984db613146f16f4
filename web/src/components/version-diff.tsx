import type { FormEvent } from "react";
import { useId, useState } from "react";
import type { JourneyNode } from "../../../journeys/format/schema.ts";
import { JourneyNode as JourneyNodeSchema } from "../../../journeys/format/schema.ts";
import type { JourneyDiff, ValueChange, VersionSummary } from "../api/schemas.ts";
import { describeNode } from "../canvas/describe.ts";
import { useSession } from "../session/session.tsx";
import { DateTime, ErrorNotice, personName, StatusBadge } from "./ui.tsx";

function show(value: unknown): string {
  if (value === undefined) return "(absent)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function ChangeList({ changes }: { changes: ValueChange[] }) {
  return (
    <ul className="change-list">
      {changes.map((change) => (
        <li key={change.path}>
          <code>{change.path}</code>: <del>{show(change.before)}</del> → <ins>{show(change.after)}</ins>
        </li>
      ))}
    </ul>
  );
}

function nodeText(value: unknown): string {
  const parsed = JourneyNodeSchema.safeParse(value);
  if (!parsed.success) return show(value);
  const node: JourneyNode = parsed.data;
  const description = describeNode(node);
  return `${node.id}: ${description.title}`;
}

export function DiffView({ diff }: { diff: JourneyDiff }) {
  if (diff.identical)
    return (
      <p>
        Versions {diff.from} and {diff.to} are identical.
      </p>
    );
  return (
    <div className="diff" aria-live="polite">
      <h3>
        Changes from v{diff.from} to v{diff.to}
      </h3>
      {diff.envelope.length > 0 && (
        <>
          <h4>Journey settings</h4>
          <ChangeList changes={diff.envelope} />
        </>
      )}
      {diff.nodes.added.length > 0 && (
        <>
          <h4>Steps added</h4>
          <ul>
            {diff.nodes.added.map((node) => (
              <li key={nodeText(node)} className="added">
                {nodeText(node)}
              </li>
            ))}
          </ul>
        </>
      )}
      {diff.nodes.removed.length > 0 && (
        <>
          <h4>Steps removed</h4>
          <ul>
            {diff.nodes.removed.map((node) => (
              <li key={nodeText(node)} className="removed">
                {nodeText(node)}
              </li>
            ))}
          </ul>
        </>
      )}
      {diff.nodes.changed.length > 0 && (
        <>
          <h4>Steps changed</h4>
          {diff.nodes.changed.map((node) => (
            <div key={node.id}>
              <strong>
                {node.id} ({node.type})
              </strong>
              <ChangeList changes={node.changes} />
            </div>
          ))}
        </>
      )}
    </div>
  );
}

/** Every version of a journey, and a diff between any two. */
export function VersionHistory({ journeyId, versions }: { journeyId: string; versions: VersionSummary[] }) {
  const { client } = useSession();
  const numbers = versions.map((version) => version.version);
  const [from, setFrom] = useState(numbers.length > 1 ? numbers[numbers.length - 2]! : (numbers[0] ?? 1));
  const [to, setTo] = useState(numbers[numbers.length - 1] ?? 1);
  const [diff, setDiff] = useState<JourneyDiff | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fromId = useId();
  const toId = useId();

  async function compare(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      setDiff(await client.diff(journeyId, from, to));
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <section aria-labelledby="versions-heading">
      <h2 id="versions-heading">Version history</h2>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col">Drafted by</th>
            <th scope="col">Author</th>
            <th scope="col">Created</th>
            <th scope="col">Went live</th>
          </tr>
        </thead>
        <tbody>
          {[...versions].reverse().map((version) => (
            <tr key={version.id}>
              <th scope="row">v{version.version}</th>
              <td>
                <StatusBadge status={version.status} />
              </td>
              <td>{version.draftedBy}</td>
              <td>{personName(version.authorName, version.author)}</td>
              <td>
                <DateTime value={version.createdAt} />
              </td>
              <td>
                <DateTime value={version.activatedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {versions.length > 1 && (
        <form className="inline-form" onSubmit={compare} aria-label="Compare versions">
          <label htmlFor={fromId}>Compare version</label>
          <select id={fromId} value={from} onChange={(event) => setFrom(Number(event.target.value))}>
            {numbers.map((number) => (
              <option key={number} value={number}>
                v{number}
              </option>
            ))}
          </select>
          <label htmlFor={toId}>with</label>
          <select id={toId} value={to} onChange={(event) => setTo(Number(event.target.value))}>
            {numbers.map((number) => (
              <option key={number} value={number}>
                v{number}
              </option>
            ))}
          </select>
          <button type="submit" className="button secondary">
            Show changes
          </button>
        </form>
      )}
      <ErrorNotice error={error} title="The diff could not be loaded" />
      {diff && <DiffView diff={diff} />}
    </section>
  );
}
