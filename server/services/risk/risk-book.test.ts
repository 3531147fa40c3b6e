import { describe, expect, it } from "vitest";
import { RiskBook } from "./risk-book";
import { applyDraftChanges } from "./draft-changes";
import { AppError } from "../../errors";
import type { LoadedSnapshot } from "../positions/snapshots";

type SimpleAccount = { id: string; mode?: "cross" | "isolated"; collateral?: number; positions: { market: string; size: number; entryPrice: number; margin?: number }[] };

function snapshotOf(marks: Record<string, number>, accounts: SimpleAccount[], insuranceFund = 0): LoadedSnapshot {
  const positions = accounts.flatMap((account) => account.positions);
  const start = [0];
  for (const account of accounts) start.push(start[start.length - 1] + account.positions.length);
  return {
    snapshotId: 7,
    label: "test",
    source: "book",
    createdAt: new Date(0),
    marks,
    insuranceFund,
    accountIds: accounts.map((account) => account.id),
    accountIsolated: Uint8Array.from(accounts, (account) => (account.mode === "isolated" ? 1 : 0)),
    accountCollateral: Float64Array.from(accounts, (account) => account.collateral ?? 0),
    accountPositionStart: Int32Array.from(start),
    positionMarket: positions.map((position) => position.market),
    positionSize: Float64Array.from(positions, (position) => position.size),
    positionEntryPrice: Float64Array.from(positions, (position) => position.entryPrice),
    positionMargin: Float64Array.from(positions, (position) => position.margin ?? 0),
  };
}

// lib/risk/fixtures/vectors.json "preview-mmf-3-to-5-percent", plus an ungoverned market.
const previewBook = () =>
  snapshotOf({ "X-USD": 100, "Y-USD": 5 }, [
    { id: "A", collateral: 40000, positions: [{ market: "X-USD", size: 10000, entryPrice: 100 }] },
    { id: "B", collateral: 120000, positions: [{ market: "X-USD", size: 20000, entryPrice: 100 }, { market: "Y-USD", size: 1, entryPrice: 5 }] },
    { id: "C", collateral: 60000, positions: [{ market: "X-USD", size: -15000, entryPrice: 100 }] },
  ]);
const xParams = { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.03 };

function bookWith(snapshot: LoadedSnapshot, params: Record<string, Record<string, unknown>>, options: { refreshIntervalMs?: number; now?: () => number } = {}) {
  const book = new RiskBook({ refreshIntervalMs: options.refreshIntervalMs ?? 0, now: options.now });
  book.setSnapshot(snapshot);
  book.setParams(params, Object.fromEntries(Object.keys(params).map((market) => [market, { version: 1, parameterSetId: 1 }])));
  return book;
}

