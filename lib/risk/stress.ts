// Liquidation cascade under a price shock (contract risk-cli.md, "Output of stress --json").
//
// Waves until none is left. In each wave, at prices P:
// - every not-yet-liquidated margin unit (cross account, or isolated position) with
//   equity < maintenance is closed;
// - per market, forced notional Q = Σ −size·P over the closed positions (sells are negative);
// - square-root impact I = impactCoefficient·dailyVolatility·√(|Q|/dailyVolumeUsd) (the
//   "square-root law" of market impact; Almgren et al. 2005, Tóth et al. 2011);
// - fills at P·(1 + sign(Q)·⅔·I) (the average price paid walking a square-root impact curve:
//   ∫₀¹ √x dx = ⅔ of the final impact);
// - a closed unit with positive equity at the fills pays min(liquidationPenalty·notional at fill,
//   that equity) into the insurance fund; a negative equity is bad debt taken from the fund;
// - then P ← P·(1 + sign(Q)·I·permanentImpactShare).
// When the fund goes below zero at the end of a wave, the deficit is recorded as
// auto-deleverage need and the fund is floored at zero (ADL covers that deficit).
// Markets without a `cascade` block have no impact: their fills are at P and P does not move.
//
// The first wave evaluates every unit, and its survivors are scheduled for a later look (see the
// look-again queues in runCascade): on books of 50k+ positions both run on two threads, over two
// unit ranges of about equal record length (cascade-kernel.ts, parallel.ts). Each range's output
// is the same whichever thread computes it, and the caller reads them range by range in unit
// order, so sums are added in the same order as on one thread.
import { cascadeGroups, createCascadeKernel, type CascadeRange } from "./cascade-kernel";
import { buildColumnarBook, type ColumnarBook } from "./columnar";
import { RiskInputError } from "./errors";
import { cascadeOnTwoThreads, runCascadeRanges, sharedFloat64, sharedInt32 } from "./parallel";
import { flattenCurves, resolveMarketsByIndex } from "./state";
import type { Book, MarginOptions, ParamsSet, PriceShock } from "./types";

export interface CascadeWave {
  price: Record<string, number>;
  accounts: string[];
  /** Forced notional per market with forced flow (negative = sells). */
  forcedNotional: Record<string, number>;
  fillPrice: Record<string, number>;
}

export interface CascadeResult {
  shock: PriceShock;
  waves: CascadeWave[];
  finalPrice: Record<string, number>;
  liquidatedAccounts: number;
  liquidatedNotional: number;
  penalties: number;
  badDebt: number;
  insuranceFund: number;
  autoDeleverageNeeded: number;
}

export interface CascadeOptions extends MarginOptions {
  /** Cap on ids listed per wave (all are counted). Default: all. */
  accountListLimit?: number;
  /** Safety cap on the number of waves. Default 10,000, at most 30,000. */
  maxWaves?: number;
  paramsSource?: string;
}

