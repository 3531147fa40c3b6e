// The demo simulator end to end: FeedManager connects to it with the exported configs, all three
// venues' real formats parse, all five markets get a reference, and the first scripted incident
// (binance-demo deviating on BTC-USD) raises the deviation alert.
import { afterEach, describe, expect, it } from "vitest";
import type { FeedManager, FeedManagerEvent } from "./feed-manager";
import { DEMO_MARKETS, demoMarketsConfig, incidentSchedule, startDemoFeeds, type DemoSimulator } from "./simulator";

let simulator: DemoSimulator | null = null;
let manager: FeedManager | null = null;
afterEach(async () => {
  await manager?.stop();
  await simulator?.close();
});

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("demo simulator", () => {
  it("schedules every incident kind across the markets", () => {
    const schedule = incidentSchedule(0, 90_000, 30_000, 6);
    expect(schedule.map((i) => [i.kind, i.source, i.market, i.startsAtMs])).toEqual([
      ["deviation", "binance", "BTC-USD", 30_000],
      ["stale", "coinbase", "SOL-USD", 120_000],
      ["frozen", "pyth", "WIF-USD", 210_000],
      ["wide-confidence", "pyth", "ETH-USD", 300_000],
      ["malformed", "binance", "LINK-USD", 390_000],
      ["jump", "coinbase", "BTC-USD", 480_000],
    ]);
  });

  it("feeds the FeedManager in real formats and shows the scripted deviation", async () => {
    const events: FeedManagerEvent[] = [];
    const demo = await startDemoFeeds({ port: 0, seed: 7, firstIncidentAfterMs: 300, incidentEveryMs: 600_000, onEvent: (e) => events.push(e) });
    simulator = demo.simulator;
    manager = demo.manager;
    expect(simulator.feedConfigs().map((f) => f.id)).toEqual(["pyth-demo", "binance-demo", "coinbase-demo"]);
    expect(Object.keys(demoMarketsConfig())).toEqual(["BTC-USD", "ETH-USD", "SOL-USD", "LINK-USD", "WIF-USD"]);
    await waitFor(() => events.some((e) => e.type === "alert" && e.event.fingerprint === "deviation:BTC-USD:binance-demo" && e.event.kind === "firing"), 8000, "deviation alert");
    const status = manager.status();
    expect(status.feeds.map((f) => [f.feed, f.state])).toEqual([
      ["pyth-demo", "live"],
      ["binance-demo", "live"],
      ["coinbase-demo", "live"],
    ]);
    for (const m of DEMO_MARKETS) {
      const reference = status.markets[m.market].reference;
      expect(reference).not.toBeNull();
      expect(Math.abs((reference as number) / m.startPrice - 1)).toBeLessThan(0.05);
    }
    for (const f of status.feeds) expect(f.ticks).toBeGreaterThan(10);
    const deviation = status.openAlerts.find((a) => a.fingerprint === "deviation:BTC-USD:binance-demo");
    expect(deviation?.value).toBeGreaterThan(0.02); // scripted +2.5 %
  });
});
