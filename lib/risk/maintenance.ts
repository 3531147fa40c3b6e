// Maintenance margin as a function of a position's notional N: a continuous, convex,
// piecewise-linear curve MM(N) = slope_j·N + intercept_j on [breakNotional_j, breakNotional_j+1).
//
// Sources (contract risk-cli.md, "PARAMS.json"):
// - flat: N·maintenanceMarginFraction;
// - tiered: N·mmf(tier) − deduction(tier), deduction(n) = deduction(n−1) + floor(n)·(mmf(n) − mmf(n−1))
//   — Binance USD-M "maintenance amount" (cum) of the leverage brackets
//   (https://www.binance.com/en/support/faq/360033162192) and Hyperliquid's "maintenance margin
//   deduction" of margin tiers (https://hyperliquid.gitbook.io/hyperliquid-docs/trading/margin-tiers);
// - volatility floor: the fraction is max(fraction above, z·σ·√(h/8766)), i.e. MM(N) = max(curve(N), v·N).
import { RiskInputError } from "./errors";
import { effectiveInitialMarginFraction, volatilityMaintenanceFraction } from "./params";
import type { MarginOptions, MarketParams } from "./types";

export interface MaintenanceCurve {
  /** Segment starts, ascending, first = 0. */
  breakNotional: Float64Array;
  slope: Float64Array;
  intercept: Float64Array;
}

/** Everything the engine needs about one market under one parameter set. */
export interface ResolvedMarket {
  initialMarginFraction: number;
  maintenance: MaintenanceCurve;
  liquidationPenalty: number;
}

export function buildMaintenanceCurve(params: MarketParams, volatilityFloorFraction = 0): MaintenanceCurve {
  const starts: number[] = [];
  const slopes: number[] = [];
  const intercepts: number[] = [];
  if (params.maintenanceTiers && params.maintenanceTiers.length > 0) {
    let deduction = 0;
    let previousFraction = 0;
    for (const tier of params.maintenanceTiers) {
      deduction += tier.notionalFloor * (tier.maintenanceMarginFraction - previousFraction);
      previousFraction = tier.maintenanceMarginFraction;
      starts.push(tier.notionalFloor);
      slopes.push(tier.maintenanceMarginFraction);
      intercepts.push(-deduction);
    }
  } else {
    starts.push(0);
    slopes.push(params.maintenanceMarginFraction);
    intercepts.push(0);
  }

  if (volatilityFloorFraction > 0) {
    // max(slope·N + intercept, v·N) per segment. intercept ≤ 0, so the floor wins below the
    // crossing N* = −intercept/(slope − v) and the tier wins above it (or the floor wins everywhere
    // when slope ≤ v).
    const v = volatilityFloorFraction;
    const floored = { starts: [] as number[], slopes: [] as number[], intercepts: [] as number[] };
    for (let j = 0; j < starts.length; j++) {
      const start = starts[j];
      const end = j + 1 < starts.length ? starts[j + 1] : Infinity;
      if (slopes[j] <= v) {
        floored.starts.push(start), floored.slopes.push(v), floored.intercepts.push(0);
        continue;
      }
      const crossing = -intercepts[j] / (slopes[j] - v);
      if (crossing > start && crossing < end) {
        floored.starts.push(start), floored.slopes.push(v), floored.intercepts.push(0);
        floored.starts.push(crossing), floored.slopes.push(slopes[j]), floored.intercepts.push(intercepts[j]);
      } else if (crossing >= end) {
        floored.starts.push(start), floored.slopes.push(v), floored.intercepts.push(0);
      } else {
        floored.starts.push(start), floored.slopes.push(slopes[j]), floored.intercepts.push(intercepts[j]);
      }
    }
    starts.length = 0, slopes.length = 0, intercepts.length = 0;
    // Merge neighbours that ended up identical (e.g. several tiers under the floor).
    for (let j = 0; j < floored.starts.length; j++) {
      const last = slopes.length - 1;
      if (last >= 0 && slopes[last] === floored.slopes[j] && intercepts[last] === floored.intercepts[j]) continue;
      starts.push(floored.starts[j]), slopes.push(floored.slopes[j]), intercepts.push(floored.intercepts[j]);
    }
  }
  return { breakNotional: Float64Array.from(starts), slope: Float64Array.from(slopes), intercept: Float64Array.from(intercepts) };
}

/** Index of the segment in force at notional N (N ≥ floor of the segment). */
export function segmentIndex(curve: MaintenanceCurve, notional: number): number {
  const breaks = curve.breakNotional;
  let j = breaks.length - 1;
  while (j > 0 && notional < breaks[j]) j--;
  return j;
}

export function maintenanceMargin(curve: MaintenanceCurve, notional: number): number {
  const j = segmentIndex(curve, notional);
  return curve.slope[j] * notional + curve.intercept[j];
}

