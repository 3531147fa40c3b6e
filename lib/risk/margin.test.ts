import { describe, expect, it } from "vitest";
import { parseBook } from "./book";
import { computeMargin } from "./margin";
import { buildMaintenanceCurve, maintenanceMargin, solveLiquidationPrice } from "./maintenance";
import { parseParams } from "./params";

const binanceBtcTiers = [
  { notionalFloor: 0, maintenanceMarginFraction: 0.004 },
  { notionalFloor: 50000, maintenanceMarginFraction: 0.005 },
  { notionalFloor: 250000, maintenanceMarginFraction: 0.01 },
  { notionalFloor: 1000000, maintenanceMarginFraction: 0.025 },
];

describe("maintenance curve", () => {
  // Binance "maintenance amount" cum: 0, 50000·0.001 = 50, 50 + 250000·0.005 = 1300, 1300 + 1e6·0.015 = 16300.
  it.each([
    { notional: 10000, expected: 40 }, // 10000·0.004
    { notional: 100000, expected: 450 }, // 100000·0.005 − 50
    { notional: 250000, expected: 1200 }, // 250000·0.01 − 1300 (continuous: 250000·0.005 − 50 = 1200)
    { notional: 2e6, expected: 33700 }, // 2e6·0.025 − 16300
  ])("tiered MM at N=$notional is $expected", ({ notional, expected }) => {
    const curve = buildMaintenanceCurve({ initialMarginFraction: 0.05, maintenanceMarginFraction: 0.025, maintenanceTiers: binanceBtcTiers });
    expect(maintenanceMargin(curve, notional)).toBeCloseTo(expected, 9);
  });

  // Volatility floor v = 0.0045 under the same tiers: max(tier MM, 0.0045·N).
  it.each([
    { notional: 10000, expected: 45 }, // floor: 0.0045·10000 beats 40
    { notional: 100000, expected: 450 }, // tie at the crossing 50/(0.005−0.0045) = 100000
    { notional: 200000, expected: 950 }, // tier: 200000·0.005 − 50 = 950 > 900
  ])("tiered MM with volatility floor at N=$notional is $expected", ({ notional, expected }) => {
    const curve = buildMaintenanceCurve({ initialMarginFraction: 0.05, maintenanceMarginFraction: 0.025, maintenanceTiers: binanceBtcTiers }, 0.0045);
    expect(maintenanceMargin(curve, notional)).toBeCloseTo(expected, 9);
  });

  it("merges duplicate positions of one market in a unit (two longs of 1 at 100, MMF 5%, equity 20)", () => {
    // 20 + 2(P − 100) = 0.05·2P → P = 180/1.9
    const curve = buildMaintenanceCurve({ initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05 });
    expect(solveLiquidationPrice(20, 2, 100, 0, [1, 1], curve)).toBeCloseTo(180 / 1.9, 9);
  });
});

