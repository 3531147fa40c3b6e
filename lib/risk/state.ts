// Margin state of a columnar book under one parameter set, kept so a preview can be recomputed
// cheaply: `createMarginState` does one pass over the positions that also accumulates the shock
// grid's sums; `updateMarginState` after a parameter edit recomputes only the accounts holding a
// market whose maintenance curve changed.
//
// Every sum here runs in the same order as margin.ts, so the results equal the simple path's.
import type { ColumnarBook } from "./columnar";
import { RiskInputError } from "./errors";
import { resolveMarket, sameCurve, solveLiquidationPrice, type ResolvedMarket } from "./maintenance";
import { sumBlockCount, sumBlocks } from "./margin-kernel";
import { runMarginKernel, sharedFloat64, sharedUint8 } from "./parallel";
import type { MarginOptions, ParamsSet } from "./types";

/** All markets' maintenance curves in flat typed arrays (segments of market m: [start[m], start[m+1])). */
export interface FlatCurves {
  start: Int32Array;
  breakNotional: Float64Array;
  /** End of each segment: the next segment's start, +∞ for a market's last (no bounds checks in scans). */
  upperNotional: Float64Array;
  slope: Float64Array;
  intercept: Float64Array;
}

export function flattenCurves(markets: ResolvedMarket[]): FlatCurves {
  const start = new Int32Array(markets.length + 1);
  markets.forEach((market, m) => (start[m + 1] = start[m] + market.maintenance.breakNotional.length));
  const total = start[markets.length];
  const flat: FlatCurves = { start, breakNotional: new Float64Array(total), upperNotional: new Float64Array(total), slope: new Float64Array(total), intercept: new Float64Array(total) };
  markets.forEach((market, m) => {
    flat.breakNotional.set(market.maintenance.breakNotional, start[m]);
    flat.upperNotional.set(market.maintenance.breakNotional.subarray(1), start[m]);
    flat.upperNotional[start[m + 1] - 1] = Infinity;
    flat.slope.set(market.maintenance.slope, start[m]);
    flat.intercept.set(market.maintenance.intercept, start[m]);
  });
  return flat;
}

/**
 * Per-account numbers that do not depend on the parameter set (equity at the book's marks and bad
 * debt), computed once per book and shared by every state of it.
 */
interface BookAccountTotals {
  accountEquity: Float64Array;
  accountBadDebt: Float64Array;
}
const bookAccountTotals = new WeakMap<ColumnarBook, BookAccountTotals>();

function accountTotalsOf(book: ColumnarBook): BookAccountTotals {
  let totals = bookAccountTotals.get(book);
  if (totals) return totals;
  const accountCount = book.accountIds.length;
  totals = { accountEquity: new Float64Array(accountCount), accountBadDebt: new Float64Array(accountCount) };
  for (let a = 0; a < accountCount; a++) {
    // A cross account is exactly one unit; an isolated account sums its units in position order (as margin.ts).
    let equity = 0;
    let badDebt = 0;
    for (let u = book.accountUnitStart[a]; u < book.accountUnitStart[a + 1]; u++) {
      const unitEquity = book.unitEquity[u];
      equity += unitEquity;
      if (unitEquity < 0) badDebt += -unitEquity;
    }
    totals.accountEquity[a] = equity;
    totals.accountBadDebt[a] = badDebt;
  }
  bookAccountTotals.set(book, totals);
  return totals;
}

/** Maintenance of every position at the book's marks (same arithmetic as the account pass). */
function computePositionMaintenance(book: ColumnarBook, curves: FlatCurves): Float64Array {
  const { positionMarket, positionNotional } = book;
  const { start: curveStart, breakNotional: breaks, slope: curveSlope, intercept: curveIntercept } = curves;
  const out = new Float64Array(positionMarket.length);
  for (let p = 0; p < out.length; p++) {
    const m = positionMarket[p];
    const notional = positionNotional[p];
    const first = curveStart[m];
    let j = curveStart[m + 1] - 1;
    while (j > first && notional < breaks[j]) j--;
    out[p] = curveSlope[j] * notional + curveIntercept[j];
  }
  return out;
}

/**
 * Margin state of a book under one parameter set. Memory per state is what a preview needs per unit
 * and per account (~15 MB for 580k units / 400k accounts); per-position maintenance is computed on
 * first use (liquidation prices, per-market breakdowns), and the parameter-independent account
 * numbers (equity, bad debt) are shared by all states of the book.
 */
