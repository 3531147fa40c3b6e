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
  /** Per position, allocated and filled on demand: NaN = not computed yet, 0 = no liquidation price (null). */
  liquidationPrice: Float64Array | null;
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
  unitCrossesBreakpoint: Uint8Array;
}

/** The default shock grid's range (−50 %…+50 %): its coefficients come with the state's own pass. */
export const defaultGridRange: [number, number] = [-0.5, 0.5];

function newGrid(book: ColumnarBook, minShock: number, maxShock: number): GridCoefficients {
  return {
    minShock,
    maxShock,
    unitMaintenanceSlope: new Float64Array(book.unitAccount.length),
    unitMaintenanceIntercept: new Float64Array(book.unitAccount.length),
    positionCrossesBreakpoint: new Uint8Array(book.positionMarket.length),
    unitCrossesBreakpoint: new Uint8Array(book.unitAccount.length),
  };
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

/**
 * One pass over the positions of the given accounts (all when `list` is null): each position's
 * maintenance at the book's marks, each unit's and account's totals (summed in margin.ts's order),
 * and, with a grid, each unit's linear shock coefficients and breakpoint-crossing flags.
 */
function computeAccounts(state: MarginState, grid: GridCoefficients | null, list: Int32Array | null): void {
  const { accountUnitStart, unitPositionStart, unitEquity: unitEquityOf, unitNotional, positionMarket, positionSize, marks } = state.book;
  const { start: curveStart, breakNotional: breaks, slope: curveSlope, intercept: curveIntercept } = state.curves;
  const { positionMaintenance, unitMaintenance: unitMaintenanceOut, unitLiquidatable } = state;
  const { accountEquity, accountMaintenance, accountShortfall, accountBadDebt, accountNotionalAtRisk, accountLiquidatable } = state;
  const withGrid = grid !== null;
  const lowFactor = withGrid ? 1 + grid.minShock : 1;
  const highFactor = withGrid ? 1 + grid.maxShock : 1;
  const gridSlope = withGrid ? grid.unitMaintenanceSlope : null;
  const gridIntercept = withGrid ? grid.unitMaintenanceIntercept : null;
  const positionCrosses = withGrid ? grid.positionCrossesBreakpoint : null;
  const unitCrosses = withGrid ? grid.unitCrossesBreakpoint : null;
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
      let slopeSum = 0;
      let interceptSum = 0;
      let crosses = 0;
      const pEnd = unitPositionStart[u + 1];
      for (let p = unitPositionStart[u]; p < pEnd; p++) {
        const m = positionMarket[p];
        const notional = Math.abs(positionSize[p]) * marks[m];
        const first = curveStart[m];
        const last = curveStart[m + 1] - 1;
        if (last === first) {
          // One segment (flat fraction): no lookups.
          const positionMm = curveSlope[first] * notional + curveIntercept[first];
          positionMaintenance[p] = positionMm;
          unitMaintenance += positionMm;
          if (withGrid) {
            slopeSum += curveSlope[first] * notional;
            interceptSum += curveIntercept[first];
            positionCrosses![p] = 0;
          }
          continue;
        }
        let j = last;
        while (j > first && notional < breaks[j]) j--;
        const positionMm = curveSlope[j] * notional + curveIntercept[j];
        positionMaintenance[p] = positionMm;
        unitMaintenance += positionMm;
        if (withGrid) {
          // Segments at both ends of the shock range; equal → one segment throughout.
          const low = notional * lowFactor;
          let jl = j;
          while (jl > first && low < breaks[jl]) jl--;
          while (jl < last && low >= breaks[jl + 1]) jl++;
          const high = notional * highFactor;
          let jh = j;
          while (jh < last && high >= breaks[jh + 1]) jh++;
          while (jh > first && high < breaks[jh]) jh--;
          if (jl !== jh) {
            positionCrosses![p] = 1;
            crosses = 1;
          } else {
            positionCrosses![p] = 0;
            slopeSum += curveSlope[jl] * notional;
            interceptSum += curveIntercept[jl];
          }
        }
      }
      unitMaintenanceOut[u] = unitMaintenance;
      if (withGrid) {
        gridSlope![u] = slopeSum;
        gridIntercept![u] = interceptSum;
        unitCrosses![u] = crosses;
      }
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

export interface CreateMarginStateOptions extends MarginOptions {
  paramsSource?: string;
  /** Shock range whose grid coefficients are computed in the same pass (default −0.5…0.5; null: none). */
  gridRange?: [number, number] | null;
}

export function createMarginState(book: ColumnarBook, params: ParamsSet, options: CreateMarginStateOptions = {}): MarginState {
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
    liquidationPrice: null,
  };
  const range = options.gridRange === undefined ? defaultGridRange : options.gridRange;
  const grid = range ? newGrid(book, range[0], range[1]) : null;
  computeAccounts(state, grid, null);
  if (grid) state.grid = grid;
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
    accountEquity: previous.accountEquity.slice(),
    accountMaintenance: previous.accountMaintenance.slice(),
    accountShortfall: previous.accountShortfall.slice(),
    accountBadDebt: previous.accountBadDebt.slice(),
    accountNotionalAtRisk: previous.accountNotionalAtRisk.slice(),
    accountLiquidatable: previous.accountLiquidatable.slice(),
    liquidationPrice: previous.liquidationPrice ? previous.liquidationPrice.slice() : null,
  };
  const changedMarkets = marketsWithChangedMaintenance(previous, state);
  if (changedMarkets.length === 0) {
    state.grid = previous.grid;
    return state;
  }
  let grid: GridCoefficients | null = null;
  if (previous.grid) {
    grid = {
      ...previous.grid,
      unitMaintenanceSlope: previous.grid.unitMaintenanceSlope.slice(),
      unitMaintenanceIntercept: previous.grid.unitMaintenanceIntercept.slice(),
      positionCrossesBreakpoint: previous.grid.positionCrossesBreakpoint.slice(),
      unitCrossesBreakpoint: previous.grid.unitCrossesBreakpoint.slice(),
    };
  }
  // Recomputing every position of an affected account is equivalent (unchanged markets give the
  // same numbers) and keeps one code path.
  const accounts = accountsInMarkets(book, changedMarkets);
  computeAccounts(state, grid, accounts);
  if (grid) state.grid = grid;
  if (state.liquidationPrice) {
    for (let i = 0; i < accounts.length; i++) state.liquidationPrice.fill(NaN, book.accountPositionStart[accounts[i]], book.accountPositionStart[accounts[i] + 1]);
  }
  return state;
}

