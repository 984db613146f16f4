import { DesignEvent } from "../api/schemas-design.ts";
import type { ServerSentEvent } from "../api/sse.ts";

/** The designer's progress as it streams: model turns, tools consulted, validation rounds, checks. */

export interface ProgressEntry {
  key: string;
  type: string;
  text: string;
}

function plural(count: number, one: string, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

/** Parses one SSE event into a line for the progress list (unknown types are shown by name). */
export function progressEntry(event: ServerSentEvent, index: number): ProgressEntry {
  let data: unknown = null;
  try {
    data = JSON.parse(event.data);
  } catch {
    data = null;
  }
  const withType =
    data && typeof data === "object" && !("type" in data) ? { ...data, type: event.event } : data;
  const key = event.id ?? `${index}`;
  const parsed = DesignEvent.safeParse(withType);
  if (!parsed.success) {
    const type =
      typeof (withType as { type?: unknown } | null)?.type === "string"
        ? String((withType as { type: string }).type)
        : event.event;
    return { key, type, text: type.replaceAll("_", " ") };
  }
  const item = parsed.data;
  switch (item.type) {
    case "model_call":
      return {
        key,
        type: "model",
        text: `Model turn ${item.call}${item.answer.length > 0 ? ` → ${item.answer.join(", ")}` : ""}${item.tokens ? ` (${item.tokens} tokens)` : ""}`,
      };
    case "tool_call":
      return { key, type: "tool", text: `Consulted ${item.name.replaceAll("_", " ")}` };
    case "tool_result":
      return {
        key,
        type: "tool",
        text: `${item.name.replaceAll("_", " ")} ${item.ok ? "answered" : "failed"}`,
      };
    case "validation_round":
      return {
        key,
        type: "validation",
        text: item.ok
          ? `Validation round ${item.round}: the draft is valid`
          : `Validation round ${item.round}: ${plural(item.errors, "error")} sent back for repair${item.issues[0] ? ` (first: ${item.issues[0].path} ${item.issues[0].message})` : ""}`,
      };
    case "lint":
      return {
        key,
        type: "lint",
        text: `Policy lint: ${plural(item.warnings, "warning")}${item.codes.length ? ` (${item.codes.join(", ")})` : ""}`,
      };
    case "conflicts":
      return {
        key,
        type: "conflicts",
        text: `Conflict check: ${plural(item.conflicts, "conflict")} with live journeys`,
      };
    case "simulation":
      return {
        key,
        type: "simulation",
        text: `Simulated ${item.customers} customers: ${item.entered} would enter`,
      };
    case "question":
      return { key, type: "question", text: `Asked: ${item.question}` };
    case "submitted":
      return { key, type: "submitted", text: `Submitted version ${item.version} for review` };
  }
}

export function ProgressList({ entries, live }: { entries: ProgressEntry[]; live: boolean }) {
  return (
    <section className="panel" aria-labelledby="progress-heading">
      <h2 id="progress-heading">Progress {live && <span className="muted small">(live)</span>}</h2>
      {entries.length === 0 ? (
        <p className="muted">{live ? "Waiting for the designer…" : "No progress recorded."}</p>
      ) : (
        <ol className="progress" aria-live="polite" aria-relevant="additions">
          {entries.map((entry) => (
            <li key={entry.key} data-type={entry.type}>
              {entry.text}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
