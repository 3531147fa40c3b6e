// Margin state of a columnar book under one parameter set, kept so a preview can be recomputed
// cheaply: `createMarginState` does one pass over the positions; `updateMarginState` after a
// parameter edit recomputes only the positions of markets whose maintenance curve changed and
// the units and accounts holding them.
//
// Every sum here runs in the same order as margin.ts, so the results equal the simple path's.
import type { ColumnarBook } from "./columnar";
import { RiskInputError } from "./errors";
import { resolveMarket, sameCurve, solveLiquidationPrice, type ResolvedMarket } from "./maintenance";
import type { MarginOptions, ParamsSet } from "./types";

/** All markets' maintenance curves in flat typed arrays (segments of market m: [start[m], start[m+1])). */
export interface FlatCurves {
  start: Int32Array;
  breakNotional: Float64Array;
  slope: Float64Array;
  intercept: Float64Array;
}

export function flattenCurves(markets: ResolvedMarket[]): FlatCurves {
  const start = new Int32Array(markets.length + 1);
  markets.forEach((market, m) => (start[m + 1] = start[m] + market.maintenance.breakNotional.length));
  const total = start[markets.length];
  const flat: FlatCurves = { start, breakNotional: new Float64Array(total), slope: new Float64Array(total), intercept: new Float64Array(total) };
  markets.forEach((market, m) => {
    flat.breakNotional.set(market.maintenance.breakNotional, start[m]);
    flat.slope.set(market.maintenance.slope, start[m]);
    flat.intercept.set(market.maintenance.intercept, start[m]);
  });
  return flat;
}

/** Flat index of the segment of market m in force at notional N (same rule as maintenance.ts). */
function flatSegment(curves: FlatCurves, m: number, notional: number): number {
  const first = curves.start[m];
  let j = curves.start[m + 1] - 1;
  const breaks = curves.breakNotional;
  while (j > first && notional < breaks[j]) j--;
  return j;
}

export interface MarginState {
  book: ColumnarBook;
  params: ParamsSet;
  /** Resolved parameters by market index. */
  markets: ResolvedMarket[];
  curves: FlatCurves;
  positionMaintenance: Float64Array;
  unitMaintenance: Float64Array;
  unitLiquidatable: Uint8Array;
  accountEquity: Float64Array;
  accountMaintenance: Float64Array;
  accountShortfall: Float64Array;
  accountBadDebt: Float64Array;
  accountNotionalAtRisk: Float64Array;
  accountLiquidatable: Uint8Array;
  /** Per position, filled on demand: NaN = not computed yet, 0 = no liquidation price (null). */
  liquidationPrice: Float64Array;
  /** Per-unit coefficients of a shock grid, cached by its range. */
  grid?: GridCoefficients;
}

/**
 * Uniform-shock coefficients of each unit for shocks in [minShock, maxShock]: the maintenance of
 * the unit's positions that stay in one curve segment over the whole range is
 * maintenanceIntercept + (1+f)·maintenanceSlope; positions that cross a breakpoint inside the range
 * are flagged and evaluated shock by shock (their accounts take the per-shock path).
 */
export interface GridCoefficients {
  minShock: number;
  maxShock: number;
  unitMaintenanceSlope: Float64Array;
  unitMaintenanceIntercept: Float64Array;
  positionCrossesBreakpoint: Uint8Array;
  accountCrossesBreakpoint: Uint8Array;
  crossingAccounts: Int32Array;
}

export function resolveMarketsByIndex(book: ColumnarBook, params: ParamsSet, options: MarginOptions = {}, paramsSource = "params.json"): ResolvedMarket[] {
  return book.marketNames.map((market, index) => {
    const marketParams = params.markets[market];
    if (!marketParams) {
      const used = book.marketPositionStart[index + 1] > book.marketPositionStart[index];
      if (used) throw new RiskInputError(paramsSource, `markets${/^[A-Za-z_$][\w$]*$/.test(market) ? `.${market}` : `[${JSON.stringify(market)}]`}`, `expected parameters for market ${market} (used in the book), got nothing`);
      return { initialMarginFraction: 1, maintenance: { breakNotional: Float64Array.of(0), slope: Float64Array.of(0), intercept: Float64Array.of(0) }, liquidationPenalty: 0 };
    }
    return resolveMarket(market, marketParams, options, paramsSource);
  });
}