export function runCascade(input: Book | ColumnarBook, params: ParamsSet, shock: PriceShock, options: CascadeOptions = {}): CascadeResult {
  const book = "positionMarket" in input ? input : buildColumnarBook(input);
  const markets = resolveMarketsByIndex(book, params, options, options.paramsSource);
  const marketCount = book.marketNames.length;
  const cascade = book.marketNames.map((name) => params.markets[name]?.cascade);
  const price = sharedFloat64(marketCount);
  for (let m = 0; m < marketCount; m++) {
    const name = book.marketNames[m];
    const marketShock = typeof shock === "number" ? shock : (shock[name] ?? 0);
    if (!(marketShock > -1)) throw new RiskInputError("shock", typeof shock === "number" ? "$" : name, `expected a shock greater than -1, got ${marketShock}`);
    price[m] = book.marks[m] * (1 + marketShock);
  }
  const unitCount = book.unitAccount.length;
  const positionCount = book.positionMarket.length;
  const accountListed = scratchInt32("accountListed", book.accountIds.length).fill(-1);
  const accountCounted = scratchUint8("accountCounted", book.accountIds.length).fill(0);
  const listLimit = options.accountListLimit ?? Infinity;
  const maxWaves = Math.min(options.maxWaves ?? 10_000, 30_000);
  const curves = flattenCurves(markets);
  const { start: curveStart, upperNotional: upper, slope: curveSlope, intercept: curveIntercept } = curves;
  const penaltyRate = Float64Array.from(markets, (market) => market.liquidationPenalty);
  const records = unitRecords(book);
  const { recordStart, record } = records;

  // Which units can have crossed maintenance since they were last evaluated?
  //
  // Every position's contribution to its unit's slack (equity − maintenance),
  //   f(P) = size·(P − entry) − MM(|size|·P),
  // is monotone in its market's price P: MM is continuous and non-decreasing (maintenance.ts),
  // its slope between s_min and s_max, the flattest and steepest slopes of the market's curve. So
  // a long (size > 0) only loses slack when P falls, by at most (1 − s_min)·|size|·|ΔP|, and a
  // short only when P rises, by at most (1 + s_max)·|size|·ΔP. Per market we keep two running
  // sums since the start of the cascade: Z_down = Σ −ln(1 − relative fall) and Y_up = Σ ln(1 +
  // relative rise), each move relative to the price before it. Moves the other way only help, so
  // since a unit's evaluation at P₀ a long's price is ≥ P₀·e^−ΔZ and a short's ≤ P₀·e^ΔY, and
  // with notional N_p = |size|·P₀ position p has lost at most c_p·N_p·y_p, where c_p = 1 − s_min
  // (long) or 1 + s_max (short) — its queue's "cost" — and y_p = 1 − e^−ΔZ (long) or e^ΔY − 1
  // (short). A unit evaluated with slack s₀ therefore stays solvent while every position keeps
  // y_p ≤ its allowance a_p, for any allowances with Σ_p c_p·N_p·a_p ≤ s₀, i.e. while ΔZ ≤
  // −ln(1 − a_p) for a long and ΔY ≤ ln(1 + a_p) for a short. queueUnit keys an entry by the
  // lower bound 2t + 2t³/3 of both, t = a/(2 − a) (long, a < 1; a ≥ 1 never runs out: t = 1 is
  // still a lower bound) or a/(2 + a) (short), from ln((1 + t)/(1 − t)) = 2(t + t³/3 + t⁵/5 + …):
  // a unit is due no later than the proof allows, and with exact logarithms' timing to ~t⁵/5
  // (a long-only unit comes due about when it becomes liquidatable, instead of one look early
  // as with the first-order ΔX ≤ a). The split is ours to choose: a_p ∝ the speed of p's queue
  // so far (see queueRates), so that a diversified account is not looked at every time its
  // fastest market moves. Each position of a solvent unit waits in the queue of (its market, its
  // adverse direction), keyed by the running sum at which its allowance runs out; the unit is
  // re-evaluated exactly when any of them comes due, and its other entries go stale (a stamp per
  // unit). Decisions are always the contract's exact "equity < maintenance at price P"
  // evaluation; only provably solvent units are skipped.
  //
  // Floats: the proof is in real numbers, the evaluation in float64. So that rounding can never
  // make a skipped unit's float slack negative, the allowances share s₀ − 1e-9·M, where M bounds
  // the magnitude of the terms summed (collateral, |P&L|, maintenance, notional); float64 error in
  // that sum is ~1e-15·M. Units within that margin are looked at on every adverse move of any of
  // their markets.
  // Per queue: its cost c (1 − s_min for the longs' queue, 1 + s_max for the shorts'; s_min capped
  // at ½, which only makes the bound looser).
  const queueCost = new Float64Array(2 * marketCount);
  for (let m = 0; m < marketCount; m++) {
    let lowest = Infinity;
    let steepest = 0;
    for (let j = curveStart[m]; j < curveStart[m + 1]; j++) {
      lowest = Math.min(lowest, curveSlope[j]);
      steepest = Math.max(steepest, curveSlope[j]);
    }
    queueCost[2 * m] = 1 - Math.min(lowest, 0.5);
    queueCost[2 * m + 1] = 1 + steepest;
  }
  const queueCount = 2 * marketCount; // queue 2m: longs in market m (falls), 2m + 1: shorts (rises)
  const runningMove = new Float64Array(queueCount);
  const scannedMove = new Float64Array(queueCount);
  /**
   * Stamp of a unit's current queue entries (1 after the first wave); 65,535 (−1 in 16 bits) once
   * liquidated. 16 bits halve the cache footprint of the queues' random stamp checks; a look adds 2
   * (collected, then queued again) and happens at most once a wave, so a live stamp stays
   * ≤ 1 + 2·maxWaves ≤ 60,001.
   */
  const unitStamp = scratchUint16("unitStamp", unitCount, true);
  const queues = new LookAgainQueues(queueCount, positionCount, unitStamp);
  const lookList = scratchInt32("lookList", unitCount);

  const firstPrice = sharedFloat64(marketCount);
  // The first wave and its survivors' scheduling run over one range of units, or two (one per thread).
  const unitArrays = { unitStamp, usableSlack: scratchFloat64("usableSlack", unitCount, true), price, curveStart, upper, curveSlope, curveIntercept, queueCost };
  const { ranges, keys: rangeKeys } = cascadeRanges(records, cascadeOnTwoThreads(positionCount) ? 2 : 1, unitArrays, queueCount);
  let deferred: DeferredEntries | null = null;

  const evaluation: Evaluation = { recordStart, record, price, curveStart, upper, curveSlope, curveIntercept, queueCost, entryQueue: new Int32Array(records.maxUnitPositions), entryMove: new Float64Array(records.maxUnitPositions), unitStamp, waveUnits: scratchInt32("waveUnits", unitCount) };
  const waveUnits = evaluation.waveUnits;
  const waves: CascadeWave[] = [];
  let insuranceFund = book.insuranceFund;
  let liquidatedNotional = 0;
  let penalties = 0;
  let badDebt = 0;
  let autoDeleverageNeeded = 0;
  let liquidatedAccounts = 0;
  const forced = new Float64Array(marketCount);
  const fill = new Float64Array(marketCount);
  /** Running totals handed to settleWave and back: notional, penalties, bad debt, fund, accounts. */
  const settlement = new Float64Array(5);
  const listedAccounts = scratchInt32("listedAccounts", book.accountIds.length);
  const impact = new Float64Array(marketCount);
  const priceTemplate: Record<string, number> = {};
  for (const name of book.marketNames) priceTemplate[name] = 0;
  /** 0, 1, 2, …: indices of the first wave's record copies, in the shape settleWave takes. */
  const copyOrder = scratchInt32("firstWave.order", unitCount);

  for (let waveIndex = 0; waveIndex < maxWaves; waveIndex++) {
    let waveCount = 0;
    if (waveIndex === 0) {
      runCascadeRanges(1, ranges, kernel);
      forced.fill(0);
      ranges.forEach((range, i) => (waveCount += firstWaveForced(range, rangeKeys[i], price, forced)));
      for (let i = 0; i < waveCount; i++) copyOrder[i] = i;
      firstPrice.set(price);
    } else {
      if (waveIndex === 1) {
        const queueRate = queueRates(runningMove, 1);
        for (const range of ranges) Object.assign(range, { price: firstPrice, queueRate, initialLimit: 0.005 });
        runCascadeRanges(2, ranges, kernel);
        deferred = new DeferredEntries(ranges, queueCount, 0.005);
        deferred.queueNear(queues);
      }
      // Collect every unit with an entry due in a queue whose running move grew, then evaluate.
      let lookCount = 0;
      for (let q = 0; q < queueCount; q++) {
        if (runningMove[q] === scannedMove[q]) continue;
        scannedMove[q] = runningMove[q];
        if (deferred !== null && runningMove[q] >= deferred.limit[q]) deferred.release(q, runningMove[q], queues, unitStamp);
        lookCount = queues.collectDue(q, runningMove[q], lookList, lookCount);
      }
      waveCount = evaluateLooked(evaluation, lookList, lookCount, queues, runningMove, queueRates(runningMove, waveIndex));
    }
    if (waveCount === 0) break;
    // Units settled from: the first wave's copies (in unit order, range by range; forced flow
    // summed by firstWaveForced), later waves' records in unit order.
    if (waveIndex > 0) {
      waveUnits.subarray(0, waveCount).sort();
      forced.fill(0);
      touchRecords(recordStart, record, waveUnits, waveCount);
      accumulateForced(waveUnits, waveCount, recordStart, record, price, forced, unitStamp);
    }
    for (let m = 0; m < marketCount; m++) {
      const q = forced[m];
      const model = cascade[m];
      impact[m] = q !== 0 && model ? model.impactCoefficient * model.dailyVolatility * Math.sqrt(Math.abs(q) / model.dailyVolumeUsd) : 0;
      fill[m] = price[m] * (1 + Math.sign(q) * (2 / 3) * impact[m]);
    }
    const wave = waveRecord(book.marketNames, priceTemplate, price, forced, fill);
    settlement[0] = liquidatedNotional;
    settlement[1] = penalties;
    settlement[2] = badDebt;
    settlement[3] = insuranceFund;
    settlement[4] = liquidatedAccounts;
    let listed = 0;
    if (waveIndex === 0) {
      for (const range of ranges) listed += settleWave(copyOrder, range.counts[0], range.copyStart, range.copyRecord, fill, penaltyRate, settlement, accountCounted, accountListed, waveIndex, listLimit - listed, listed === 0 ? listedAccounts : listedAccounts.subarray(listed));
    } else listed = settleWave(waveUnits, waveCount, recordStart, record, fill, penaltyRate, settlement, accountCounted, accountListed, waveIndex, listLimit, listedAccounts);
    liquidatedNotional = settlement[0];
    penalties = settlement[1];
    badDebt = settlement[2];
    insuranceFund = settlement[3];
    liquidatedAccounts = settlement[4];
    for (let i = 0; i < listed; i++) wave.accounts.push(book.accountIds[listedAccounts[i]]);
    if (insuranceFund < 0) {
      autoDeleverageNeeded -= insuranceFund;
      insuranceFund = 0;
    }
    // Permanent impact; the moves feed the running sums of the look-again queues.
    for (let m = 0; m < marketCount; m++) {
      const model = cascade[m];
      if (forced[m] === 0 || !model) continue;
      const move = Math.sign(forced[m]) * impact[m] * model.permanentImpactShare;
      price[m] = price[m] * (1 + move);
      if (move < 0) runningMove[2 * m] += -Math.log1p(move);
      else if (move > 0) runningMove[2 * m + 1] += Math.log1p(move);
    }
    waves.push(wave);
  }

  const finalPrice: Record<string, number> = {};
  book.marketNames.forEach((name, m) => (finalPrice[name] = price[m]));
  return { shock, waves, finalPrice, liquidatedAccounts, liquidatedNotional, penalties, badDebt, insuranceFund, autoDeleverageNeeded };
}

