import { describe, expect, it } from "vitest";
import type { DetectorThresholds } from "../config/riskwarden-config";
import { OracleEngine } from "./detectors";
import { Hysteresis } from "./hysteresis";
import { median } from "./reference";
import type { AlertEvent } from "./types";
import { EwmaVolatility } from "./volatility";

const thresholds: DetectorThresholds = {
  deviationPct: 1,
  forMs: 2000,
  clearForMs: 5000,
  jumpPct: 10,
  jumpWindowMs: 5000,
  confidencePct: 2,
  frozenMs: 10000,
  feedErrorCount: 3,
  feedErrorWindowMs: 10000,
  volatilityLambdaPerDay: 0.94,
  volatilitySampleMs: 1000,
};
const FEEDS = ["pyth", "binance", "coinbase"] as const;
type Feed = (typeof FEEDS)[number];

/**
 * Runs 0..endMs with a tick from every feed every 500 ms. `priceOf(feed, t)` returns the price or
 * null to skip the tick; `confOf` optional conf. Returns all events.
 */
function run(endMs: number, priceOf: (feed: Feed, t: number) => number | null, confOf?: (feed: Feed, t: number) => number | undefined): AlertEvent[] {
  const engine = new OracleEngine({
    markets: { "BTC-USD": thresholds },
    feeds: FEEDS.map((id) => ({ id, heartbeatMs: 3000, markets: ["BTC-USD"] })),
    startMs: 0,
  });
  for (let t = 0; t <= endMs; t += 500) {
    for (const feed of FEEDS) {
      const price = priceOf(feed, t);
      if (price !== null) engine.ingest({ feed, market: "BTC-USD", symbol: "x", price, conf: confOf?.(feed, t), receivedAtMs: t });
    }
  }
  engine.advanceTo(endMs);
  return engine.drainEvents();
}

const brief = (events: AlertEvent[]) => events.map((e) => [e.kind, e.fingerprint, e.at, e.severity]);
// A gently moving market: every source moves by 0.01 % per tick so nothing is frozen.
const base = (t: number) => 60000 * (1 + (t / 500) * 0.0001);

