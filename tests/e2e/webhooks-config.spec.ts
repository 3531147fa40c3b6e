// Config-file entries on the Webhooks page, in a real browser: a second `next start` (the build the
// global setup made) with RISKWARDEN_CONFIG declaring an endpoint, a route and a silence. On-call
// sees them badged "from config file"; the file silence offers no "Expire now", a UI silence does.
// The same file sets BTC-USD's risk monitor thresholds: read-only on the market page, badged too.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, screenshotDir } from "./browser";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const endsAt = new Date(Date.now() + 7 * 24 * 3_600_000).toISOString();
const config = `
markets:
  BTC-USD:
    riskMonitors:
      nearLiquidation: { withinPct: 4, warningOiSharePct: 12 }
webhooks:
  - id: oncall-file
    format: standard
    url: http://127.0.0.1:9/hook
security:
  allowWebhookHosts: ["127.0.0.1"]
routes:
  - match: { severity: [critical] }
    webhooks: [oncall-file]
silences:
  - id: binance-btc-maintenance
    matchers: ['market="BTC-USD"', 'check=~"deviation|jump"']
    endsAt: ${endsAt}
    createdBy: ops@example.com
    comment: Binance wallet maintenance
`;

let server: ChildProcess | undefined;
let dataDir: string;
let baseUrl: string;
let browser: Browser;
let log = "";

beforeAll(async () => {
  const root = path.resolve(import.meta.dirname, "..", "..");
  dataDir = mkdtempSync(path.join(os.tmpdir(), "riskwarden-e2e-config-"));
  const configPath = path.join(dataDir, "riskwarden.yaml");
  writeFileSync(configPath, config);
  const port = await freePort();
  baseUrl = `http://localhost:${port}`;
  server = spawn("npx", ["next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), DATABASE_URL: `pglite:${path.join(dataDir, "pglite")}`, NEXTAUTH_URL: baseUrl, DEMO: "1", RISKWARDEN_CONFIG: configPath },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  server.stdout?.on("data", (chunk) => (log += chunk));
  server.stderr?.on("data", (chunk) => (log += chunk));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const healthy = await fetch(`${baseUrl}/api/health`).then((r) => r.ok, () => false);
    if (healthy) break;
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`server with the config file did not become healthy:\n${log.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  if (server?.pid) {
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("webhooks page with a config file", () => {
  it("shows file endpoints, routes and silences as from the config file; only UI silences can be expired", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${baseUrl}/signin`);
    await page.getByTestId("demo-signin-oncall-1").click();
    await page.waitForURL(`${baseUrl}/`);
    await page.goto(`${baseUrl}/webhooks`);

    const fileSilence = page.getByTestId("silence-binance-btc-maintenance");
    await fileSilence.waitFor({ timeout: 30_000 });
    const fileText = (await fileSilence.textContent()) ?? "";
    expect(fileText).toContain('market="BTC-USD", check=~"deviation|jump"');
    expect(fileText).toContain("from config file");
    expect(fileText).toContain("binance-btc-maintenance");
    expect(fileText).toContain("ops@example.com · Binance wallet maintenance");
    expect(await fileSilence.getByRole("button", { name: "Expire now" }).count()).toBe(0);
    expect(await page.getByTestId("routes-list").textContent()).toContain("from config file");

    // A silence made in the UI sits beside it and can be expired.
    await page.getByPlaceholder('market="BTC-USD", check=~"dev.*"').fill('feed="kraken"');
    await page.getByPlaceholder("why").fill("kraken feed swap");
    await page.getByRole("button", { name: "Silence", exact: true }).click();
    const uiSilence = page.getByTestId("silences-list").locator("li", { hasText: "kraken feed swap" });
    await uiSilence.waitFor({ timeout: 15_000 });
    expect(await uiSilence.textContent()).not.toContain("from config file");
    expect(await uiSilence.getByRole("button", { name: "Expire now" }).count()).toBe(1);

    await page.screenshot({ path: path.join(screenshotDir, "webhooks-config-silences.png"), fullPage: true });
    await page.close();
  });

  it("shows a market's risk monitor thresholds from the config file read-only", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${baseUrl}/signin`);
    await page.getByTestId("demo-signin-oncall-1").click();
    await page.waitForURL(`${baseUrl}/`);
    await page.goto(`${baseUrl}/markets/BTC-USD`);
    const card = page.getByTestId("risk-monitors");
    await card.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId("risk-monitors-source").textContent(), { timeout: 15_000 }).toBe("from config file");
    expect(await page.getByTestId("risk-monitors-readonly").textContent()).toContain("markets.BTC-USD.riskMonitors");
    const within = page.locator('[data-testid="risk-monitors-form"] input[name="nearLiquidation.withinPct"]');
    await within.waitFor({ timeout: 15_000 });
    expect(await within.inputValue()).toBe("4");
    expect(await within.isDisabled()).toBe(true);
    expect(await page.getByTestId("risk-monitors-save").count()).toBe(0);
    // ETH-USD is not in the file: on-call may edit it.
    await page.goto(`${baseUrl}/markets/ETH-USD`);
    await page.getByTestId("risk-monitors-save").waitFor({ timeout: 30_000 });
    await page.goto(`${baseUrl}/markets/BTC-USD`);
    await card.waitFor({ timeout: 30_000 });
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(screenshotDir, "risk-monitors-config-file.png"), fullPage: true });
    await page.close();
  });
});