// The per-wave loops live in their own small functions: called once per wave, they are optimized
// as ordinary functions and stay so from cascade to cascade, whereas inside runCascade (called
// once per cascade) they ran as on-stack-replaced code that the wave objects' changing shapes kept
// deoptimizing (V8 --trace-deopt: "wrong map"), back to the interpreter and ~50 MB of boxed
// numbers per cascade.

/** Forced notional per market of the wave's units (Σ −size·P; sells negative); marks them liquidated. */
function accumulateForced(units: Int32Array, count: number, recordStart: Int32Array, record: Float64Array, price: Float64Array, forced: Float64Array, unitStamp: Uint16Array): void {
  for (let i = 0; i < count; i++) {
    const u = units[i];
    unitStamp[u] = -1;
    const end = recordStart[u + 1];
    for (let r = recordStart[u] + 2; r < end; r += 3) forced[record[r]] -= record[r + 1] * price[record[r]];
  }
}

/** The wave as reported: prices it started at, forced notional and fill price of markets with flow. */
function waveRecord(marketNames: string[], priceTemplate: Record<string, number>, price: Float64Array, forced: Float64Array, fill: Float64Array): CascadeWave {
  // A copy of a template holding every market (V8 clones its shape at once) rather than an object
  // grown market by market: 50 markets × 350 waves of property additions cost ~3 ms a cascade.
  const wave: CascadeWave = { price: { ...priceTemplate }, accounts: [], forcedNotional: {}, fillPrice: {} };
  for (let m = 0; m < marketNames.length; m++) {
    const name = marketNames[m];
    wave.price[name] = price[m];
    if (forced[m] !== 0) {
      wave.forcedNotional[name] = forced[m];
      wave.fillPrice[name] = fill[m];
    }
  }
  return wave;
}

