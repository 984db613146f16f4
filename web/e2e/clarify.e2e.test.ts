import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ConsoleBrowser } from "./browser.ts";
import { ConsoleTab, openBrowser } from "./browser.ts";

/** A goal too vague to act on: the designer asks, the CX lead answers in the console, the draft follows. */

const server = inject("overture");

let browser: ConsoleBrowser;
let tab: ConsoleTab;

beforeAll(async () => {
  browser = await openBrowser();
  tab = await ConsoleTab.open(browser, server.baseUrl, server.keys);
});
afterAll(async () => {
  await browser?.close();
});

describe("a clarifying question", () => {
  it("is shown with an answer box, and the answer lets the designer draft the journey", async () => {
    await tab.signIn("cx_lead");
    await tab.page.getByLabel("What should the journey achieve?").fill("Make customers happier");
    await tab.page.getByRole("button", { name: "Draft the journey" }).click();

    const question = tab.page.getByRole("region", { name: "The designer asks" });
    await question.waitFor({ timeout: 60_000 });
    expect(await question.textContent()).toContain("What should start the journey");
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
    await tab.screenshot("cx_lead-compose-answered");
    expect(tab.problems).toEqual([]);
  });
});
