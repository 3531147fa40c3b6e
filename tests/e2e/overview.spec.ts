// The walking skeleton in a real browser: sign in through the real SIWE flow (demo persona), see the
// overview with the demo markets, watch live prices change without reload, save a screenshot.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import path from "node:path";
import type { Browser } from "playwright-core";
import { launchBrowser, screenshotDir } from "./browser";

const baseUrl = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("overview", () => {
  it("signs in as a demo committee member and shows live prices", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${baseUrl}/signin`);
    await page.getByTestId("demo-signin-committee-1").click();
    await page.waitForURL(`${baseUrl}/`);
    await expect.poll(() => page.getByTestId("session-address").textContent(), { timeout: 15_000 }).toMatch(/^0x/);
    await expect.poll(async () => page.getByTestId("session").textContent()).toContain("committee");

    for (const market of ["BTC-USD", "ETH-USD", "SOL-USD", "LINK-USD", "WIF-USD"]) {
      await page.getByTestId(`market-row-${market}`).waitFor();
    }
    // A live price arrives, then changes, without a reload.
    const price = page.getByTestId("price-BTC-USD");
    await expect.poll(async () => (await price.textContent())?.trim(), { timeout: 30_000 }).not.toBe("—");
    const first = (await price.textContent())?.trim();
    await expect.poll(async () => (await price.textContent())?.trim(), { timeout: 30_000 }).not.toBe(first);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: path.join(screenshotDir, "overview.png"), fullPage: true });
    await page.close();
  });
});