/**
 * Closes the wave's units at the fill prices: penalties into the fund (at most the equity left),
 * negative equity as bad debt out of it. `totals` = [liquidated notional, penalties, bad debt,
 * insurance fund, liquidated accounts], updated in place (summed in unit order). Accounts to list
 * for this wave go to `listed`; returns how many.
 */
function settleWave(
  units: Int32Array,
  count: number,
  recordStart: Int32Array,
  record: Float64Array,
  fill: Float64Array,
  penaltyRate: Float64Array,
  totals: Float64Array,
  accountCounted: Uint8Array,
  accountListed: Int32Array,
  waveIndex: number,
  listLimit: number,
  listed: Int32Array,
): number {
  let liquidatedNotional = totals[0];
  let penalties = totals[1];
  let badDebt = totals[2];
  let insuranceFund = totals[3];
  let liquidatedAccounts = totals[4];
  let listedCount = 0;
  for (let i = 0; i < count; i++) {
    const u = units[i];
    const start = recordStart[u];
    const end = recordStart[u + 1];
    const a = record[start + 1];
    let equity = record[start];
    let penalty = 0;
    for (let r = start + 2; r < end; r += 3) {
      const m = record[r];
      const size = record[r + 1];
      const notionalAtFill = Math.abs(size) * fill[m];
      equity += size * (fill[m] - record[r + 2]);
      penalty += penaltyRate[m] * notionalAtFill;
      liquidatedNotional += notionalAtFill;
    }
    if (equity > 0) {
      const paid = Math.min(penalty, equity);
      penalties += paid;
      insuranceFund += paid;
    } else if (equity < 0) {
      badDebt -= equity;
      insuranceFund += equity;
    }
    if (!accountCounted[a]) {
      accountCounted[a] = 1;
      liquidatedAccounts++;
    }
    if (accountListed[a] !== waveIndex && listedCount < listLimit) {
      accountListed[a] = waveIndex;
      listed[listedCount++] = a;
    }
  }
  totals[0] = liquidatedNotional;
  totals[1] = penalties;
  totals[2] = badDebt;
  totals[3] = insuranceFund;
  totals[4] = liquidatedAccounts;
  return listedCount;
}

/** What evaluating a unit needs: its record, the prices, the maintenance curves, the queue costs, its stamp. */
type Evaluation = Pick<CascadeRange, "recordStart" | "record" | "price" | "curveStart" | "upper" | "curveSlope" | "curveIntercept" | "queueCost" | "unitStamp"> & {
  /** Room for one unit's look-again entries (queue, move; see queueUnit). */
  entryQueue: Int32Array;
  entryMove: Float64Array;
  /** Output: the units found liquidatable in the wave. */
  waveUnits: Int32Array;
};

/**
 * Most first-wave entries are far from due and never come due. Rather than being put into the
 * queues, they stay in the lists the scheduling wrote (cascade-kernel.ts), one per range and
 * queue, grouped by due: group 0 (due below the initial limit) is queued at once, group g ≥ 1
 * holds the entries due in [initial·2^(g−1), initial·2^g). A queue's `limit` is the initial one
 * times a power of two; when its running move reaches the limit, the limit doubles past the move
 * and exactly the groups now below it enter the queue; entries of units evaluated again since
 * (stamp no longer 1) are dropped, and no entry is read again until its group goes. Invariant:
 * every listed entry is due at or beyond its queue's limit, which is above the queue's running
 * move, so none can be due while listed.
 */
class DeferredEntries {
  readonly limit: Float64Array;
  private readonly exponent: Int32Array;
  /** Per queue: the first group not yet released. */
  private readonly nextGroup: Int32Array;

  constructor(
    private readonly ranges: CascadeRange[],
    queueCount: number,
    initialLimit: number,
  ) {
    this.limit = new Float64Array(queueCount).fill(initialLimit);
    this.exponent = new Int32Array(queueCount);
    this.nextGroup = new Int32Array(queueCount).fill(1);
  }

  /** Queues every range's group 0 (stamp 1). */
  queueNear(queues: LookAgainQueues): void {
    for (let q = 0; q < this.limit.length; q++) for (const range of this.ranges) this.queueGroup(range, q, 0, queues, null);
  }

  /** Raises queue q's limit past `move` and queues (stamp 1) the listed entries now below it. */
  release(q: number, move: number, queues: LookAgainQueues, unitStamp: Uint16Array): void {
    let limit = this.limit[q];
    let exponent = this.exponent[q];
    while (limit <= move) {
      limit *= 2;
      exponent++;
    }
    this.limit[q] = limit;
    this.exponent[q] = exponent;
    const releaseTo = Math.min(exponent + 1, cascadeGroups);
    for (let g = this.nextGroup[q]; g < releaseTo; g++) for (const range of this.ranges) this.queueGroup(range, q, g, queues, unitStamp);
    if (releaseTo > this.nextGroup[q]) this.nextGroup[q] = releaseTo;
  }

