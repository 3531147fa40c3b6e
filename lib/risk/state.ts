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
  /** Bucketed shock-grid sums of the last grid evaluated (kept so an update only re-adds changed accounts). */
  gridAccumulator?: GridAccumulator;
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
    state.gridAccumulator = previous.gridAccumulator;
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
  const previousAcc = previous.gridAccumulator;
  if (grid && previous.grid && previousAcc && previous.grid.minShock === previousAcc.f[0] && previous.grid.maxShock === previousAcc.f[previousAcc.f.length - 1]) {
    // Take the touched accounts out with the previous coefficients, put them back with the new.
    const acc = copyAccumulator(previousAcc);
    accumulateAccounts(previous, previous.grid, acc, accounts, -1);
    accumulateAccounts(state, grid, acc, accounts, 1);
    clearEmptyBuckets(acc);
    state.gridAccumulator = acc;
  }
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
 * Running state of a shock-grid evaluation: per sorted shock index, sums bucketed so that each
 * account contributes in O(1) (see evaluateShockGrid). Every sum has a unit count beside it, so a
 * bucket emptied by an update is reset to exactly zero instead of keeping rounding residue.
 */
export interface GridAccumulator {
  key: string;
  shocks: number[];
  order: number[];
  f: Float64Array;
  uniform: boolean;
  step: number;
  /** Accounts whose liquidatable set is a prefix ending at h / a suffix starting at l (h, l in 0..K). */
  prefixAccounts: Float64Array;
  suffixAccounts: Float64Array;
  prefixUnits: Float64Array;
  suffixUnits: Float64Array;
  prefixShortfallConstant: Float64Array;
  prefixShortfallSlope: Float64Array;
  prefixNotional: Float64Array;
  suffixShortfallConstant: Float64Array;
  suffixShortfallSlope: Float64Array;
  suffixNotional: Float64Array;
  /** Shock-by-shock contributions (accounts with a unit crossing a breakpoint). */
  directAccounts: Float64Array;
  directUnits: Float64Array;
  directShortfall: Float64Array;
  directNotional: Float64Array;
}

function newAccumulator(shocks: number[]): GridAccumulator {
  const K = shocks.length;
  const order = shocks.map((_, index) => index).sort((x, y) => shocks[x] - shocks[y]);
  const f = Float64Array.from(order, (index) => shocks[index]);
  const step = K > 1 ? (f[K - 1] - f[0]) / (K - 1) : 1;
  let uniform = step > 0;
  for (let k = 0; k < K && uniform; k++) if (Math.abs(f[k] - (f[0] + k * step)) > 1e-12) uniform = false;
  const bucket = () => new Float64Array(K + 1);
  return {
    key: shocks.join(","),
    shocks: shocks.slice(),
    order,
    f,
    uniform,
    step,
    prefixAccounts: bucket(),
    suffixAccounts: bucket(),
    prefixUnits: bucket(),
    suffixUnits: bucket(),
    prefixShortfallConstant: bucket(),
    prefixShortfallSlope: bucket(),
    prefixNotional: bucket(),
    suffixShortfallConstant: bucket(),
    suffixShortfallSlope: bucket(),
    suffixNotional: bucket(),
    directAccounts: new Float64Array(K),
    directUnits: new Float64Array(K),
    directShortfall: new Float64Array(K),
    directNotional: new Float64Array(K),
  };
}

function copyAccumulator(source: GridAccumulator): GridAccumulator {
  const copy = { ...source };
  for (const [key, value] of Object.entries(source)) if (value instanceof Float64Array && key !== "f") (copy as Record<string, unknown>)[key] = value.slice();
  return copy;
}

/**
 * Adds (sign +1) or removes (sign −1) the grid contributions of the given accounts (all when
 * `list` is null), computed from `state`'s coefficients. For a unit with linear coefficients,
 * "liquidatable" (E + f·B < I + (1+f)·S) holds on a prefix or a suffix of the sorted shocks; its
 * boundary comes from the root f* = (I + S − E)/(B − S), confirmed on the exact predicate; the unit
 * is bucketed once by where its range ends or starts. An isolated account's set is the union of its
 * units' prefixes and suffixes (a prefix ∪ a suffix). Units with a position crossing a curve
 * breakpoint inside the range are evaluated shock by shock (only the crossing positions are looked
 * up; the rest stays linear).
 */