export class MarginState {
  readonly accountEquity: Float64Array;
  readonly accountBadDebt: Float64Array;
  /** Per position, allocated and filled on demand: NaN = not computed yet, 0 = no liquidation price (null). */
  liquidationPrice: Float64Array | null = null;
  /** Bucketed shock-grid sums of the last grid evaluated (kept so an update only re-adds changed accounts). */
  gridAccumulator?: GridAccumulator;
  private positionMaintenanceCache: Float64Array | null = null;

  constructor(
    readonly book: ColumnarBook,
    readonly params: ParamsSet,
    /** Resolved parameters by market index. */
    readonly markets: ResolvedMarket[],
    readonly curves: FlatCurves,
    public unitMaintenance: Float64Array,
    public unitLiquidatable: Uint8Array,
    public accountMaintenance: Float64Array,
    public accountShortfall: Float64Array,
    public accountNotionalAtRisk: Float64Array,
    public accountLiquidatable: Uint8Array,
  ) {
    const totals = accountTotalsOf(book);
    this.accountEquity = totals.accountEquity;
    this.accountBadDebt = totals.accountBadDebt;
  }

  /** Maintenance per position at the book's marks (computed on first use). */
  get positionMaintenance(): Float64Array {
    return (this.positionMaintenanceCache ??= computePositionMaintenance(this.book, this.curves));
  }
}

/**
 * Arrays of released states, reused by the next states of the same size. A 1M-position book's
 * state is ~15 MB of typed arrays; fresh pages cost this VM ~0.4 ms per MB in page faults
 * (BENCHMARKS.md), a third of a preview, so a server that builds a state per draft edit hands the
 * previous one back. A few arrays per length at most (a bounded cache, not a leak).
 */
const arrayPool = new Map<string, (Float64Array | Uint8Array)[]>();
const poolDepth = 4;

// On shared memory, so the second thread of a large pass writes its half in place (parallel.ts).
function takeFloat64(length: number): Float64Array {
  return (arrayPool.get(`f${length}`)?.pop() as Float64Array | undefined) ?? sharedFloat64(length);
}
function takeUint8(length: number): Uint8Array {
  return (arrayPool.get(`u${length}`)?.pop() as Uint8Array | undefined) ?? sharedUint8(length);
}
function giveBack(array: Float64Array | Uint8Array): void {
  if (array.length === 0) return;
  const key = `${array instanceof Float64Array ? "f" : "u"}${array.length}`;
  const list = arrayPool.get(key) ?? [];
  if (list.length < poolDepth) list.push(array);
  arrayPool.set(key, list);
}

/**
 * Hands a state's arrays back for reuse by the next createMarginState/updateMarginState. The state
 * must not be used afterwards: its arrays are emptied, so a stray read finds nothing instead of
 * another state's numbers.
 */
export function releaseMarginState(state: MarginState): void {
  for (const array of [state.unitMaintenance, state.accountMaintenance, state.accountShortfall, state.accountNotionalAtRisk]) giveBack(array);
  for (const array of [state.unitLiquidatable, state.accountLiquidatable]) giveBack(array);
  state.unitMaintenance = state.accountMaintenance = state.accountShortfall = state.accountNotionalAtRisk = new Float64Array(0);
  state.unitLiquidatable = state.accountLiquidatable = new Uint8Array(0);
  state.liquidationPrice = null;
  state.gridAccumulator = undefined;
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
 * One pass over the positions of the given accounts (all when `list` is null), margin-kernel.ts:
 * with `write` the state's unit and account numbers are stored; with an accumulator each unit's
 * shock-grid contribution is added with `sign` (+1 add, −1 take out). A full pass over a large book
 * runs on two threads (parallel.ts), split where half of the positions and units lie.
 */
function passAccounts(state: MarginState, accumulator: GridAccumulator | null, list: Int32Array | null, sign: number, write: boolean): void {
  const book = state.book;
  const acc = accumulator ?? noGrid;
  const accountCount = book.accountIds.length;
  // Work ∝ positions + units: the worker takes the accounts after the point where half of it lies.
  const work = (a: number) => book.accountPositionStart[a] + book.accountUnitStart[a];
  const half = work(accountCount) / 2;
  let low = 0;
  let high = accountCount;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (work(mid) < half) low = mid + 1;
    else high = mid;
  }
  const crossing = runMarginKernel(
    {
      from: 0,
      to: accountCount,
      list,
      sign,
      write,
      withGrid: accumulator !== null,
      accountUnitStart: book.accountUnitStart,
      unitPositionStart: book.unitPositionStart,
      unitEquity: book.unitEquity,
      unitEquitySlope: book.unitEquitySlope,
      unitNotional: book.unitNotional,
      positionMarket: book.positionMarket,
      positionNotional: book.positionNotional,
      curveStart: state.curves.start,
      breakNotional: state.curves.breakNotional,
      upperNotional: state.curves.upperNotional,
      slope: state.curves.slope,
      intercept: state.curves.intercept,
      unitMaintenance: state.unitMaintenance,
      unitLiquidatable: state.unitLiquidatable,
      accountMaintenance: state.accountMaintenance,
      accountShortfall: state.accountShortfall,
      accountNotionalAtRisk: state.accountNotionalAtRisk,
      accountLiquidatable: state.accountLiquidatable,
      f: acc.f,
      uniform: acc.uniform,
      step: acc.step,
      sums: acc.sums,
    },
    low,
    list ? 0 : book.positionMarket.length,
  );
  if (accumulator) accumulator.crossingUnits += sign * crossing;
}