  /** Queues group g of queue q in `range`: its entries whose unit still has stamp 1 (all when `unitStamp` is null). */
  private queueGroup(range: CascadeRange, q: number, g: number, queues: LookAgainQueues, unitStamp: Uint16Array | null): void {
    const { groupStart, sortedUnit, sortedDue } = range;
    const at = q * (cascadeGroups + 1) + g;
    const end = groupStart[at + 1];
    for (let i = groupStart[at]; i < end; i++) {
      const unit = sortedUnit[i];
      if (unitStamp === null || unitStamp[unit] === 1) queues.insert(q, unit, 1, sortedDue[i]);
    }
  }
}

/**
 * The unit ranges of the first wave and its scheduling, with their buffers (kept between cascades,
 * on shared memory): one range, or two of about equal record length (one per thread).
 */
/** What every range shares (the prices are the shocked ones until the scheduling phase sets the first wave's). */
type SharedByRanges = Pick<CascadeRange, "unitStamp" | "usableSlack" | "price" | "curveStart" | "upper" | "curveSlope" | "curveIntercept" | "queueCost">;

function cascadeRanges(records: UnitRecords, count: number, shared: SharedByRanges, queueCount: number): { ranges: CascadeRange[]; keys: string[] } {
  const { recordStart, record } = records;
  const unitCount = recordStart.length - 1;
  const split = count === 2 ? records.split : unitCount;
  const bounds = count === 2 ? [0, split, unitCount] : [0, unitCount];
  const ranges: CascadeRange[] = [];
  const keys: string[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i];
    const to = bounds[i + 1];
    const key = `range${i}of${count}.`;
    keys.push(key);
    // Per queue, the range's positions in it: its region of the lists.
    const capacity = count === 2 ? records.rangeQueuePositions[i] : records.queuePositions;
    const listStart = scratchInt32(key + "listStart", queueCount + 1, true);
    listStart[0] = 0;
    for (let q = 0; q < queueCount; q++) listStart[q + 1] = listStart[q] + capacity[q];
    const entries = listStart[queueCount];
    ranges.push({
      from,
      to,
      recordStart,
      record,
      ...shared,
      liquidated: scratchInt32(key + "liquidated", to - from, true),
      copyStart: scratchInt32(key + "copyStart", to - from + 1, true),
      copyRecord: scratchFloat64(key + "copyRecord", Math.max(4096, scratchLength(key + "copyRecord") / 8), true),
      counts: scratchInt32(key + "counts", 3, true),
      queueRate: new Float64Array(0), // set for the scheduling phase
      initialLimit: 0,
      maxUnitPositions: records.maxUnitPositions,
      listStart,
      listLength: scratchInt32(key + "listLength", queueCount, true),
      listUnit: scratchInt32(key + "listUnit", entries, true),
      listDue: scratchFloat64(key + "listDue", entries, true),
      sortedUnit: scratchInt32(key + "sortedUnit", entries, true),
      sortedDue: scratchFloat64(key + "sortedDue", entries, true),
      groupStart: scratchInt32(key + "groupStart", queueCount * (cascadeGroups + 1), true),
      group: scratchUint8(key + "group", entries, true),
    });
  }
  return { ranges, keys };
}

/**
 * After the first wave: completes the range's record copies where they did not fit (growing the
 * buffer for next time), adds the liquidated units' forced flow (Σ −size·P, in unit order) to
 * `forced`; returns how many units the range liquidated.
 */
function firstWaveForced(range: CascadeRange, key: string, price: Float64Array, forced: Float64Array): number {
  const { counts, liquidated, recordStart, record } = range;
  const count = counts[0];
  if (counts[1] < count) {
    let needed = counts[2];
    for (let i = counts[1]; i < count; i++) needed += recordStart[liquidated[i] + 1] - recordStart[liquidated[i]];
    const grown = scratchFloat64(key + "copyRecord", Math.ceil(needed * 1.5), true);
    grown.set(range.copyRecord.subarray(0, counts[2]));
    let copied = counts[2];
    for (let i = counts[1]; i < count; i++) {
      const u = liquidated[i];
      for (let r = recordStart[u]; r < recordStart[u + 1]; r++) grown[copied++] = record[r];
      range.copyStart[i + 1] = copied;
    }
    range.copyRecord = grown;
  }
  const copyStart = range.copyStart;
  const copy = range.copyRecord;
  // Records are [base, account, (market, size, entry)…]: walk unit by unit.
  for (let i = 0; i < count; i++) for (let r = copyStart[i] + 2; r < copyStart[i + 1]; r += 3) forced[copy[r]] -= copy[r + 1] * price[copy[r]];
  return count;
}

/**
 * Queues unit u's look-again entries (cascade-kernel.ts `unitEntries`: its usable slack split
 * between its queues by their speeds, at the current prices; see runCascade) with stamp `stamp`,
 * each due at its queue's running move now plus the move its allowance lasts for.
 */
function queueUnit(input: Evaluation, u: number, stamp: number, usable: number, runningMove: Float64Array, queueRate: Float64Array, queues: LookAgainQueues): void {
  const { entryQueue, entryMove } = input;
  const count = kernel.unitEntries(input.recordStart, input.record, input.price, queueRate, input.queueCost, u, usable, entryQueue, entryMove);
  for (let i = 0; i < count; i++) queues.insert(entryQueue[i], u, stamp, runningMove[entryQueue[i]] + entryMove[i]);
}

/**
 * A later wave: the collected units evaluated exactly at the current prices; the liquidatable
 * ones go to `waveUnits` (their count is returned), the others are queued again from the
 * current running moves with a new stamp.
 */