describe("RiskBook", () => {
  it("previews a draft with the contract's numbers (mmf 3 % → 5 %)", () => {
    const book = bookWith(previewBook(), { "X-USD": xParams });
    const proposed = applyDraftChanges({ "X-USD": xParams }, { "X-USD": { maintenanceMarginFraction: 0.05 } });
    const preview = book.preview({ markets: proposed } as never);
    expect(preview.summary.newlyLiquidatable).toBe(2);
    expect(preview.summary.shortfall.proposed).toBeCloseTo(25000, 6);
    expect(preview.accounts.map((account) => account.id).sort()).toEqual(["A", "B", "C"]);
    const a = preview.accounts.find((account) => account.id === "A")!;
    expect(a.current.positions[0].liquidationPrice).toBeCloseTo(98.96907216494846, 9);
    expect(a.proposed.positions[0].liquidationPrice).toBeCloseTo(101.05263157894737, 9);
    expect(preview.snapshotId).toBe(7);
    expect(preview.against).toEqual({ "X-USD": { version: 1, parameterSetId: 1 } });
    expect(preview.shocks.length).toBe(21);
    // Y-USD has no parameters: its position is left out, and said so.
    expect(book.status().snapshot).toMatchObject({ positions: 4, excludedPositions: 1, excludedMarkets: ["Y-USD"] });
  });

  it("a draft previewed after another (built on the previous draft's state) equals a fresh preview", () => {
    const chained = bookWith(previewBook(), { "X-USD": xParams });
    const first = applyDraftChanges({ "X-USD": xParams }, { "X-USD": { maintenanceMarginFraction: 0.05 } });
    const second = applyDraftChanges({ "X-USD": xParams }, { "X-USD": { maintenanceMarginFraction: 0.035 } });
    chained.preview({ markets: first } as never);
    const afterFirst = chained.preview({ markets: second } as never);
    const fresh = bookWith(previewBook(), { "X-USD": xParams }).preview({ markets: second } as never);
    const { computeMs: _a, ...chainedResult } = afterFirst;
    const { computeMs: _b, ...freshResult } = fresh;
    expect(chainedResult).toEqual(freshResult);
    expect(afterFirst.summary.newlyLiquidatable).not.toBe(chained.preview({ markets: first } as never).summary.newlyLiquidatable);
  });

  it("maps liquidation notional by price level, lists the nearest, bins health", () => {
    const book = bookWith(previewBook(), { "X-USD": xParams });
    // Liquidation prices (vector above, current set): A 98.969 long, B 96.907 long, C 100.971 short.
    const map = book.liquidationMap("X-USD", { buckets: 40, rangeFraction: 0.4 });
    expect(map.bucketWidth).toBeCloseTo(2, 12); // 100·0.8/40
    const nonEmpty = map.levels.filter((level) => level.longNotional > 0 || level.shortNotional > 0).map((level) => [level.priceLow, level.longNotional, level.shortNotional]);
    expect(nonEmpty).toEqual([
      [96, 2_000_000, 0],
      [98, 1_000_000, 0],
      [100, 0, 1_500_000],
    ]);
    const nearest = book.nearestLiquidation("X-USD", 2);
    expect(nearest.map((row) => row.accountId)).toEqual(["C", "A"]);
    expect(nearest[0].distance).toBeCloseTo(100.97087378640776 / 100 - 1, 12);
    expect(nearest[1]).toMatchObject({ mode: "cross", size: 10000, notional: 1_000_000 });
    expect(nearest[1].accountHealth).toBeCloseTo(40000 / 30000, 12);

    const histogram = book.healthHistogram("X-USD");
    const byLabel = Object.fromEntries(histogram.bins.map((bin) => [bin.label, bin.accounts]));
    // A: 40000/30000 = 1.33, C: 60000/45000 = 1.33, B: 120000/60000 = 2.
    expect(byLabel).toMatchObject({ "1.25–1.5": 2, "2–3": 1, "< 0": 0, "0.5–1": 0 });
    expect(histogram).toMatchObject({ accounts: 3, liquidatable: 0 });
    expect(() => book.liquidationMap("Y-USD")).toThrow(AppError);
  });

  it("follows live marks, at most once per refresh interval", () => {
    let now = 1_000_000;
    const book = bookWith(previewBook(), { "X-USD": xParams }, { refreshIntervalMs: 2_000, now: () => now });
    expect(book.marginSummary().totals.liquidatable).toBe(0);
    // At 98.5 A has equity 25,000 < maintenance 0.03·985,000 = 29,550.
    book.setMark("X-USD", 98.5);
    now += 500;
    expect(book.marginSummary().marks["X-USD"]).toEqual({ mark: 100, source: "snapshot" });
    now += 2_000;
    const summary = book.marginSummary();
    expect(summary.marks["X-USD"]).toEqual({ mark: 98.5, source: "live" });
    expect(summary.totals.liquidatable).toBe(1);
    expect(summary.totals.shortfall).toBeCloseTo(4_550, 6);
    expect(summary.markets["X-USD"]).toMatchObject({ positions: 3, liquidatablePositions: 1 });
    expect(summary.markets["X-USD"].longNotional).toBeCloseTo(30_000 * 98.5, 6);
  });

  it("runs the contract's cascade (shock −2 %) and a stress curve", () => {
    const snapshot = snapshotOf(
      { "X-USD": 100 },
      [
        { id: "A", collateral: 60000, positions: [{ market: "X-USD", size: 10000, entryPrice: 100 }] },
        { id: "B", collateral: 140000, positions: [{ market: "X-USD", size: 20000, entryPrice: 100 }] },
        { id: "C", collateral: 333000, positions: [{ market: "X-USD", size: 40000, entryPrice: 100 }] },
        { id: "D", collateral: 300000, positions: [{ market: "X-USD", size: -30000, entryPrice: 100 }] },
      ],
      20000,
    );
    const params = { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, liquidationPenalty: 0.015, cascade: { dailyVolatility: 0.05, dailyVolumeUsd: 50_000_000, impactCoefficient: 1, permanentImpactShare: 1 } };
    const book = bookWith(snapshot, { "X-USD": params });
    const stress = book.stress(-0.02);
    // lib/risk/fixtures/vectors.json "cascade-shock--0.02".
    expect(stress.waveCount).toBe(3);
    expect(stress.finalPrice["X-USD"]).toBeCloseTo(95.01643829874254, 9);
    expect(stress.liquidatedNotional).toBeCloseTo(6727398.840743372, 4);
    expect(stress.insuranceFund).toBeCloseTo(120910.9826111506, 4);
    expect(stress.insuranceFundBefore).toBe(20000);
    const curve = book.stressCurve("X-USD", [0, -0.02]);
    expect(curve[0]).toMatchObject({ shock: 0, liquidatedAccounts: 0, liquidatedNotional: 0, insuranceFund: 20000 });
    expect(curve[1].liquidatedNotional).toBeCloseTo(6727398.840743372, 4);
  });

  it("keeps a stress curve across mark refreshes for 30 s, not across a parameter change", () => {
    let now = 0;
    const book = bookWith(previewBook(), { "X-USD": { ...xParams, liquidationPenalty: 0.01 } }, { refreshIntervalMs: 0, now: () => now });
    const first = book.stressCurve("X-USD", [-0.05]);
    book.setMark("X-USD", 95);
    now += 10_000;
    expect(book.marginSummary().marks["X-USD"].mark).toBe(95);
    expect(book.stressCurve("X-USD", [-0.05])).toBe(first);
    now += 25_000;
    const later = book.stressCurve("X-USD", [-0.05]);
    expect(later).not.toBe(first);
    // −5 % from 100 and from 95: the longs A and B (30,000 units) are liquidated either way, with no
    // impact model filling at 95 and at 90.25.
    expect(first[0]).toMatchObject({ liquidatedAccounts: 2 });
    expect(first[0].liquidatedNotional).toBeCloseTo(30_000 * 95, 6);
    expect(later[0].liquidatedNotional).toBeCloseTo(30_000 * 90.25, 6);
    book.setParams({ "X-USD": { ...xParams, liquidationPenalty: 0.02 } }, {});
    expect(book.stressCurve("X-USD", [-0.05])).not.toBe(later);
  });

  it("uses the live EWMA σ for volatilityMargin.source = ewma, and the fixed σ until one exists", () => {
    const snapshot = snapshotOf({ "ETH-USD": 2000 }, [{ id: "a", mode: "isolated", positions: [{ market: "ETH-USD", size: 50, entryPrice: 2000, margin: 20000 }] }]);
    const params = { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.03, volatilityMargin: { source: "ewma", annualVolatility: 0.8, z: 2.326348, horizonHours: 8 } };
    const book = bookWith(snapshot, { "ETH-USD": params });
    // Fixed 80 %: vectors.json "volatility-margin-floor" → maintenance 5622.234152828948.
    expect(book.marginSummary().totals.maintenanceMargin).toBeCloseTo(5622.234152828948, 6);
    expect(book.status().volatilityFallbacks).toEqual(["ETH-USD"]);
    // σ 160 % doubles the floor; σ 40 % puts it (2.81 %) under the flat 3 %: 0.03·100,000.
    book.setLiveVolatility({ "ETH-USD": 1.6 });
    expect(book.marginSummary().totals.maintenanceMargin).toBeCloseTo(5622.234152828948 * 2, 6);
    book.setLiveVolatility({ "ETH-USD": 0.4 });
    expect(book.marginSummary().totals.maintenanceMargin).toBeCloseTo(3000, 9);
    expect(book.status().volatilityFallbacks).toEqual([]);
  });

  it("refuses a bad draft with the field and reason", () => {
    const error = (() => {
      try {
        applyDraftChanges({ "X-USD": xParams }, { "X-USD": { maintenanceMarginFraction: 0.2 }, "Z-USD": { initialMarginFraction: 0.1 } });
      } catch (caught) {
        return caught as AppError;
      }
    })();
    expect(error?.code).toBe("BAD_REQUEST");
    expect(error?.issues?.map((issue) => issue.path)).toEqual(['changes["X-USD"].maintenanceMarginFraction', 'changes["Z-USD"]']);
    expect(error?.issues?.[0].reason).toMatch(/less than initialMarginFraction/);
  });
});
