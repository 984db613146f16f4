import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboundMessage } from "./channel.ts";
import type { RecordingWebhookServer } from "./testing.ts";
import { startRecordingWebhookServer } from "./testing.ts";
import { createWebhookAdapter, signPayload, verifySignature } from "./webhook.ts";

const SECRET = "whsec_round_trip";
const SENT_AT = new Date("2026-05-04T12:00:00.000Z");

let receiver: RecordingWebhookServer;
beforeAll(async () => {
  receiver = await startRecordingWebhookServer(SECRET);
});
afterAll(async () => {
  await receiver?.close();
});

function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    outboxId: 42,
    actionId: 7,
    workspaceId: "ws_demo",
    profileId: 3,
    userId: "user-3",
    channel: "webhook",
    to: null,
    content: null,
    offer: null,
    category: null,
    handoff: null,
    request: { url: receiver.url, body: { event: "loyalty_upgrade", tier: "gold" } },
    origin: { journeyId: "jrn_1", versionId: "ver_1", nodeId: "notify_crm", instanceId: 9 },
    payload: {},
    config: {},
    ...overrides,
  };
}

describe("webhook signature", () => {
  it("round-trips: what the adapter sends verifies at the receiver with the same secret", async () => {
    const adapter = createWebhookAdapter({ secret: SECRET, now: () => SENT_AT });
    const outcome = await adapter.deliver(message(), {
      idempotencyKey: "42",
      signal: new AbortController().signal,
    });
    expect(outcome.status).toBe("delivered");
    const request = receiver.requests.at(-1)!;
    const header = request.headers["x-overture-signature"] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(header.startsWith(`t=${SENT_AT.getTime() / 1000},`)).toBe(true);
    expect(verifySignature(SECRET, header, request.body, { now: SENT_AT })).toBe(true);
    expect(request.headers["idempotency-key"]).toBe("42");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(request.body)).toEqual({
      id: "42",
      type: "overture.action",
      sent_at: SENT_AT.toISOString(),
      workspace_id: "ws_demo",
      user_id: "user-3",
      channel: "webhook",
      journey: { id: "jrn_1", version_id: "ver_1", node_id: "notify_crm" },
      data: { event: "loyalty_upgrade", tier: "gold" },
    });
  });

  it("is HMAC-SHA256 over '<t>.<body>', as Stripe's scheme", () => {
    const body = '{"a":1}';
    const expected = createHmac("sha256", SECRET).update(`1700000000.${body}`).digest("hex");
    expect(signPayload(SECRET, body, 1_700_000_000)).toBe(`t=1700000000,v1=${expected}`);
  });

  it("rejects a tampered body, a wrong secret, a stale timestamp and malformed headers", () => {
    const body = JSON.stringify({ id: "1", data: { amount: 10 } });
    const at = new Date("2026-01-01T00:00:00Z");
    const header = signPayload(SECRET, body, at.getTime() / 1000);
    expect(verifySignature(SECRET, header, body, { now: at })).toBe(true);
    expect(verifySignature(SECRET, header, body.replace("10", "1000"), { now: at })).toBe(false);
    expect(verifySignature("another-secret", header, body, { now: at })).toBe(false);
    expect(verifySignature(SECRET, header, body, { now: new Date(at.getTime() + 301_000) })).toBe(false);
    expect(verifySignature(SECRET, header, body, { now: new Date(at.getTime() + 299_000) })).toBe(true);
    expect(
      verifySignature(SECRET, header, body, { now: new Date(at.getTime() + 301_000), toleranceSeconds: 0 }),
    ).toBe(true);
    for (const bad of [
      undefined,
      "",
      "v1=abc",
      `t=${at.getTime() / 1000}`,
      "t=x,v1=zz",
      header.replace("v1=", "v0="),
    ]) {
      expect(verifySignature(SECRET, bad, body, { now: at })).toBe(false);
    }
  });

  it("accepts any of several v1 signatures, so a secret can be rotated", () => {
    const body = "{}";
    const t = 1_767_225_600;
    const old = signPayload("old-secret", body, t).split(",")[1]!;
    const current = signPayload(SECRET, body, t);
    expect(verifySignature(SECRET, `${current},${old}`, body, { now: new Date(t * 1000) })).toBe(true);
    expect(verifySignature("old-secret", `${current},${old}`, body, { now: new Date(t * 1000) })).toBe(true);
  });
});
