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
import { buildColumnarBook, type ColumnarBook } from "./columnar";
import { RiskInputError } from "./errors";
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
  /** Safety cap on the number of waves. Default 10,000. */
  maxWaves?: number;
  paramsSource?: string;
}

export function runCascade(input: Book | ColumnarBook, params: ParamsSet, shock: PriceShock, options: CascadeOptions = {}): CascadeResult {
  const book = "positionMarket" in input ? input : buildColumnarBook(input);
  const markets = resolveMarketsByIndex(book, params, options, options.paramsSource);
  const marketCount = book.marketNames.length;
  const cascade = book.marketNames.map((name) => params.markets[name]?.cascade);
  const price = new Float64Array(marketCount);
  for (let m = 0; m < marketCount; m++) {
    const name = book.marketNames[m];
    const marketShock = typeof shock === "number" ? shock : (shock[name] ?? 0);
    if (!(marketShock > -1)) throw new RiskInputError("shock", typeof shock === "number" ? "$" : name, `expected a shock greater than -1, got ${marketShock}`);
    price[m] = book.marks[m] * (1 + marketShock);
  }
  const unitCount = book.unitAccount.length;
  const positionCount = book.positionMarket.length;
  const closed = new Uint8Array(unitCount);
  const accountListed = new Int32Array(book.accountIds.length).fill(-1);
  const accountCounted = new Uint8Array(book.accountIds.length);
  const listLimit = options.accountListLimit ?? Infinity;
  const maxWaves = options.maxWaves ?? 10_000;
  const curves = flattenCurves(markets);
  const { start: curveStart, breakNotional: breaks, slope: curveSlope, intercept: curveIntercept } = curves;
  const { positionMarket, positionSize, positionUnit, unitPositionStart, unitAccount, marketPositionStart, marketPositions } = book;
  const maintenanceAt = (p: number, m: number): number => {
    const notional = Math.abs(positionSize[p]) * price[m];
    const first = curveStart[m];
    let j = curveStart[m + 1] - 1;
    while (j > first && notional < breaks[j]) j--;
    return curveSlope[j] * notional + curveIntercept[j];
  };

  // Which units can have crossed maintenance since they were last evaluated? Between two exact
  // evaluations, a unit's slack (equity − maintenance) can fall by at most
  //   Σ_p |size_p|·|ΔP_m|·(1 + s_max) ≤ (1 + s_max)·N·e^x·x,
  // where x is the sum of the relative price moves since then (of the unit's market when it trades
  // only one; of the largest mover of each wave otherwise), N the unit's notional at that
  // evaluation and s_max the steepest maintenance slope (< 1). With c = slack/((1 + s_max)·N),
  // any x with x·e^x ≤ c is safe, so the unit needs no look until its cumulative move passes that
  // budget. Units wait in bucket queues (one per market for single-market units, one for the
  // rest) keyed by the cumulative move at which they must be looked at again. A look is an exact
  // recomputation at the current prices, so every decision is the contract's "equity <
  // maintenance at price P"; only provably solvent units are skipped.
  let maxSlope = 0;
  for (let j = 0; j < curveSlope.length; j++) if (curveSlope[j] > maxSlope) maxSlope = curveSlope[j];
  const bucketWidth = 1e-4;
  const bucketCount = 20_000; // cumulative move up to 2; later looks go to the last bucket
  const queueCount = marketCount + 1; // queue m: units trading only market m; queue marketCount: the rest
  const bucketHead = new Int32Array(queueCount * (bucketCount + 1)).fill(-1);
  const nextInBucket = new Int32Array(unitCount);
  const cumulativeMove = new Float64Array(queueCount);
  const processedBucket = new Int32Array(queueCount).fill(-1);
  const unitQueue = new Int32Array(unitCount);
  for (let u = 0; u < unitCount; u++) {
    const first = unitPositionStart[u];
    let queue = first < unitPositionStart[u + 1] ? positionMarket[first] : marketCount;
    for (let p = first + 1; p < unitPositionStart[u + 1]; p++) if (positionMarket[p] !== queue) queue = marketCount;
    unitQueue[u] = queue;
  }
  let lookNextWave = new Int32Array(unitCount);
  let lookNextWaveCount = 0;
  let lookThisWave = new Int32Array(unitCount);
  const isolated = book.accountIsolated;
  const collateral = book.accountCollateral;
  const positionMargin = book.positionMargin;
  const entryPrice = book.positionEntryPrice;
  /** Exact slack of unit u at the current prices; schedules its next look when still solvent. */
  const evaluate = (u: number): number => {
    const a = unitAccount[u];
    let equity = isolated[a] ? 0 : collateral[a];
    let maintenance = 0;
    let notional = 0;
    for (let p = unitPositionStart[u]; p < unitPositionStart[u + 1]; p++) {
      const m = positionMarket[p];
      if (isolated[a]) equity += positionMargin[p];
      equity += positionSize[p] * (price[m] - entryPrice[p]);
      maintenance += maintenanceAt(p, m);
      notional += Math.abs(positionSize[p]) * price[m];
    }
    const slack = equity - maintenance;
    if (slack >= 0 && notional > 0) {
      const q = unitQueue[u];
      const c = slack / ((1 + maxSlope) * notional);
      // Both c·e^(−c) and c/(2(1 + c)) keep x·e^x ≤ c; the first is near c for small c (the units
      // close to liquidation, looked at most often), the second better for large c.
      const budget = Math.max(c * Math.exp(-c), c / (2 * (1 + c)));
      let bucket = Math.floor((cumulativeMove[q] + budget) / bucketWidth);
      if (bucket <= processedBucket[q]) {
        // Due inside a bucket already passed: look again at the next wave.
        lookNextWave[lookNextWaveCount++] = u;
      } else {
        if (bucket > bucketCount) bucket = bucketCount;
        const slot = q * (bucketCount + 1) + bucket;
        nextInBucket[u] = bucketHead[slot];
        bucketHead[slot] = u;
      }
    }
    return slack;
  };

  const waves: CascadeWave[] = [];
  let insuranceFund = book.insuranceFund;
  let liquidatedNotional = 0;
  let penalties = 0;
  let badDebt = 0;
  let autoDeleverageNeeded = 0;
  let liquidatedAccounts = 0;
  const forced = new Float64Array(marketCount);
  const fill = new Float64Array(marketCount);
  const impact = new Float64Array(marketCount);
  const waveUnits = new Int32Array(unitCount);

  for (let waveIndex = 0; waveIndex < maxWaves; waveIndex++) {
    let waveCount = 0;
    if (waveIndex === 0) {
      for (let u = 0; u < unitCount; u++) if (evaluate(u) < 0) waveUnits[waveCount++] = u;
    } else {
      const swap = lookThisWave;
      lookThisWave = lookNextWave;
      lookNextWave = swap;
      const lookThisWaveCount = lookNextWaveCount;
      lookNextWaveCount = 0;
      for (let i = 0; i < lookThisWaveCount; i++) {
        const u = lookThisWave[i];
        if (!closed[u] && evaluate(u) < 0) waveUnits[waveCount++] = u;
      }
      for (let q = 0; q < queueCount; q++) {
        const dueBucket = Math.min(bucketCount, Math.floor(cumulativeMove[q] / bucketWidth));
        for (let bucket = processedBucket[q] + 1; bucket <= dueBucket; bucket++) {
          const slot = q * (bucketCount + 1) + bucket;
          let u = bucketHead[slot];
          bucketHead[slot] = -1;
          // The last bucket collects everything due later than the range: it stays open.
          if (bucket < bucketCount) processedBucket[q] = bucket;
          while (u !== -1) {
            const next = nextInBucket[u];
            if (!closed[u] && evaluate(u) < 0) waveUnits[waveCount++] = u;
            u = next;
          }
        }
      }
    }
    if (waveCount === 0) break;
    waveUnits.subarray(0, waveCount).sort();

    forced.fill(0);
    for (let i = 0; i < waveCount; i++) {
      const u = waveUnits[i];
      closed[u] = 1;
      for (let p = unitPositionStart[u]; p < unitPositionStart[u + 1]; p++) forced[positionMarket[p]] -= positionSize[p] * price[positionMarket[p]];
    }
    const wave: CascadeWave = { price: {}, accounts: [], forcedNotional: {}, fillPrice: {} };
    for (let m = 0; m < marketCount; m++) {
      const name = book.marketNames[m];
      wave.price[name] = price[m];
      const q = forced[m];
      const model = cascade[m];
      impact[m] = q !== 0 && model ? model.impactCoefficient * model.dailyVolatility * Math.sqrt(Math.abs(q) / model.dailyVolumeUsd) : 0;
      fill[m] = price[m] * (1 + Math.sign(q) * (2 / 3) * impact[m]);
      if (q !== 0) {
        wave.forcedNotional[name] = q;
        wave.fillPrice[name] = fill[m];
      }
    }
    for (let i = 0; i < waveCount; i++) {
      const u = waveUnits[i];
      const a = unitAccount[u];
      let equity = book.accountIsolated[a] ? 0 : book.accountCollateral[a];
      let penalty = 0;
      for (let p = unitPositionStart[u]; p < unitPositionStart[u + 1]; p++) {
        const m = positionMarket[p];
        const notionalAtFill = Math.abs(positionSize[p]) * fill[m];
        if (book.accountIsolated[a]) equity += book.positionMargin[p];
        equity += positionSize[p] * (fill[m] - book.positionEntryPrice[p]);
        penalty += markets[m].liquidationPenalty * notionalAtFill;
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
      if (accountListed[a] !== waveIndex && wave.accounts.length < listLimit) {
        accountListed[a] = waveIndex;
        wave.accounts.push(book.accountIds[a]);
      }
    }
    if (insuranceFund < 0) {
      autoDeleverageNeeded -= insuranceFund;
      insuranceFund = 0;
    }
    // Permanent impact; relative moves feed the look-again budgets.
    let largestMove = 0;
    for (let m = 0; m < marketCount; m++) {
      const model = cascade[m];
      if (forced[m] === 0 || !model) continue;
      const move = Math.sign(forced[m]) * impact[m] * model.permanentImpactShare;
      price[m] = price[m] * (1 + move);
      // Relative to the new price the move is |move|/(1 + move) ≤ |move|/(1 − |move|).
      const relative = Math.abs(move) / (1 - Math.min(Math.abs(move), 0.5));
      cumulativeMove[m] += relative;
      if (relative > largestMove) largestMove = relative;
    }
    cumulativeMove[marketCount] += largestMove;
    waves.push(wave);
  }

  const finalPrice: Record<string, number> = {};
  book.marketNames.forEach((name, m) => (finalPrice[name] = price[m]));
  return { shock, waves, finalPrice, liquidatedAccounts, liquidatedNotional, penalties, badDebt, insuranceFund, autoDeleverageNeeded };
}
