// Risk monitors in a real browser against the demo server (DEMO=1, defaults): the market page shows
// the four monitors evaluated on the demo book; on-call edits SOL-USD's thresholds, sees them saved
// and finds the change in the audit log; with the new levels the demo book's real OI near
// liquidation fires a risk alert, listed on /alerts and linked back to the market page.
import { describe, expect, inject, it } from "vitest";
import path from "node:path";
import { demoSessions, screenshotDir } from "./browser";

const baseUrl = inject("baseUrl");
const { signedIn } = demoSessions(baseUrl);

describe("risk monitors", () => {
  it("shows readings, lets on-call save audited thresholds, and a resulting risk alert is listed on /alerts", async () => {
    const page = await signedIn("oncall-1");
    await page.goto(`${baseUrl}/markets/SOL-USD`);
    const card = page.getByTestId("risk-monitors");
    await card.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("risk-monitors-source").textContent()).toBe("defaults");
    // All four monitors are listed; the first pass has run on the demo book (a number, not n/a).
    for (const monitor of ["near-liquidation-oi", "liquidatable-accounts", "predicted-liquidations", "insurance-coverage"]) {
      await page.getByTestId(`risk-monitor-${monitor}`).waitFor({ timeout: 30_000 });
    }
    await expect.poll(async () => (await page.getByTestId("risk-monitor-near-liquidation-oi").locator("td").nth(1).textContent()) ?? "", { timeout: 30_000 }).toMatch(/\d+\.\d %/);

    // A bad value comes back with the field's path and reason, and nothing is saved.
    const form = page.getByTestId("risk-monitors-form");
    await form.locator('input[name="nearLiquidation.withinPct"]').fill("-3");
    await page.getByTestId("risk-monitors-save").click();
    await expect.poll(() => page.getByTestId("risk-monitors-error").textContent(), { timeout: 15_000 }).toContain("thresholds.nearLiquidation.withinPct: expected a non-negative number of percent");

    // Alert when 1 % of open interest is within 20 % of liquidation, at once (hold 0 ms).
    await form.locator('input[name="nearLiquidation.withinPct"]').fill("20");
    await form.locator('input[name="nearLiquidation.warningOiSharePct"]').fill("1");
    await form.locator('input[name="nearLiquidation.criticalOiSharePct"]').fill("90");
    await form.locator('input[name="forMs"]').fill("0");
    await page.getByTestId("risk-monitors-save").click();
    await expect.poll(() => page.getByTestId("risk-monitors-saved").textContent(), { timeout: 15_000 }).toContain("Saved");
    await expect.poll(() => page.getByTestId("risk-monitors-source").textContent(), { timeout: 15_000 }).toMatch(/^custom/);
    expect(await form.locator('input[name="nearLiquidation.withinPct"]').inputValue()).toBe("20");
    await expect.poll(async () => (await page.getByTestId("risk-monitor-near-liquidation-oi").textContent()) ?? "", { timeout: 30_000 }).toContain("firing · warning");
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(screenshotDir, "risk-monitors-market.png"), fullPage: true });

    // The change is audited with who made it and the new values.
    await page.goto(`${baseUrl}/audit`);
    await page.getByTestId("audit-filter").selectOption("riskMonitors.");
    const row = page.getByTestId("audit-row").filter({ hasText: "riskMonitors.update" }).filter({ hasText: "SOL-USD" });
    await row.first().waitFor({ timeout: 15_000 });
    expect(await row.first().textContent()).toContain('"withinPct":20');

    // The alert is on /alerts with its value/threshold, linking to the market page.
    await page.goto(`${baseUrl}/alerts`);
    const alertRow = page.getByTestId("alert-row-risk-near-liquidation-oi:SOL-USD:-");
    await alertRow.waitFor({ timeout: 30_000 });
    const text = (await alertRow.textContent()) ?? "";
    expect(text).toContain("risk-near-liquidation-oi");
    expect(text).toMatch(/\d+\.\d % \/ 1\.0 %/);
    await page.screenshot({ path: path.join(screenshotDir, "risk-monitors-alerts.png"), fullPage: true });
    await alertRow.getByRole("link", { name: "SOL-USD" }).click();
    await page.waitForURL(`${baseUrl}/markets/SOL-USD`);
    await page.close();
  });

  it("a holder sees the thresholds read-only", async () => {
    const page = await signedIn("holder-1");
    await page.goto(`${baseUrl}/markets/SOL-USD`);
    await page.getByTestId("risk-monitors-form").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("risk-monitors-save").count()).toBe(0);
    expect(await page.locator('[data-testid="risk-monitors-form"] input[name="forMs"]').isDisabled()).toBe(true);
    await page.close();
  });
});
