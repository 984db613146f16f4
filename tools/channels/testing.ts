import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { SMTPServer } from "smtp-server";
import { newId } from "../../db/ids.ts";
import type { Executor } from "../../db/open.ts";
import { actions, outbox } from "../../db/schema/actions.ts";
import { profiles } from "../../db/schema/profiles.ts";
import { workspaces } from "../../db/schema/workspaces.ts";
import { SIGNATURE_HEADER, verifySignature } from "./webhook.ts";

/**
 * Real receivers for channel tests (and for crash tests that count deliveries by idempotency key):
 * an SMTP server and an HTTP server that record what reached them. Plus seeding of the rows the
 * runtime would have written (workspace, profile, queued action, outbox row).
 */

// ─── Seeding ─────────────────────────────────────────────────────────────────────────────────────
export async function seedWorkspace(executor: Executor, name = "Channels test"): Promise<string> {
  const id = newId("ws");
  await executor.insert(workspaces).values({ id, name });
  return id;
}

export async function seedProfile(
  executor: Executor,
  workspaceId: string,
  input: { userId?: string; traits?: Record<string, unknown>; consent?: Record<string, boolean> } = {},
): Promise<number> {
  const [row] = await executor
    .insert(profiles)
    .values({
      workspaceId,
      userId: input.userId ?? newId("user"),
      traits: input.traits ?? {},
      consent: input.consent ?? {},
    })
    .returning({ id: profiles.id });
  return row!.id;
}

export interface EnqueueInput {
  workspaceId: string;
  profileId: number;
  channel: string;
  payload: Record<string, unknown>;
  kind?: "message" | "handoff" | "webhook" | "tool";
  /** when it becomes due (default: the database's now()) */
  at?: Date;
  journeyId?: string;
  versionId?: string;
  nodeId?: string;
  instanceId?: number;
}

/** What the runtime's gateway writes on `allow`: a queued action and its outbox row. */
export async function enqueue(
  executor: Executor,
  input: EnqueueInput,
): Promise<{ outboxId: number; actionId: number }> {
  const kind =
    input.kind ??
    (input.channel === "handoff" ? "handoff" : input.channel === "webhook" ? "webhook" : "message");
  const [action] = await executor
    .insert(actions)
    .values({
      workspaceId: input.workspaceId,
      profileId: input.profileId,
      kind,
      channel: input.channel,
      payload: input.payload,
      status: "queued",
      idempotencyKey: newId("idem"),
      journeyId: input.journeyId ?? null,
      versionId: input.versionId ?? null,
      nodeId: input.nodeId ?? null,
      instanceId: input.instanceId ?? null,
      ...(input.at ? { queuedAt: input.at, decidedAt: input.at } : {}),
    })
    .returning({ id: actions.id });
  const [row] = await executor
    .insert(outbox)
    .values({
      workspaceId: input.workspaceId,
      actionId: action!.id,
      profileId: input.profileId,
      channel: input.channel,
      payload: input.payload,
      ...(input.at ? { nextAttemptAt: input.at } : {}),
    })
    .returning({ id: outbox.id });
  return { outboxId: row!.id, actionId: action!.id };
}

// ─── SMTP ────────────────────────────────────────────────────────────────────────────────────────
export interface RecordedMail {
  from: string | null;
  to: string[];
  messageId: string | null;
  idempotencyKey: string | null;
  subject: string | null;
  raw: string;
}

export interface RecordingSmtpServer {
  url: string;
  port: number;
  messages: RecordedMail[];
  /** connections the server saw closing (an aborted delivery closes its connection) */
  closedConnections: number;
  /** decides the reply to RCPT TO: null accepts; an SMTP code rejects with it */
  rcptReply: (address: string) => number | null;
  /** holds the reply to RCPT TO until the promise settles (for abort tests: nothing was sent yet) */
  holdRcpt: (address: string) => Promise<unknown> | null;
  /**
   * holds the reply to a message whose DATA arrived (it is already recorded) until the promise
   * settles: a client that dies meanwhile never learns it was accepted (crash tests of that window)
   */
  holdData: (mail: RecordedMail) => Promise<unknown> | null;
  /** RCPT TO commands received */
  rcptReceived: number;
  /** messages whose DATA arrived in full */
  dataReceived: number;
  close(): Promise<void>;
}