export interface CreateMarginStateOptions extends MarginOptions {
  paramsSource?: string;
  /** Shock grid whose sums are accumulated in the same pass (default −50 %…+50 % step 5 %; null: none). */
  shocks?: number[] | null;
}

/** −0.5…+0.5 step 0.05 by default; values rounded to 1e-9 so 0.15 prints as 0.15. */
export function shockRange(from = -0.5, to = 0.5, step = 0.05): number[] {
  if (!(step > 0)) throw new RangeError("shock step must be positive");
  const shocks: number[] = [];
  const count = Math.floor((to - from) / step + 1e-9);
  for (let k = 0; k <= count; k++) shocks.push(Math.round((from + k * step) * 1e9) / 1e9);
  return shocks;
}

const defaultShocks = shockRange();

export function createMarginState(book: ColumnarBook, params: ParamsSet, options: CreateMarginStateOptions = {}): MarginState {
  const markets = resolveMarketsByIndex(book, params, options, options.paramsSource);
  const unitCount = book.unitAccount.length;
  const accountCount = book.accountIds.length;
  const state = new MarginState(
    book,
    params,
    markets,
    flattenCurves(markets),
    // A full pass writes every entry, so arrays from released states need no clearing.
    takeFloat64(unitCount),
    takeUint8(unitCount),
    takeFloat64(accountCount),
    takeFloat64(accountCount),
    takeFloat64(accountCount),
    takeUint8(accountCount),
  );
  const shocks = options.shocks === undefined ? defaultShocks : options.shocks;
  const acc = shocks && shocks.length > 0 ? newAccumulator(shocks) : null;
  passAccounts(state, acc, null, 1, true);
  if (acc) state.gridAccumulator = acc;
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

function copyOf<T extends Float64Array | Uint8Array>(source: T, take: (length: number) => T): T {
  const copy = take(source.length);
  copy.set(source);
  return copy;
}

/**
 * State for a new parameter set, reusing `previous`: only the accounts holding a market whose
 * maintenance curve changed are recomputed, and only they are taken out of and put back into the
 * shock-grid sums. Arrays are copied, so `previous` stays valid (the server keeps the current set's
 * state while drafts change).
 */
export interface UpdateMarginStateOptions extends MarginOptions {
  paramsSource?: string;
  /** Share of the book's positions an edit may touch and still be applied incrementally (default 1/3); above it, one full pass. */
  incrementalShare?: number;
}

export function updateMarginState(previous: MarginState, params: ParamsSet, options: UpdateMarginStateOptions = {}): MarginState {
  const book = previous.book;
  const markets = resolveMarketsByIndex(book, params, options, options.paramsSource);
  const curves = flattenCurves(markets);
  const changedMarkets: number[] = [];
  for (let m = 0; m < markets.length; m++) if (!sameCurve(previous.markets[m].maintenance, markets[m].maintenance)) changedMarkets.push(m);
  // Recomputing every position of an affected account is equivalent (unchanged markets give the
  // same numbers) and keeps one code path.
  const accounts = changedMarkets.length > 0 ? accountsInMarkets(book, changedMarkets) : new Int32Array(0);
  const touchedPositions = accounts.reduce((total, a) => total + book.accountPositionStart[a + 1] - book.accountPositionStart[a], 0);
  if (touchedPositions > (options.incrementalShare ?? 1 / 3) * book.positionMarket.length) {
    // An edit touching most of the book (a proposal over the popular markets): one full pass, on
    // two threads, costs less than taking a third of the book out and putting it back on one.
    const state = new MarginState(book, params, markets, curves, takeFloat64(book.unitAccount.length), takeUint8(book.unitAccount.length), takeFloat64(book.accountIds.length), takeFloat64(book.accountIds.length), takeFloat64(book.accountIds.length), takeUint8(book.accountIds.length));
    const acc = previous.gridAccumulator ? newAccumulator(previous.gridAccumulator.shocks) : null;
    passAccounts(state, acc, null, 1, true);
    if (acc) state.gridAccumulator = acc;
    return state;
  }
  const state = new MarginState(
    book,
    params,
    markets,
    curves,
    copyOf(previous.unitMaintenance, takeFloat64),
    copyOf(previous.unitLiquidatable, takeUint8),
    copyOf(previous.accountMaintenance, takeFloat64),
    copyOf(previous.accountShortfall, takeFloat64),
    copyOf(previous.accountNotionalAtRisk, takeFloat64),
    copyOf(previous.accountLiquidatable, takeUint8),
  );
  state.liquidationPrice = previous.liquidationPrice ? previous.liquidationPrice.slice() : null;
  if (accounts.length === 0) {
    state.gridAccumulator = previous.gridAccumulator;
    return state;
  }
  if (previous.gridAccumulator) {
    // Take the touched accounts out with the previous curves, put them back with the new ones.
    const acc = copyAccumulator(previous.gridAccumulator);
    passAccounts(previous, acc, accounts, -1, false);
    passAccounts(state, acc, accounts, 1, true);
    clearEmptyBuckets(acc);
    state.gridAccumulator = acc;
  } else {
    passAccounts(state, null, accounts, 1, true);
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

/** The state's liquidation-price cache by position (allocated on first use): NaN = not computed yet, 0 = none. */
export function liquidationPrices(state: MarginState): Float64Array {
  if (!state.liquidationPrice) state.liquidationPrice = new Float64Array(state.book.positionMarket.length).fill(NaN);
  return state.liquidationPrice;
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
  /** Units evaluated shock by shock (a position crossing a curve breakpoint inside the range). */
  crossingUnits: number;
  /** The buffer all the sums above are views of (margin-kernel.ts `sumBlocks`). */
  sums: Float64Array;
}

function newAccumulator(shocks: number[]): GridAccumulator {
  const K = shocks.length;
  const order = shocks.map((_, index) => index).sort((x, y) => shocks[x] - shocks[y]);
  const f = Float64Array.from(order, (index) => shocks[index]);
  const step = K > 1 ? (f[K - 1] - f[0]) / (K - 1) : 1;
  let uniform = step > 0;
  for (let k = 0; k < K && uniform; k++) if (Math.abs(f[k] - (f[0] + k * step)) > 1e-12) uniform = false;
  return { key: shocks.join(","), shocks: shocks.slice(), order, f, uniform, step, ...sumViews(new Float64Array(sumBlockCount * (K + 1)), K), crossingUnits: 0 };
}

/** Named views of a sums buffer (block order of margin-kernel.ts `sumBlocks`). */
function sumViews(sums: Float64Array, K: number) {
  const view = (index: number, length = K + 1) => sums.subarray(index * (K + 1), index * (K + 1) + length);
  return {
    sums,
    prefixAccounts: view(sumBlocks.prefixAccounts),
    suffixAccounts: view(sumBlocks.suffixAccounts),
    prefixUnits: view(sumBlocks.prefixUnits),
    suffixUnits: view(sumBlocks.suffixUnits),
    prefixShortfallConstant: view(sumBlocks.prefixShortfallConstant),
    prefixShortfallSlope: view(sumBlocks.prefixShortfallSlope),
    prefixNotional: view(sumBlocks.prefixNotional),
    suffixShortfallConstant: view(sumBlocks.suffixShortfallConstant),
    suffixShortfallSlope: view(sumBlocks.suffixShortfallSlope),
    suffixNotional: view(sumBlocks.suffixNotional),
    directAccounts: view(sumBlocks.directAccounts, K),
    directUnits: view(sumBlocks.directUnits, K),
    directShortfall: view(sumBlocks.directShortfall, K),
    directNotional: view(sumBlocks.directNotional, K),
  };
}

/** Placeholder for passes without a grid (never written: those passes skip every grid step). */
const noGrid = newAccumulator([0]);

function copyAccumulator(source: GridAccumulator): GridAccumulator {
  return { ...source, ...sumViews(source.sums.slice(), source.f.length) };
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
  // Another grid: one pass that only accumulates (the state's own numbers are already stored).
  const acc = newAccumulator(shocks);
  passAccounts(state, acc, null, 1, false);
  state.gridAccumulator = acc;
  return totalsOf(acc);
}
