import { describe, expect, inject, it } from "vitest";
import type { ConsoleTab } from "./browser.ts";
import { consoleTabPerFile } from "./browser.ts";

/**
 * A goal too vague to act on: the designer asks, the CX lead answers in the console, the draft
 * follows — its progress read from one following event stream per phase, which the server ends when
 * the design waits for a person. Leaving the page while a stream is open aborts it quietly.
 */

const server = inject("overture");

let tab: ConsoleTab;

consoleTabPerFile(server, (opened) => {
  tab = opened;
});

describe("a clarifying question", () => {
  it("is shown with an answer box, and the answer lets the designer draft the journey", async () => {
    const streams: string[] = [];
    tab.page.on("request", (request) => {
      if (/\/api\/designs\/[^/]+\/events/.test(request.url())) streams.push(request.url());
    });
    await tab.signIn("cx_lead");
    await tab.page.getByLabel("What should the journey achieve?").fill("Make customers happier");
    await tab.page.getByRole("button", { name: "Draft the journey" }).click();

    const question = tab.page.getByRole("region", { name: "The designer asks" });
    await question.waitFor({ timeout: 60_000 });
    expect(await question.textContent()).toContain("What should start the journey");
    // the stream ended by itself at the question: nothing is held open while the CX lead thinks
    await expect
      .poll(() => tab.page.getByTestId("stream-phase").textContent())
      .toBe("(waiting for your answer)");
    await tab.settle();
    await tab.screenshot("cx_lead-compose-question");
    expect(await tab.accessibilityViolations()).toEqual([]);

    await question
      .getByLabel("Your answer")
      .fill("When a booking is confirmed, send them an email right away.");
    await question.getByRole("button", { name: "Answer" }).click();
    await tab.page.getByTestId("submitted").waitFor({ timeout: 60_000 });
    await expect.poll(() => tab.page.getByRole("region", { name: "The designer asks" }).count()).toBe(0);
    const canvas = tab.page.getByRole("region", { name: "Canvas of the drafted journey" });
    expect(await canvas.locator(".canvas-node.kind-trigger").textContent()).toContain("Booking Confirmed");
    await expect
      .poll(() => tab.page.getByRole("region", { name: /Progress/ }).textContent())
      .toContain("Saved the draft and asked for review");
    expect(await tab.page.getByRole("region", { name: /Progress/ }).textContent()).toContain(
      "Your answer was received",
    );
    await expect
      .poll(() => tab.page.getByTestId("stream-phase").textContent())
      .toBe("(waiting for a reviewer)");
    await tab.screenshot("cx_lead-compose-answered");
    // streamed, not polled: the first stream from the start, the next ones after the last event seen
    expect(streams.length).toBeGreaterThanOrEqual(2);
    expect(streams.some((url) => url.includes("follow=false"))).toBe(false);
    expect(new URL(streams[0]!).searchParams.get("after")).toBeNull();
    expect(Number(new URL(streams.at(-1)!).searchParams.get("after"))).toBeGreaterThan(0);
    expect(tab.abortedStreams).toEqual([]);
    expect(tab.problems).toEqual([]);
  });

  it("leaving a design's page while its progress streams aborts the stream without a browser error", async () => {
    await tab.goto("/compose");
    await tab.page.getByRole("link", { name: "Make customers happier" }).first().waitFor();
    // Hold the stream's answer, as a server does while the designer is still working.
    let held: (() => Promise<void>) | null = null;
    await tab.page.route("**/api/designs/*/events*", async (route) => {
      held = () => route.continue();
    });
    await tab.page.getByRole("link", { name: "Make customers happier" }).first().click();
    await expect.poll(() => held !== null).toBe(true);
    expect(await tab.page.getByTestId("stream-phase").textContent()).toBe("(connecting…)");
    await tab.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Journeys" }).click();
    await tab.page.getByRole("heading", { name: "Journeys", level: 1 }).waitFor();
    await expect.poll(() => tab.abortedStreams.length).toBe(1);
    expect(tab.abortedStreams[0]).toMatch(/\/api\/designs\/dsg_[^/]+\/events/);
    await tab.page.unroute("**/api/designs/*/events*");
    await (held as (() => Promise<void>) | null)?.().catch(() => undefined);
    await tab.settle();
    // no console error, no page error (an unhandled abort would be one), no other failed request
    expect(tab.problems).toEqual([]);
  });
});