/** Resolves one market's parameters into the curve and fractions the engine evaluates. */
export function resolveMarket(market: string, params: MarketParams, options: MarginOptions = {}, source = "params.json"): ResolvedMarket {
  let volatilityFloor = 0;
  const volatility = params.volatilityMargin;
  if (volatility) {
    let sigma = volatility.annualVolatility;
    if (volatility.source === "ewma") {
      sigma = options.liveAnnualVolatility?.[market];
      if (sigma === undefined || !(sigma > 0)) {
        throw new RiskInputError(source, `markets[${JSON.stringify(market)}].volatilityMargin.source`, `expected a live EWMA volatility for ${market}, got none`);
      }
    }
    volatilityFloor = volatilityMaintenanceFraction(volatility, sigma as number);
  }
  return {
    initialMarginFraction: effectiveInitialMarginFraction(params),
    maintenance: buildMaintenanceCurve(params, volatilityFloor),
    liquidationPenalty: params.liquidationPenalty ?? 0,
  };
}

/** True when two curves give the same maintenance at every notional. */
export function sameCurve(a: MaintenanceCurve, b: MaintenanceCurve): boolean {
  if (a.breakNotional.length !== b.breakNotional.length) return false;
  for (let j = 0; j < a.breakNotional.length; j++) {
    if (a.breakNotional[j] !== b.breakNotional[j] || a.slope[j] !== b.slope[j] || a.intercept[j] !== b.intercept[j]) return false;
  }
  return true;
}

/**
 * Liquidation price of one market in one margin unit: the mark P of that market alone at which
 * equity(P) = maintenance(P), every other mark fixed.
 *   equity(P) = equityNow + netSize·(P − markNow)
 *   maintenance(P) = otherMaintenance + Σ_i MM(|size_i|·P)   (positions of the unit in this market)
 * MM(|s|·P) is linear between the breakpoints P = breakNotional_j/|s|; on each interval the
 * equation is linear and solved directly; a root counts when it lies in its interval (the tier in
 * force at that price). With non-decreasing tier fractions (< 1) the curve is convex and slower than
 * the equity line, so at most one root exists; if several did, the one nearest the mark is taken.
 * Returns null when no positive price reaches equality.
 */
export function solveLiquidationPrice(
  equityNow: number,
  netSize: number,
  markNow: number,
  otherMaintenance: number,
  absSizes: ArrayLike<number>,
  curve: MaintenanceCurve,
): number | null {
  if (netSize === 0) return null;
  const breaks = curve.breakNotional;
  const segments = breaks.length;
  const constantPart = otherMaintenance + netSize * markNow - equityNow;
  if (absSizes.length === 1) {
    // Fast path: one position; intervals are [break_j/|s|, break_j+1/|s|).
    const absSize = absSizes[0];
    let best: number | null = null;
    for (let j = 0; j < segments; j++) {
      const denominator = netSize - curve.slope[j] * absSize;
      if (denominator === 0) continue;
      const price = (constantPart + curve.intercept[j]) / denominator;
      if (!(price > 0)) continue;
      const low = breaks[j] / absSize;
      const high = j + 1 < segments ? breaks[j + 1] / absSize : Infinity;
      if (!inInterval(price, low, high)) continue;
      if (best === null || Math.abs(price - markNow) < Math.abs(best - markNow)) best = price;
    }
    return best;
  }
  // General case: several positions of the unit in this market (e.g. an imported book with two
  // isolated positions merged into one cross account): merge their breakpoints.
  const points: number[] = [0];
  for (let i = 0; i < absSizes.length; i++) {
    if (absSizes[i] === 0) continue;
    for (let j = 1; j < segments; j++) points.push(breaks[j] / absSizes[i]);
  }
  points.sort((x, y) => x - y);
  points.push(Infinity);
  let best: number | null = null;
  for (let k = 0; k + 1 < points.length; k++) {
    const low = points[k];
    const high = points[k + 1];
    if (!(high > low)) continue;
    const sample = high === Infinity ? low * 2 + 1 : (low + high) / 2;
    let slopeSum = 0;
    let interceptSum = 0;
    for (let i = 0; i < absSizes.length; i++) {
      const j = segmentIndex(curve, absSizes[i] * sample);
      slopeSum += curve.slope[j] * absSizes[i];
      interceptSum += curve.intercept[j];
    }
    const denominator = netSize - slopeSum;
    if (denominator === 0) continue;
    const price = (constantPart + interceptSum) / denominator;
    if (!(price > 0) || !inInterval(price, low, high)) continue;
    if (best === null || Math.abs(price - markNow) < Math.abs(best - markNow)) best = price;
  }
  return best;
}

function inInterval(price: number, low: number, high: number): boolean {
  // Relative slack of 1e-12 so a root computed on a boundary is not lost to rounding.
  return price >= low * (1 - 1e-12) && price <= high * (1 + 1e-12);
}