describe("computeMargin: venue-documented formulas", () => {
  it("Binance USD-M cross, one-way (LP = (WB − TMM1 + UPNL1 + cumB − side·pos·EP)/(pos·MMR − side·pos))", () => {
    // https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93
    // WB 10000; other contract ETH short 10 @2000, mark 2100: UPNL1 = −1000, TMM1 = 10·2100·0.01 = 210.
    // BTC long 2 @30000, tier [50000, 250000): MMR 0.005, cum 50:
    // LP = (10000 − 210 − 1000 + 50 − 60000)/(0.01 − 2) = 51160/1.99 = 25708.542713567838 (notional 51417 is in that tier).
    const book = parseBook({
      marks: { "BTC-USDT": 29000, "ETH-USDT": 2100 },
      accounts: [{ id: "w", mode: "cross", collateral: 10000, positions: [
        { market: "BTC-USDT", size: 2, entryPrice: 30000 },
        { market: "ETH-USDT", size: -10, entryPrice: 2000 },
      ] }],
    });
    const params = parseParams({ markets: {
      "BTC-USDT": { initialMarginFraction: 0.05, maintenanceMarginFraction: 0.025, maintenanceTiers: binanceBtcTiers },
      "ETH-USDT": { initialMarginFraction: 0.02, maintenanceMarginFraction: 0.01 },
    } });
    const account = computeMargin(book, params).accounts[0];
    expect(account.positions[0].liquidationPrice).toBeCloseTo(51160 / 1.99, 6);
    // equity 10000 − 2000 − 1000 = 7000; MM = 58000·0.005 − 50 + 210 = 450.
    expect(account.equity).toBe(7000);
    expect(account.maintenanceMargin).toBeCloseTo(450, 9);
    expect(account.health).toBeCloseTo(7000 / 450, 12);
  });

  it("Binance USD-M isolated short with maintenance amount", () => {
    // Isolated: TMM1 = UPNL1 = 0. Short 5 @2000, WB 1000, tier [10000, 100000): MMR 0.0065, cum 10000·0.0015 = 15.
    // LP = (1000 + 15 + 5·2000)/(5·0.0065 + 5) = 11015/5.0325 (notional 10943.9 is in that tier).
    const book = parseBook({ marks: { "ETH-USDT": 2000 }, accounts: [{ id: "s", mode: "isolated", positions: [{ market: "ETH-USDT", size: -5, entryPrice: 2000, margin: 1000 }] }] });
    const params = parseParams({ markets: { "ETH-USDT": { initialMarginFraction: 0.02, maintenanceMarginFraction: 0.01, maintenanceTiers: [
      { notionalFloor: 0, maintenanceMarginFraction: 0.005 }, { notionalFloor: 10000, maintenanceMarginFraction: 0.0065 }, { notionalFloor: 100000, maintenanceMarginFraction: 0.01 },
    ] } } });
    expect(computeMargin(book, params).accounts[0].positions[0].liquidationPrice).toBeCloseTo(11015 / 5.0325, 6);
  });

  it("Hyperliquid isolated short: liq = price − side·margin_available/size/(1 − l·side)", () => {
    // https://hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations — l = 1/maintenance leverage = 0.02 (max leverage 25).
    // Short 2 @3000, mark 3100, isolated margin 600 → account value 400, margin_available = 400 − 2·3100·0.02 = 276;
    // liq = 3100 + 276/2/1.02 = 3235.294117647059.
    const book = parseBook({ marks: { "ETH-USD": 3100 }, accounts: [{ id: "h", mode: "isolated", positions: [{ market: "ETH-USD", size: -2, entryPrice: 3000, margin: 600 }] }] });
    const params = parseParams({ markets: { "ETH-USD": { initialMarginFraction: 0.04, maintenanceMarginFraction: 0.02 } } });
    expect(computeMargin(book, params).accounts[0].positions[0].liquidationPrice).toBeCloseTo(3100 + 276 / 2 / 1.02, 6);
  });

  it("null liquidation price when no positive price reaches maintenance (long backed beyond its notional)", () => {
    // 200 + (P − 100) = 0.05·P → P = −100/0.95 < 0.
    const book = parseBook({ marks: { X: 100 }, accounts: [{ id: "l", mode: "isolated", positions: [{ market: "X", size: 1, entryPrice: 100, margin: 200 }] }] });
    const params = parseParams({ markets: { X: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05 } } });
    expect(computeMargin(book, params).accounts[0].positions[0].liquidationPrice).toBeNull();
  });

  it("isolated account: sums over positions, liquidatable when any is, bad debt of the negative one", () => {
    // p0: 100 + 10·(90 − 100) = 0 equity, MM 10·90·0.05 = 45 → shortfall 45, liquidatable.
    // p1: 500 − 1·(90 − 100) = 510 equity, MM 4.5. p2: 10 + 10·(80 − 90)... (market Y) = −90 → bad debt 90, shortfall 90 + 40.
    const book = parseBook({ marks: { X: 90, Y: 80 }, accounts: [{ id: "i", mode: "isolated", positions: [
      { market: "X", size: 10, entryPrice: 100, margin: 100 },
      { market: "X", size: -1, entryPrice: 100, margin: 500 },
      { market: "Y", size: 10, entryPrice: 90, margin: 10 },
    ] }] });
    const params = parseParams({ markets: { X: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05 }, Y: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05 } } });
    const report = computeMargin(book, params);
    const account = report.accounts[0];
    expect(account.equity).toBeCloseTo(0 + 510 - 90, 9);
    expect(account.maintenanceMargin).toBeCloseTo(45 + 4.5 + 40, 9);
    expect(account.shortfall).toBeCloseTo(45 + 130, 9);
    expect(account.badDebt).toBeCloseTo(90, 9);
    expect(account.liquidatable).toBe(true);
    expect(account.notionalAtRisk).toBeCloseTo(900 + 800, 9);
    expect(account.positions.map((p) => p.liquidatable)).toEqual([true, false, true]);
    expect(report.totals).toMatchObject({ accounts: 1, liquidatable: 1 });
  });

  it("names a market missing from the parameter set", () => {
    const book = parseBook({ marks: { X: 1 }, accounts: [{ id: "a", mode: "cross", collateral: 1, positions: [{ market: "X", size: 1, entryPrice: 1 }] }] });
    expect(() => computeMargin(book, { markets: {} }, { paramsSource: "cur.json" })).toThrow("cur.json: markets.X: expected parameters for market X (used in the book), got nothing");
  });

  it("volatility floor from the live EWMA σ when the source is ewma (same as a fixed σ of that value)", () => {
    // 80 % annual, z 2.326348, 8 h → 5.622234 % floor on 100,000 notional (vector volatility-margin-floor).
    const book = parseBook({ marks: { "ETH-USD": 2000 }, accounts: [{ id: "a", mode: "isolated", positions: [{ market: "ETH-USD", size: 50, entryPrice: 2000, margin: 20000 }] }] });
    const live = parseParams({ markets: { "ETH-USD": { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.03, volatilityMargin: { source: "ewma", ewmaLambda: 0.94, z: 2.326348, horizonHours: 8 } } } });
    expect(computeMargin(book, live, { liveAnnualVolatility: { "ETH-USD": 0.8 } }).accounts[0].maintenanceMargin).toBeCloseTo(5622.234152828948, 6);
    expect(() => computeMargin(book, live)).toThrow('params.json: markets["ETH-USD"].volatilityMargin.source: expected a live EWMA volatility for ETH-USD, got none');
  });
});