/** Maintenance of positions (all, or the listed ones) at the book's marks. */
function computePositionsMaintenance(state: MarginState, list: Int32Array | null): void {
  const { positionMarket, positionSize, marks } = state.book;
  const { start, breakNotional, slope, intercept } = state.curves;
  const out = state.positionMaintenance;
  const count = list ? list.length : positionMarket.length;
  for (let i = 0; i < count; i++) {
    const p = list ? list[i] : i;
    const m = positionMarket[p];
    const notional = Math.abs(positionSize[p]) * marks[m];
    const first = start[m];
    let j = start[m + 1] - 1;
    while (j > first && notional < breakNotional[j]) j--;
    out[p] = slope[j] * notional + intercept[j];
  }
}

/** Units and account totals (all accounts, or the listed ones) from positionMaintenance, summed in margin.ts's order. */
function computeAccounts(state: MarginState, list: Int32Array | null): void {
  const { accountUnitStart, unitPositionStart, unitEquity: unitEquityOf, unitNotional } = state.book;
  const { positionMaintenance, unitMaintenance: unitMaintenanceOut, unitLiquidatable } = state;
  const { accountEquity, accountMaintenance, accountShortfall, accountBadDebt, accountNotionalAtRisk, accountLiquidatable } = state;
  const count = list ? list.length : accountEquity.length;
  for (let i = 0; i < count; i++) {
    const a = list ? list[i] : i;
    const uEnd = accountUnitStart[a + 1];
    let equity = 0;
    let maintenance = 0;
    let shortfall = 0;
    let badDebt = 0;
    let notionalAtRisk = 0;
    let liquidatable = 0;
    for (let u = accountUnitStart[a]; u < uEnd; u++) {
      let unitMaintenance = 0;
      const pEnd = unitPositionStart[u + 1];
      for (let p = unitPositionStart[u]; p < pEnd; p++) unitMaintenance += positionMaintenance[p];
      unitMaintenanceOut[u] = unitMaintenance;
      const unitEquity = unitEquityOf[u];
      // A cross account is exactly one unit; an isolated account sums its units in position order.
      equity += unitEquity;
      maintenance += unitMaintenance;
      if (unitEquity < unitMaintenance) {
        unitLiquidatable[u] = 1;
        liquidatable = 1;
        shortfall += unitMaintenance - unitEquity;
        notionalAtRisk += unitNotional[u];
      } else {
        unitLiquidatable[u] = 0;
      }
      if (unitEquity < 0) badDebt += -unitEquity;
    }
    accountEquity[a] = equity;
    accountMaintenance[a] = maintenance;
    accountShortfall[a] = shortfall;
    accountBadDebt[a] = badDebt;
    accountNotionalAtRisk[a] = notionalAtRisk;
    accountLiquidatable[a] = liquidatable;
  }
}

export function createMarginState(book: ColumnarBook, params: ParamsSet, options: MarginOptions & { paramsSource?: string } = {}): MarginState {
  const markets = resolveMarketsByIndex(book, params, options, options.paramsSource);
  const positionCount = book.positionMarket.length;
  const unitCount = book.unitAccount.length;
  const accountCount = book.accountIds.length;
  const state: MarginState = {
    book,
    params,
    markets,
    curves: flattenCurves(markets),
    positionMaintenance: new Float64Array(positionCount),
    unitMaintenance: new Float64Array(unitCount),
    unitLiquidatable: new Uint8Array(unitCount),
    accountEquity: new Float64Array(accountCount),
    accountMaintenance: new Float64Array(accountCount),
    accountShortfall: new Float64Array(accountCount),
    accountBadDebt: new Float64Array(accountCount),
    accountNotionalAtRisk: new Float64Array(accountCount),
    accountLiquidatable: new Uint8Array(accountCount),
    liquidationPrice: new Float64Array(positionCount).fill(NaN),
  };
  computePositionsMaintenance(state, null);
  computeAccounts(state, null);
  return state;
}