describe("detector checks (forMs 2000, clearForMs 5000, heartbeat 3000 ms)", () => {
  it.each<[string, number, (feed: Feed, t: number) => number | null, ((feed: Feed, t: number) => number | undefined) | undefined, unknown[]]>([
    [
      // binance +3 % from 10 s to 30 s: holds from 10000 → fires 12000; gone at 30000 → resolves 35000.
      // pyth/coinbase compare against median(binance, other) = a 1.5 % gap, but are < 1 % from the
      // market reference (median of all three) and stay quiet.
      "deviation of one source, then recovery",
      40000,
      (feed, t) => (feed === "binance" && t >= 10000 && t < 30000 ? base(t) * 1.03 : base(t)),
      undefined,
      [
        ["firing", "deviation:BTC-USD:binance", 12000, "warning"],
        ["resolved", "deviation:BTC-USD:binance", 35000, "warning"],
      ],
    ],
    [
      // deviating 1.5 s on / 1.5 s off never holds 2 s: no alert (flapping suppression).
      "flapping shorter than forMs never fires",
      40000,
      (feed, t) => (feed === "binance" && t >= 10000 && Math.floor((t - 10000) / 1500) % 2 === 0 ? base(t) * 1.03 : base(t)),
      undefined,
      [],
    ],
    [
      // deviating from 10000: fires 12000; from 20000 it flaps 1 s off / 1 s on (shorter than
      // clearForMs) until 30000, then stays good: last gone-since 30000 → resolves 35000.
      "flapping after firing does not resolve before clearForMs",
      45000,
      (feed, t) => {
        if (feed !== "binance" || t < 10000) return base(t);
        if (t < 20000) return base(t) * 1.03;
        if (t < 30000) return Math.floor((t - 20000) / 1000) % 2 === 0 ? base(t) : base(t) * 1.03;
        return base(t);
      },
      undefined,
      [
        ["firing", "deviation:BTC-USD:binance", 12000, "warning"],
        ["resolved", "deviation:BTC-USD:binance", 35000, "warning"],
      ],
    ],
    [
      // coinbase's last tick 10000, heartbeat 3000 → stale from 13000 → fires 15000; ticks again at
      // 20000 → resolves 25000. Two healthy sources remain, so warning.
      "staleness of one feed",
      30000,
      (feed, t) => (feed === "coinbase" && t > 10000 && t < 20000 ? null : base(t)),
      undefined,
      [
        ["firing", "staleness:BTC-USD:coinbase", 15000, "warning"],
        ["resolved", "staleness:BTC-USD:coinbase", 25000, "warning"],
      ],
    ],
    [
      // All three stop after 10000: stale from 13000, fire 15000; no healthy source is left at
      // firing, so critical.
      "staleness of every feed is critical",
      16000,
      (_feed, t) => (t > 10000 ? null : base(t)),
      undefined,
      [
        ["firing", "staleness:BTC-USD:pyth", 15000, "critical"],
        ["firing", "staleness:BTC-USD:binance", 15000, "critical"],
        ["firing", "staleness:BTC-USD:coinbase", 15000, "critical"],
      ],
    ],
    [
      // pyth repeats the 5000 ms price while the others move: frozen from 5000 + 10000 = 15000 →
      // fires 17000; moves again at 25000 → resolves 30000.
      "frozen price while others move",
      35000,
      (feed, t) => (feed === "pyth" && t >= 5000 && t < 25000 ? base(5000) : base(t)),
      undefined,
      [
        ["firing", "frozen:BTC-USD:pyth", 17000, "warning"],
        ["resolved", "frozen:BTC-USD:pyth", 30000, "warning"],
      ],
    ],
    [
      // Whole market +15 % at 10000 (no deviation): the pre-jump 9500 price is in every window until
      // it leaves at 9500 + 5000 = 14500; fires 12000, resolves 14500 + 5000 = 19500. 15 % < 2 × 10 %
      // so warning.
      "jump within the window",
      25000,
      (_feed, t) => (t >= 10000 ? base(t) * 1.15 : base(t)),
      undefined,
      [
        ["firing", "jump:BTC-USD:pyth", 12000, "warning"],
        ["firing", "jump:BTC-USD:binance", 12000, "warning"],
        ["firing", "jump:BTC-USD:coinbase", 12000, "warning"],
        ["resolved", "jump:BTC-USD:pyth", 19500, "warning"],
        ["resolved", "jump:BTC-USD:binance", 19500, "warning"],
        ["resolved", "jump:BTC-USD:coinbase", 19500, "warning"],
      ],
    ],
    [
      // pyth conf 3 % of price from 10000 to 19500: fires 12000; normal from 20000 → resolves 25000.
      "wide confidence",
      30000,
      (_feed, t) => base(t),
      (feed, t) => (feed !== "pyth" ? undefined : t >= 10000 && t < 20000 ? base(t) * 0.03 : base(t) * 0.0005),
      [
        ["firing", "confidence:BTC-USD:pyth", 12000, "warning"],
        ["resolved", "confidence:BTC-USD:pyth", 25000, "warning"],
      ],
    ],
  ])("%s", (_name, endMs, priceOf, confOf, expected) => {
    expect(brief(run(endMs, priceOf, confOf))).toEqual(expected);
  });

  it("reports value and threshold as fractions for deviation (contract units)", () => {
    const events = run(13000, (feed, t) => (feed === "binance" && t >= 10000 ? 60000 * 1.05 : 60000 + (t % 1000) / 1000));
    const firing = events.find((e) => e.check === "deviation");
    expect(firing?.threshold).toBe(0.01);
    expect(firing?.value).toBeCloseTo(0.05, 2);
  });

  it("feed-error: 3 rejections within 10 s fire after forMs and resolve when they age out", () => {
    const engine = new OracleEngine({ markets: { "BTC-USD": thresholds }, feeds: [{ id: "pyth", heartbeatMs: 60000, markets: ["BTC-USD"] }], startMs: 0 });
    for (const t of [1000, 1500, 2000]) engine.recordRejection("pyth", "frame is not valid JSON", t, "{bad");
    engine.advanceTo(30000);
    // count reaches 3 at 2000 → fires 4000; the 1000 rejection leaves the window at 11000 → resolves 16000.
    expect(brief(engine.drainEvents())).toEqual([
      ["firing", "feed-error:-:pyth", 4000, "warning"],
      ["resolved", "feed-error:-:pyth", 16000, "warning"],
    ]);
    expect(engine.feedCounters().pyth).toMatchObject({ rejected: 3, rejectionsByReason: { "frame is not valid JSON": 3 }, sampleByReason: { "frame is not valid JSON": "{bad" } });
  });

  it("snapshot: reference is the median of healthy sources; stale sources drop out", () => {
    const engine = new OracleEngine({ markets: { "BTC-USD": thresholds }, feeds: FEEDS.map((id) => ({ id, heartbeatMs: 3000, markets: ["BTC-USD"] })), startMs: 0 });
    engine.ingest({ feed: "pyth", market: "BTC-USD", symbol: "x", price: 100, receivedAtMs: 0 });
    engine.ingest({ feed: "binance", market: "BTC-USD", symbol: "x", price: 101, receivedAtMs: 1000 });
    engine.ingest({ feed: "coinbase", market: "BTC-USD", symbol: "x", price: 110, receivedAtMs: 2000 });
    expect(engine.snapshot()["BTC-USD"].reference).toBe(101); // median(100, 101, 110)
    engine.advanceTo(3500); // pyth (last tick 0) is now older than 3000 ms
    const snap = engine.snapshot()["BTC-USD"];
    expect(snap.reference).toBe(105.5); // median(101, 110)
    expect(snap.sources.pyth).toMatchObject({ healthy: false, ageMs: 3500, price: 100 });
    expect(snap.healthySources).toBe(2);
  });
});

