import { beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { handoffTaskOf, liveJourney, refused } from "./api.ts";
import type { ConsoleTab } from "./browser.ts";
import { consoleTabPerFile } from "./browser.ts";
import { segmentClient } from "./segment.ts";

/**
 * The work people do behind the journeys: a hand-off task taken from the queue with the customer's
 * context in view, claimed, released, claimed again and completed with a note; and a reviewer who
 * edits a held message before approving it — first with an edit the policies refuse (the verdicts
 * are shown), then with one they accept, which is the text the customer gets.
 */

const server = inject("overture");
const HANDOFF_CUSTOMER = "e2e-handoff-1";
const EDIT_CUSTOMER = "e2e-edit-1";

let tab: ConsoleTab;

consoleTabPerFile(server, (opened) => {
  tab = opened;
});

describe("a hand-off task is work", () => {
  beforeAll(async () => {
    await liveJourney(server, {
      name: "Delivery delay call-back",
      description: "A person calls customers whose delivery is late.",
      trigger: { type: "event", event: "Delivery Delayed" },
      start: "call",
      nodes: [
        {
          id: "call",
          type: "handoff",
          label: "Call about the delay",
          queue: "care_team",
          priority: "high",
          instructions: "Apologise for the late delivery and agree a new delivery date.",
          next: "done",
        },
        { id: "done", type: "exit", reason: "finished" },
      ],
    });
    const segment = segmentClient(server.baseUrl, server.keys.ingest);
    await segment.identify(HANDOFF_CUSTOMER, {
      email: "lin.example@example.org",
      first_name: "Lin",
      last_name: "Handoff",
      tier: "vip",
      lifetime_value: 820,
      timezone: "Europe/Berlin",
    });
    await segment.track(HANDOFF_CUSTOMER, "Order Completed", { order_id: "ord-e2e-7", total: 129 });
    await segment.track(HANDOFF_CUSTOMER, "Delivery Delayed", { order_id: "ord-e2e-7", days_late: 3 });
    await segment.close();
    await handoffTaskOf(server, HANDOFF_CUSTOMER);
  });

  it("shows who, why, what happened and what to do; is claimed, released, claimed and completed with a note", async () => {
    await tab.signIn("cx_lead");
    await tab.goto("/outbox?view=handoffs&status=open");
    const item = tab.page.locator("a.inbox-item", { hasText: "Lin Handoff" });
    await item.click();
    const detail = tab.page.getByRole("article");
    await detail.getByRole("heading", { name: "Lin Handoff: care team" }).waitFor();
    expect(await detail.getByTestId("handoff-instructions").textContent()).toBe(
      "Apologise for the late delivery and agree a new delivery date.",
    );
    // why: the journey and the step that asked, the event that started it
    const why = detail.getByRole("region", { name: "Why" });
    expect(await why.textContent()).toContain("Delivery delay call-back");
    expect(await why.textContent()).toContain("Delivery Delayed");
    expect(await why.textContent()).toContain("ord-e2e-7");
    // who, and what they did
    const who = detail.getByRole("region", { name: "Who" });
    expect(await who.textContent()).toContain("vip");
    expect(await who.textContent()).toContain("820");
    const events = detail.getByRole("region", { name: "What the customer did lately" });
    expect(await events.textContent()).toContain("Order Completed");
    await tab.screenshot("cx_lead-handoff-open");
    expect(await tab.accessibilityViolations()).toEqual([]);

    await detail.getByRole("button", { name: "Claim" }).click();
    await tab.page.getByText(/Claimed: it is yours\. Task \d+ is now claimed\./).waitFor();
    expect(await detail.textContent()).toContain("claimed by demo cx_lead");
    await detail.getByRole("button", { name: "Release" }).click();
    await tab.page.getByText(/Released: back in the queue\. Task \d+ is now open\./).waitFor();
    await detail.getByRole("button", { name: "Claim" }).click();
    await tab.page.getByText(/is now claimed/).waitFor();

    await detail.getByRole("button", { name: "Complete with a note…" }).click();
    await detail.getByRole("button", { name: "Mark as done" }).click();
    // an empty note is caught here, before any request
    await detail.getByText("Say what was done").waitFor();
    await detail.getByLabel("What was done").fill("Called Lin: new delivery on Friday, shipping refunded.");
    await detail.getByRole("button", { name: "Mark as done" }).click();
    await tab.page.getByText(/Done\. Task \d+ is now done\./).waitFor();
    // the customer's story leads to the task, now done, with its note
    await tab.goto(`/customers/${HANDOFF_CUSTOMER}`);
    await tab.page.getByRole("link", { name: "Open the task" }).first().click();
    await tab.page.getByTestId("handoff-note").waitFor();
    expect(await tab.page.getByTestId("handoff-note").textContent()).toContain("demo cx_lead on");
    expect(await tab.page.getByTestId("handoff-note").textContent()).toContain(
      "Called Lin: new delivery on Friday, shipping refunded.",
    );
    expect(await tab.page.getByRole("button", { name: "Claim" }).count()).toBe(0);
    await tab.screenshot("cx_lead-handoff-done");
    expect(await tab.accessibilityViolations()).toEqual([]);
    expect(tab.problems).toEqual([]);
  });

  it("lets a viewer read a task but not work it", async () => {
    await tab.signOut();
    await tab.signIn("viewer");
    await tab.goto("/outbox?view=handoffs");
    await tab.page.locator("a.inbox-item", { hasText: "Lin Handoff" }).click();
    await tab.page.getByRole("region", { name: "Who" }).waitFor();
    expect(await tab.page.getByRole("button", { name: /Claim|Release|Complete/ }).count()).toBe(0);
    expect(tab.problems).toEqual([]);
  });
});

const PolicyState = z.object({ config: z.record(z.string(), z.unknown()) });

describe("a reviewer edits a held message before approving it", () => {
  beforeAll(async () => {
    // Offers above 40 % wait for a person (nothing else in the demo offers that much).
    const current = PolicyState.parse(
      await (
        await fetch(`${server.baseUrl}/api/policies`, {
          headers: { authorization: `Bearer ${server.keys.admin}` },
        })
      ).json(),
    );
    const approvals = {
      ...(current.config.approvals as Record<string, unknown>),
      offer_above: { percent: 40 },
    };
    const saved = await fetch(`${server.baseUrl}/api/policies`, {
      method: "PUT",
      headers: { authorization: `Bearer ${server.keys.admin}`, "content-type": "application/json" },
      body: JSON.stringify({
        config: { ...current.config, approvals },
        note: "test set-up: big offers need a person",
      }),
    });
    expect(saved.status).toBe(200);
    await liveJourney(server, {
      name: "Refund goodwill",
      trigger: { type: "event", event: "Refund Issued" },
      start: "sorry",
      nodes: [
        {
          id: "sorry",
          type: "send",
          channel: "email",
          content: {
            subject: "We are sorry",
            body: "Sorry about your return. Here is 50% off your next order.",
          },
          offer: { kind: "percent_off", value: 50, code: "SORRY50" },
          next: "done",
        },
        { id: "done", type: "exit", reason: "finished" },
      ],
    });
    const segment = segmentClient(server.baseUrl, server.keys.ingest);
    await segment.identify(EDIT_CUSTOMER, {
      email: "eda.example@example.org",
      first_name: "Eda",
      last_name: "Edited",
      consent: { email: true },
    });
    await segment.track(EDIT_CUSTOMER, "Refund Issued", { order_id: "ord-e2e-9", amount: 40 });
    await segment.close();
    // the approval item exists before the browser looks (the worker parks the action)
    const deadline = Date.now() + 30_000;
    for (;;) {
      const page = await refused(
        server,
        server.keys.reviewer,
        "GET",
        "/api/approvals?status=pending&kind=action",
      );
      const items = z
        .object({
          items: z.array(
            z.object({ action: z.object({ userId: z.string().nullable() }).nullable() }).loose(),
          ),
        })
        .parse(page.body);
      if (items.items.some((item) => item.action?.userId === EDIT_CUSTOMER)) break;
      if (Date.now() > deadline) throw new Error("the goodwill email was not held for review");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  it("shows the refused edit's verdicts, then sends the accepted edit to the customer", async () => {
    await tab.signOut();
    await tab.signIn("reviewer");
    await tab.goto("/approvals?status=pending&kind=action");
    await tab.page.getByRole("link", { name: /to e2e-edit-1/ }).click();
    const preview = tab.page.getByRole("figure", { name: "Message preview" });
    await preview.waitFor();
    expect(await preview.textContent()).toContain("Here is 50% off your next order.");
    expect(
      await tab.page.getByRole("region", { name: "Why a policy asked for review" }).textContent(),
    ).toContain("approval");

    await tab.page.getByRole("button", { name: "Edit before approving" }).click();
    const body = tab.page.getByLabel("Message", { exact: true });
    // another person's address in the text: content safety refuses it
    await body.fill("Sorry about your return, Eda. Write to jo.other@example.com for 50% off.");
    await tab.page.getByRole("button", { name: "Approve with these changes" }).click();
    const verdicts = tab.page.getByTestId("refused-verdicts");
    await verdicts.waitFor();
    expect(await verdicts.textContent()).toContain("content safety");
    expect(await verdicts.textContent()).toContain("deny");
    await tab.screenshot("reviewer-approvals-edit-refused");
    expect(await tab.accessibilityViolations()).toEqual([]);
    // the 422 is the refusal this step provokes; nothing else may have failed
    expect([...tab.problems].sort()).toEqual([
      expect.stringMatching(/^HTTP 422: POST .*\/api\/approvals\/apr_[^/]+\/respond$/),
      expect.stringMatching(/^console error: Failed to load resource: .*422/),
    ]);
    tab.problems.length = 0;

    await body.fill("Sorry about your return, Eda. Your 50% code SORRY50 is waiting for your next order.");
    await tab.page
      .getByLabel("Why (kept with the decision and in the audit log)")
      .fill("Warmer, with the code");
    await tab.page.getByRole("button", { name: "Approve with these changes" }).click();
    await tab.page
      .getByText("Your edit was checked by the policies and approved. The item is now edited.")
      .waitFor();
    expect(await tab.page.getByTestId("decision").textContent()).toContain("demo reviewer");

    // the customer gets the edited text, not the original
    await tab.goto(`/outbox?userId=${EDIT_CUSTOMER}`);
    const row = tab.page.locator(".outbox-item").first();
    await expect
      .poll(
        async () => {
          if ((await row.count()) === 0) await tab.page.getByRole("button", { name: "Refresh" }).click();
          return row.count();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(1);
    expect(await row.textContent()).toContain("Your 50% code SORRY50 is waiting for your next order.");
    expect(await row.textContent()).not.toContain("Here is 50% off");
    await tab.screenshot("reviewer-outbox-edited");
    expect(tab.problems).toEqual([]);
  });
});
