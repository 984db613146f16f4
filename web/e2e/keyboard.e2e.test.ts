import { describe, expect, inject, it } from "vitest";
import type { ConsoleTab } from "./browser.ts";
import { consoleTabPerFile } from "./browser.ts";

/**
 * The main flows with the keyboard only: sign in, skip to the content, move through the pages,
 * compose a journey, sign out, and as a reviewer open and approve it. Focus is visible at every
 * stop, and after a navigation it lands on the new page's heading.
 */

const server = inject("overture");
const GOAL = "When a customer's churn risk goes above 0.8, send them a push with 15% off";

let tab: ConsoleTab;

consoleTabPerFile(server, (opened) => {
  tab = opened;
});

const focusedTag = () => tab.page.evaluate(() => document.activeElement?.tagName.toLowerCase() ?? "");

describe("keyboard only", () => {
  let approvalHref = "";

  it("signs in, skips to the content and moves between pages with Tab and Enter", async () => {
    await tab.goto("/");
    await tab.page.getByRole("heading", { name: "Sign in to Overture" }).waitFor();
    expect(await tab.focusedName()).toBe("API key");
    await tab.page.keyboard.type(server.keys.cx_lead);
    await tab.page.keyboard.press("Enter");
    await tab.page.getByTestId("role").waitFor();

    // after signing in, focus is on the start page's heading; the skip link is the first stop of the page
    expect(await focusedTag()).toBe("h1");
    await tab.tabTo("Skip to content", { shift: true });
    expect(await tab.focusIsVisible()).toBe(true);
    await tab.page.keyboard.press("Enter");
    expect(await tab.page.evaluate(() => document.activeElement?.id)).toBe("main");

    await tab.tabTo("Journeys", { shift: true });

    expect(await tab.focusIsVisible()).toBe(true);
    await tab.page.keyboard.press("Enter");
    await tab.page.waitForURL(/\/journeys$/);
    // focus moved to the new page's heading
    expect(await focusedTag()).toBe("h1");
    expect(await tab.focusedName()).toBe("Journeys");

    await tab.page.getByRole("link", { name: "Checkout abandonment" }).waitFor();
    await tab.tabTo("Checkout abandonment");
    expect(await tab.focusIsVisible()).toBe(true);
    await tab.page.keyboard.press("Enter");
    await tab.page.getByRole("region", { name: /Journey canvas/ }).waitFor();
    expect(await tab.focusedName()).toBe("Checkout abandonment");
    // the canvas's steps are reachable by keyboard, each with a full label
    await tab.tabTo(/^Step wait_for_order:/);
    expect(await tab.focusedName()).toContain("entered");
    expect(tab.problems).toEqual([]);
  });

  it("composes a journey", async () => {
    await tab.tabTo("Compose", { shift: true });
    await tab.page.keyboard.press("Enter");
    await tab.page.waitForURL(/\/compose$/);
    await tab.tabTo("What should the journey achieve?");
    await tab.page.keyboard.type(GOAL);
    await tab.tabTo("Draft the journey");
    expect(await tab.focusIsVisible()).toBe(true);
    await tab.page.keyboard.press("Enter");
    await tab.page.getByTestId("submitted").waitFor({ timeout: 60_000 });
    await tab.tabTo("Open the approval item");
    approvalHref = (await tab.page.evaluate(() => document.activeElement?.getAttribute("href"))) ?? "";
    expect(approvalHref).toMatch(/^\/approvals\/apr_/);
    await tab.screenshot("keyboard-compose");
    expect(tab.problems).toEqual([]);
  });

  it("signs out, signs in as a reviewer and approves the journey", async () => {
    await tab.tabTo("Sign out", { shift: true });
    await tab.page.keyboard.press("Enter");
    await tab.page.getByRole("heading", { name: "Sign in to Overture" }).waitFor();
    expect(await tab.focusedName()).toBe("API key");
    await tab.page.keyboard.type(server.keys.reviewer);
    await tab.page.keyboard.press("Enter");
    await tab.page.waitForURL(/\/approvals/);
    await tab.page.locator(".inbox-item").first().waitFor();

    const id = approvalHref.split("/").pop() ?? "";
    await tab.tabTo(({ href }) => href?.startsWith(`/approvals/${id}`) === true);
    expect(await tab.focusIsVisible()).toBe(true);
    await tab.page.keyboard.press("Enter");
    await tab.page.getByRole("region", { name: "Canvas of the journey awaiting approval" }).waitFor();
    await tab.tabTo("Why (kept with the decision and in the audit log)");
    await tab.page.keyboard.type("Checked with the keyboard.");
    await tab.tabTo("Approve");
    expect(await tab.focusIsVisible()).toBe(true);
    await tab.page.keyboard.press("Enter");
    await tab.page.getByText("Approved. The item is now accepted.").waitFor();
    await tab.screenshot("keyboard-approved");
    expect(tab.problems).toEqual([]);
  });
});
