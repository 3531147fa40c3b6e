// Synthetic demo book: lognormal notionals, leverage skewed towards the low end, 70 % cross.
// Deterministic for a seed (mulberry32), so the demo and its tests see the same accounts.
import { DEMO_MARKETS } from "./markets";

export type DemoPosition = { market: string; size: number; entryPrice: number; margin?: number };
export type DemoAccount = { id: string; mode: "cross" | "isolated"; collateral: number; positions: DemoPosition[] };
export type DemoBook = { marks: Record<string, number>; accounts: DemoAccount[]; insuranceFund: number };

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
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Demo quantities are floats rounded to cents / 1e-6 base units: the demo needs plausibility, not exactness. */
const round = (value: number, digits: number) => Number(value.toFixed(digits));

export function generateDemoBook(accountCount: number, seed: number): DemoBook {
  const random = mulberry32(seed);
  const marks = Object.fromEntries(DEMO_MARKETS.map((market) => [market.id, market.startPrice]));
  // Open interest weights: majors dominate, the long tail is thin.
  const weights = [0.4, 0.3, 0.15, 0.1, 0.05];
  const pickMarket = () => {
    let draw = random();
    for (let index = 0; index < weights.length; index++) {
      draw -= weights[index];
      if (draw <= 0) return DEMO_MARKETS[index];
    }
    return DEMO_MARKETS[0];
  };
  const accounts: DemoAccount[] = [];
  for (let index = 0; index < accountCount; index++) {
    const cross = random() < 0.7;
    const positionCount = cross ? 1 + Math.floor(random() * 3) : 1;
    const used = new Set<string>();
    const positions: DemoPosition[] = [];
    let requiredCollateral = 0;
    for (let p = 0; p < positionCount; p++) {
      const market = pickMarket();
      if (used.has(market.id)) continue;
      used.add(market.id);
      const notional = Math.exp(9 + 1.6 * normal(random)); // median ≈ $8k, fat right tail
      const maxLeverage = 1 / market.params.initialMarginFraction;
      const leverage = 1 + (maxLeverage - 1) * Math.pow(random(), 1.8);
      const side = random() < 0.55 ? 1 : -1;
      const entryPrice = round(market.startPrice * (1 + 0.06 * normal(random)), 6);
      const size = round((side * notional) / entryPrice, 6);
      if (size === 0) continue;
      const margin = Math.abs(size) * entryPrice / leverage;
      requiredCollateral += margin;
      positions.push(cross ? { market: market.id, size, entryPrice } : { market: market.id, size, entryPrice, margin: round(margin, 2) });
    }
    if (positions.length === 0) continue;
    accounts.push({ id: `acct-${String(index).padStart(5, "0")}`, mode: cross ? "cross" : "isolated", collateral: cross ? round(requiredCollateral, 2) : 0, positions });
  }
  return { marks, accounts, insuranceFund: 2_500_000 };
}
