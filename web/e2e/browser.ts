import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { z } from "zod";
import type { DemoKeys } from "./server.ts";
import { PROJECT_DIR } from "./server.ts";

/**
 * Real headless Chromium (the Debian package; CI installs it) driven by playwright-core, with a
 * fresh profile per browser. Every tab records console errors, page errors, failed requests and
 * HTTP errors, and a test ends by asserting there were none.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOT_DIR = path.join(PROJECT_DIR, "test-results", "screenshots");
export const VIEWPORT = { width: 1280, height: 800 };
export type Role = keyof Omit<DemoKeys, "ingest">;

export interface ConsoleBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<ConsoleBrowser> {
  const profile = await mkdtemp(path.join(tmpdir(), "overture-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: VIEWPORT,
    // playwright adds --headless and --user-data-dir (the fresh profile above) itself
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

const AxeResults = z.object({
  violations: z.array(
    z.object({
      id: z.string(),
      impact: z.string().nullable().optional(),
      help: z.string(),
      nodes: z.array(z.object({ target: z.array(z.unknown()), failureSummary: z.string().optional() })),
    }),
  ),
});

let axeSource: string | null = null;
async function loadAxe(): Promise<string> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  return axeSource;
}

const DESIGN_STREAM = /^\/api\/designs\/[^/]+\/events$/;

/** One browser tab of the console, with what went wrong in it. */
export class ConsoleTab {
  readonly problems: string[] = [];
  /** design event streams the console aborted (leaving a design's page while it streamed) */
  readonly abortedStreams: string[] = [];
  /** requests the page has sent and not yet seen answered */
  private readonly pending = new Set<unknown>();

  constructor(
    readonly page: Page,
    readonly baseUrl: string,
    readonly keys: DemoKeys,
  ) {
    page.on("console", (message) => {
      if (message.type() === "error") this.problems.push(`console error: ${message.text()}`);
    });
    page.on("pageerror", (error) => this.problems.push(`page error: ${error.message}`));
    page.on("request", (request) => this.pending.add(request));
    page.on("requestfinished", (request) => this.pending.delete(request));
    page.on("requestfailed", (request) => this.pending.delete(request));
    page.on("requestfailed", (request) => {
      const failure = request.failure()?.errorText ?? "";
      // the console aborts a design's following event stream when its page is left: on purpose
      if (failure === "net::ERR_ABORTED" && DESIGN_STREAM.test(new URL(request.url()).pathname)) {
        this.abortedStreams.push(request.url());
        return;
      }
      this.problems.push(`request failed: ${request.method()} ${request.url()} ${failure}`);
    });
    page.on("response", (response) => {
      if (response.status() >= 400) {
        this.problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
      }
    });
  }

  static async open(browser: ConsoleBrowser, baseUrl: string, keys: DemoKeys): Promise<ConsoleTab> {
    return new ConsoleTab(await browser.context.newPage(), baseUrl, keys);
  }

  /**
   * Loads a console address as a typed URL does. Waits first until the current page has its
   * answers: a page load cuts off whatever the previous page still had in flight, which is the
   * test's doing, not the console's.
   */
  async goto(pathname: string) {
    await this.settle();
    await this.page.goto(`${this.baseUrl}${pathname}`);
  }