/** Liquidation prices of every position of unit u (same arithmetic as margin.ts). */
export function computeUnitLiquidationPrices(state: MarginState, u: number): void {
  const book = state.book;
  if (!state.liquidationPrice) state.liquidationPrice = new Float64Array(book.positionMarket.length).fill(NaN);
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
    for (let q = p; q < end; q++) if (book.positionMarket[q] === market) state.liquidationPrice![q] = price ?? 0;
  }
}

/** Liquidation price of position p (computed on first use); null when none. */
export function liquidationPriceOf(state: MarginState, p: number): number | null {
  if (!state.liquidationPrice) state.liquidationPrice = new Float64Array(state.book.positionMarket.length).fill(NaN);
  let price = state.liquidationPrice[p];
  if (Number.isNaN(price)) {
    computeUnitLiquidationPrices(state, state.book.positionUnit[p]);
    price = state.liquidationPrice[p];
  }
  return price === 0 ? null : price;
}

/** Per-unit uniform-shock coefficients for shocks in [minShock, maxShock] (cached on the state). */
export function gridCoefficients(state: MarginState, minShock: number, maxShock: number): GridCoefficients {
  if (state.grid && state.grid.minShock === minShock && state.grid.maxShock === maxShock) return state.grid;
  // Another range: one more pass (it rewrites the state's own numbers with identical values).
  const grid = newGrid(state.book, minShock, maxShock);
  computeAccounts(state, grid, null);
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
 * or a suffix of the sorted shocks; its boundary is found from the root f* = (I + S − E)/(B − S)
 * and confirmed on the exact predicate, and the unit is bucketed once by where its range ends or
 * starts; totals are running sums over the buckets: O(units + K²) instead of O(units·K). An
 * isolated account's set is the union of its units' prefixes and suffixes (a prefix ∪ a suffix).
 * Units with a position crossing a curve breakpoint inside the range are evaluated shock by shock
 * (only their crossing positions are looked up; the rest stays linear).
 * Floats: totals are sums of doubles over up to ~1e6 accounts; relative error ≲ 1e-12.
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
  const unitCrosses = grid.unitCrossesBreakpoint;
  const positionCrosses = grid.positionCrossesBreakpoint;
  const { unitEquity: E, unitEquitySlope: B, unitNotional: N, accountUnitStart: unitStart, unitPositionStart, positionMarket, positionSize, marks } = book;
  const { start: curveStart, breakNotional: breaks, slope: curveSlope, intercept: curveIntercept } = state.curves;

  // Uniform grid: the boundary index comes straight from f*; otherwise by binary search on f.
  const f0 = f[0];
  const step = K > 1 ? (f[K - 1] - f0) / (K - 1) : 1;
  let uniform = step > 0;
  for (let k = 0; k < K && uniform; k++) if (Math.abs(f[k] - (f0 + k * step)) > 1e-12) uniform = false;
  /** Number of grid points strictly below x. */
  const countBelow = (x: number): number => {
    if (!(x > f0)) return 0;
    if (uniform) {
      let c = Math.ceil((x - f0) / step);
      if (c > K) c = K;
      while (c > 0 && f[c - 1] >= x) c--;
      while (c < K && f[c] < x) c++;
      return c;
    }
    let low = 0;
    let high = K;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (f[mid] < x) low = mid + 1;
      else high = mid;
    }
    return low;
  };

  // Prefix buckets by end index h (active for k < h), suffix buckets by start index l (k ≥ l).
  const prefixAccounts = new Float64Array(K + 1);
  const suffixAccounts = new Float64Array(K + 1);
  const prefixShortfallConstant = new Float64Array(K + 1);
  const prefixShortfallSlope = new Float64Array(K + 1);
  const prefixNotional = new Float64Array(K + 1);
  const suffixShortfallConstant = new Float64Array(K + 1);
  const suffixShortfallSlope = new Float64Array(K + 1);
  const suffixNotional = new Float64Array(K + 1);
  // Direct per-shock totals of units evaluated shock by shock, and accounts counted directly.
  const directAccounts = new Float64Array(K);
  const directShortfall = new Float64Array(K);
  const directNotional = new Float64Array(K);
  const accountFlags = new Uint8Array(K);
  const crossingScratch: number[] = [];

  const accountCount = book.accountIds.length;
  for (let a = 0; a < accountCount; a++) {
    let accountPrefixEnd = 0;
    let accountSuffixStart = K;
    let accountDirect = false;
    const uEnd = unitStart[a + 1];
    for (let u = unitStart[a]; u < uEnd; u++) {
      const e = E[u];
      const b = B[u];
      const s = S[u];
      const i = I[u];
      if (unitCrosses[u]) {
        if (!accountDirect) {
          accountDirect = true;
          accountFlags.fill(0);
        }
        crossingScratch.length = 0;
        for (let p = unitPositionStart[u]; p < unitPositionStart[u + 1]; p++) if (positionCrosses[p]) crossingScratch.push(p);
        for (let k = 0; k < K; k++) {
          const factor = 1 + f[k];
          const equity = e + f[k] * b;
          let maintenance = i + factor * s;
          for (let c = 0; c < crossingScratch.length; c++) {
            const p = crossingScratch[c];
            const m = positionMarket[p];
            const shockedNotional = Math.abs(positionSize[p]) * marks[m] * factor;
            const first = curveStart[m];
            let j = curveStart[m + 1] - 1;
            while (j > first && shockedNotional < breaks[j]) j--;
            maintenance += curveSlope[j] * shockedNotional + curveIntercept[j];
          }
          if (equity < maintenance) {
            accountFlags[k] = 1;
            directShortfall[k] += maintenance - equity;
            directNotional[k] += factor * N[u];
          }
        }
        continue;
      }
      const direction = b - s;
      if (direction > 0) {
        // Liquidatable for f below f*: the prefix of points where the exact predicate holds.
        let end = countBelow((i + s - e) / direction);
        while (end > 0 && !(e + f[end - 1] * b < i + (1 + f[end - 1]) * s)) end--;
        while (end < K && e + f[end] * b < i + (1 + f[end]) * s) end++;
        if (end > 0) {
          prefixShortfallConstant[end] += i + s - e;
          prefixShortfallSlope[end] += s - b;
          prefixNotional[end] += N[u];
          if (end > accountPrefixEnd) accountPrefixEnd = end;
        }
      } else if (direction < 0) {
        let begin = countBelow((i + s - e) / direction);
        while (begin < K && !(e + f[begin] * b < i + (1 + f[begin]) * s)) begin++;
        while (begin > 0 && e + f[begin - 1] * b < i + (1 + f[begin - 1]) * s) begin--;
        if (begin < K) {
          suffixShortfallConstant[begin] += i + s - e;
          suffixShortfallSlope[begin] += s - b;
          suffixNotional[begin] += N[u];
          if (begin < accountSuffixStart) accountSuffixStart = begin;
        }
      } else if (e + f0 * b < i + (1 + f0) * s) {
        prefixShortfallConstant[K] += i + s - e;
        prefixShortfallSlope[K] += s - b;
        prefixNotional[K] += N[u];
        accountPrefixEnd = K;
      }
    }
    if (accountDirect) {
      for (let k = 0; k < K; k++) if (accountFlags[k] || k < accountPrefixEnd || k >= accountSuffixStart) directAccounts[k] += 1;
    } else if (accountPrefixEnd >= accountSuffixStart) prefixAccounts[K] += 1;
    else {
      prefixAccounts[accountPrefixEnd] += 1; // bucket 0 means "never": not read below
      suffixAccounts[accountSuffixStart] += 1; // bucket K means "never"
    }
  }

  // Running sums: Σ_{h>k} for prefixes, Σ_{l≤k} for suffixes.
  const running = (k: number, prefix: Float64Array, suffix: Float64Array): number => {
    let total = 0;
    for (let h = k + 1; h <= K; h++) total += prefix[h];
    for (let l = 0; l <= k; l++) total += suffix[l];
    return total;
  };
  const out: ShockGridTotals = { shocks: shocks.slice(), liquidatable: new Array(K), shortfall: new Array(K), notionalAtRisk: new Array(K) };
  order.forEach((originalIndex, k) => {
    out.liquidatable[originalIndex] = running(k, prefixAccounts, suffixAccounts) + directAccounts[k];
    out.shortfall[originalIndex] =
      running(k, prefixShortfallConstant, suffixShortfallConstant) + f[k] * running(k, prefixShortfallSlope, suffixShortfallSlope) + directShortfall[k];
    out.notionalAtRisk[originalIndex] = (1 + f[k]) * running(k, prefixNotional, suffixNotional) + directNotional[k];
  });
  return out;
}
