// Impact preview of a proposed parameter set against the current one, on the columnar book
// (contract risk-cli.md, "Output of preview --json", plus the UI's extras: liquidation-price shift
// distribution and top affected accounts).
import { columnarAccount, columnarMarks, type ColumnarBook } from "./columnar";
import { computeAccountMargin } from "./margin";
import type { ResolvedMarket } from "./maintenance";
import {
  accountsInMarkets,
  createMarginState,
  evaluateShockGrid,
  computeUnitLiquidationPrices,
  liquidationPrices,
  marketsWithChangedMaintenance,
  MarginState,
  shockRange,
  updateMarginState,
} from "./state";
import type { AccountMargin, MarginOptions, ParamsSet } from "./types";

export const defaultHealthEdges = [0, 0.5, 1, 1.5, 2, 3, 5, 10];
/** Relative liquidation-price shift buckets, in basis points. */
export const defaultShiftEdgesBps = [-1000, -500, -200, -100, -50, -10, 0, 10, 50, 100, 200, 500, 1000];

export { shockRange };

export interface PreviewOptions extends MarginOptions {
  shocks?: number[];
  histogramEdges?: number[];
  shiftEdgesBps?: number[];
  /** Most accounts listed in `accounts` (all changed ones are counted in `accountsChanged`). Default 1000. */
  accountLimit?: number;
  /** Size of `topAffected`. Default 20. */
  topAffected?: number;
  currentSource?: string;
  proposedSource?: string;
}

export interface BothSets<T> {
  current: T;
  proposed: T;
}

export interface PreviewAccount {
  id: string;
  newlyLiquidatable: boolean;
  noLongerLiquidatable: boolean;
  current: AccountMargin;
  proposed: AccountMargin;
}

export interface MarketImpact {
  positions: number;
  notional: number;
  newlyLiquidatable: number;
  noLongerLiquidatable: number;
  maintenanceMargin: BothSets<number>;
  /** Cross shortfall is attributed to the account's markets pro rata to their maintenance. */
  shortfall: BothSets<number>;
  notionalAtRisk: BothSets<number>;
}

export interface ShockPoint {
  shock: number;
  liquidatable: BothSets<number>;
  shortfall: BothSets<number>;
  notionalAtRisk: BothSets<number>;
}

export interface TopAffectedAccount {
  id: string;
  newlyLiquidatable: boolean;
  noLongerLiquidatable: boolean;
  shortfall: BothSets<number>;
  health: BothSets<number | null>;
}

export interface LiquidationPriceShift {
  /** Positions whose liquidation price cannot have moved (no market with a changed maintenance curve in their margin unit). */
  unchanged: number;
  /** Positions recomputed under both sets. */
  compared: number;
  moved: number;
  appeared: number;
  disappeared: number;
  edgesBps: number[];
  /** counts[i]: shift in [edges[i−1], edges[i]) bps; counts[0] below the first edge, last above the last. */
  counts: number[];
  minBps: number | null;
  maxBps: number | null;
  meanBps: number | null;
}

export interface PreviewResult {
  accounts: PreviewAccount[];
  accountsChanged: number;
  summary: {
    accounts: number;
    newlyLiquidatable: number;
    noLongerLiquidatable: number;
    liquidatable: BothSets<number>;
    shortfall: BothSets<number>;
    notionalAtRisk: BothSets<number>;
    badDebt: BothSets<number>;
  };
  histogram: { edges: number[]; current: number[]; proposed: number[] };
  markets: Record<string, MarketImpact>;
  liquidationPriceShift: LiquidationPriceShift;
  topAffected: TopAffectedAccount[];
  shocks: ShockPoint[];
  changedMarkets: string[];
}

function resolvedRecord(state: MarginState): Record<string, ResolvedMarket> {
  const record: Record<string, ResolvedMarket> = {};
  state.book.marketNames.forEach((name, index) => (record[name] = state.markets[index]));
  return record;
}

function stateFor(book: ColumnarBook, set: ParamsSet | MarginState, options: PreviewOptions, source: string, base?: MarginState): MarginState {
  if (set instanceof MarginState) return set;
  if (base) return updateMarginState(base, set, { ...options, paramsSource: source });
  return createMarginState(book, set, { ...options, paramsSource: source });
}

/** Health-histogram bin: below the first edge → first bin, at or above the last → last bin. */
function healthBin(health: number, edges: number[]): number {
  const bins = edges.length - 1;
  for (let i = 1; i < bins; i++) if (health < edges[i]) return i - 1;
  return bins - 1;
}

function health(state: MarginState, a: number): number | null {
  return state.accountMaintenance[a] > 0 ? state.accountEquity[a] / state.accountMaintenance[a] : null;
}