function evaluateLooked(input: Evaluation, looked: Int32Array, lookedCount: number, queues: LookAgainQueues, runningMove: Float64Array, queueRate: Float64Array): number {
  const { recordStart, record, price, curveStart, upper, curveSlope, curveIntercept, unitStamp, waveUnits } = input;
  touchRecords(recordStart, record, looked, lookedCount);
  let waveCount = 0;
  const usable = new Float64Array(1);
  for (let i = 0; i < lookedCount; i++) {
    const u = looked[i];
    if (kernel.unitSlack(recordStart, record, price, curveStart, upper, curveSlope, curveIntercept, u, usable) < 0) waveUnits[waveCount++] = u;
    else queueUnit(input, u, ++unitStamp[u], Math.max(0, usable[0]), runningMove, queueRate, queues);
  }
  return waveCount;
}

/**
 * Observed speed of each queue: its running move per wave so far, floored at 10 % of the fastest
 * so that a queue that has not moved yet still gets a share of a unit's slack.
 */
function queueRates(runningMove: Float64Array, waves: number): Float64Array {
  const rates = scratchFloat64("queueRates", runningMove.length);
  let fastest = 0;
  for (let q = 0; q < runningMove.length; q++) {
    rates[q] = runningMove[q] / Math.max(1, waves);
    if (rates[q] > fastest) fastest = rates[q];
  }
  const floor = fastest > 0 ? 0.1 * fastest : 1;
  for (let q = 0; q < rates.length; q++) if (rates[q] < floor) rates[q] = floor;
  return rates;
}

/** Where `touchRecords` leaves its sum, so that its loads are not optimised away. */
let touchedSum = 0;
/**
 * Reads the first and last word of each listed unit's record in a loop of independent loads, so
 * that the memory system fetches many at once (memory-level parallelism) before the evaluation
 * loop, whose loads depend on each other, needs them: the listed units are scattered over the
 * book, and one cache/TLB miss at a time costs ~100 ns here.
 */
function touchRecords(recordStart: Int32Array, record: Float64Array, units: Int32Array, count: number): void {
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const u = units[i];
    sum += record[recordStart[u]] + record[recordStart[u + 1] - 1];
  }
  touchedSum = sum;
}

/**
 * The book as one record per margin unit, in a single float64 array so that evaluating a unit
 * reads one contiguous stretch of memory: [base, account, (market, size, entry) per position],
 * base being the account's collateral (cross) or the position's margin (isolated; 0 + margin is
 * exact, so equity is summed exactly as in margin.ts). Market and account indexes are small
 * integers, exact in float64. Built once per book (the book is immutable) and kept with it.
 */
interface UnitRecords {
  recordStart: Int32Array;
  record: Float64Array;
  /** Per look-again queue (2·market + 0 long / 1 short): how many positions it can hold. */
  queuePositions: Int32Array;
  /** First unit of the second of two ranges of about equal record length, and each range's queuePositions. */
  split: number;
  rangeQueuePositions: [Int32Array, Int32Array];
  /** The most positions a unit has. */
  maxUnitPositions: number;
}
const unitRecordCache = new WeakMap<ColumnarBook, UnitRecords>();
function unitRecords(book: ColumnarBook): UnitRecords {
  const cached = unitRecordCache.get(book);
  if (cached) return cached;
  const unitCount = book.unitAccount.length;
  // On shared memory: the worker thread reads them too (parallel.ts).
  const recordStart = sharedInt32(unitCount + 1);
  const record = sharedFloat64(2 * unitCount + 3 * book.positionMarket.length);
  const { unitAccount, unitPositionStart, positionMarket, positionSize, positionEntryPrice, positionMargin, accountIsolated, accountCollateral } = book;
  let r = 0;
  for (let u = 0; u < unitCount; u++) {
    const a = unitAccount[u];
    recordStart[u] = r;
    record[r++] = accountIsolated[a] ? 0 + positionMargin[unitPositionStart[u]] : accountCollateral[a];
    record[r++] = a;
    for (let p = unitPositionStart[u]; p < unitPositionStart[u + 1]; p++) {
      record[r++] = positionMarket[p];
      record[r++] = positionSize[p];
      record[r++] = positionEntryPrice[p];
    }
  }
  recordStart[unitCount] = r;
  let split = 0;
  while (split < unitCount && recordStart[split] < r / 2) split++;
  const queuePositions = new Int32Array(2 * book.marketNames.length);
  const rangeQueuePositions: [Int32Array, Int32Array] = [new Int32Array(queuePositions.length), new Int32Array(queuePositions.length)];
  for (let u = 0; u < unitCount; u++) {
    const counts = rangeQueuePositions[u < split ? 0 : 1];
    for (let p = unitPositionStart[u]; p < unitPositionStart[u + 1]; p++) if (positionSize[p] !== 0) counts[2 * positionMarket[p] + (positionSize[p] > 0 ? 0 : 1)]++;
  }
  for (let q = 0; q < queuePositions.length; q++) queuePositions[q] = rangeQueuePositions[0][q] + rangeQueuePositions[1][q];
  let maxUnitPositions = 1;
  for (let u = 0; u < unitCount; u++) maxUnitPositions = Math.max(maxUnitPositions, unitPositionStart[u + 1] - unitPositionStart[u]);
  const built = { recordStart, record, queuePositions, split, rangeQueuePositions, maxUnitPositions };
  unitRecordCache.set(book, built);
  return built;
}