/** Market indices whose maintenance curve differs between two states of the same book. */
export function marketsWithChangedMaintenance(a: MarginState, b: MarginState): number[] {
  const changed: number[] = [];
  for (let m = 0; m < a.markets.length; m++) if (!sameCurve(a.markets[m].maintenance, b.markets[m].maintenance)) changed.push(m);
  return changed;
}

/** Accounts holding a position in any of the given markets (sorted, distinct). */
export function accountsInMarkets(book: ColumnarBook, marketIndices: number[]): Int32Array {
  const flag = new Uint8Array(book.accountIds.length);
  for (const m of marketIndices) {
    for (let i = book.marketPositionStart[m]; i < book.marketPositionStart[m + 1]; i++) flag[book.unitAccount[book.positionUnit[book.marketPositions[i]]]] = 1;
  }
  let count = 0;
  for (let a = 0; a < flag.length; a++) count += flag[a];
  const out = new Int32Array(count);
  let k = 0;
  for (let a = 0; a < flag.length; a++) if (flag[a]) out[k++] = a;
  return out;
}

/**
 * State for a new parameter set, reusing `previous`: only positions of markets whose maintenance
 * curve changed (and the units/accounts holding them) are recomputed. Arrays are copied, so
 * `previous` stays valid (the server keeps the current set's state while drafts change).
 */
export function updateMarginState(previous: MarginState, params: ParamsSet, options: MarginOptions & { paramsSource?: string } = {}): MarginState {
  const book = previous.book;
  const markets = resolveMarketsByIndex(book, params, options, options.paramsSource);
  const state: MarginState = {
    book,
    params,
    markets,
    curves: flattenCurves(markets),
    positionMaintenance: previous.positionMaintenance.slice(),
    unitMaintenance: previous.unitMaintenance.slice(),
    unitLiquidatable: previous.unitLiquidatable.slice(),
    accountEquity: previous.accountEquity,
    accountMaintenance: previous.accountMaintenance.slice(),
    accountShortfall: previous.accountShortfall.slice(),
    accountBadDebt: previous.accountBadDebt,
    accountNotionalAtRisk: previous.accountNotionalAtRisk.slice(),
    accountLiquidatable: previous.accountLiquidatable.slice(),
    liquidationPrice: previous.liquidationPrice.slice(),
  };
  const changedMarkets = marketsWithChangedMaintenance(previous, state);
  if (changedMarkets.length === 0) {
    state.grid = previous.grid;
    return state;
  }
  for (const m of changedMarkets) computePositionsMaintenance(state, book.marketPositions.subarray(book.marketPositionStart[m], book.marketPositionStart[m + 1]));
  const accounts = accountsInMarkets(book, changedMarkets);
  computeAccounts(state, accounts);
  for (let i = 0; i < accounts.length; i++) {
    const a = accounts[i];
    state.liquidationPrice.fill(NaN, book.accountPositionStart[a], book.accountPositionStart[a + 1]);
  }
  if (previous.grid) {
    const grid: GridCoefficients = {
      ...previous.grid,
      unitMaintenanceSlope: previous.grid.unitMaintenanceSlope.slice(),
      unitMaintenanceIntercept: previous.grid.unitMaintenanceIntercept.slice(),
      positionCrossesBreakpoint: previous.grid.positionCrossesBreakpoint.slice(),
      accountCrossesBreakpoint: previous.grid.accountCrossesBreakpoint.slice(),
    };
    computeGridAccounts(state, grid, accounts);
    grid.crossingAccounts = listFlagged(grid.accountCrossesBreakpoint);
    state.grid = grid;
  }
  return state;
}

