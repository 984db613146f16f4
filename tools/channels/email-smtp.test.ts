import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboundMessage } from "./channel.ts";
import { ChannelError } from "./channel.ts";
import { createSmtpAdapter, htmlBody, messageIdFor, senderDomain } from "./email-smtp.ts";
import type { RecordingSmtpServer } from "./testing.ts";
import { startRecordingSmtpServer } from "./testing.ts";

let smtp: RecordingSmtpServer;
beforeAll(async () => {
  smtp = await startRecordingSmtpServer();
});
afterAll(async () => {
  await smtp?.close();
});

function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    outboxId: 1001,
    actionId: 77,
    workspaceId: "ws_demo",
    profileId: 5,
    userId: "user-5",
    channel: "email",
    to: "grace@example.com",
    content: {
      subject: "10% off what you left behind",
      body: "Hi Grace,\n\nyour cart is waiting <3 & so is 10% off.\nSee you soon.",
      cta_url: "https://shop.example/cart?x=1&y=2",
    },
    offer: { kind: "percent_off", value: 10, code: "COMEBACK10" },
    category: "promotional",
    handoff: null,
    request: null,
    origin: { journeyId: null, versionId: null, nodeId: null, instanceId: null },
    payload: {},
    config: {},
    ...overrides,
  };
}

const live = { signal: new AbortController().signal };

describe("SMTP adapter", () => {
  it("sends subject, text and HTML bodies with a Message-ID and header derived from the idempotency key", async () => {
    const adapter = createSmtpAdapter({ url: smtp.url, from: "Demo Store <news@store.example>" });
    const outcome = await adapter.deliver(message(), { idempotencyKey: "1001", ...live });
    expect(outcome).toEqual({
      status: "delivered",
      providerMessageId: "<outbox-1001.ws_demo@store.example>",
    });
    const mail = smtp.messages.at(-1)!;
    expect(mail.from).toBe("news@store.example");
    expect(mail.to).toEqual(["grace@example.com"]);
    expect(mail.subject).toBe("10% off what you left behind");
    expect(mail.messageId).toBe("<outbox-1001.ws_demo@store.example>");
    expect(mail.idempotencyKey).toBe("1001");
    expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(mail.raw).toMatch(/Content-Type: text\/plain/i);
    expect(mail.raw).toMatch(/Content-Type: text\/html/i);
  });

  it("a workspace's channel config may set the sender", async () => {
    const adapter = createSmtpAdapter({ url: smtp.url, from: "Default <a@default.example>" });
    await adapter.deliver(message({ config: { from: "Brand <hello@brand.example>" } }), {
      idempotencyKey: "1002",
      ...live,
    });
    const mail = smtp.messages.at(-1)!;
    expect(mail.from).toBe("hello@brand.example");
    expect(mail.messageId).toBe("<outbox-1002.ws_demo@brand.example>");
  });

  it("refuses an SMTP_URL that is not smtp:// or smtps:// at construction", () => {
    expect(() => createSmtpAdapter({ url: "http://mail.example", from: "a@b.example" })).toThrow(
      ChannelError,
    );
    expect(() => createSmtpAdapter({ url: "not a url", from: "a@b.example" })).toThrow(/SMTP_URL/);
  });

  it("renders HTML safely: escaped text, paragraphs, line breaks, an http(s) link only", () => {
    const html = htmlBody("a <b> & c\nnext\n\nsecond", "javascript:alert(1)");
    expect(html).toContain("<p>a &#60;b&#62; &#38; c<br>next</p>");
    expect(html).toContain("<p>second</p>");
    expect(html).not.toContain("javascript:");
    expect(htmlBody("x", 'https://a.example/?q="1"')).toContain('href="https://a.example/?q=&#34;1&#34;"');
  });

  it("derives stable Message-IDs in the sender's domain", () => {
    expect(senderDomain("Shop <news@shop.example>")).toBe("shop.example");
    expect(senderDomain("plain@mail.example")).toBe("mail.example");
    expect(senderDomain("no address")).toBe("overture.local");
    expect(messageIdFor("17", "ws_a", "x@shop.example")).toBe(messageIdFor("17", "ws_a", "y@shop.example"));
    expect(messageIdFor("17", "ws_a", "x@shop.example")).not.toBe(
      messageIdFor("18", "ws_a", "x@shop.example"),
    );
    expect(messageIdFor("a b<c>", "ws", "x@d.example")).toBe("<outbox-a_b_c_.ws@d.example>");
  });
});
