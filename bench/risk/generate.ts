// Seeded synthetic book for the risk benchmark: N positions in A accounts over M markets with a
// realistic skew: market popularity ~ Zipf(1), position notional lognormal (median ≈ $3k, heavy
// tail into the millions, so tier floors are crossed), leverage 1–50× log-uniform, 70 % cross
// accounts, position count per account skewed (a few accounts hold many positions), entries within
// a few percent of the mark (so some accounts are already near or past maintenance).
import type { ColumnarInput } from "../../lib/risk/columnar";
import type { MarketParams, ParamsSet } from "../../lib/risk/types";

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  // Box–Muller.
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export interface BenchBookSpec {
  positions: number;
  accounts: number;
  markets: number;
  seed: number;
}

export function generateBook(spec: BenchBookSpec): ColumnarInput {
  const random = mulberry32(spec.seed);
  const marketNames = Array.from({ length: spec.markets }, (_, m) => `M${String(m).padStart(2, "0")}-USD`);
  const marks = new Float64Array(spec.markets);
  for (let m = 0; m < spec.markets; m++) marks[m] = Math.round(Math.exp(-2 + random() * 13) * 1e4) / 1e4 || 0.0001;
  // Zipf(1) market popularity: cumulative weights 1/(m+1).
  const cumulative = new Float64Array(spec.markets);
  let total = 0;
  for (let m = 0; m < spec.markets; m++) cumulative[m] = total += 1 / (m + 1);
  const pickMarket = () => {
    const x = random() * total;
    let low = 0;
    let high = spec.markets - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] < x) low = mid + 1;
      else high = mid;
    }
    return low;
  };

  // Positions per account: one each, the rest to accounts drawn with a quadratic skew.
  const counts = new Int32Array(spec.accounts).fill(1);
  for (let extra = spec.positions - spec.accounts; extra > 0; extra--) counts[Math.floor(spec.accounts * random() * random())]++;
  const accountPositionStart = new Int32Array(spec.accounts + 1);
  for (let a = 0; a < spec.accounts; a++) accountPositionStart[a + 1] = accountPositionStart[a] + counts[a];

  const accountIds = new Array<string>(spec.accounts);
  const accountIsolated = new Uint8Array(spec.accounts);
  const accountCollateral = new Float64Array(spec.accounts);
  const positionMarket = new Int32Array(spec.positions);
  const positionSize = new Float64Array(spec.positions);
  const positionEntryPrice = new Float64Array(spec.positions);
  const positionMargin = new Float64Array(spec.positions);
  for (let a = 0; a < spec.accounts; a++) {
    accountIds[a] = `acct-${a}`;
    const isolated = random() >= 0.7;
    accountIsolated[a] = isolated ? 1 : 0;
    const leverage = Math.exp(random() * Math.log(50)); // 1…50×, log-uniform
    let collateral = 0;
    for (let p = accountPositionStart[a]; p < accountPositionStart[a + 1]; p++) {
      const m = pickMarket();
      const notional = Math.exp(8 + 1.8 * normal(random));
      const side = random() < 0.5 ? -1 : 1;
      positionMarket[p] = m;
      positionSize[p] = (side * notional) / marks[m];
      positionEntryPrice[p] = marks[m] * (1 + 0.03 * normal(random));
      if (positionEntryPrice[p] <= 0) positionEntryPrice[p] = marks[m];
      if (isolated) positionMargin[p] = notional / leverage;
      else collateral += notional / leverage;
    }
    accountCollateral[a] = collateral;
  }
  return { marketNames, marks, insuranceFund: 5e7, accountIds, accountIsolated, accountCollateral, accountPositionStart, positionMarket, positionSize, positionEntryPrice, positionMargin };
}

const binanceLikeTiers = [
  { notionalFloor: 0, maintenanceMarginFraction: 0.004 },
  { notionalFloor: 50_000, maintenanceMarginFraction: 0.005 },
  { notionalFloor: 250_000, maintenanceMarginFraction: 0.01 },
  { notionalFloor: 1_000_000, maintenanceMarginFraction: 0.025 },
  { notionalFloor: 10_000_000, maintenanceMarginFraction: 0.05 },
];
const cascade = { dailyVolatility: 0.05, dailyVolumeUsd: 2e8, impactCoefficient: 1, permanentImpactShare: 0.5 };

/** Current set: tiers on the 10 largest markets, a volatility floor on 10 more, flat elsewhere. */
export function benchParams(marketNames: string[]): { current: ParamsSet; proposed: ParamsSet; oneEdit: ParamsSet } {
  const current: ParamsSet = { markets: {} };
  marketNames.forEach((name, m) => {
    const params: MarketParams = { initialMarginFraction: 0.05 + 0.002 * m, maintenanceMarginFraction: 0.025 + 0.001 * m, liquidationPenalty: 0.01, cascade };
    if (m < 10) params.maintenanceTiers = binanceLikeTiers.map((tier) => ({ ...tier, maintenanceMarginFraction: tier.maintenanceMarginFraction * (1 + 0.1 * m) }));
    else if (m < 20) params.volatilityMargin = { annualVolatility: 0.6 + 0.05 * (m - 10), z: 2.326348, horizonHours: 8 };
    current.markets[name] = params;
  });
  // Proposal: 1.5× maintenance on the tiered markets 0–4, +1 pt flat on markets 20–29, a higher
  // volatility floor on 10–14.
  const proposed: ParamsSet = { markets: { ...current.markets } };
  marketNames.forEach((name, m) => {
    const params = current.markets[name];
    if (m < 5) proposed.markets[name] = { ...params, maintenanceTiers: params.maintenanceTiers!.map((tier) => ({ ...tier, maintenanceMarginFraction: tier.maintenanceMarginFraction * 1.5 })) };
    else if (m >= 10 && m < 15) proposed.markets[name] = { ...params, volatilityMargin: { ...params.volatilityMargin!, annualVolatility: params.volatilityMargin!.annualVolatility! * 1.4 } };
    else if (m >= 20 && m < 30) proposed.markets[name] = { ...params, maintenanceMarginFraction: params.maintenanceMarginFraction + 0.01, initialMarginFraction: params.initialMarginFraction + 0.01 };
  });
  // A one-parameter edit of the proposal (what a user typing in the form does): market 25's MMF.
  const edited = marketNames[25];
  const oneEdit: ParamsSet = { markets: { ...proposed.markets, [edited]: { ...proposed.markets[edited], maintenanceMarginFraction: proposed.markets[edited].maintenanceMarginFraction + 0.005 } } };
  return { current, proposed, oneEdit };
}
