// runCascade skips units whose slack provably cannot have run out (look-again queues per market and
// adverse direction, keyed by the running price move; far entries listed until their queue's move
// comes near). This checks it against the straightforward cascade — every open unit
// evaluated exactly at every wave — on random books and shocks: the results must be identical
// (same waves, accounts, prices and sums bit for bit).
import { afterAll, describe, expect, it } from "vitest";
import { buildColumnarBook, type ColumnarBook } from "./columnar";
import { configureRiskThreads, riskThreadStats } from "./parallel";
import { flattenCurves, resolveMarketsByIndex } from "./state";
import { runCascade, type CascadeResult, type CascadeWave } from "./stress";
import type { Book, ParamsSet, PriceShock } from "./types";

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const marks = { "BTC-USD": 60000, "ETH-USD": 3000, "SOL-USD": 150, "DOGE-USD": 0.2 };
const names = Object.keys(marks) as (keyof typeof marks)[];

function randomBook(seed: number, accountCount: number): Book {
  const random = mulberry32(seed);
  const accounts: Book["accounts"] = [];
  for (let a = 0; a < accountCount; a++) {
    const isolated = random() < 0.3;
    const positionCount = 1 + Math.floor(random() * (random() < 0.6 ? 1 : 5));
    const positions = [];
    let collateral = 0;
    for (let i = 0; i < positionCount; i++) {
      const market = names[Math.floor(random() * names.length)];
      const notional = Math.exp(7 + random() * 8);
      const size = ((random() < 0.65 ? 1 : -1) * notional) / marks[market];
      const entryPrice = marks[market] * (0.95 + random() * 0.1);
      const leverage = 1 + random() * 49;
      if (isolated) positions.push({ market, size, entryPrice, margin: notional / leverage });
      else {
        positions.push({ market, size, entryPrice });
        collateral += notional / leverage;
      }
    }
    accounts.push({ id: `acct-${a}`, mode: isolated ? "isolated" : "cross", collateral, positions });
  }
  return { marks: { ...marks }, accounts, insuranceFund: 5e5 };
}

const tiers = [
  { notionalFloor: 0, maintenanceMarginFraction: 0.004 },
  { notionalFloor: 50000, maintenanceMarginFraction: 0.005 },
  { notionalFloor: 250000, maintenanceMarginFraction: 0.01 },
  { notionalFloor: 1000000, maintenanceMarginFraction: 0.025 },
];
const params: ParamsSet = {
  markets: {
    "BTC-USD": { initialMarginFraction: 0.05, maintenanceMarginFraction: 0.025, maintenanceTiers: tiers, liquidationPenalty: 0.01, cascade: { dailyVolatility: 0.05, dailyVolumeUsd: 2e7, impactCoefficient: 1, permanentImpactShare: 0.5 } },
    "ETH-USD": { initialMarginFraction: 0.05, maintenanceMarginFraction: 0.03, liquidationPenalty: 0.01, cascade: { dailyVolatility: 0.06, dailyVolumeUsd: 1e7, impactCoefficient: 1, permanentImpactShare: 0.7 } },
    "SOL-USD": { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, volatilityMargin: { annualVolatility: 0.9, z: 2.326348, horizonHours: 8 }, liquidationPenalty: 0.015, cascade: { dailyVolatility: 0.08, dailyVolumeUsd: 5e6, impactCoefficient: 1.2, permanentImpactShare: 0.6 } },
    "DOGE-USD": { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, liquidationPenalty: 0.02 }, // no cascade block: no impact
  },
};