  /** Waits until no request of the page is in flight (pages that poll have pauses between reads). */
  async settle(timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0) {
      if (Date.now() > deadline)
        throw new Error(`${this.pending.size} requests still in flight after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async signIn(role: Role) {
    await this.goto("/sign-in");
    await this.page.getByLabel("API key").fill(this.keys[role]);
    await this.page.getByRole("button", { name: "Sign in" }).click();
    await this.page.getByTestId("role").waitFor();
  }

  async signOut() {
    await this.page.getByRole("button", { name: "Sign out" }).click();
    try {
      await this.page.getByRole("heading", { name: "Sign in to Overture" }).waitFor({ timeout: 15_000 });
    } catch (error) {
      await this.screenshot("failure-sign-out");
      const text = (await this.page.locator("body").textContent())?.slice(0, 400);
      throw new Error(`signing out did not show the sign-in page at ${this.page.url()}: ${text}`, {
        cause: error,
      });
    }
  }

  async heading(): Promise<string> {
    return (await this.page.locator("main h1").first().textContent()) ?? "";
  }

  /** The nav entries this role sees. */
  async navItems(): Promise<string[]> {
    return this.page.getByRole("navigation", { name: "Main" }).getByRole("listitem").allTextContents();
  }

  async screenshot(name: string) {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await this.page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  }

  /** WCAG 2.1 A and AA violations axe-core finds on the page as it is now. */
  async accessibilityViolations(): Promise<string[]> {
    // evaluated through the DevTools protocol, which the page's script CSP does not govern
    await this.page.evaluate(await loadAxe());
    const raw: unknown = await this.page.evaluate(() =>
      // biome-ignore lint/suspicious/noExplicitAny: axe is a global the evaluated source defines
      (window as any).axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      }),
    );
    return AxeResults.parse(raw).violations.map(
      (violation) =>
        `${violation.id} (${violation.impact ?? "?"}): ${violation.help} — ${violation.nodes
          .slice(0, 3)
          .map((node) => `${JSON.stringify(node.target)} ${node.failureSummary ?? ""}`)
          .join(" | ")}`,
    );
  }

  /**
   * Presses Tab (or Shift+Tab) until the focused element matches, as a keyboard user would: by its
   * accessible text, or by a predicate on its text and link target.
   */
  async tabTo(
    match: string | RegExp | ((focused: { name: string; href: string | null }) => boolean),
    options: { max?: number; shift?: boolean } = {},
  ): Promise<void> {
    const max = options.max ?? 60;
    const seen: string[] = [];
    for (let step = 0; step < max; step++) {
      await this.page.keyboard.press(options.shift ? "Shift+Tab" : "Tab");
      const name = await this.focusedName();
      const href = await this.page.evaluate(() => document.activeElement?.getAttribute("href") ?? null);
      seen.push(name.slice(0, 40));
      const found =
        typeof match === "string"
          ? name === match
          : match instanceof RegExp
            ? match.test(name)
            : match({ name, href });
      if (found) return;
    }
    throw new Error(
      `${String(match)} was not reached with ${max} Tab presses; focus went through: ${seen.join(" → ")}`,
    );
  }

  /** The focused element's accessible text: its label, aria-label or text. */
  async focusedName(): Promise<string> {
    return this.page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element) return "";
      const labelled = element.getAttribute("aria-label");
      if (labelled) return labelled.trim();
      const id = element.getAttribute("id");
      const label = id ? document.querySelector(`label[for="${CSS.escape(id)}"]`) : null;
      if (label?.textContent) return label.textContent.trim();
      return (element.textContent ?? "").trim();
    });
  }

  /** Whether the focused element shows a focus indicator (an outline or a box shadow). */
  async focusIsVisible(): Promise<boolean> {
    return this.page.evaluate(() => {
      const element = document.activeElement;
      if (!element) return false;
      const style = getComputedStyle(element);
      return (style.outlineStyle !== "none" && style.outlineWidth !== "0px") || style.boxShadow !== "none";
    });
  }
}

/**
 * The browser and console tab a test file shares: opened before its first test (handed to `use`),
 * closed after its last.
 */
export function consoleTabPerFile(
  server: { baseUrl: string; keys: DemoKeys },
  use: (tab: ConsoleTab) => void,
): void {
  let browser: ConsoleBrowser | undefined;
  beforeAll(async () => {
    browser = await openBrowser();
    use(await ConsoleTab.open(browser, server.baseUrl, server.keys));
  });
  afterAll(async () => {
    await browser?.close();
  });
}
