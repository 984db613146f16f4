import { z } from "zod";
import type { StreamEnd } from "./event-stream.ts";
import { abortedBy, readEventStream } from "./event-stream.ts";
import { ApiContractError, Http, path, withQuery } from "./http.ts";
import * as s from "./schemas.ts";
import * as design from "./schemas-design.ts";
import * as review from "./schemas-review.ts";
import type { ServerSentEvent } from "./sse.ts";

/**
 * The management API as the console uses it: one method per endpoint, each parsing its answer.
 * Paths and shapes follow /openapi.json; web/ imports nothing from the server (dependency rule).
 */
export class ApiClient {
  readonly http: Http;

  constructor(key: string, options: { baseUrl?: string; onUnauthorized?: () => void } = {}) {
    this.http = new Http({ key, ...options });
  }

  workspace() {
    return this.http.get("/api/workspace", s.Workspace);
  }

  // ─── journeys ────────────────────────────────────────────────────────────────────────────────
  journeys() {
    return this.http.get("/api/journeys", s.JourneyList);
  }
  journey(id: string) {
    return this.http.get(path`/api/journeys/${id}`, s.JourneyDetail);
  }
  version(id: string, version: number) {
    return this.http.get(path`/api/journeys/${id}/versions/${version}`, s.VersionAnswer);
  }
  stats(id: string, version?: number) {
    return this.http.get(path`/api/journeys/${id}/stats`, s.JourneyStats, { version });
  }
  diff(id: string, from: number, to: number) {
    return this.http.get(path`/api/journeys/${id}/versions/${from}/diff/${to}`, s.JourneyDiff);
  }
  transition(id: string, version: number, to: "pause" | "resume") {
    return this.http.post(path`/api/journeys/${id}/versions/${version}/${to}`, s.TransitionAnswer);
  }
  activate(id: string, version: number) {
    return this.http.post(
      path`/api/journeys/${id}/versions/${version}/activate`,
      z.object({ outcome: z.string(), approvalId: z.string().optional(), reason: z.string().optional() }),
    );
  }

  // ─── customers ───────────────────────────────────────────────────────────────────────────────
  profiles(query: { q?: string; limit?: number; cursor?: string }) {
    return this.http.get("/api/profiles", s.ProfilePage, query);
  }
  profile(userId: string) {
    return this.http.get(path`/api/profiles/${userId}`, z.object({ profile: s.Profile }));
  }
  timeline(userId: string, query: { limit?: number; cursor?: string; kinds?: string } = {}) {
    return this.http.get(path`/api/profiles/${userId}/timeline`, s.TimelinePage, query);
  }

  // ─── outbox ──────────────────────────────────────────────────────────────────────────────────
  outbox(query: { channel?: string; status?: string; userId?: string; limit?: number; cursor?: string }) {
    return this.http.get("/api/outbox", s.OutboxPage, query);
  }
  deadLetters(query: { limit?: number; cursor?: string } = {}) {
    return this.http.get("/api/outbox/dead", s.OutboxPage, query);
  }
  retryDeadLetter(id: number) {
    return this.http.post(path`/api/outbox/${id}/retry`, z.object({ item: s.OutboxItem }));
  }
  // ─── the designer ────────────────────────────────────────────────────────────────────────────
  createDesign(goal: string) {
    return this.http.post("/api/designs", design.DesignAnswer, { goal });
  }
  designs(query: { status?: string; limit?: number } = {}) {
    return this.http.get("/api/designs", design.DesignPage, query);
  }
  design(id: string) {
    return this.http.get(path`/api/designs/${id}`, design.DesignAnswer);
  }
  answerDesign(id: string, answer: string) {
    return this.http.post(path`/api/designs/${id}/answer`, design.DesignAnswer, { answer });
  }
  /**
   * Follows the design's event stream from after `after` (its sequence number) as it happens,
   * until the server ends it because the design waits for a person or has finished. `signal`
   * aborts it (leaving the page); see event-stream.ts for why fetch and not EventSource.
   */
  async followDesignEvents(
    id: string,
    after: number,
    options: { signal: AbortSignal; onEvent: (event: ServerSentEvent) => void },
  ): Promise<StreamEnd> {
    const target = withQuery(path`/api/designs/${id}/events`, { after: after > 0 ? after : undefined });
    let response: Response;
    try {
      response = await fetch(this.http.url(target), {
        headers: this.http.headers({ accept: "text/event-stream" }),
        cache: "no-store",
        signal: options.signal,
      });
    } catch (error) {
      if (abortedBy(error, options.signal)) return { kind: "aborted" };
      throw error;
    }
    if (!response.ok || !response.body) {
      // an error answer is JSON; parse() turns it into the API's error
      await this.http.parse(response, target, z.unknown());
      throw new ApiContractError(target, "an event stream without a body");
    }
    return readEventStream(response.body, options.onEvent, options.signal);
  }

  // ─── approvals and policies ──────────────────────────────────────────────────────────────────
  approvals(query: { status?: string; kind?: string; designId?: string; limit?: number; cursor?: string }) {
    return this.http.get("/api/approvals", review.ApprovalPage, query);
  }
  approval(id: string) {
    return this.http.get(path`/api/approvals/${id}`, review.ApprovalAnswer);
  }
  respond(id: string, body: review.ApprovalResponseBody) {
    return this.http.post(path`/api/approvals/${id}/respond`, review.ApprovalDecided, body);
  }
  policies() {
    return this.http.get("/api/policies", review.PolicyState);
  }
  policyVersion(version: number) {
    return this.http.get(path`/api/policies/versions/${version}`, review.PolicySaved);
  }
  savePolicies(config: Record<string, unknown>, note?: string) {
    return this.http.put("/api/policies", review.PolicySaved, { config, ...(note ? { note } : {}) });
  }
  lint(definition: unknown) {
    return this.http.post("/api/policies/lint", review.LintResult, { definition });
  }

  conflicts() {
    return this.http.get("/api/conflicts", review.ConflictList);
  }

  handoffs(query: { status?: string; limit?: number; cursor?: string } = {}) {
    return this.http.get("/api/handoffs", s.HandoffPage, query);
  }
  /** Claim (for the calling key's name), release, or complete with a note of what was done. */
  updateHandoff(
    id: number,
    update: { action: "claim" } | { action: "release" } | { action: "complete"; note: string },
  ) {
    return this.http.post(path`/api/handoffs/${id}`, z.object({ task: s.HandoffTask }), update);
  }
}

/** Reads /openapi.json (public: it is what /docs shows) to learn what the role may do. */
export async function fetchOpenApi(baseUrl = ""): Promise<unknown> {
  const response = await fetch(`${baseUrl}/openapi.json`, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`the API description could not be loaded (HTTP ${response.status})`);
  return response.json();
}