/** Liquidation prices of every position of unit u (same arithmetic as margin.ts). */
export function computeUnitLiquidationPrices(state: MarginState, u: number): void {
  const book = state.book;
  const first = book.unitPositionStart[u];
  const end = book.unitPositionStart[u + 1];
  const unitEquity = book.unitEquity[u];
  const unitMaintenance = state.unitMaintenance[u];
  for (let p = first; p < end; p++) {
    const market = book.positionMarket[p];
    let seenBefore = false;
    for (let q = first; q < p; q++) if (book.positionMarket[q] === market) seenBefore = true;
    if (seenBefore) continue;
    let netSize = 0;
    let ownMaintenance = 0;
    const absSizes: number[] = [];
    for (let q = p; q < end; q++) {
      if (book.positionMarket[q] !== market) continue;
      netSize += book.positionSize[q];
      ownMaintenance += state.positionMaintenance[q];
      absSizes.push(Math.abs(book.positionSize[q]));
    }
    const price = solveLiquidationPrice(unitEquity, netSize, book.marks[market], unitMaintenance - ownMaintenance, absSizes, state.markets[market].maintenance);
    for (let q = p; q < end; q++) if (book.positionMarket[q] === market) state.liquidationPrice[q] = price ?? 0;
  }
}

/** Liquidation price of position p (computed on first use); null when none. */
export function liquidationPriceOf(state: MarginState, p: number): number | null {
  let price = state.liquidationPrice[p];
  if (Number.isNaN(price)) {
    computeUnitLiquidationPrices(state, state.book.positionUnit[p]);
    price = state.liquidationPrice[p];
  }
  return price === 0 ? null : price;
}

function listFlagged(flags: Uint8Array): Int32Array {
  let count = 0;
  for (let i = 0; i < flags.length; i++) count += flags[i];
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i]) out[k++] = i;
  return out;
}

function computeGridAccounts(state: MarginState, grid: GridCoefficients, list: Int32Array | null): void {
  const { accountUnitStart, unitPositionStart, positionMarket, positionSize, marks } = state.book;
  const { start: curveStart, breakNotional: breaks, slope: curveSlope, intercept: curveIntercept } = state.curves;
  const { unitMaintenanceSlope, unitMaintenanceIntercept, positionCrossesBreakpoint, accountCrossesBreakpoint } = grid;
  const lowFactor = 1 + grid.minShock;
  const highFactor = 1 + grid.maxShock;
  const count = list ? list.length : accountCrossesBreakpoint.length;
  for (let i = 0; i < count; i++) {
    const a = list ? list[i] : i;
    let crosses = 0;
    const uEnd = accountUnitStart[a + 1];
    for (let u = accountUnitStart[a]; u < uEnd; u++) {
      let slope = 0;
      let intercept = 0;
      const pEnd = unitPositionStart[u + 1];
      for (let p = unitPositionStart[u]; p < pEnd; p++) {
        const m = positionMarket[p];
        const notional = Math.abs(positionSize[p]) * marks[m];
        const first = curveStart[m];
        let j = curveStart[m + 1] - 1;
        if (j > first) {
          // Segment at the low end and at the high end of the range; equal → one segment throughout.
          const low = notional * lowFactor;
          while (j > first && low < breaks[j]) j--;
          let k = curveStart[m + 1] - 1;
          const high = notional * highFactor;
          while (k > first && high < breaks[k]) k--;
          if (k !== j) {
            positionCrossesBreakpoint[p] = 1;
            crosses = 1;
            continue;
          }
        }
        positionCrossesBreakpoint[p] = 0;
        slope += curveSlope[j] * notional;
        intercept += curveIntercept[j];
      }
      unitMaintenanceSlope[u] = slope;
      unitMaintenanceIntercept[u] = intercept;
    }
    accountCrossesBreakpoint[a] = crosses;
  }
}

