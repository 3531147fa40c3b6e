// Positions snapshot import in a real browser against the demo server: the admin uploads a small
// CSV through the snapshots page, sees the result (positions, accounts, markets, the warning for a
// market without parameters) and the new snapshot become the active one; the markets list and the
// BTC-USD risk page then show that book. A malformed file is refused with its line, column and
// reason, and changes nothing. Finally the demo snapshot is activated again from the list, so the
// other specs find the demo book. A holder sees the list without the upload.
import { describe, expect, inject, it } from "vitest";
import path from "node:path";
import type { Page } from "playwright-core";
import { demoSessions, screenshotDir } from "./browser";

const baseUrl = inject("baseUrl");
const { signedIn } = demoSessions(baseUrl);

// Three accounts: two BTC-USD positions (one isolated), one ETH-USD, one in a market the demo
// does not govern (DOGE-USD: the import warns that the engine leaves it out).
const deskCsv = [
  "account,mode,collateral,market,size,entryPrice,margin,mark",
  "e2e-desk-1,cross,25000.000000000000000001,BTC-USD,0.75,96000,,97000",
  "e2e-desk-1,cross,25000.000000000000000001,ETH-USD,-4,3500,,3500",
  "e2e-desk-2,isolated,,BTC-USD,-0.5,97500,6000,97000",
  "e2e-desk-3,cross,500,DOGE-USD,1000,0.15,,0.16",
].join("\n");

const malformedCsv = ["account,mode,collateral,market,size,entryPrice,margin,mark", "m1,cross,100,BTC-USD,1,97000,,97000", "m2,cross,100,BTC-USD,1O,97000,,97000"].join("\n");

async function activeRowId(page: Page): Promise<string | null> {
  const row = page.locator('[data-testid^="snapshot-row-"][data-active="true"]');
  await row.first().waitFor({ timeout: 15_000 });
  return (await row.first().getAttribute("data-testid"))?.replace("snapshot-row-", "") ?? null;
}

describe("positions snapshot import", () => {
  it("uploads a CSV, activates it, the market pages follow; a malformed file is refused with line and column", async () => {
    const admin = await signedIn("admin-1");
    await admin.goto(`${baseUrl}/markets`);
    await admin.getByTestId("snapshots-link").click();
    await admin.waitForURL(`${baseUrl}/snapshots`);
    const demoSnapshot = await activeRowId(admin);
    expect(demoSnapshot).not.toBeNull();

    await admin.getByTestId("snapshot-file").setInputFiles({ name: "desk-export.csv", mimeType: "text/csv", buffer: Buffer.from(deskCsv) });
    await admin.getByTestId("snapshot-import").click();
    const result = admin.getByTestId("import-result");
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toMatch(/Snapshot #\d+ imported from desk-export\.csv \(detected: csv\): 4 positions in 3 accounts, markets BTC-USD, ETH-USD, DOGE-USD, now active\./);
    expect(await admin.getByTestId("import-warnings").textContent()).toContain("DOGE-USD: no active risk parameters, so its 1 position is left out");
    const imported = /Snapshot #(\d+)/.exec((await result.textContent()) ?? "")![1];
    await admin.screenshot({ path: path.join(screenshotDir, "snapshots-imported.png"), fullPage: true });
    await expect.poll(() => activeRowId(admin), { timeout: 15_000 }).toBe(imported);
    expect(await admin.getByTestId(`snapshot-row-${imported}`).textContent()).toContain("desk-export.csv");
    await expect.poll(() => admin.getByTestId("engine-snapshot").textContent(), { timeout: 15_000 }).toContain(`snapshot #${imported} loaded, 3 accounts, 4 positions (1 in markets without parameters left out: DOGE-USD)`);

    // The markets list margins the new book: 2 BTC-USD positions, 1 ETH-USD, none elsewhere.
    await admin.goto(`${baseUrl}/markets`);
    await expect.poll(async () => (await admin.getByTestId("risk-snapshot-line").textContent()) ?? "", { timeout: 30_000 }).toContain(`Positions snapshot #${imported}: 3 accounts`);
    const positionsCell = (market: string) => admin.getByTestId(`risk-market-row-${market}`).locator("td").nth(3).textContent();
    expect(await positionsCell("BTC-USD")).toBe("2");
    expect(await positionsCell("ETH-USD")).toBe("1");
    expect(await positionsCell("SOL-USD")).toBe("—");
    // The BTC-USD risk page lists exactly the uploaded accounts nearest liquidation.
    await admin.getByTestId("market-link-BTC-USD").click();
    await admin.getByTestId("market-risk-page").waitFor({ timeout: 30_000 });
    await expect.poll(() => admin.getByTestId("nearest-row").count(), { timeout: 15_000 }).toBe(2);
    const accounts = await admin.getByTestId("nearest-row").locator("td:first-child").allTextContents();
    expect(accounts.sort()).toEqual(["e2e-desk-1", "e2e-desk-2"]);
    const sizes = await admin.getByTestId("nearest-row").locator("td:nth-child(3)").allTextContents();
    expect(sizes.sort()).toEqual(["-0.5", "0.75"]);
    expect(await admin.getByTestId("market-snapshot-line").textContent()).toContain(`Positions snapshot #${imported} “desk-export.csv” (csv): 3 accounts, 4 positions`);
    await admin.screenshot({ path: path.join(screenshotDir, "snapshots-market-after-import.png"), fullPage: true });

    // A malformed file: refused with the line, the column and the reason; nothing changes.
    await admin.goto(`${baseUrl}/snapshots`);
    await admin.getByTestId("snapshot-file").setInputFiles({ name: "broken.csv", mimeType: "text/csv", buffer: Buffer.from(malformedCsv) });
    await admin.getByTestId("snapshot-import").click();
    const error = admin.getByTestId("import-error");
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toContain("broken.csv was not imported (HTTP 400); nothing was written.");
    expect(await admin.getByTestId("import-error-issue").first().textContent()).toBe('line 3, column size: expected a decimal number (string), got "1O"');
    expect(await activeRowId(admin)).toBe(imported);
    await admin.screenshot({ path: path.join(screenshotDir, "snapshots-import-error.png"), fullPage: true });

    // Back to the demo book for the other specs, through the list's Activate button.
    await admin.getByTestId(`snapshot-activate-${demoSnapshot}`).click();
    await expect.poll(() => activeRowId(admin), { timeout: 15_000 }).toBe(demoSnapshot);
    await admin.goto(`${baseUrl}/markets`);
    await expect.poll(async () => (await admin.getByTestId("risk-snapshot-line").textContent()) ?? "", { timeout: 30_000 }).toContain(`Positions snapshot #${demoSnapshot}:`);
    expect(Number((await positionsCell("BTC-USD"))?.replace(/,/g, ""))).toBeGreaterThan(100);
  });

  it("shows a holder the list without the upload", async () => {
    const holder = await signedIn("holder-1");
    await holder.goto(`${baseUrl}/snapshots`);
    await holder.getByTestId("snapshots-table").waitFor({ timeout: 15_000 });
    expect(await holder.getByTestId("snapshot-upload-denied").textContent()).toContain("needs the admin role");
    expect(await holder.getByTestId("snapshot-upload").count()).toBe(0);
    expect(await holder.locator('[data-testid^="snapshot-activate-"]').count()).toBe(0);
  });
});