/** Summary and shock grid only: what the benchmark compares against SQL. */
export function previewTotals(current: MarginState, proposed: MarginState, shocks: number[]) {
  // Plain local sums (not object fields): the loop stays in unboxed doubles.
  const before = current.accountLiquidatable;
  const after = proposed.accountLiquidatable;
  const shortfallBefore = current.accountShortfall;
  const shortfallAfter = proposed.accountShortfall;
  const atRiskBefore = current.accountNotionalAtRisk;
  const atRiskAfter = proposed.accountNotionalAtRisk;
  let newly = 0;
  let noLonger = 0;
  let liquidatableCurrent = 0;
  let liquidatableProposed = 0;
  let shortfallCurrent = 0;
  let shortfallProposed = 0;
  let notionalCurrent = 0;
  let notionalProposed = 0;
  for (let a = 0; a < before.length; a++) {
    const x = before[a];
    const y = after[a];
    newly += y & (x ^ 1);
    noLonger += x & (y ^ 1);
    liquidatableCurrent += x;
    liquidatableProposed += y;
    shortfallCurrent += shortfallBefore[a];
    shortfallProposed += shortfallAfter[a];
    notionalCurrent += atRiskBefore[a];
    notionalProposed += atRiskAfter[a];
  }
  return {
    newlyLiquidatable: newly,
    noLongerLiquidatable: noLonger,
    liquidatable: { current: liquidatableCurrent, proposed: liquidatableProposed },
    shortfall: { current: shortfallCurrent, proposed: shortfallProposed },
    notionalAtRisk: { current: notionalCurrent, proposed: notionalProposed },
    grid: { current: evaluateShockGrid(current, shocks), proposed: evaluateShockGrid(proposed, shocks) },
  };
}

/**
 * Full preview of `proposed` against `current` on a columnar book. Either argument may be a
 * parameter set or a MarginState from createMarginState/updateMarginState (reused as is; pass the
 * states to make a re-preview after an edit cost only the changed markets).
 */
