// The columnar one-pass sums agree with lib/alerts' position-list definitions on the demo book,
// margined independently by lib/risk's object path (computeMargin).
import { describe, expect, it } from "vitest";
import { buildColumnarBook, computeMargin, createMarginState, type Book, type ParamsSet } from "../../../lib/risk";
import { oiShareWithin, predictedLiquidations, type MonitoredPosition } from "../../../lib/alerts/risk-monitors";
import { generateDemoBook } from "../../demo/book";
import { DEMO_MARKETS } from "../../demo/markets";
import { marketRiskSums, SumsScratch } from "./book-sums";

const book = generateDemoBook(3_000, 20261125) as unknown as Book;
const params: ParamsSet = { markets: Object.fromEntries(DEMO_MARKETS.map((market) => [market.id, market.params])) };

describe("marketRiskSums", () => {
  const columnar = buildColumnarBook(book);
  const state = createMarginState(columnar, params);
  const report = computeMargin(book, params);

  /**
   * lib/alerts positions of one market from the object path. A position of a unit liquidatable now
   * counts as past its liquidation price (book-sums.ts): the object path reports such a position's
   * price past the mark, or null when this market alone cannot restore the unit (e.g. a small short
   * in a cross account sunk by another market); both are given a price just past the mark here.
   */
  function positionsOf(market: string) {
    const positions: MonitoredPosition[] = [];
    const liquidatable = { accounts: new Set<string>(), notionalUsd: 0, shortfallUsd: 0 };
    for (const account of report.accounts) {
      let holds = false;
      for (const position of account.positions) {
        if (position.market !== market) continue;
        const mark = book.marks[market];
        const unitLiquidatable = account.mode === "cross" ? account.liquidatable : position.liquidatable === true;
        if (unitLiquidatable && position.liquidationPrice !== null) {
          // Past the mark on the adverse side (distance ≤ 0).
          expect(position.size > 0 ? position.liquidationPrice >= mark : position.liquidationPrice <= mark).toBe(true);
        }
        const pastMark = position.size > 0 ? mark * 1.01 : mark * 0.99;
        positions.push({ size: position.size, markPrice: mark, liquidationPrice: unitLiquidatable ? (position.liquidationPrice ?? pastMark) : position.liquidationPrice });
        if (unitLiquidatable) {
          liquidatable.accounts.add(account.id);
          liquidatable.notionalUsd += position.notional;
          if (account.mode === "isolated") liquidatable.shortfallUsd += position.shortfall ?? 0;
          holds = true;
        }
      }
      if (holds && account.mode === "cross") liquidatable.shortfallUsd += account.shortfall;
    }
    return { positions, liquidatable };
  }

  it.each(DEMO_MARKETS.map((market) => market.id))("%s: OI near liquidation, predicted liquidations and liquidatable totals", (market) => {
    const m = columnar.marketIndex.get(market)!;
    const scratch = new SumsScratch();
    const { positions, liquidatable } = positionsOf(market);
    // Wide enough that every market has positions inside (the demo's leverage reaches 20×).
    for (const [withinFraction, moveFraction] of [
      [0.05, 0.08],
      [0.2, 0.02],
      [0, null],
    ] as const) {
      const sums = marketRiskSums(columnar, state, m, { withinFraction, moveFraction, scratch });
      const near = oiShareWithin(positions, withinFraction);
      expect(sums.positions).toBe(positions.length);
      expect(sums.openInterestUsd).toBeCloseTo(near.openInterestUsd, 6);
      expect(sums.nearNotionalUsd).toBeCloseTo(near.notionalUsd, 6);
      if (moveFraction === null) expect(sums.predicted).toBeNull();
      else {
        const predicted = predictedLiquidations(positions, moveFraction);
        const worse = Math.max(sums.predicted!.downNotionalUsd, sums.predicted!.upNotionalUsd);
        expect(worse).toBeCloseTo(predicted.notionalUsd, 6);
        expect(predicted.direction === "down" ? sums.predicted!.downCount : sums.predicted!.upCount).toBe(predicted.count);
      }
      expect(sums.liquidatable.accounts).toBe(liquidatable.accounts.size);
      expect(sums.liquidatable.notionalUsd).toBeCloseTo(liquidatable.notionalUsd, 6);
      expect(sums.liquidatable.shortfallUsd).toBeCloseTo(liquidatable.shortfallUsd, 6);
    }
  });

  it("the demo book has positions near liquidation and liquidatable accounts to compare", () => {
    // Guards the comparison above against being vacuous.
    const m = columnar.marketIndex.get("BTC-USD")!;
    const sums = marketRiskSums(columnar, state, m, { withinFraction: 0.05, moveFraction: 0.08 });
    expect(sums.nearNotionalUsd).toBeGreaterThan(0);
    expect(sums.nearNotionalUsd).toBeLessThan(sums.openInterestUsd);
    expect(report.totals.liquidatable).toBeGreaterThan(0);
  });
});
