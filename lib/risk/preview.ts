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
  liquidationPriceOf,
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
  const shift: LiquidationPriceShift = {
    unchanged: book.positionMarket.length,
    compared: 0,
    moved: 0,
    appeared: 0,
    disappeared: 0,
    edgesBps: shiftEdges,
    counts: new Array(shiftEdges.length + 1).fill(0),
    minBps: null,
    maxBps: null,
    meanBps: null,
  };
  const priceMoved = new Uint8Array(accountCount);
  let shiftSum = 0;
  let shiftCount = 0;
  for (let i = 0; i < affectedAccounts.length; i++) {
    const a = affectedAccounts[i];
    for (let p = book.accountPositionStart[a]; p < book.accountPositionStart[a + 1]; p++) {
      const before = liquidationPriceOf(currentState, p);
      const after = liquidationPriceOf(proposedState, p);
      shift.unchanged--;
      shift.compared++;
      if (before === after) continue;
      priceMoved[a] = 1;
      shift.moved++;
      if (before === null) {
        shift.appeared++;
        continue;
      }
      if (after === null) {
        shift.disappeared++;
        continue;
      }
      const bps = (after / before - 1) * 1e4;
      let bucket = 0;
      while (bucket < shiftEdges.length && bps >= shiftEdges[bucket]) bucket++;
      shift.counts[bucket]++;
      shift.minBps = shift.minBps === null ? bps : Math.min(shift.minBps, bps);
      shift.maxBps = shift.maxBps === null ? bps : Math.max(shift.maxBps, bps);
      shiftSum += bps;
      shiftCount++;
    }
  }
  if (shiftCount > 0) shift.meanBps = shiftSum / shiftCount;

  // Per market, changed accounts and top affected.
  const markets: Record<string, MarketImpact> = {};
  const marketImpacts: MarketImpact[] = book.marketNames.map(() => ({
    positions: 0,
    notional: 0,
    newlyLiquidatable: 0,
    noLongerLiquidatable: 0,
    maintenanceMargin: { current: 0, proposed: 0 },
    shortfall: { current: 0, proposed: 0 },
    notionalAtRisk: { current: 0, proposed: 0 },
  }));
  const lastCountedAccount = new Int32Array(marketCount).fill(-1);
  const changedAccounts: number[] = [];
  const top: { a: number; shortfallChange: number; healthDrop: number }[] = [];
  const rankBefore = (x: { shortfallChange: number; healthDrop: number }, y: { shortfallChange: number; healthDrop: number }) =>
    Math.abs(x.shortfallChange) !== Math.abs(y.shortfallChange) ? Math.abs(x.shortfallChange) > Math.abs(y.shortfallChange) : x.healthDrop > y.healthDrop;

  for (let a = 0; a < accountCount; a++) {
    const before = currentState.accountLiquidatable[a];
    const after = proposedState.accountLiquidatable[a];
    const newly = after === 1 && before === 0;
    const noLonger = before === 1 && after === 0;
    for (let u = book.accountUnitStart[a]; u < book.accountUnitStart[a + 1]; u++) {
      const unitShortfallCurrent = Math.max(0, currentState.unitMaintenance[u] - book.unitEquity[u]);
      const unitShortfallProposed = Math.max(0, proposedState.unitMaintenance[u] - book.unitEquity[u]);
      for (let p = book.unitPositionStart[u]; p < book.unitPositionStart[u + 1]; p++) {
        const m = book.positionMarket[p];
        const impact = marketImpacts[m];
        const notional = Math.abs(book.positionSize[p]) * book.marks[m];
        impact.positions++;
        impact.notional += notional;
        impact.maintenanceMargin.current += currentState.positionMaintenance[p];
        impact.maintenanceMargin.proposed += proposedState.positionMaintenance[p];
        if (unitShortfallCurrent > 0) impact.shortfall.current += unitShortfallCurrent * shareOfUnit(currentState, u, p);
        if (unitShortfallProposed > 0) impact.shortfall.proposed += unitShortfallProposed * shareOfUnit(proposedState, u, p);
        if (currentState.unitLiquidatable[u]) impact.notionalAtRisk.current += notional;
        if (proposedState.unitLiquidatable[u]) impact.notionalAtRisk.proposed += notional;
        if ((newly || noLonger) && lastCountedAccount[m] !== a) {
          lastCountedAccount[m] = a;
          if (newly) impact.newlyLiquidatable++;
          else impact.noLongerLiquidatable++;
        }
      }
    }
    const shortfallChange = proposedState.accountShortfall[a] - currentState.accountShortfall[a];
    if (newly || noLonger || priceMoved[a]) changedAccounts.push(a);
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
  book.marketNames.forEach((name, m) => (markets[name] = marketImpacts[m]));

  const marks = columnarMarks(book);
  const currentMarkets = resolvedRecord(currentState);
  const proposedMarkets = resolvedRecord(proposedState);
  const accounts: PreviewAccount[] = changedAccounts.slice(0, accountLimit).map((a) => {
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
    accountsChanged: changedAccounts.length,
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

/** Share of unit u's shortfall attributed to position p: its maintenance share (notional share if none). */
function shareOfUnit(state: MarginState, u: number, p: number): number {
  const book = state.book;
  const first = book.unitPositionStart[u];
  const end = book.unitPositionStart[u + 1];
  if (end - first === 1) return 1;
  if (state.unitMaintenance[u] > 0) return state.positionMaintenance[p] / state.unitMaintenance[u];
  const notional = book.unitNotional[u];
  return notional > 0 ? (Math.abs(book.positionSize[p]) * book.marks[book.positionMarket[p]]) / notional : 0;
}
