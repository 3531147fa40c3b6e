// Debian's Chromium driven by playwright-core (no browser download; flags from DESIGN.md;
// playwright gives each launch a fresh temporary profile).
import { chromium, type Browser } from "playwright-core";
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
