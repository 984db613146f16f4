import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { designAwaitingApproval, journeyIdByName, saveDraftEdit } from "./api.ts";
import type { ConsoleBrowser, Role } from "./browser.ts";
import { ConsoleTab, openBrowser } from "./browser.ts";

/**
 * Every page renders for every role, shows that role only what it may do, and passes the WCAG
 * 2.1 A/AA rules axe-core checks. A screenshot of each page per role goes to test-results/screenshots.
 */

const server = inject("overture");
const ALL_PAGES = ["Compose", "Journeys", "Approvals", "Customers", "Conflicts", "Outbox", "Policies"];

interface Expectation {
  nav: string[];
  composes: boolean;
  pausesJourneys: boolean;
  decidesApprovals: boolean;
  editsPolicies: boolean;
}

const ROLES: Record<Role, Expectation> = {
  admin: {
    nav: ALL_PAGES,
    composes: true,
    pausesJourneys: true,
    decidesApprovals: true,
    editsPolicies: true,
  },
  cx_lead: {
    nav: ALL_PAGES,
    composes: true,
    pausesJourneys: false,
    decidesApprovals: false,
    editsPolicies: false,
  },
  reviewer: {
    nav: ALL_PAGES.filter((page) => page !== "Compose"),
    composes: false,
    pausesJourneys: false,
    decidesApprovals: true,
    editsPolicies: false,
  },
  viewer: {
    nav: ALL_PAGES.filter((page) => page !== "Compose"),
    composes: false,
    pausesJourneys: false,
    decidesApprovals: false,
    editsPolicies: false,
  },
};

let browser: ConsoleBrowser;
let liveJourneyId = "";
let approvalId = "";

beforeAll(async () => {
  browser = await openBrowser();
  liveJourneyId = await journeyIdByName(server, "Checkout abandonment");
  // a pending activation that also collides with the live checkout journey (same trigger, other offer)
  const design = await designAwaitingApproval(
    server,
    "When a customer starts checkout and doesn't order within 2 hours, send them an email with 15% off.",
  );
  approvalId = design.approvalId ?? "";
});
afterAll(async () => {
  await browser?.close();
});

describe.each(Object.entries(ROLES) as Array<[Role, Expectation]>)("signed in as %s", (role, expected) => {
  let tab: ConsoleTab;

  beforeAll(async () => {
    tab = await ConsoleTab.open(browser, server.baseUrl, server.keys);
    await tab.signIn(role);
  });
  afterAll(async () => {
    await tab.page.close();
  });

  it("shows the pages of the role, each rendering without errors and accessibility violations", async () => {
    expect(await tab.navItems()).toEqual(expected.nav);
    for (const label of expected.nav) {
      await tab.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label }).click();
      await tab.page.locator("main h1").first().waitFor();
      expect(await tab.heading()).toBe(label);
      await expect.poll(() => tab.page.locator(".loading").count()).toBe(0);
      await tab.screenshot(`${role}-${label.toLowerCase()}`);
      expect(await tab.accessibilityViolations(), `${role} on ${label}`).toEqual([]);
    }
    expect(tab.problems).toEqual([]);
  });

  it("offers pause, decisions and policy edits only to the roles the API admits", async () => {
    await tab.goto(`/journeys/${liveJourneyId}`);
    await tab.page.getByRole("region", { name: /Journey canvas of version 1/ }).waitFor();
    expect(await tab.page.getByRole("button", { name: "Pause v1" }).count()).toBe(
      expected.pausesJourneys ? 1 : 0,
    );
    if (expected.pausesJourneys) {
      await tab.page.getByRole("button", { name: "Pause v1" }).click();
      await tab.page.getByText("Version 1 paused").waitFor();
      await tab.page.getByRole("button", { name: "Resume v1" }).click();
      await tab.page.getByText("Version 1 resumed.").waitFor();
      // the page reloads the journey: the live version is active again, so Pause is back
      await tab.page.getByRole("button", { name: "Pause v1" }).waitFor();
    }
    await tab.page.locator('.canvas-node [data-metric="entered"]').first().waitFor();
    await tab.screenshot(`${role}-journey`);
    expect(await tab.accessibilityViolations(), `${role} on the journey`).toEqual([]);

    await tab.goto(`/approvals/${approvalId}`);
    await tab.page.getByRole("region", { name: "Canvas of the journey awaiting approval" }).waitFor();
    expect(await tab.page.getByRole("button", { name: "Approve", exact: true }).count()).toBe(
      expected.decidesApprovals ? 1 : 0,
    );
    if (!expected.decidesApprovals) {
      await tab.page.getByText("Your role can see this item but not decide it.").waitFor();
    }
    await tab.screenshot(`${role}-approval-item`);
    expect(await tab.accessibilityViolations(), `${role} on an approval item`).toEqual([]);

    await tab.goto("/policies");
    await tab.page.locator("main h1").waitFor();
    expect(await tab.page.getByRole("button", { name: "Save as a new version" }).count()).toBe(
      expected.editsPolicies ? 1 : 0,
    );

    await tab.goto("/conflicts");
    const conflicts = tab.page.getByRole("table", { name: "Drafts and versions awaiting approval" });
    await conflicts.waitFor();
    expect(await conflicts.textContent()).toContain("Checkout abandonment");

    await tab.goto("/customers/demo-0001");
    await tab.page.getByRole("heading", { name: "Timeline" }).waitFor();
    await tab.page.locator(".timeline-item").first().waitFor();
    await tab.screenshot(`${role}-customer`);
    expect(await tab.accessibilityViolations(), `${role} on a customer`).toEqual([]);

    await tab.goto("/compose");
    if (expected.composes) {
      await tab.page.getByLabel("What should the journey achieve?").waitFor();
    } else {
      await tab.page.getByRole("heading", { name: "Not available to your role" }).waitFor();
    }
    expect(tab.problems).toEqual([]);
  });
});