function headerValue(raw: string, name: string): string | null {
  const headerBlock = raw.split(/\r?\n\r?\n/)[0] ?? "";
  const unfolded = headerBlock.replace(/\r?\n[ \t]+/g, " ");
  const pattern = new RegExp(`^${name}:\\s*(.*)$`, "im");
  return pattern.exec(unfolded)?.[1]?.trim() ?? null;
}

export async function startRecordingSmtpServer(): Promise<RecordingSmtpServer> {
  const recorder: RecordingSmtpServer = {
    url: "",
    port: 0,
    messages: [],
    closedConnections: 0,
    rcptReply: () => null,
    holdRcpt: () => null,
    holdData: () => null,
    rcptReceived: 0,
    dataReceived: 0,
    close: async () => undefined,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      recorder.rcptReceived += 1;
      const answer = () => {
        const code = recorder.rcptReply(address.address);
        if (code === null) return callback();
        const error = new Error(code >= 500 ? "mailbox unavailable" : "mailbox busy, try later") as Error & {
          responseCode: number;
        };
        error.responseCode = code;
        callback(error);
      };
      const hold = recorder.holdRcpt(address.address);
      if (hold) void hold.catch(() => undefined).then(answer);
      else answer();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const to = session.envelope.rcptTo.map((address) => address.address);
        recorder.dataReceived += 1;
        const mail: RecordedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to,
          messageId: headerValue(raw, "Message-ID"),
          idempotencyKey: headerValue(raw, "X-Overture-Idempotency-Key"),
          subject: headerValue(raw, "Subject"),
          raw,
        };
        recorder.messages.push(mail);
        const hold = recorder.holdData(mail);
        if (hold) void hold.catch(() => undefined).then(() => callback());
        else callback();
      });
    },
    onClose() {
      recorder.closedConnections += 1;
    },
  });
  // A client killed mid-dialogue resets its connection; that is the point of crash tests, not an error.
  server.on("error", (error: Error & { code?: string }) => {
    if (error.code !== "ECONNRESET" && error.code !== "EPIPE") console.error("[smtp test server]", error);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  recorder.port = port;
  recorder.url = `smtp://127.0.0.1:${port}`;
  recorder.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return recorder;
}

// ─── Webhook receiver ────────────────────────────────────────────────────────────────────────────
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  idempotencyKey: string | null;
  /** the signature verified against the receiver's secret (at the signed time) */
  signatureValid: boolean;
}

export interface WebhookReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** hold the response until this promise settles (for timeout, abort and lease tests) */
  hold?: Promise<unknown>;
}

export interface RecordingWebhookServer {
  url: string;
  requests: RecordedRequest[];
  /** requests whose connection closed before we answered them */
  abandoned: number;
  reply: (request: RecordedRequest, index: number) => WebhookReply;
  close(): Promise<void>;
}

export async function startRecordingWebhookServer(secret: string): Promise<RecordingWebhookServer> {
  const recorder: RecordingWebhookServer = {
    url: "",
    requests: [],
    abandoned: 0,
    reply: () => ({ status: 200, body: "ok" }),
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const signature = req.headers[SIGNATURE_HEADER.toLowerCase()];
      const header = Array.isArray(signature) ? signature[0] : signature;
      const signedAt = /t=(\d+)/.exec(header ?? "")?.[1];
      const key = req.headers["idempotency-key"];
      const request: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        idempotencyKey: Array.isArray(key) ? (key[0] ?? null) : (key ?? null),
        signatureValid: verifySignature(secret, header, body, {
          now: new Date(Number(signedAt ?? 0) * 1000),
        }),
      };
      recorder.requests.push(request);
      const reply = recorder.reply(request, recorder.requests.length - 1);
      let finished = false;
      res.on("close", () => {
        if (!finished) recorder.abandoned += 1;
      });
      if (reply.hold) await reply.hold.catch(() => undefined);
      if (res.destroyed) return;
      finished = true;
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  recorder.url = `http://127.0.0.1:${port}/hooks/overture`;
  recorder.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return recorder;
}

/** A port nothing listens on (bound, then released): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Waits until `condition` holds (polling), failing after `timeoutMs`: for effects on real servers. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A settable clock for dispatcher tests. */
export function fakeClock(start: Date | string) {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
    set(at: Date | string) {
      current = new Date(at).getTime();
    },
  };
}

/** A deferred promise: `release()` lets a held webhook reply go. */
export function gate() {
  let release: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}