function accumulateAccounts(state: MarginState, grid: GridCoefficients, acc: GridAccumulator, list: Int32Array | null, sign: number): void {
  const { f, uniform, step } = acc;
  const K = f.length;
  const f0 = f[0];
  const S = grid.unitMaintenanceSlope;
  const I = grid.unitMaintenanceIntercept;
  const unitCrosses = grid.unitCrossesBreakpoint;
  const positionCrosses = grid.positionCrossesBreakpoint;
  const { unitEquity: E, unitEquitySlope: B, unitNotional: N, accountUnitStart: unitStart, unitPositionStart, positionMarket, positionSize, marks } = state.book;
  const { start: curveStart, breakNotional: breaks, slope: curveSlope, intercept: curveIntercept } = state.curves;
  const {
    prefixAccounts, suffixAccounts, prefixUnits, suffixUnits, prefixShortfallConstant, prefixShortfallSlope, prefixNotional,
    suffixShortfallConstant, suffixShortfallSlope, suffixNotional, directAccounts, directUnits, directShortfall, directNotional,
  } = acc;
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
  const accountFlags = new Uint8Array(K);
  const crossing: number[] = [];
  const count = list ? list.length : state.book.accountIds.length;
  for (let index = 0; index < count; index++) {
    const a = list ? list[index] : index;
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
        crossing.length = 0;
        for (let p = unitPositionStart[u]; p < unitPositionStart[u + 1]; p++) if (positionCrosses[p]) crossing.push(p);
        for (let k = 0; k < K; k++) {
          const factor = 1 + f[k];
          const equity = e + f[k] * b;
          let maintenance = i + factor * s;
          for (let c = 0; c < crossing.length; c++) {
            const p = crossing[c];
            const m = positionMarket[p];
            const shockedNotional = Math.abs(positionSize[p]) * marks[m] * factor;
            const first = curveStart[m];
            let j = curveStart[m + 1] - 1;
            while (j > first && shockedNotional < breaks[j]) j--;
            maintenance += curveSlope[j] * shockedNotional + curveIntercept[j];
          }
          if (equity < maintenance) {
            accountFlags[k] = 1;
            directUnits[k] += sign;
            directShortfall[k] += sign * (maintenance - equity);
            directNotional[k] += sign * (factor * N[u]);
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
          prefixUnits[end] += sign;
          prefixShortfallConstant[end] += sign * (i + s - e);
          prefixShortfallSlope[end] += sign * (s - b);
          prefixNotional[end] += sign * N[u];
          if (end > accountPrefixEnd) accountPrefixEnd = end;
        }
      } else if (direction < 0) {
        let begin = countBelow((i + s - e) / direction);
        while (begin < K && !(e + f[begin] * b < i + (1 + f[begin]) * s)) begin++;
        while (begin > 0 && e + f[begin - 1] * b < i + (1 + f[begin - 1]) * s) begin--;
        if (begin < K) {
          suffixUnits[begin] += sign;
          suffixShortfallConstant[begin] += sign * (i + s - e);
          suffixShortfallSlope[begin] += sign * (s - b);
          suffixNotional[begin] += sign * N[u];
          if (begin < accountSuffixStart) accountSuffixStart = begin;
        }
      } else if (e + f0 * b < i + (1 + f0) * s) {
        prefixUnits[K] += sign;
        prefixShortfallConstant[K] += sign * (i + s - e);
        prefixShortfallSlope[K] += sign * (s - b);
        prefixNotional[K] += sign * N[u];
        accountPrefixEnd = K;
      }
    }
    if (accountDirect) {
      for (let k = 0; k < K; k++) if (accountFlags[k] || k < accountPrefixEnd || k >= accountSuffixStart) directAccounts[k] += sign;
    } else if (accountPrefixEnd >= accountSuffixStart) prefixAccounts[K] += sign;
    else {
      prefixAccounts[accountPrefixEnd] += sign; // bucket 0 means "never": not read
      suffixAccounts[accountSuffixStart] += sign; // bucket K means "never"
    }
  }
}

/** After removals: buckets without units go back to exactly zero (no rounding residue). */
function clearEmptyBuckets(acc: GridAccumulator): void {
  for (let h = 0; h < acc.prefixUnits.length; h++) {
    if (acc.prefixUnits[h] === 0) acc.prefixShortfallConstant[h] = acc.prefixShortfallSlope[h] = acc.prefixNotional[h] = 0;
    if (acc.suffixUnits[h] === 0) acc.suffixShortfallConstant[h] = acc.suffixShortfallSlope[h] = acc.suffixNotional[h] = 0;
  }
  for (let k = 0; k < acc.directUnits.length; k++) if (acc.directUnits[k] === 0) acc.directShortfall[k] = acc.directNotional[k] = 0;
}

function totalsOf(acc: GridAccumulator): ShockGridTotals {
  const K = acc.f.length;
  // Running sums: Σ_{h>k} for prefixes, Σ_{l≤k} for suffixes.
  const running = (k: number, prefix: Float64Array, suffix: Float64Array): number => {
    let total = 0;
    for (let h = k + 1; h <= K; h++) total += prefix[h];
    for (let l = 0; l <= k; l++) total += suffix[l];
    return total;
  };
  const out: ShockGridTotals = { shocks: acc.shocks.slice(), liquidatable: new Array(K), shortfall: new Array(K), notionalAtRisk: new Array(K) };
  acc.order.forEach((originalIndex, k) => {
    out.liquidatable[originalIndex] = running(k, acc.prefixAccounts, acc.suffixAccounts) + acc.directAccounts[k];
    out.shortfall[originalIndex] =
      running(k, acc.prefixShortfallConstant, acc.suffixShortfallConstant) + acc.f[k] * running(k, acc.prefixShortfallSlope, acc.suffixShortfallSlope) + acc.directShortfall[k];
    out.notionalAtRisk[originalIndex] = (1 + acc.f[k]) * running(k, acc.prefixNotional, acc.suffixNotional) + acc.directNotional[k];
  });
  return out;
}

/**
 * Liquidatable accounts, shortfall and notional at risk at each uniform shock f (marks·(1+f)).
 * O(units + K²) per state (see accumulateAccounts); the sums are kept on the state, so a state made
 * by updateMarginState from one that has them only re-adds the accounts the edit touched.
 * Floats: totals are sums of doubles over up to ~1e6 accounts; relative error ≲ 1e-12.
 */
export function evaluateShockGrid(state: MarginState, shocks: number[]): ShockGridTotals {
  if (shocks.length === 0) return { shocks: [], liquidatable: [], shortfall: [], notionalAtRisk: [] };
  const key = shocks.join(",");
  if (state.gridAccumulator && state.gridAccumulator.key === key) return totalsOf(state.gridAccumulator);
  const acc = newAccumulator(shocks);
  const grid = gridCoefficients(state, acc.f[0], acc.f[acc.f.length - 1]);
  accumulateAccounts(state, grid, acc, null, 1);
  state.gridAccumulator = acc;
  return totalsOf(acc);
}