describe("version history", () => {
  it("shows what changed between two versions of a journey", async () => {
    const checkout = await journeyIdByName(server, "Checkout abandonment");
    const saved = await saveDraftEdit(server, checkout, (definition) => {
      const nodes = definition.nodes as Array<Record<string, unknown>>;
      const email = nodes.find((node) => node.id === "discount_email");
      if (!email) throw new Error("the demo journey changed: no discount_email step");
      email.offer = { kind: "percent_off", value: 15, code: "COMEBACK15" };
    });
    const tab = await ConsoleTab.open(browser, server.baseUrl, server.keys);
    await tab.signIn("viewer");
    await tab.goto(`/journeys/${checkout}`);
    await tab.page.getByRole("heading", { name: "Version history" }).waitFor();
    await tab.page.getByLabel("Compare version", { exact: true }).selectOption("1");
    await tab.page.getByLabel("with", { exact: true }).selectOption(String(saved.version.version));
    await tab.page.getByRole("button", { name: "Show changes" }).click();
    const diff = tab.page.locator(".diff");
    await diff.waitFor();
    expect(await diff.textContent()).toContain("discount_email");
    expect(await diff.textContent()).toContain("COMEBACK15");
    await tab.screenshot("viewer-journey-diff");
    expect(await tab.accessibilityViolations()).toEqual([]);
    expect(tab.problems).toEqual([]);
  });
});

describe("signing out", () => {
  it("forgets the key: the console asks for one again, also after a reload", async () => {
    const tab = await ConsoleTab.open(browser, server.baseUrl, server.keys);
    await tab.signIn("viewer");
    await tab.settle();
    await tab.page.reload();
    await tab.page.getByTestId("role").waitFor();
    await tab.signOut();
    await tab.settle();
    await tab.page.reload();
    await tab.page.getByRole("heading", { name: "Sign in to Overture" }).waitFor();
    await tab.goto("/journeys");
    await tab.page.getByRole("heading", { name: "Sign in to Overture" }).waitFor();
    expect(new URL(tab.page.url()).pathname).toBe("/sign-in");
    await tab.screenshot("sign-in");
    expect(await tab.accessibilityViolations()).toEqual([]);
    expect(tab.problems).toEqual([]);
  });
});
