import { z } from "zod";
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
  if (!parsed.success) return lifecycleEntry(key, event.event, withType);
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

/** What each graph node does, in the words of the progress list. */
const NODE_STEPS: Record<string, string> = {
  gather_context: "Read the catalog, policies, live journeys and similar past journeys",
  draft_journey: "Drafted",
  run_tools: "Looked up workspace data",
  ask_user: "Asked you a question",
  check_draft: "Validated the draft",
  lint_policies: "Checked the draft against the workspace policies",
  check_conflicts: "Checked for conflicts with live journeys",
  simulate_sample: "Simulated real customers through the draft",
  submit_for_approval: "Saved the draft and asked for review",
  await_review: "Waited for the reviewer",
  activate_journey: "Put the approved journey live",
  reject_design: "Stopped: the reviewer rejected the draft",
  stop_design: "Stopped",
  fail_design: "Gave up: no valid journey within the budget",
};

const Lifecycle = z.object({
  node: z.string().optional(),
  status: z.string().optional(),
  model: z.string().optional(),
  message: z.string().optional(),
  error: z.string().optional(),
  waitingFor: z.array(z.object({ kind: z.string() }).loose()).optional(),
});

/** The service's own events (created, step, interrupt, status, answer, review, error). */
function lifecycleEntry(key: string, type: string, data: unknown): ProgressEntry {
  const parsed = Lifecycle.safeParse(data);
  const value = parsed.success ? parsed.data : {};
  switch (type) {
    case "created":
      return { key, type, text: `Started${value.model ? ` with ${value.model}` : ""}` };
    case "step":
      return { key, type, text: (value.node && NODE_STEPS[value.node]) ?? `Step ${value.node ?? ""}`.trim() };
    case "interrupt": {
      const kinds = (value.waitingFor ?? []).map((entry) => entry.kind);
      return {
        key,
        type,
        text: kinds.includes("approval") ? "Waiting for a reviewer's decision" : "Waiting for your answer",
      };
    }
    case "status":
      return { key, type, text: `Status: ${(value.status ?? "changed").replaceAll("_", " ")}` };
    case "answer":
      return { key, type, text: "Your answer was received" };
    case "review":
      return { key, type, text: `Reviewer decided${value.status ? `: ${value.status}` : ""}` };
    case "error":
      return { key, type, text: `Error: ${value.message ?? value.error ?? "the run failed"}` };
    default:
      return { key, type, text: type.replaceAll("_", " ") };
  }
}

/** Where the design's event stream is: open and live, or resting until the design moves. */
export type StreamPhase =
  | { kind: "connecting" }
  | { kind: "live" }
  | { kind: "waiting"; status: string }
  | { kind: "done"; status: string }
  | { kind: "retrying" };

/** What the stream is doing, in a few words beside the heading. */
export function phaseText(phase: StreamPhase): string {
  switch (phase.kind) {
    case "connecting":
      return "connecting…";
    case "live":
      return "live";
    case "waiting":
      return phase.status === "clarifying" ? "waiting for your answer" : "waiting for a reviewer";
    case "done":
      return "finished";
    case "retrying":
      return "reconnecting…";
  }
}

export function ProgressList({ entries, phase }: { entries: ProgressEntry[]; phase: StreamPhase }) {
  const running = phase.kind === "connecting" || phase.kind === "live" || phase.kind === "retrying";
  return (
    <section className="panel" aria-labelledby="progress-heading">
      <h2 id="progress-heading">
        Progress{" "}
        <span className={`stream-phase phase-${phase.kind}`} data-testid="stream-phase">
          ({phaseText(phase)})
        </span>
      </h2>
      {entries.length === 0 ? (
        <p className="muted">{running ? "Waiting for the designer…" : "No progress recorded."}</p>
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