export function previewImpact(book: ColumnarBook, current: ParamsSet | MarginState, proposed: ParamsSet | MarginState, options: PreviewOptions = {}): PreviewResult {
  const currentState = stateFor(book, current, options, options.currentSource ?? "current.json");
  const proposedState = stateFor(book, proposed, options, options.proposedSource ?? "proposed.json", current instanceof MarginState ? undefined : currentState);
  const shocks = options.shocks ?? shockRange();
  const edges = options.histogramEdges ?? defaultHealthEdges;
  const shiftEdges = options.shiftEdgesBps ?? defaultShiftEdgesBps;
  const accountLimit = options.accountLimit ?? 1000;
  const topCount = options.topAffected ?? 20;
  const accountCount = book.accountIds.length;
  const marketCount = book.marketNames.length;

  const totals = previewTotals(currentState, proposedState, shocks);
  let badDebtCurrent = 0;
  let badDebtProposed = 0;
  const histogramCurrent = new Array(edges.length - 1).fill(0);
  const histogramProposed = new Array(edges.length - 1).fill(0);
  for (let a = 0; a < accountCount; a++) {
    badDebtCurrent += currentState.accountBadDebt[a];
    badDebtProposed += proposedState.accountBadDebt[a];
    const before = health(currentState, a);
    const after = health(proposedState, a);
    if (before !== null) histogramCurrent[healthBin(before, edges)]++;
    if (after !== null) histogramProposed[healthBin(after, edges)]++;
  }

  // Liquidation prices can only move in units holding a market whose maintenance curve changed.
  const changedMarketIndices = marketsWithChangedMaintenance(currentState, proposedState);
  const affectedAccounts = accountsInMarkets(book, changedMarketIndices);
  const priceMoved = new Uint8Array(accountCount);
  // Straight from the states' liquidation-price caches (NaN = not computed yet, 0 = none), counts
  // and extremes in locals: this loop visits every position of every affected account.
  const pricesBefore = liquidationPrices(currentState);
  const pricesAfter = liquidationPrices(proposedState);
  const counts = new Float64Array(shiftEdges.length + 1);
  let compared = 0;
  let moved = 0;
  let appeared = 0;
  let disappeared = 0;
  let minBps = Infinity;
  let maxBps = -Infinity;
  let shiftSum = 0;
  let shiftCount = 0;
  for (let i = 0; i < affectedAccounts.length; i++) {
    const a = affectedAccounts[i];
    for (let p = book.accountPositionStart[a]; p < book.accountPositionStart[a + 1]; p++) {
      let before = pricesBefore[p];
      if (before !== before) {
        computeUnitLiquidationPrices(currentState, book.positionUnit[p]);
        before = pricesBefore[p];
      }
      let after = pricesAfter[p];
      if (after !== after) {
        computeUnitLiquidationPrices(proposedState, book.positionUnit[p]);
        after = pricesAfter[p];
      }
      compared++;
      if (before === after) continue;
      priceMoved[a] = 1;
      moved++;
      if (before === 0) {
        appeared++;
        continue;
      }
      if (after === 0) {
        disappeared++;
        continue;
      }
      const bps = (after / before - 1) * 1e4;
      // Bucket = number of edges ≤ bps (binary search).
      let bucket = 0;
      let high = shiftEdges.length;
      while (bucket < high) {
        const mid = (bucket + high) >> 1;
        if (bps >= shiftEdges[mid]) bucket = mid + 1;
        else high = mid;
      }
      counts[bucket]++;
      if (bps < minBps) minBps = bps;
      if (bps > maxBps) maxBps = bps;
      shiftSum += bps;
      shiftCount++;
    }
  }
  const shift: LiquidationPriceShift = {
    unchanged: book.positionMarket.length - compared,
    compared,
    moved,
    appeared,
    disappeared,
    edgesBps: shiftEdges,
    counts: Array.from(counts),
    minBps: shiftCount > 0 ? minBps : null,
    maxBps: shiftCount > 0 ? maxBps : null,
    meanBps: shiftCount > 0 ? shiftSum / shiftCount : null,
  };

  // Per market, changed accounts and top affected. Per-market sums in typed arrays (plain doubles,
  // added in position order), turned into objects at the end.
  const positionsIn = new Float64Array(marketCount);
  const notionalIn = new Float64Array(marketCount);
  const maintenanceCurrent = new Float64Array(marketCount);
  const maintenanceProposed = new Float64Array(marketCount);
  const shortfallCurrent = new Float64Array(marketCount);
  const shortfallProposed = new Float64Array(marketCount);
  const atRiskCurrent = new Float64Array(marketCount);
  const atRiskProposed = new Float64Array(marketCount);
  const newlyIn = new Float64Array(marketCount);
  const noLongerIn = new Float64Array(marketCount);
  const lastCountedAccount = new Int32Array(marketCount).fill(-1);
  /** The first `accountLimit` changed accounts (all are counted). */
  const changedAccounts: number[] = [];
  let changedCount = 0;
  const top: { a: number; shortfallChange: number; healthDrop: number }[] = [];
  const rankBefore = (x: { shortfallChange: number; healthDrop: number }, y: { shortfallChange: number; healthDrop: number }) =>
    Math.abs(x.shortfallChange) !== Math.abs(y.shortfallChange) ? Math.abs(x.shortfallChange) > Math.abs(y.shortfallChange) : x.healthDrop > y.healthDrop;
  const { accountUnitStart, unitPositionStart, unitEquity, positionMarket, positionNotional, unitNotional } = book;
  const positionMaintenanceCurrent = currentState.positionMaintenance;
  const positionMaintenanceProposed = proposedState.positionMaintenance;
  const unitMaintenanceCurrent = currentState.unitMaintenance;
  const unitMaintenanceProposed = proposedState.unitMaintenance;

  for (let a = 0; a < accountCount; a++) {
    const before = currentState.accountLiquidatable[a];
    const after = proposedState.accountLiquidatable[a];
    const newly = after === 1 && before === 0;
    const noLonger = before === 1 && after === 0;
    for (let u = accountUnitStart[a]; u < accountUnitStart[a + 1]; u++) {
      const unitShortfallCurrent = Math.max(0, unitMaintenanceCurrent[u] - unitEquity[u]);
      const unitShortfallProposed = Math.max(0, unitMaintenanceProposed[u] - unitEquity[u]);
      const single = unitPositionStart[u + 1] - unitPositionStart[u] === 1;
      const atRiskNow = currentState.unitLiquidatable[u] === 1;
      const atRiskThen = proposedState.unitLiquidatable[u] === 1;
      for (let p = unitPositionStart[u]; p < unitPositionStart[u + 1]; p++) {
        const m = positionMarket[p];
        const notional = positionNotional[p];
        positionsIn[m]++;
        notionalIn[m] += notional;
        maintenanceCurrent[m] += positionMaintenanceCurrent[p];
        maintenanceProposed[m] += positionMaintenanceProposed[p];
        // Cross shortfall attributed by maintenance share (notional share when no maintenance).
        if (unitShortfallCurrent > 0) {
          const share = single ? 1 : unitMaintenanceCurrent[u] > 0 ? positionMaintenanceCurrent[p] / unitMaintenanceCurrent[u] : unitNotional[u] > 0 ? notional / unitNotional[u] : 0;
          shortfallCurrent[m] += unitShortfallCurrent * share;
        }
        if (unitShortfallProposed > 0) {
          const share = single ? 1 : unitMaintenanceProposed[u] > 0 ? positionMaintenanceProposed[p] / unitMaintenanceProposed[u] : unitNotional[u] > 0 ? notional / unitNotional[u] : 0;
          shortfallProposed[m] += unitShortfallProposed * share;
        }
        if (atRiskNow) atRiskCurrent[m] += notional;
        if (atRiskThen) atRiskProposed[m] += notional;
        if ((newly || noLonger) && lastCountedAccount[m] !== a) {
          lastCountedAccount[m] = a;
          if (newly) newlyIn[m]++;
          else noLongerIn[m]++;
        }
      }
    }
    const shortfallChange = proposedState.accountShortfall[a] - currentState.accountShortfall[a];
    if (newly || noLonger || priceMoved[a]) {
      if (changedCount < accountLimit) changedAccounts.push(a);
      changedCount++;
    }
    const healthBefore = health(currentState, a);
    const healthAfter = health(proposedState, a);
    const healthDrop = healthBefore !== null && healthAfter !== null ? healthBefore - healthAfter : 0;
    if (topCount > 0 && (shortfallChange !== 0 || healthDrop !== 0 || newly || noLonger)) {
      const candidate = { a, shortfallChange, healthDrop };
      if (top.length < topCount || rankBefore(candidate, top[top.length - 1])) {
        let index = top.length;
        while (index > 0 && rankBefore(candidate, top[index - 1])) index--;
        top.splice(index, 0, candidate);
        if (top.length > topCount) top.pop();
      }
    }
  }
  const markets: Record<string, MarketImpact> = {};
  book.marketNames.forEach(
    (name, m) =>
      (markets[name] = {
        positions: positionsIn[m],
        notional: notionalIn[m],
        newlyLiquidatable: newlyIn[m],
        noLongerLiquidatable: noLongerIn[m],
        maintenanceMargin: { current: maintenanceCurrent[m], proposed: maintenanceProposed[m] },
        shortfall: { current: shortfallCurrent[m], proposed: shortfallProposed[m] },
        notionalAtRisk: { current: atRiskCurrent[m], proposed: atRiskProposed[m] },
      }),
  );

  const marks = columnarMarks(book);
  const currentMarkets = resolvedRecord(currentState);
  const proposedMarkets = resolvedRecord(proposedState);
  const accounts: PreviewAccount[] = changedAccounts.map((a) => {
    const account = columnarAccount(book, a);
    return {
      id: account.id,
      newlyLiquidatable: proposedState.accountLiquidatable[a] === 1 && currentState.accountLiquidatable[a] === 0,
      noLongerLiquidatable: currentState.accountLiquidatable[a] === 1 && proposedState.accountLiquidatable[a] === 0,
      current: computeAccountMargin(account, marks, currentMarkets),
      proposed: computeAccountMargin(account, marks, proposedMarkets),
    };
  });

  const shockPoints: ShockPoint[] = shocks.map((shock, k) => ({
    shock,
    liquidatable: { current: totals.grid.current.liquidatable[k], proposed: totals.grid.proposed.liquidatable[k] },
    shortfall: { current: totals.grid.current.shortfall[k], proposed: totals.grid.proposed.shortfall[k] },
    notionalAtRisk: { current: totals.grid.current.notionalAtRisk[k], proposed: totals.grid.proposed.notionalAtRisk[k] },
  }));

  return {
    accounts,
    accountsChanged: changedCount,
    summary: {
      accounts: accountCount,
      newlyLiquidatable: totals.newlyLiquidatable,
      noLongerLiquidatable: totals.noLongerLiquidatable,
      liquidatable: totals.liquidatable,
      shortfall: totals.shortfall,
      notionalAtRisk: totals.notionalAtRisk,
      badDebt: { current: badDebtCurrent, proposed: badDebtProposed },
    },
    histogram: { edges: edges.slice(), current: histogramCurrent, proposed: histogramProposed },
    markets,
    liquidationPriceShift: shift,
    topAffected: top.map(({ a }) => ({
      id: book.accountIds[a],
      newlyLiquidatable: proposedState.accountLiquidatable[a] === 1 && currentState.accountLiquidatable[a] === 0,
      noLongerLiquidatable: currentState.accountLiquidatable[a] === 1 && proposedState.accountLiquidatable[a] === 0,
      shortfall: { current: currentState.accountShortfall[a], proposed: proposedState.accountShortfall[a] },
      health: { current: health(currentState, a), proposed: health(proposedState, a) },
    })),
    shocks: shockPoints,
    changedMarkets: changedMarketIndices.map((m) => book.marketNames[m]),
  };
}