/** Per-unit uniform-shock coefficients for shocks in [minShock, maxShock] (cached on the state). */
export function gridCoefficients(state: MarginState, minShock: number, maxShock: number): GridCoefficients {
  if (state.grid && state.grid.minShock === minShock && state.grid.maxShock === maxShock) return state.grid;
  const book = state.book;
  const accountCount = book.accountIds.length;
  const grid: GridCoefficients = {
    minShock,
    maxShock,
    unitMaintenanceSlope: new Float64Array(book.unitAccount.length),
    unitMaintenanceIntercept: new Float64Array(book.unitAccount.length),
    positionCrossesBreakpoint: new Uint8Array(book.positionMarket.length),
    accountCrossesBreakpoint: new Uint8Array(accountCount),
    crossingAccounts: new Int32Array(0),
  };
  computeGridAccounts(state, grid, null);
  grid.crossingAccounts = listFlagged(grid.accountCrossesBreakpoint);
  state.grid = grid;
  return grid;
}

export interface ShockGridTotals {
  shocks: number[];
  liquidatable: number[];
  shortfall: number[];
  notionalAtRisk: number[];
}

/**
 * Liquidatable accounts, shortfall and notional at risk at each uniform shock f (marks·(1+f)).
 * For a unit with linear coefficients, "liquidatable" (E + f·B < I + (1+f)·S) holds on a prefix
 * or a suffix of the sorted shocks, so each unit is bucketed once by where its range ends or
 * starts (binary search on the exact predicate), and the totals are running sums over buckets:
 * O(units·log K + K) instead of O(units·K). An isolated account's set is the union of its units'
 * prefixes and suffixes (a prefix ∪ a suffix). Accounts with a position crossing a tier
 * breakpoint inside the range are evaluated shock by shock.
 * Floats: the totals are sums of doubles over up to ~1e6 accounts; relative error ≲ 1e-12.
 */