/** The contract's cascade, literally: every open unit evaluated at every wave. */
function straightforwardCascade(book: ColumnarBook, params: ParamsSet, shock: PriceShock): CascadeResult {
  const markets = resolveMarketsByIndex(book, params);
  const { start, breakNotional, slope, intercept } = flattenCurves(markets);
  const price = Float64Array.from(book.marks, (mark, m) => mark * (1 + (typeof shock === "number" ? shock : (shock[book.marketNames[m]] ?? 0))));
  const unitCount = book.unitAccount.length;
  const closed = new Uint8Array(unitCount);
  const counted = new Uint8Array(book.accountIds.length);
  const maintenanceAt = (notional: number, m: number) => {
    let j = start[m + 1] - 1;
    while (j > start[m] && notional < breakNotional[j]) j--;
    return slope[j] * notional + intercept[j];
  };
  const equityAt = (u: number, prices: Float64Array) => {
    const a = book.unitAccount[u];
    let equity = book.accountIsolated[a] ? 0 : book.accountCollateral[a];
    for (let p = book.unitPositionStart[u]; p < book.unitPositionStart[u + 1]; p++) {
      if (book.accountIsolated[a]) equity += book.positionMargin[p];
      equity += book.positionSize[p] * (prices[book.positionMarket[p]] - book.positionEntryPrice[p]);
    }
    return equity;
  };
  const result: CascadeResult = { shock, waves: [], finalPrice: {}, liquidatedAccounts: 0, liquidatedNotional: 0, penalties: 0, badDebt: 0, insuranceFund: book.insuranceFund, autoDeleverageNeeded: 0 };
  for (;;) {
    const wave: number[] = [];
    for (let u = 0; u < unitCount; u++) {
      if (closed[u]) continue;
      let maintenance = 0;
      for (let p = book.unitPositionStart[u]; p < book.unitPositionStart[u + 1]; p++) maintenance += maintenanceAt(Math.abs(book.positionSize[p]) * price[book.positionMarket[p]], book.positionMarket[p]);
      if (equityAt(u, price) - maintenance < 0) wave.push(u);
    }
    if (wave.length === 0) break;
    const forced = new Float64Array(price.length);
    for (const u of wave) {
      closed[u] = 1;
      for (let p = book.unitPositionStart[u]; p < book.unitPositionStart[u + 1]; p++) forced[book.positionMarket[p]] -= book.positionSize[p] * price[book.positionMarket[p]];
    }
    const record: CascadeWave = { price: {}, accounts: [], forcedNotional: {}, fillPrice: {} };
    const fill = new Float64Array(price.length);
    const impact = new Float64Array(price.length);
    book.marketNames.forEach((name, m) => {
      record.price[name] = price[m];
      const model = params.markets[name].cascade;
      impact[m] = forced[m] !== 0 && model ? model.impactCoefficient * model.dailyVolatility * Math.sqrt(Math.abs(forced[m]) / model.dailyVolumeUsd) : 0;
      fill[m] = price[m] * (1 + Math.sign(forced[m]) * (2 / 3) * impact[m]);
      if (forced[m] !== 0) {
        record.forcedNotional[name] = forced[m];
        record.fillPrice[name] = fill[m];
      }
    });
    for (const u of wave) {
      const a = book.unitAccount[u];
      let penalty = 0;
      for (let p = book.unitPositionStart[u]; p < book.unitPositionStart[u + 1]; p++) {
        const notionalAtFill = Math.abs(book.positionSize[p]) * fill[book.positionMarket[p]];
        penalty += markets[book.positionMarket[p]].liquidationPenalty * notionalAtFill;
        result.liquidatedNotional += notionalAtFill;
      }
      const equity = equityAt(u, fill);
      if (equity > 0) {
        const paid = Math.min(penalty, equity);
        result.penalties += paid;
        result.insuranceFund += paid;
      } else if (equity < 0) {
        result.badDebt -= equity;
        result.insuranceFund += equity;
      }
      if (!counted[a]) {
        counted[a] = 1;
        result.liquidatedAccounts++;
      }
      if (!record.accounts.includes(book.accountIds[a])) record.accounts.push(book.accountIds[a]);
    }
    if (result.insuranceFund < 0) {
      result.autoDeleverageNeeded -= result.insuranceFund;
      result.insuranceFund = 0;
    }
    book.marketNames.forEach((name, m) => {
      const model = params.markets[name].cascade;
      if (forced[m] !== 0 && model) price[m] = price[m] * (1 + Math.sign(forced[m]) * impact[m] * model.permanentImpactShare);
    });
    result.waves.push(record);
  }
  book.marketNames.forEach((name, m) => (result.finalPrice[name] = price[m]));
  return result;
}

describe("runCascade equals the straightforward cascade", () => {
  const shocks: PriceShock[] = [-0.1, -0.2, 0.15, { "BTC-USD": -0.12, "ETH-USD": 0.1, "SOL-USD": -0.25, "DOGE-USD": 0.3 }];
  it.each([11, 12, 13, 14, 15])("random book seed %i", (seed) => {
    const book = buildColumnarBook(randomBook(seed, 1500));
    let multiWave = 0;
    for (const shock of shocks) {
      const expected = straightforwardCascade(book, params, shock);
      const actual = runCascade(book, params, shock);
      expect(actual).toEqual(expected);
      if (expected.waves.length > 3) multiWave++;
    }
    // The books must exercise the queues: several shocks run a real cascade.
    expect(multiWave).toBeGreaterThan(0);
  });
});

describe("runCascade with its first wave on two threads", () => {
  afterAll(() => configureRiskThreads({ threads: 2, minPositions: 50_000 }));

  it("equals the straightforward cascade, through a worker that really ran", () => {
    // Large books run the first wave and its scheduling on two unit ranges, the second in the
    // worker thread (parallel.ts); here any book does. A deep shock on a fresh pair of ranges also
    // overflows the first wave's record copies (kept buffers start small), which the caller completes.
    configureRiskThreads({ threads: 2, minPositions: 0 });
    const book = buildColumnarBook(randomBook(21, 4000));
    for (const shock of [-0.45, -0.1, { "BTC-USD": -0.12, "ETH-USD": 0.1, "SOL-USD": -0.25, "DOGE-USD": 0.3 }] as PriceShock[]) {
      const before = riskThreadStats().parallelPasses;
      const actual = runCascade(book, params, shock);
      expect(riskThreadStats().workerAvailable).toBe(true);
      // Phase 1 (first wave) and phase 2 (scheduling), when there is a second wave.
      expect(riskThreadStats().parallelPasses - before).toBe(actual.waves.length > 1 ? 2 : 1);
      expect(actual).toEqual(straightforwardCascade(book, params, shock));
    }
  });
});
