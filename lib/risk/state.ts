// Margin state of a columnar book under one parameter set, kept so a preview can be recomputed
// cheaply: `createMarginState` does one pass over the positions; `updateMarginState` after a
// parameter edit recomputes only the positions of markets whose maintenance curve changed and
// the units and accounts holding them.
//
// Every sum here runs in the same order as margin.ts, so the results equal the simple path's.
import type { ColumnarBook } from "./columnar";
import { RiskInputError } from "./errors";
import { maintenanceMargin, resolveMarket, sameCurve, segmentIndex, solveLiquidationPrice, type ResolvedMarket } from "./maintenance";
import type { MarginOptions, ParamsSet } from "./types";

export interface MarginState {
  book: ColumnarBook;
  params: ParamsSet;
  /** Resolved parameters by market index. */
  markets: ResolvedMarket[];
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
 * Uniform-shock coefficients of each unit for shocks in [minShock, maxShock]: maintenance(f) =
 * maintenanceIntercept + (1+f)·maintenanceSlope, exact while no position of the unit crosses a
 * curve breakpoint in that range. Accounts with such a crossing are flagged and evaluated
 * directly per shock.
 */
export interface GridCoefficients {
  minShock: number;
  maxShock: number;
  unitMaintenanceSlope: Float64Array;
  unitMaintenanceIntercept: Float64Array;
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

function computePositionMaintenance(state: MarginState, p: number): void {
  const book = state.book;
  const market = book.positionMarket[p];
  state.positionMaintenance[p] = maintenanceMargin(state.markets[market].maintenance, Math.abs(book.positionSize[p]) * book.marks[market]);
}

function computeAccount(state: MarginState, a: number): void {
  const book = state.book;
  const uStart = book.accountUnitStart[a];
  const uEnd = book.accountUnitStart[a + 1];
  let equity = 0;
  let maintenance = 0;
  let shortfall = 0;
  let badDebt = 0;
  let notionalAtRisk = 0;
  let liquidatable = 0;
  for (let u = uStart; u < uEnd; u++) {
    let unitMaintenance = 0;
    for (let p = book.unitPositionStart[u]; p < book.unitPositionStart[u + 1]; p++) unitMaintenance += state.positionMaintenance[p];
    state.unitMaintenance[u] = unitMaintenance;
    const unitEquity = book.unitEquity[u];
    const unitLiquidatable = unitEquity < unitMaintenance ? 1 : 0;
    state.unitLiquidatable[u] = unitLiquidatable;
    // A cross account is exactly one unit; an isolated account sums its units in position order.
    equity += unitEquity;
    maintenance += unitMaintenance;
    shortfall += Math.max(0, unitMaintenance - unitEquity);
    badDebt += Math.max(0, -unitEquity);
    if (unitLiquidatable) {
      liquidatable = 1;
      notionalAtRisk += book.unitNotional[u];
    }
  }
  state.accountEquity[a] = equity;
  state.accountMaintenance[a] = maintenance;
  state.accountShortfall[a] = shortfall;
  state.accountBadDebt[a] = badDebt;
  state.accountNotionalAtRisk[a] = notionalAtRisk;
  state.accountLiquidatable[a] = liquidatable;
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
  for (let p = 0; p < positionCount; p++) computePositionMaintenance(state, p);
  for (let a = 0; a < accountCount; a++) computeAccount(state, a);
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
  for (const m of changedMarkets) {
    for (let i = book.marketPositionStart[m]; i < book.marketPositionStart[m + 1]; i++) computePositionMaintenance(state, book.marketPositions[i]);
  }
  const accounts = accountsInMarkets(book, changedMarkets);
  for (let i = 0; i < accounts.length; i++) {
    const a = accounts[i];
    computeAccount(state, a);
    for (let p = book.accountPositionStart[a]; p < book.accountPositionStart[a + 1]; p++) state.liquidationPrice[p] = NaN;
  }
  if (previous.grid) {
    const grid: GridCoefficients = {
      ...previous.grid,
      unitMaintenanceSlope: previous.grid.unitMaintenanceSlope.slice(),
      unitMaintenanceIntercept: previous.grid.unitMaintenanceIntercept.slice(),
      accountCrossesBreakpoint: previous.grid.accountCrossesBreakpoint.slice(),
    };
    for (let i = 0; i < accounts.length; i++) computeGridAccount(state, grid, accounts[i]);
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

function computeGridAccount(state: MarginState, grid: GridCoefficients, a: number): void {
  const book = state.book;
  const lowFactor = 1 + grid.minShock;
  const highFactor = 1 + grid.maxShock;
  let crosses = 0;
  for (let u = book.accountUnitStart[a]; u < book.accountUnitStart[a + 1]; u++) {
    let slope = 0;
    let intercept = 0;
    for (let p = book.unitPositionStart[u]; p < book.unitPositionStart[u + 1]; p++) {
      const market = book.positionMarket[p];
      const curve = state.markets[market].maintenance;
      const notional = Math.abs(book.positionSize[p]) * book.marks[market];
      let j = 0;
      if (curve.breakNotional.length > 1) {
        j = segmentIndex(curve, notional * lowFactor);
        if (segmentIndex(curve, notional * highFactor) !== j) crosses = 1;
      }
      slope += curve.slope[j] * notional;
      intercept += curve.intercept[j];
    }
    grid.unitMaintenanceSlope[u] = slope;
    grid.unitMaintenanceIntercept[u] = intercept;
  }
  grid.accountCrossesBreakpoint[a] = crosses;
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
    accountCrossesBreakpoint: new Uint8Array(accountCount),
    crossingAccounts: new Int32Array(0),
  };
  for (let a = 0; a < accountCount; a++) computeGridAccount(state, grid, a);
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

  // Accounts with a tier crossing in range: straight evaluation per shock.
  const crossingAccounts = grid.crossingAccounts;
  for (let k = 0; k < K; k++) {
    const factor = 1 + f[k];
    for (let c = 0; c < crossingAccounts.length; c++) {
      const a = crossingAccounts[c];
      let accountLiquidatable = false;
      for (let u = unitStart[a]; u < unitStart[a + 1]; u++) {
        const equity = E[u] + f[k] * B[u];
        let maintenance = 0;
        for (let p = book.unitPositionStart[u]; p < book.unitPositionStart[u + 1]; p++) {
          const market = book.positionMarket[p];
          maintenance += maintenanceMargin(state.markets[market].maintenance, Math.abs(book.positionSize[p]) * book.marks[market] * factor);
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
