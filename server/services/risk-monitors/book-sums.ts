// Per-market sums the risk monitors need, in one pass over a market's positions of the risk
// engine's columnar book (lib/risk columnar.ts) and its margin state (lib/risk state.ts), without
// building a lib/alerts MonitoredPosition per position. Same definitions as lib/alerts
// risk-monitors.ts (oiShareWithin, predictedLiquidations, LiquidatableTotals); the unit test
// checks both paths agree on the same book.
//
// A position of a margin unit that is liquidatable at the current marks counts as already past its
// liquidation price (distance ≤ 0): for such a unit the solved price lies on the far side of the
// mark and says nothing about distance (server/services/risk/risk-book.ts nearestLiquidation).
// Floats: notionals summed in double precision, as in lib/alerts (comparison and display values).
import { liquidationPriceOf, type ColumnarBook, type MarginState } from "../../../lib/risk";
import type { LiquidatableTotals } from "../../../lib/alerts/risk-monitors";

export type MarketRiskSums = {
  market: string;
  mark: number;
  positions: number;
  openInterestUsd: number;
  /** Notional within `withinFraction` of (or past) liquidation. */
  nearNotionalUsd: number;
  /** Liquidated by a move of `moveFraction` in this market alone, per direction; null when no move was given. */
  predicted: { downNotionalUsd: number; upNotionalUsd: number; downCount: number; upCount: number; openInterestUsd: number } | null;
  /**
   * Liquidatable at current marks: distinct accounts with a liquidatable unit holding this market,
   * their positions' notional in this market, and Σ max(0, maintenance − equity) of those units
   * (a cross account's shortfall counts in every market it holds).
   */
  liquidatable: LiquidatableTotals;
};

/** Scratch arrays reused across markets and passes (stamps: no clearing between markets). */
export class SumsScratch {
  private accountStamp = new Int32Array(0);
  private unitStamp = new Int32Array(0);
  private stamp = 0;

  next(book: ColumnarBook): { accountStamp: Int32Array; unitStamp: Int32Array; stamp: number } {
    if (this.accountStamp.length !== book.accountIds.length || this.unitStamp.length !== book.unitAccount.length || this.stamp >= 0x7fffffff) {
      this.accountStamp = new Int32Array(book.accountIds.length);
      this.unitStamp = new Int32Array(book.unitAccount.length);
      this.stamp = 0;
    }
    this.stamp++;
    return { accountStamp: this.accountStamp, unitStamp: this.unitStamp, stamp: this.stamp };
  }
}

export function marketRiskSums(
  book: ColumnarBook,
  state: MarginState,
  m: number,
  options: { withinFraction: number; moveFraction: number | null; scratch?: SumsScratch },
): MarketRiskSums {
  const { accountStamp, unitStamp, stamp } = (options.scratch ?? new SumsScratch()).next(book);
  const mark = book.marks[m];
  const within = options.withinFraction;
  const move = options.moveFraction;
  let openInterestUsd = 0;
  let nearNotionalUsd = 0;
  let downNotionalUsd = 0;
  let upNotionalUsd = 0;
  let downCount = 0;
  let upCount = 0;
  const liquidatable: LiquidatableTotals = { accounts: 0, notionalUsd: 0, shortfallUsd: 0 };
  const start = book.marketPositionStart[m];
  const end = book.marketPositionStart[m + 1];
  for (let i = start; i < end; i++) {
    const p = book.marketPositions[i];
    const size = book.positionSize[p];
    const notional = Math.abs(size) * mark;
    openInterestUsd += notional;
    const u = book.positionUnit[p];
    let distance: number;
    if (state.unitLiquidatable[u]) {
      distance = -Infinity;
      liquidatable.notionalUsd += notional;
      const a = book.unitAccount[u];
      if (accountStamp[a] !== stamp) {
        accountStamp[a] = stamp;
        liquidatable.accounts++;
      }
      if (unitStamp[u] !== stamp) {
        unitStamp[u] = stamp;
        liquidatable.shortfallUsd += Math.max(0, state.unitMaintenance[u] - book.unitEquity[u]);
      }
    } else {
      const price = liquidationPriceOf(state, p);
      if (price === null) continue;
      distance = size > 0 ? (mark - price) / mark : (price - mark) / mark;
    }
    if (distance <= within) nearNotionalUsd += notional;
    if (move !== null && distance <= move) {
      if (size > 0) {
        downNotionalUsd += notional;
        downCount++;
      } else {
        upNotionalUsd += notional;
        upCount++;
      }
    }
  }
  return {
    market: book.marketNames[m],
    mark,
    positions: end - start,
    openInterestUsd,
    nearNotionalUsd,
    predicted: move === null ? null : { downNotionalUsd, upNotionalUsd, downCount, upCount, openInterestUsd },
    liquidatable,
  };
}