/**
 * Working memory kept between cascades. A cascade on a 1M-position book uses ~40 MB of typed
 * arrays; fresh ones are zero-filled by the kernel page by page on first touch, which measured
 * 35–75 ms per 45 MB on this VM — a third of the cascade. So the buffers are kept, keyed by use,
 * grown when a larger book comes, and re-initialised by the caller where it needs it. runCascade
 * is synchronous and never re-entered, so one set per module (per worker thread) suffices.
 */
const scratchBuffers = new Map<string, ArrayBuffer | SharedArrayBuffer>();
const canShare = typeof SharedArrayBuffer === "function";
/** `shared`: on shared memory where the platform has it (buffers the worker thread writes or reads). */
function scratch(key: string, bytes: number, shared = false): ArrayBuffer | SharedArrayBuffer {
  let buffer = scratchBuffers.get(key);
  if (!buffer || buffer.byteLength < bytes) {
    const size = Math.max(64, Math.ceil(bytes / 8) * 8);
    buffer = shared && canShare ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
    scratchBuffers.set(key, buffer);
  }
  return buffer;
}
/** Bytes of the kept buffer (0 if none yet). */
const scratchLength = (key: string) => scratchBuffers.get(key)?.byteLength ?? 0;
const scratchInt32 = (key: string, length: number, shared = false) => new Int32Array(scratch(key, length * 4, shared), 0, length);
const scratchFloat64 = (key: string, length: number, shared = false) => new Float64Array(scratch(key, length * 8, shared), 0, length);
const scratchUint8 = (key: string, length: number, shared = false) => new Uint8Array(scratch(key, length, shared), 0, length);
const scratchUint16 = (key: string, length: number, shared = false) => new Uint16Array(scratch(key, length * 2, shared), 0, length);

const kernel = createCascadeKernel();

/** Fine bucket width of the look-again queues, in running-move units (0.002 % of price). */
const fineWidth = 2e-5;
/** Fine buckets per fine epoch, and fine epochs per coarse level (one coarse bucket each). */
const fineBuckets = 256;
const coarseBuckets = 256;
const epochWidth = fineWidth * fineBuckets;
// Buckets and epochs by multiplying by these (a division per insert was the costliest step). Safe
// under rounding because insert and collectDue use the same expressions, monotone in the move: an
// entry's due ≤ the running move ⇒ its epoch/bucket ≤ the one collected.
const perEpoch = 1 / epochWidth;
const perFine = 1 / fineWidth;
/** log₂(coarseBuckets). */
const coarseShift = 8;
/** Entries per chunk: buckets are lists of chunks, so walking one reads memory in order. */
const chunkSize = 16;

/**
 * A two-level timing wheel per queue, keyed by running move (Varghese & Lauck 1987, "Hashed and
 * hierarchical timing wheels"): fine buckets for the current epoch, one coarse bucket per later
 * epoch of the current level, an overflow list beyond it, and a pending list for entries inside
 * the fine bucket being passed (checked entry by entry). An entry moves down a level at most
 * twice. Every bucket is a list of fixed-size chunks of entries (unit, stamp, due), so inserting
 * appends and walking reads memory in order instead of chasing one pointer per entry. A class
 * (not closures) so that the optimized callers keep one call target from cascade to cascade.
 */
class LookAgainQueues {
  private chunkCapacity: number;
  // Entries are 16 bytes in one buffer (int32 unit, int32 stamp, float64 due), one cache line at
  // most per entry: entryInts[4i], entryInts[4i + 1], entryDue[2i + 1].
  private entryBuffer: ArrayBuffer;
  private entryInts: Int32Array;
  private entryDue: Float64Array;
  private chunkNext: Int32Array;
  private chunkLength: Int32Array;
  private chunksUsed = 0;
  private freeChunk = -1;
  // Bucket heads hold the chunk being filled; full chunks follow through chunkNext.
  private readonly fineHeads: Int32Array;
  private readonly coarseHeads: Int32Array;
  private readonly pending: Int32Array;
  private readonly overflow: Int32Array;
  /** Index of the current fine epoch: it covers running moves [epoch·epochWidth, (epoch + 1)·epochWidth). */
  private readonly epoch: Int32Array;
  private readonly processed: Int32Array;
  private collected: Int32Array = new Int32Array(0);
  private collectedCount = 0;

  constructor(
    queueCount: number,
    expectedEntries: number,
    private readonly unitStamp: Uint16Array,
  ) {
    this.chunkCapacity = Math.max(256, Math.ceil((expectedEntries * 1.5) / chunkSize));
    this.entryBuffer = scratch("queue.entries", this.chunkCapacity * chunkSize * 16) as ArrayBuffer;
    this.chunkCapacity = Math.floor(this.entryBuffer.byteLength / (chunkSize * 16));
    this.entryInts = new Int32Array(this.entryBuffer);
    this.entryDue = new Float64Array(this.entryBuffer);
    this.chunkNext = scratchInt32("queue.chunkNext", this.chunkCapacity);
    this.chunkLength = scratchInt32("queue.chunkLength", this.chunkCapacity);
    this.fineHeads = scratchInt32("queue.fineHeads", queueCount * fineBuckets).fill(-1);
    this.coarseHeads = scratchInt32("queue.coarseHeads", queueCount * coarseBuckets).fill(-1);
    this.pending = new Int32Array(queueCount).fill(-1);
    this.overflow = new Int32Array(queueCount).fill(-1);
    this.epoch = new Int32Array(queueCount);
    this.processed = new Int32Array(queueCount).fill(-1);
  }

