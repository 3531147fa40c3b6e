// Debian's Chromium driven by playwright-core (no browser download; flags from DESIGN.md;
// playwright gives each launch a fresh temporary profile).
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import path from "node:path";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
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
}

export const screenshotDir = path.resolve(import.meta.dirname, "..", "..", "test-results");

/**
 * For a spec file (call at its top level): Chromium opened before its tests and closed after,
 * and `signedIn(persona)` — a page signed in as a demo persona through the sign-in page's
 * "sign in as …" button (a real SIWE message signed server-side), in its own browser context.
 */
export function demoSessions(baseUrl: string): { signedIn: (persona: string) => Promise<Page> } {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
  });
  return {
    async signedIn(persona: string): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`${baseUrl}/signin`);
      await page.getByTestId(`demo-signin-${persona}`).click();
      await page.waitForURL(`${baseUrl}/`);
      await expect.poll(() => page.getByTestId("session-address").textContent(), { timeout: 15_000 }).toMatch(/^0x/);
      return page;
    },
  };
}
