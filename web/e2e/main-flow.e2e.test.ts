import { describe, expect, inject, it } from "vitest";
import type { ConsoleTab } from "./browser.ts";
import { consoleTabPerFile } from "./browser.ts";
import { segmentClient } from "./segment.ts";

/**
 * The console's main flow, as the people who use it go through it: a CX lead composes a goal with
 * the offline planner and sees the drafted canvas submitted for review; a reviewer approves it in
 * the inbox; a customer event sent with the Segment SDK becomes an email that shows in the
 * customer's timeline and in the outbox.
 */

const server = inject("overture");
const GOAL = "When a payment fails, email the customer right away asking them to update their card.";
const CUSTOMER = "e2e-payment-1";

let tab: ConsoleTab;
let approvalPath = "";
let journeyPath = "";

consoleTabPerFile(server, (opened) => {
  tab = opened;
});

describe("compose → approve → customer event → message", () => {
  it("a CX lead composes a goal and sees the offline planner's draft as a canvas, submitted for review", async () => {
    await tab.signIn("cx_lead");
    expect(new URL(tab.page.url()).pathname).toBe("/compose");
    await tab.screenshot("cx_lead-compose-empty");

    await tab.page.getByLabel("What should the journey achieve?").fill(GOAL);
    await tab.page.getByRole("button", { name: "Draft the journey" }).click();
    await tab.page.getByTestId("submitted").waitFor({ timeout: 60_000 });

    expect(await tab.page.getByTestId("model").textContent()).toContain("offline planner");
    const canvas = tab.page.getByRole("region", { name: "Canvas of the drafted journey" });
    await expect.poll(() => canvas.locator(".canvas-node").count()).toBeGreaterThanOrEqual(3);
    expect(await canvas.locator(".canvas-node.kind-trigger").textContent()).toContain("Payment Failed");
    expect(await canvas.locator(".canvas-node.kind-send").textContent()).toContain("EMAIL");
    expect(await tab.page.getByTestId("explanation").textContent()).toContain("Payment Failed");
    expect(await tab.page.getByTestId("simulation").textContent()).toMatch(/Of \d+ customers/);
    // the progress streamed in: tools/context, the validation round and the checks
    const progress = tab.page.getByRole("region", { name: /Progress/ });
    expect(await progress.textContent()).toContain("Validation round 1");
    expect(await progress.textContent()).toContain("Saved the draft and asked for review");

    approvalPath = new URL(
      (await tab.page.getByRole("link", { name: "Open the approval item" }).getAttribute("href")) ?? "",
      server.baseUrl,
    ).pathname;
    journeyPath = (await tab.page.getByRole("link", { name: "Open the journey" }).getAttribute("href")) ?? "";
    expect(approvalPath).toMatch(/^\/approvals\/apr_/);
    await tab.screenshot("cx_lead-compose-submitted");
    expect(await tab.accessibilityViolations()).toEqual([]);
    expect(tab.problems).toEqual([]);
  });

  it("a reviewer sees the proposal with its canvas in the inbox and approves it, and the journey goes live", async () => {
    await tab.signOut();
    await tab.signIn("reviewer");
    expect(new URL(tab.page.url()).pathname).toBe("/approvals");
    // the item the design was submitted as (the inbox may hold others)
    const item = tab.page.locator(`a.inbox-item[href^="${approvalPath}"]`);
    expect(await item.textContent()).toMatch(/Put “Payment Failed.*” version 1 live/);
    await item.click();
    await tab.page.getByRole("region", { name: "Canvas of the journey awaiting approval" }).waitFor();
    expect(new URL(tab.page.url()).pathname).toBe(approvalPath);
    expect(
      await tab.page
        .getByText(/expires in/)
        .first()
        .isVisible(),
    ).toBe(true);
    // people by name, not by key id (only admins may list keys)
    const proposed = await tab.page.locator(".approval-detail").textContent();
    expect(proposed).toContain("by demo cx_lead");
    expect(proposed).not.toMatch(/key_[a-z0-9]/);
    await tab.screenshot("reviewer-approvals-pending");

    await tab.page
      .getByLabel("Why (kept with the decision and in the audit log)")
      .fill("Service message, copy checked.");
    await tab.page.getByRole("button", { name: "Approve", exact: true }).click();
    await tab.page.getByText("Approved. The item is now accepted.").waitFor();
    expect(await tab.page.getByTestId("decision").textContent()).toContain("Service message, copy checked.");
    await tab.screenshot("reviewer-approvals-decided");

    await tab.goto(journeyPath);
    await tab.page.getByText("Live:").waitFor();
    expect(await tab.page.locator("main").textContent()).toMatch(/Live:\s*active\s*version 1/);
    expect(await tab.accessibilityViolations()).toEqual([]);
    expect(tab.problems).toEqual([]);
  });

  it("an event sent with the Segment SDK becomes an email in the customer's timeline and in the outbox", async () => {
    const segment = segmentClient(server.baseUrl, server.keys.ingest);
    await segment.identify(CUSTOMER, {
      email: "ada.example@example.org",
      first_name: "Ada",
      last_name: "Example",
      timezone: "Europe/Berlin",
      consent: { email: true },
    });
    await segment.track(CUSTOMER, "Payment Failed", {
      invoice_id: "inv-e2e-1",
      amount: 42,
      reason: "card_declined",
    });
    await segment.close();

    await tab.goto(journeyPath);
    // the live counts poll: the customer entered and the email went out
    await expect
      .poll(async () => tab.page.locator('.canvas-node.kind-send [data-metric="sent"]').textContent(), {
        timeout: 30_000,
        interval: 1000,
      })
      .toBe("1");
    await tab.screenshot("reviewer-journey-live-counts");

    await tab.goto(`/customers?q=${CUSTOMER}`);
    await tab.page.getByRole("link", { name: "Ada Example" }).click();
    await tab.page.getByRole("heading", { name: "Timeline" }).waitFor();
    const message = tab.page.locator('.timeline-item[data-kind="message"]').first();
    await expect
      .poll(
        async () => {
          if ((await message.count()) === 0) await tab.page.getByRole("button", { name: "Refresh" }).click();
          return message.count();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(1);
    expect(await message.textContent()).toContain("Your payment didn't go through");
    expect(await message.textContent()).toContain("ada.example@example.org");
    // the action with its policy verdicts, and the journey steps, are there too
    const action = tab.page.locator('.timeline-item[data-kind="action"]').first();
    expect(await action.textContent()).toContain("Payment Failed");
    await action.getByText(/Policy verdicts/).click();
    expect(await action.textContent()).toContain("consent");
    expect(await tab.page.locator('.timeline-item[data-kind="journey"]').count()).toBeGreaterThan(0);
    await tab.screenshot("reviewer-customer-timeline");

    await tab.goto(`/outbox?userId=${CUSTOMER}`);
    const row = tab.page.locator(".outbox-item").first();
    await row.waitFor();
    expect(await row.textContent()).toContain("Your payment didn't go through");
    expect(await row.textContent()).toContain("sandbox");
    await tab.screenshot("reviewer-outbox");
    expect(await tab.accessibilityViolations()).toEqual([]);
    expect(tab.problems).toEqual([]);
  });

  it("with AI-written content under review, a reviewer sees the message as the customer will and lets it go", async () => {
    // An admin turns on review of AI-written content in the policy editor; a typo is caught inline first.
    await tab.signOut();
    await tab.signIn("admin");
    await tab.goto("/policies");
    const start = tab.page.getByLabel("Quiet hours start", { exact: true });
    const end = tab.page.getByLabel("Quiet hours end", { exact: true });
    const original = await end.inputValue();
    // a slip: the window ends when it starts
    await end.fill(await start.inputValue());
    await tab.page.getByRole("button", { name: "Save as a new version" }).click();
    const inline = tab.page.locator(".field.invalid", { has: end }).locator(".field-errors");
    await inline.waitFor().catch(async (error: unknown) => {
      await tab.screenshot("failure-policies-invalid");
      const main = (await tab.page.locator("main").textContent())?.slice(0, 600);
      throw new Error(`no inline error after saving an invalid config; the page says: ${main}`, {
        cause: error,
      });
    });
    expect(await inline.textContent()).toContain("start and end are equal");
    expect(await end.getAttribute("aria-invalid")).toBe("true");
    await tab.screenshot("admin-policies-invalid");
    // the server's 400 is the validation this step provokes; nothing else may have failed
    expect([...tab.problems].sort()).toEqual([
      expect.stringMatching(/^HTTP 400: PUT .*\/api\/policies$/),
      expect.stringMatching(/^console error: Failed to load resource: .*400/),
    ]);
    tab.problems.length = 0;

    await end.fill(original);
    await tab.page.getByLabel("Content a model wrote waits for a person").check();
    await tab.page
      .getByLabel("Why this change (kept in the history and the audit log)")
      .fill("AI-written copy needs a person");
    await tab.page.getByRole("button", { name: "Save as a new version" }).click();
    await tab.page.getByText(/Saved as version \d+/).waitFor();

    // The customer's event: the journey's AI-written email now waits for a person.
    const segment = segmentClient(server.baseUrl, server.keys.ingest);
    await segment.identify("e2e-payment-2", {
      email: "grace.example@example.org",
      first_name: "Grace",
      last_name: "Example",
      consent: { email: true },
    });
    await segment.track("e2e-payment-2", "Payment Failed", {
      invoice_id: "inv-e2e-2",
      amount: 19,
      reason: "expired_card",
    });
    await segment.close();

    await tab.signOut();
    await tab.signIn("reviewer");
    await tab.goto("/approvals?status=pending&kind=action");
    const item = tab.page.getByRole("link", { name: /to e2e-payment-2/ });
    await expect
      .poll(
        async () => {
          if ((await item.count()) === 0) await tab.page.getByRole("button", { name: "Refresh" }).click();
          return item.count();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(1);
    await item.click();
    const why = tab.page.getByRole("region", { name: "Why a policy asked for review" });
    await why.waitFor();
    expect(await why.textContent()).toContain("approval");
    const preview = tab.page.getByRole("figure", { name: "Message preview" });
    expect(await preview.textContent()).toContain("Your payment didn't go through");
    expect(await preview.textContent()).toContain("grace.example@example.org");
    await tab.screenshot("reviewer-approvals-action");
    await tab.page.getByRole("button", { name: "Approve", exact: true }).click();
    await tab.page.getByText("Approved. The item is now accepted.").waitFor();

    await tab.goto("/outbox?userId=e2e-payment-2");
    await expect
      .poll(
        async () => {
          const rows = tab.page.locator(".outbox-item");
          if ((await rows.count()) === 0) await tab.page.getByRole("button", { name: "Refresh" }).click();
          return rows.count();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(1);
    expect(await tab.page.locator(".outbox-item").first().textContent()).toContain(
      "Your payment didn't go through",
    );
    expect(await tab.accessibilityViolations()).toEqual([]);
    expect(tab.problems).toEqual([]);
  });
});