describe("engine volatility", () => {
  it("samples the reference every volatilitySampleMs and reports annualised EWMA σ per market", () => {
    const engine = new OracleEngine({
      markets: { "BTC-USD": { ...thresholds, volatilitySampleMs: 60_000 } },
      feeds: [{ id: "pyth", heartbeatMs: 10 * 60_000, markets: ["BTC-USD"] }],
      startMs: 0,
    });
    // Reference alternates by ±1 % log return once a minute (ticks every 10 s repeat it):
    // variance rate 0.01² per minute = 0.144/day → σ = √(0.144 × 365) = 7.2498 annualised.
    // The grid samples at t = 60 000 just before that instant's tick, so the first of the 120
    // sampled returns is 0: σ ≈ 7.2498 × √(119/120) = 7.2196 (weights over 2 h are ≈ equal:
    // 0.94^(2/24) = 0.995).
    let price = 100;
    for (let minute = 0; minute <= 120; minute++) {
      if (minute > 0) price *= Math.exp(minute % 2 === 0 ? 0.01 : -0.01);
      for (let s = 0; s < 60; s += 10) engine.ingest({ feed: "pyth", market: "BTC-USD", symbol: "x", price, receivedAtMs: minute * 60_000 + s * 1000 });
    }
    expect(engine.volatilities()["BTC-USD"]).toBeCloseTo(Math.sqrt(0.0001 * 1440 * 365) * Math.sqrt(119 / 120), 3);
    expect(engine.snapshot()["BTC-USD"].annualisedVolatility).toBe(engine.volatilities()["BTC-USD"]);
  });
});

describe("hysteresis", () => {
  it.each<[string, Array<[boolean, number, number]>, Array<[string, number]>]>([
    ["fires at since + forMs even when noticed late", [[true, 1000, 1000], [true, 1000, 3500]], [["firing", 3000]]],
    ["does not fire before forMs", [[true, 0, 0], [true, 0, 1999]], []],
    ["interrupted condition restarts the clock", [[true, 0, 0], [false, 1500, 1500], [true, 1600, 1600], [true, 1600, 3500]], []],
    ["resolves at clear-since + clearForMs", [[true, 0, 2000], [false, 4000, 4000], [false, 4000, 9000]], [["firing", 2000], ["resolved", 9000]]],
  ])("%s", (_name, steps, expected) => {
    const h = new Hysteresis(2000, 5000);
    const out: Array<[string, number]> = [];
    for (const [active, since, now] of steps) {
      const change = h.update(active, since, now);
      if (change) out.push([change.kind, change.at]);
    }
    expect(out).toEqual(expected);
  });
});

describe("median", () => {
  it.each([[[], null], [[5], 5], [[1, 3], 2], [[3, 1, 2], 2], [[4, 1, 3, 2], 2.5]] as Array<[number[], number | null]>)("median(%j) = %j", (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe("EWMA volatility (RiskMetrics λ 0.94/day, irregular sampling)", () => {
  it.each([
    // Alternating ±1 % daily log returns: variance rate 0.0001/day → σ = 0.01 × √365 = 0.191050
    ["daily samples, ±1 %", 1, 0.01, 0.01 * Math.sqrt(365)],
    // Half-day samples with ±1 %/√2 returns carry the same variance rate → the same σ.
    ["half-day samples, ±0.707 %", 0.5, 0.01 / Math.SQRT2, 0.01 * Math.sqrt(365)],
    // 1-minute samples, ±0.05 %: rate 0.0005² × 1440 = 0.00036/day → σ = √(0.00036 × 365) = 0.362491
    ["minute samples, ±0.05 %", 1 / 1440, 0.0005, Math.sqrt(0.0005 ** 2 * 1440 * 365)],
  ])("%s", (_name, dtDays, logReturn, expectedSigma) => {
    const vol = new EwmaVolatility(0.94);
    let price = 100;
    vol.observe(price, 0);
    let sigma: number | null = null;
    for (let i = 1; i <= 200; i++) {
      price *= Math.exp(i % 2 === 0 ? logReturn : -logReturn);
      sigma = vol.observe(price, i * dtDays * 86_400_000);
    }
    expect(sigma).toBeCloseTo(expectedSigma, 6);
  });

  it("weights recent returns more (λ decay): a calm period after a volatile one lowers σ", () => {
    const vol = new EwmaVolatility(0.94);
    let price = 100;
    vol.observe(price, 0);
    for (let i = 1; i <= 30; i++) vol.observe((price *= Math.exp(i % 2 ? 0.05 : -0.05)), i * 86_400_000);
    const volatile = vol.annualisedSigma() as number;
    for (let i = 31; i <= 60; i++) vol.observe((price *= Math.exp(i % 2 ? 0.005 : -0.005)), i * 86_400_000);
    const calmer = vol.annualisedSigma() as number;
    // After 30 calm days the old variance weighs 0.94^30 ≈ 0.156 of the total weight.
    expect(calmer).toBeLessThan(volatile * 0.5);
    expect(calmer).toBeGreaterThan(0.005 * Math.sqrt(365));
  });
});
