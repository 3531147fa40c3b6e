// The market risk page in a real browser against the demo server: parameters with history, the
// liquidation map, health histogram and stress chart render with data, the nearest-liquidation
// table is filled, and the markets list links to it.
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

describe("market risk page", () => {
  it("shows BTC-USD's parameters, liquidation map, health, stress and nearest liquidations", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${baseUrl}/markets`);
    await page.getByTestId("risk-market-row-BTC-USD").waitFor({ timeout: 30_000 });
    // The list shows the demo snapshot's BTC positions.
    await expect.poll(async () => (await page.getByTestId("risk-market-row-BTC-USD").textContent()) ?? "", { timeout: 30_000 }).toMatch(/\$[\d,]+/);
    await page.getByTestId("market-link-BTC-USD").click();
    await page.waitForURL(`${baseUrl}/markets/BTC-USD`);
    await page.getByTestId("market-risk-page").waitFor({ timeout: 30_000 });

    expect(await page.getByTestId("params-current").textContent()).toContain("Maintenance tiers");
    // Newest version first, and it is the active one (other specs may have created versions already).
    expect(await page.locator('[data-testid^="version-row-"]').first().textContent()).toContain("active");
    expect(await page.getByTestId("version-row-1").count()).toBe(1);
    expect(await page.getByTestId("market-mark").textContent()).toMatch(/\d/);

    // Charts drew real marks: bars in the liquidation map (longs and shorts) and the histogram,
    // bars and lines in the stress chart.
    const liquidationBars = page.locator('[data-testid="liquidation-map"] .recharts-bar-rectangle path');
    await expect.poll(() => liquidationBars.count(), { timeout: 15_000 }).toBeGreaterThan(10);
    const legend = await page.locator('[data-testid="liquidation-map"] .recharts-legend-wrapper').textContent();
    expect(legend).toContain("Longs liquidated");
    expect(legend).toContain("Shorts liquidated");
    await expect.poll(() => page.locator('[data-testid="health-histogram"] .recharts-bar-rectangle path').count()).toBeGreaterThan(3);
    await expect.poll(() => page.locator('[data-testid="stress-chart"] .recharts-bar-rectangle path').count()).toBeGreaterThan(10);
    expect(await page.locator('[data-testid="stress-chart"] .recharts-line-curve').count()).toBe(2);

    const rows = page.getByTestId("nearest-row");
    expect(await rows.count()).toBe(20);
    const firstDistance = (await rows.first().locator("td").nth(6).textContent())?.trim() ?? "";
    expect(firstDistance).toMatch(/^\d+\.\d{2} %$/);

    await page.screenshot({ path: path.join(screenshotDir, "market-risk.png"), fullPage: true });
    await page.close();
  });
});