  insert(q: number, unit: number, stamp: number, due: number): void {
    const e = this.epoch[q];
    let dueEpoch = Math.floor(due * perEpoch);
    if (dueEpoch < e) dueEpoch = e;
    if (dueEpoch === e) {
      const bucket = Math.floor((due - e * epochWidth) * perFine);
      if (bucket <= this.processed[q]) this.append(this.pending, q, unit, stamp, due);
      else this.append(this.fineHeads, q * fineBuckets + (bucket < fineBuckets ? bucket : fineBuckets - 1), unit, stamp, due);
    } else if (dueEpoch < 2147483648 && dueEpoch >> coarseShift === e >> coarseShift) {
      this.append(this.coarseHeads, q * coarseBuckets + (dueEpoch & (coarseBuckets - 1)), unit, stamp, due);
    } else {
      this.append(this.overflow, q, unit, stamp, due);
    }
  }

  /**
   * Drops every entry of `queue` due at running move `move`; the units of the live ones (stamp
   * equal to `unitStamp[unit]`) are appended to `collected` from `count` on, and their stamp is
   * bumped so that their other entries go stale. Returns the new count.
   */
  collectDue(q: number, move: number, collected: Int32Array, count: number): number {
    this.collected = collected;
    this.collectedCount = count;
    // Entries inside an already passed fine bucket: due entry by entry (the rest go back).
    let first = this.pending[q];
    this.pending[q] = -1;
    this.drain(q, first, move);
    for (;;) {
      const e = this.epoch[q];
      const moveEpoch = Math.floor(move * perEpoch);
      const last = moveEpoch > e ? fineBuckets - 1 : Math.min(fineBuckets - 1, Math.floor((move - e * epochWidth) * perFine));
      while (this.processed[q] < last) {
        const slot = q * fineBuckets + ++this.processed[q];
        first = this.fineHeads[slot];
        this.fineHeads[slot] = -1;
        // Not yet due entries of the bucket being passed land in `pending` (bucket ≤ processed).
        this.drain(q, first, move);
      }
      if (moveEpoch <= e) return this.collectedCount;
      // The fine epoch is over (every entry of it was due): open the next one and bring its
      // coarse bucket (and, at a new coarse level, the overflow) down into fine buckets,
      // collecting at once the entries already due (all of them when the move passes the epoch).
      const nextEpoch = e + 1;
      this.epoch[q] = nextEpoch;
      this.processed[q] = -1;
      if (nextEpoch % coarseBuckets === 0) {
        first = this.overflow[q];
        this.overflow[q] = -1;
        this.drain(q, first, move);
      }
      const slot = q * coarseBuckets + (nextEpoch % coarseBuckets);
      first = this.coarseHeads[slot];
      this.coarseHeads[slot] = -1;
      this.drain(q, first, move);
    }
  }

  private append(heads: Int32Array, slot: number, unit: number, stamp: number, due: number): void {
    let chunk = heads[slot];
    if (chunk === -1 || this.chunkLength[chunk] === chunkSize) heads[slot] = chunk = this.newChunk(chunk);
    const at = chunk * chunkSize + this.chunkLength[chunk]++;
    this.entryInts[4 * at] = unit;
    this.entryInts[4 * at + 1] = stamp;
    this.entryDue[2 * at + 1] = due;
  }

  /** Takes a bucket's chunks: collects the entries due at `move`, re-places the others, frees the chunks. */
  private drain(q: number, first: number, move: number): void {
    const { unitStamp, collected } = this;
    let chunk = first;
    while (chunk !== -1) {
      const end = chunk * chunkSize + this.chunkLength[chunk];
      for (let at = chunk * chunkSize; at < end; at++) {
        const unit = this.entryInts[4 * at];
        const stamp = this.entryInts[4 * at + 1];
        // Stale (evaluated since, liquidated, or collected already through another entry): drop.
        if (unitStamp[unit] !== stamp) continue;
        const due = this.entryDue[2 * at + 1];
        if (due <= move) {
          unitStamp[unit] = stamp + 1;
          collected[this.collectedCount++] = unit;
        } else this.insert(q, unit, stamp, due);
      }
      const next = this.chunkNext[chunk];
      this.chunkNext[chunk] = this.freeChunk;
      this.freeChunk = chunk;
      chunk = next;
    }
  }

  private newChunk(next: number): number {
    let chunk = this.freeChunk;
    if (chunk !== -1) this.freeChunk = this.chunkNext[chunk];
    else {
      if (this.chunksUsed === this.chunkCapacity) this.grow();
      chunk = this.chunksUsed++;
    }
    this.chunkNext[chunk] = next;
    this.chunkLength[chunk] = 0;
    return chunk;
  }

  private grow(): void {
    this.chunkCapacity *= 2;
    const larger = new ArrayBuffer(this.chunkCapacity * chunkSize * 16);
    new Uint8Array(larger).set(new Uint8Array(this.entryBuffer));
    scratchBuffers.set("queue.entries", larger);
    this.entryBuffer = larger;
    this.entryInts = new Int32Array(larger);
    this.entryDue = new Float64Array(larger);
    const chunkNext = new Int32Array(this.chunkCapacity);
    chunkNext.set(this.chunkNext);
    const chunkLength = new Int32Array(this.chunkCapacity);
    chunkLength.set(this.chunkLength);
    scratchBuffers.set("queue.chunkNext", chunkNext.buffer);
    scratchBuffers.set("queue.chunkLength", chunkLength.buffer);
    this.chunkNext = chunkNext;
    this.chunkLength = chunkLength;
  }
}
