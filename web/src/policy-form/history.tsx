import { useState } from "react";
import type { PolicyVersionMeta } from "../api/schemas-review.ts";
import { DateTime, ErrorNotice, Loading, personName } from "../components/ui.tsx";
import { useAsync } from "../hooks.ts";
import { useSession } from "../session/session.tsx";
import type { Json } from "./draft.ts";
import { configChanges, configDraft } from "./draft.ts";

/** Every saved version: when, who (by name), why, and on request what changed from the one before. */

function show(value: Json | undefined): string {
  if (value === undefined) return "(not set)";
  if (Array.isArray(value) && value.every((item) => typeof item !== "object" || item === null)) {
    return value.length === 0 ? "(none)" : value.join(", ");
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** `$.quiet_hours.per_channel.sms.end` → "quiet hours › per channel › sms › end" */
export function readablePath(path: string): string {
  return path
    .replace(/^\$\.(config\.)?/, "")
    .replace(/\[(\d+)\]/g, " › $1")
    .split(".")
    .map((part) => part.replaceAll("_", " "))
    .join(" › ");
}

function Changes({ version }: { version: number }) {
  const { client } = useSession();
  const compared = useAsync(async () => {
    const [before, after] = await Promise.all([
      client.policyVersion(version - 1),
      client.policyVersion(version),
    ]);
    return configChanges(configDraft(before.config), configDraft(after.config));
  }, [client, version]);
  if (compared.error)
    return <ErrorNotice error={compared.error} title="The versions could not be compared" />;
  if (!compared.data) return <Loading what="the changes" />;
  if (compared.data.length === 0) return <p className="small">Saved without changes.</p>;
  return (
    <ul className="change-list diff" aria-label={`Changes in version ${version}`}>
      {compared.data.map((change) => (
        <li key={change.path}>
          <strong>{readablePath(change.path)}</strong>: <del>{show(change.before)}</del> →{" "}
          <ins>{show(change.after)}</ins>
        </li>
      ))}
    </ul>
  );
}

export function PolicyHistory({ history }: { history: readonly PolicyVersionMeta[] }) {
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  if (history.length === 0) {
    return (
      <p className="muted">
        Nothing saved yet: the safe baseline applies (consent for email, SMS and push; quiet hours 21:00–08:00
        for SMS and push). An admin's first save becomes version 1.
      </p>
    );
  }
  return (
    <table className="data-table history-table">
      <caption className="visually-hidden">Saved versions of the policy config, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Saved</th>
          <th scope="col">By</th>
          <th scope="col">Why</th>
          <th scope="col">What changed</th>
        </tr>
      </thead>
      <tbody>
        {history.map((entry) => (
          <tr key={entry.version} data-version={entry.version}>
            <th scope="row">v{entry.version}</th>
            <td>
              <DateTime value={entry.createdAt} />
            </td>
            <td>{personName(entry.createdByName, entry.createdBy)}</td>
            <td>{entry.note ?? <span className="muted">—</span>}</td>
            <td>
              {open.has(entry.version) ? (
                <Changes version={entry.version} />
              ) : (
                <button
                  type="button"
                  className="button link"
                  onClick={() => setOpen(new Set([...open, entry.version]))}
                >
                  Show changes <span className="visually-hidden">in version {entry.version}</span>
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
