import { describe, expect, inject, it } from "vitest";
import type { ConsoleTab } from "./browser.ts";
import { consoleTabPerFile } from "./browser.ts";

/**
 * The policy config as a form: an admin changes when quiet hours end and adds a suppression rule
 * with the condition builder, saves, and sees the new version in the history with who changed
 * what and why; a value the server refuses is shown at the field it names.
 */

const server = inject("overture");

let tab: ConsoleTab;

consoleTabPerFile(server, (opened) => {
  tab = opened;
});

describe("the policy form", () => {
  it("saves a new quiet-hours end and a suppression rule as a new version, with who changed what and why", async () => {
    await tab.signIn("admin");
    await tab.goto("/policies");
    const end = tab.page.getByLabel("Quiet hours end", { exact: true });
    await end.waitFor();
    const before = await end.inputValue();
    const newEnd = before === "07:30" ? "07:45" : "07:30";
    const version = Number(
      /\d+/.exec((await tab.page.getByTestId("policy-version").textContent()) ?? "")?.[0] ?? 0,
    );
    await tab.screenshot("admin-policies-form");
    expect(await tab.accessibilityViolations()).toEqual([]);

    await end.fill(newEnd);
    // a rule built with the condition builder: no promotions while a customer's plan is cancelled
    const rules = tab.page.getByRole("region", { name: "Suppression" });
    const count = await rules.locator(".rule-card").count();
    await rules.getByRole("button", { name: "Add a suppression rule" }).click();
    const rule = rules.locator(".rule-card").nth(count);
    await rule.getByLabel(`Rule ${count + 1} name`).fill("cancelled-plan");
    await rule.getByLabel(/^Field/).fill("traits.plan");
    await rule.getByLabel(/^Comparison/).selectOption("eq");
    await rule.getByLabel(/^Value/).fill("cancelled");
    await tab.page
      .getByLabel("Why this change (kept in the history and the audit log)")
      .fill("Earlier mornings");
    await tab.page.getByRole("button", { name: "Save as a new version" }).click();
    await tab.page.getByText(`Saved as version ${version + 1}.`, { exact: false }).waitFor();
    await expect
      .poll(() => tab.page.getByTestId("policy-version").textContent())
      .toBe(`Version ${version + 1}`);
    expect(await tab.page.getByLabel("Quiet hours end", { exact: true }).inputValue()).toBe(newEnd);

    const latest = tab.page.locator(`.history-table tr[data-version="${version + 1}"]`);
    expect(await latest.textContent()).toContain("demo admin");
    expect(await latest.textContent()).toContain("Earlier mornings");
    await latest.getByRole("button", { name: /Show changes/ }).click();
    const changes = latest.getByRole("list", { name: `Changes in version ${version + 1}` });
    await changes.waitFor();
    expect(await changes.textContent()).toContain(`quiet hours › end: ${before} → ${newEnd}`);
    expect(await changes.textContent()).toContain("cancelled-plan");
    await tab.screenshot("admin-policies-saved");
    expect(await tab.accessibilityViolations()).toEqual([]);
    expect(tab.problems).toEqual([]);
  });

  it("shows a value the server refuses at its field and in the summary, and saves nothing", async () => {
    await tab.goto("/policies");
    const versionText = await tab.page.getByTestId("policy-version").textContent();
    const cap = tab.page.getByLabel("At most per day (all channels)", { exact: true });
    await cap.fill("0");
    await tab.page.getByRole("button", { name: "Save as a new version" }).click();
    const summary = tab.page.locator(".error-summary");
    await summary.waitFor();
    expect(await summary.textContent()).toContain("frequency cap › per local day");
    expect(await cap.getAttribute("aria-invalid")).toBe("true");
    const inline = tab.page.locator(".field.invalid", { has: cap }).locator(".field-errors");
    expect(await inline.textContent()).toMatch(/>=\s*1|at least 1|too small/i);
    // the summary links to the field
    await summary.getByRole("link", { name: "frequency cap › per local day" }).click();
    expect(await tab.page.evaluate(() => document.activeElement?.getAttribute("aria-invalid"))).toBe("true");
    await tab.screenshot("admin-policies-field-error");
    expect(await tab.accessibilityViolations()).toEqual([]);
    expect(await tab.page.getByTestId("policy-version").textContent()).toBe(versionText);
    expect([...tab.problems].sort()).toEqual([
      expect.stringMatching(/^HTTP 400: PUT .*\/api\/policies$/),
      expect.stringMatching(/^console error: Failed to load resource: .*400/),
    ]);
    tab.problems.length = 0;
    await tab.page.getByRole("button", { name: "Undo my changes" }).click();
    expect(
      await tab.page
        .getByLabel("At most per day (all channels)", { exact: true })
        .getAttribute("aria-invalid"),
    ).toBeNull();
  });

  it("shows the same form read-only to a role that may not change it", async () => {
    await tab.signOut();
    await tab.signIn("reviewer");
    await tab.goto("/policies");
    await tab.page.getByText("Your role can read the policies; an admin changes them.").waitFor();
    expect(await tab.page.getByLabel("Quiet hours end", { exact: true }).isDisabled()).toBe(true);
    expect(await tab.page.getByRole("button", { name: "Save as a new version" }).count()).toBe(0);
    expect(await tab.page.locator(".history-table").textContent()).toContain("demo admin");
    expect(tab.problems).toEqual([]);
  });
});
