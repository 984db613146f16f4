import type { ReactNode } from "react";
import { useEffect, useRef } from "react";
import { describeError } from "../api/http.ts";

/** Small shared pieces of the console's pages. */

/** The page's one h1; it takes focus after a navigation so screen readers announce the new page. */
export function PageHeading({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (document.body.dataset.navigated === "true") ref.current?.focus();
  }, []);
  return (
    <div className="page-heading">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}

export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <div className="notice notice-error" role="alert">
      {title && <strong>{title}: </strong>}
      {describeError(error)}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export type Tone = "good" | "info" | "warn" | "bad" | "muted";

const STATUS_TONES: Record<string, Tone> = {
  active: "good",
  accepted: "good",
  edited: "good",
  sent: "good",
  delivered: "good",
  allow: "good",
  completed: "good",
  queued: "info",
  pending: "warn",
  pending_approval: "warn",
  review: "warn",
  defer: "warn",
  deferred: "warn",
  held: "warn",
  paused: "warn",
  draft: "info",
  responded: "info",
  running: "info",
  waiting: "info",
  deny: "bad",
  denied: "bad",
  dead: "bad",
  failed: "bad",
  ignored: "bad",
  expired: "muted",
  withdrawn: "muted",
  archived: "muted",
  cancelled: "muted",
  // designs
  clarifying: "warn",
  awaiting_approval: "warn",
  activated: "good",
  rejected: "bad",
  stopped: "muted",
  // hand-off tasks
  open: "warn",
  claimed: "info",
  done: "good",
};

export function StatusBadge({ status, label, tone: given }: { status: string; label?: string; tone?: Tone }) {
  const tone = given ?? STATUS_TONES[status] ?? "muted";
  return <span className={`badge tone-${tone}`}>{label ?? status.replaceAll("_", " ")}</span>;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

export function DateTime({ value }: { value: string | null | undefined }) {
  if (!value) return <span>—</span>;
  return <time dateTime={value}>{formatDateTime(value)}</time>;
}

/** "in 3 h", "2 days ago": for expiry and recency */
export function relativeTime(iso: string, now: Date = new Date()): string {
  const diff = new Date(iso).getTime() - now.getTime();
  const abs = Math.abs(diff);
  const units: Array<[number, string]> = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
  ];
  for (const [size, unit] of units) {
    if (abs >= size) {
      const count = Math.round(abs / size);
      const text = `${count} ${unit}${count === 1 ? "" : "s"}`;
      return diff >= 0 ? `in ${text}` : `${text} ago`;
    }
  }
  return diff >= 0 ? "in under a minute" : "just now";
}

export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  return (
    <section aria-label={label}>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
      <pre className="json" tabIndex={0}>
        {JSON.stringify(value, null, 2)}
      </pre>
    </section>
  );
}

/**
 * Who did something, as a person reads it: the key's name when the API knows it, else what the
 * API reported (a key id, or an actor such as "human").
 */
export function personName(name: string | null | undefined, id: string | null | undefined): string {
  return name ?? id ?? "—";
}

/** A polite live region for results of actions (saved, approved, …). */
export function StatusMessage({ children }: { children: ReactNode }) {
  return (
    <p className="notice notice-success" role="status">
      {children}
    </p>
  );
}