export function evaluateShockGrid(state: MarginState, shocks: number[]): ShockGridTotals {
  const K = shocks.length;
  if (K === 0) return { shocks: [], liquidatable: [], shortfall: [], notionalAtRisk: [] };
  const order = shocks.map((_, index) => index).sort((x, y) => shocks[x] - shocks[y]);
  const f = Float64Array.from(order, (index) => shocks[index]);
  const grid = gridCoefficients(state, f[0], f[K - 1]);
  const book = state.book;
  const S = grid.unitMaintenanceSlope;
  const I = grid.unitMaintenanceIntercept;
  const E = book.unitEquity;
  const B = book.unitEquitySlope;
  const N = book.unitNotional;
  const crossing = grid.accountCrossesBreakpoint;
  const unitStart = book.accountUnitStart;

  // Prefix buckets by end index h (active for k < h), suffix buckets by start index l (k ≥ l).
  const prefixAccounts = new Float64Array(K + 1);
  const suffixAccounts = new Float64Array(K + 1);
  const prefixShortfallConstant = new Float64Array(K + 1);
  const prefixShortfallSlope = new Float64Array(K + 1);
  const prefixNotional = new Float64Array(K + 1);
  const suffixShortfallConstant = new Float64Array(K + 1);
  const suffixShortfallSlope = new Float64Array(K + 1);
  const suffixNotional = new Float64Array(K + 1);

  const accountCount = book.accountIds.length;
  for (let a = 0; a < accountCount; a++) {
    if (crossing[a]) continue;
    let accountPrefixEnd = 0;
    let accountSuffixStart = K;
    for (let u = unitStart[a]; u < unitStart[a + 1]; u++) {
      const e = E[u];
      const b = B[u];
      const s = S[u];
      const i = I[u];
      const direction = b - s;
      if (direction > 0) {
        // Liquidatable for low shocks: find the first k where it is not.
        let low = 0;
        let high = K;
        while (low < high) {
          const mid = (low + high) >> 1;
          if (e + f[mid] * b < i + (1 + f[mid]) * s) low = mid + 1;
          else high = mid;
        }
        if (low > 0) {
          prefixShortfallConstant[low] += i + s - e;
          prefixShortfallSlope[low] += s - b;
          prefixNotional[low] += N[u];
          if (low > accountPrefixEnd) accountPrefixEnd = low;
        }
      } else if (direction < 0) {
        let low = 0;
        let high = K;
        while (low < high) {
          const mid = (low + high) >> 1;
          if (e + f[mid] * b < i + (1 + f[mid]) * s) high = mid;
          else low = mid + 1;
        }
        if (low < K) {
          suffixShortfallConstant[low] += i + s - e;
          suffixShortfallSlope[low] += s - b;
          suffixNotional[low] += N[u];
          if (low < accountSuffixStart) accountSuffixStart = low;
        }
      } else if (e + f[0] * b < i + (1 + f[0]) * s) {
        prefixShortfallConstant[K] += i + s - e;
        prefixShortfallSlope[K] += s - b;
        prefixNotional[K] += N[u];
        accountPrefixEnd = K;
      }
    }
    if (accountPrefixEnd >= accountSuffixStart) prefixAccounts[K] += 1;
    else {
      prefixAccounts[accountPrefixEnd] += 1; // bucket 0 means "never": not read below
      suffixAccounts[accountSuffixStart] += 1; // bucket K means "never"
    }
  }

  const liquidatable = new Float64Array(K);
  const shortfall = new Float64Array(K);
  const notional = new Float64Array(K);
  // Prefix sums: Σ_{h>k} for prefixes, Σ_{l≤k} for suffixes.
  const prefixSuffixSums = (k: number, prefix: Float64Array, suffix: Float64Array): number => {
    let total = 0;
    for (let h = k + 1; h <= K; h++) total += prefix[h];
    for (let l = 0; l <= k; l++) total += suffix[l];
    return total;
  };
  for (let k = 0; k < K; k++) {
    liquidatable[k] = prefixSuffixSums(k, prefixAccounts, suffixAccounts);
    shortfall[k] = prefixSuffixSums(k, prefixShortfallConstant, suffixShortfallConstant) + f[k] * prefixSuffixSums(k, prefixShortfallSlope, suffixShortfallSlope);
    notional[k] = (1 + f[k]) * prefixSuffixSums(k, prefixNotional, suffixNotional);
  }

  // Accounts with a position crossing a breakpoint in range: shock by shock. Positions that stay
  // in one segment still use the unit's linear coefficients; only crossing positions are looked up.
  const crossingAccounts = grid.crossingAccounts;
  const crossingPosition = grid.positionCrossesBreakpoint;
  const curves = state.curves;
  const curveStart = curves.start;
  const breaks = curves.breakNotional;
  const unitPositionStart = book.unitPositionStart;
  const positionMarket = book.positionMarket;
  const positionSize = book.positionSize;
  const marks = book.marks;
  for (let c = 0; c < crossingAccounts.length; c++) {
    const a = crossingAccounts[c];
    for (let k = 0; k < K; k++) {
      const factor = 1 + f[k];
      let accountLiquidatable = false;
      for (let u = unitStart[a]; u < unitStart[a + 1]; u++) {
        const equity = E[u] + f[k] * B[u];
        let maintenance = I[u] + factor * S[u];
        for (let p = unitPositionStart[u]; p < unitPositionStart[u + 1]; p++) {
          if (!crossingPosition[p]) continue;
          const m = positionMarket[p];
          const notional = Math.abs(positionSize[p]) * marks[m] * factor;
          const first = curveStart[m];
          let j = curveStart[m + 1] - 1;
          while (j > first && notional < breaks[j]) j--;
          maintenance += curves.slope[j] * notional + curves.intercept[j];
        }
        if (equity < maintenance) {
          accountLiquidatable = true;
          shortfall[k] += maintenance - equity;
          notional[k] += factor * N[u];
        }
      }
      if (accountLiquidatable) liquidatable[k] += 1;
    }
  }

  const out: ShockGridTotals = { shocks: [], liquidatable: new Array(K), shortfall: new Array(K), notionalAtRisk: new Array(K) };
  out.shocks = shocks.slice();
  order.forEach((originalIndex, k) => {
    out.liquidatable[originalIndex] = liquidatable[k];
    out.shortfall[originalIndex] = shortfall[k];
    out.notionalAtRisk[originalIndex] = notional[k];
  });
  return out;
}
