// The four risk monitors that raise alerts next to the oracle detectors. Pure functions over numbers
// the risk engine (lib/risk) provides per market: positions with mark, liquidation price and
// notional; liquidatable totals; insurance fund and stressed bad debt.
//
// Config thresholds are in percent (`…Pct`, like the contract's `deviationPct`); alert `value` and
// `threshold` are fractions/ratios/USD, like the contract's replay output (deviation 0.052 vs 0.01).
// Floats: notionals are summed in double precision; relative error ~1e-16 per addition is far below
// any threshold resolution here (these feed comparisons and display, not settlement).

import { z } from "zod";
import { riskFingerprint } from "./fingerprint";
import type { Alert, RiskMonitorName } from "./types";

/**
 * One-sided 99 % quantile of the standard normal distribution, Φ⁻¹(0.99) = 2.326348 (the brief's
 * 2.326; same z as risk-cli.md's volatilityMargin example).
 */
export const Z_99_ONE_SIDED = 2.326348;
/** Crypto trades every day: σ_daily = σ_annual / √365. */
export const TRADING_DAYS_PER_YEAR = 365;

export type RiskSeverity = "warning" | "critical";

const pct = (what: string) => z.number({ error: `expected ${what} as a number of percent` }).nonnegative();

/** Per-market thresholds; every field has a default so `{}` is a valid market entry. */
export const riskMonitorThresholdsSchema = z.object({
  nearLiquidation: z
    .object({
      /** A position counts when the mark is within this % of its liquidation price (or past it). */
      withinPct: pct("withinPct").default(5),
      /** Share of the market's open interest (notional) so close to liquidation. */
      warningOiSharePct: pct("warningOiSharePct").default(10),
      criticalOiSharePct: pct("criticalOiSharePct").default(25),
    })
    .prefault({}),
  liquidatable: z
    .object({
      /** Liquidatable notional at current marks (USD) that raises an alert; 0 = any. */
      warningNotionalUsd: z.number().nonnegative().default(0),
      criticalNotionalUsd: z.number().nonnegative().default(1_000_000),
    })
    .prefault({}),
  predictedLiquidations: z
    .object({
      /** Quantile of the one-day move; 2.326348 = one-sided 99 %. */
      z: z.number().positive().default(Z_99_ONE_SIDED),
      warningOiSharePct: pct("warningOiSharePct").default(5),
      criticalOiSharePct: pct("criticalOiSharePct").default(15),
    })
    .prefault({}),
  insuranceCoverage: z
    .object({
      /** insuranceFund / stressed bad debt below this ratio (in %) raises an alert. */
      warningBelowPct: pct("warningBelowPct").default(200),
      criticalBelowPct: pct("criticalBelowPct").default(100),
    })
    .prefault({}),
});
export type RiskMonitorThresholds = z.output<typeof riskMonitorThresholdsSchema>;
export const DEFAULT_RISK_MONITOR_THRESHOLDS: RiskMonitorThresholds = riskMonitorThresholdsSchema.parse({});

/** Result of one monitor on one market. */
export interface RiskCondition {
  monitor: RiskMonitorName;
  market: string;
  fingerprint: string;
  /** null = condition not met. */
  severity: RiskSeverity | null;
  value: number | null;
  /** Threshold of the severity reached, or the warning threshold when none is. */
  threshold: number;
  summary: string;
  details: Record<string, number | null>;
}

function grade(value: number, warning: number, critical: number, higherIsWorse: boolean): RiskSeverity | null {
  const worse = (a: number, b: number) => (higherIsWorse ? a >= b : a < b);
  if (worse(value, critical)) return "critical";
  if (worse(value, warning)) return "warning";
  return null;
}

function pctText(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(4))}%`;
}

/** A position as the risk engine reports it; `size` signed (long > 0). */
export interface MonitoredPosition {
  size: number;
  markPrice: number;
  /** null when no positive price liquidates it (risk-cli.md). */
  liquidationPrice: number | null;
}

/**
 * Adverse distance to liquidation as a fraction of the mark: longs (mark − liq)/mark, shorts
 * (liq − mark)/mark. ≤ 0 means already at or past liquidation; null = never liquidated.
 */
export function distanceToLiquidation(p: MonitoredPosition): number | null {
  if (p.liquidationPrice === null || p.size === 0) return null;
  return p.size > 0 ? (p.markPrice - p.liquidationPrice) / p.markPrice : (p.liquidationPrice - p.markPrice) / p.markPrice;
}

function notional(p: MonitoredPosition): number {
  return Math.abs(p.size) * p.markPrice;
}

/** Share of open interest (by notional) whose adverse distance to liquidation is ≤ `withinFraction`. */
export function oiShareWithin(positions: readonly MonitoredPosition[], withinFraction: number): { share: number; notionalUsd: number; openInterestUsd: number } {
  let openInterestUsd = 0;
  let notionalUsd = 0;
  for (const p of positions) {
    const n = notional(p);
    openInterestUsd += n;
    const d = distanceToLiquidation(p);
    if (d !== null && d <= withinFraction) notionalUsd += n;
  }
  return { share: openInterestUsd > 0 ? notionalUsd / openInterestUsd : 0, notionalUsd, openInterestUsd };
}

export function evaluateNearLiquidation(market: string, positions: readonly MonitoredPosition[], t: RiskMonitorThresholds["nearLiquidation"]): RiskCondition {
  const within = t.withinPct / 100;
  const { share, notionalUsd, openInterestUsd } = oiShareWithin(positions, within);
  const warning = t.warningOiSharePct / 100;
  const critical = t.criticalOiSharePct / 100;
  const severity = grade(share, warning, critical, true);
  return {
    monitor: "near-liquidation-oi",
    market,
    fingerprint: riskFingerprint("near-liquidation-oi", market),
    severity,
    value: share,
    threshold: severity === "critical" ? critical : warning,
    summary: `${market}: ${pctText(share)} of open interest within ${t.withinPct}% of liquidation`,
    details: { withinFraction: within, nearNotionalUsd: notionalUsd, openInterestUsd },
  };
}

export interface LiquidatableTotals {
  /** Accounts with equity < maintenance margin at current marks (risk-cli.md "Liquidatable"). */
  accounts: number;
  /** Notional of their positions in this market. */
  notionalUsd: number;
  /** Σ max(0, maintenance − equity). */
  shortfallUsd: number;
}

export function evaluateLiquidatable(market: string, totals: LiquidatableTotals, t: RiskMonitorThresholds["liquidatable"]): RiskCondition {
  // Nothing liquidatable never alerts, even with a 0 USD threshold.
  const severity = totals.accounts === 0 ? null : totals.notionalUsd >= t.criticalNotionalUsd ? "critical" : totals.notionalUsd >= t.warningNotionalUsd ? "warning" : null;
  return {
    monitor: "liquidatable-accounts",
    market,
    fingerprint: riskFingerprint("liquidatable-accounts", market),
    severity,
    value: totals.notionalUsd,
    threshold: severity === "critical" ? t.criticalNotionalUsd : t.warningNotionalUsd,
    summary: `${market}: ${totals.accounts} liquidatable account(s), ${Math.round(totals.notionalUsd)} USD notional, ${Math.round(totals.shortfallUsd)} USD shortfall`,
    details: { accounts: totals.accounts, notionalUsd: totals.notionalUsd, shortfallUsd: totals.shortfallUsd },
  };
}

/** σ_daily from an annualised volatility (e.g. the EWMA estimate of lib/oracle/volatility.ts). */
export function dailyVolatility(annualVolatility: number): number {
  return annualVolatility / Math.sqrt(TRADING_DAYS_PER_YEAR);
}

/**
 * One-day move at the given quantile as a fraction of price: z·σ_daily (the brief's 2.326·σ_daily,
 * a linear, normal-returns approximation; over one day the log/linear difference is second order).
 */
export function oneDayMove(dailySigma: number, z = Z_99_ONE_SIDED): number {
  return z * dailySigma;
}

/**
 * Positions liquidated by an adverse move of `moveFraction` in THIS market alone (every other mark
 * fixed, as liquidation prices are defined in risk-cli.md): longs if the price falls by the move,
 * shorts if it rises by it. Both directions are counted, since the move's sign is unknown; the
 * worse direction decides.
 */
export function predictedLiquidations(positions: readonly MonitoredPosition[], moveFraction: number) {
  let downNotionalUsd = 0;
  let upNotionalUsd = 0;
  let downCount = 0;
  let upCount = 0;
  let openInterestUsd = 0;
  for (const p of positions) {
    const n = notional(p);
    openInterestUsd += n;
    const d = distanceToLiquidation(p);
    if (d === null || d > moveFraction) continue;
    if (p.size > 0) {
      downNotionalUsd += n;
      downCount++;
    } else {
      upNotionalUsd += n;
      upCount++;
    }
  }
  const worse = downNotionalUsd >= upNotionalUsd ? "down" : "up";
  return {
    direction: worse as "down" | "up",
    count: worse === "down" ? downCount : upCount,
    notionalUsd: Math.max(downNotionalUsd, upNotionalUsd),
    openInterestUsd,
    share: openInterestUsd > 0 ? Math.max(downNotionalUsd, upNotionalUsd) / openInterestUsd : 0,
  };
}

export function evaluatePredictedLiquidations(
  market: string,
  positions: readonly MonitoredPosition[],
  annualVolatility: number,
  t: RiskMonitorThresholds["predictedLiquidations"],
): RiskCondition {
  const sigma = dailyVolatility(annualVolatility);
  const move = oneDayMove(sigma, t.z);
  const p = predictedLiquidations(positions, move);
  const warning = t.warningOiSharePct / 100;
  const critical = t.criticalOiSharePct / 100;
  const severity = grade(p.share, warning, critical, true);
  return {
    monitor: "predicted-liquidations",
    market,
    fingerprint: riskFingerprint("predicted-liquidations", market),
    severity,
    value: p.share,
    threshold: severity === "critical" ? critical : warning,
    summary: `${market}: a one-day ${pctText(move)} ${p.direction} move would liquidate ${p.count} position(s), ${pctText(p.share)} of open interest`,
    details: { dailyVolatility: sigma, moveFraction: move, count: p.count, notionalUsd: p.notionalUsd, openInterestUsd: p.openInterestUsd },
  };
}

/** insuranceFund / stressedBadDebt; null when there is no stressed bad debt (fully covered). */
export function insuranceCoverageRatio(insuranceFundUsd: number, stressedBadDebtUsd: number): number | null {
  return stressedBadDebtUsd > 0 ? insuranceFundUsd / stressedBadDebtUsd : null;
}

export function evaluateInsuranceCoverage(
  market: string,
  insuranceFundUsd: number,
  stressedBadDebtUsd: number,
  t: RiskMonitorThresholds["insuranceCoverage"],
): RiskCondition {
  const ratio = insuranceCoverageRatio(insuranceFundUsd, stressedBadDebtUsd);
  const warning = t.warningBelowPct / 100;
  const critical = t.criticalBelowPct / 100;
  const severity = ratio === null ? null : grade(ratio, warning, critical, false);
  return {
    monitor: "insurance-coverage",
    market,
    fingerprint: riskFingerprint("insurance-coverage", market),
    severity,
    value: ratio,
    threshold: severity === "critical" ? critical : warning,
    summary: ratio === null ? `${market}: no stressed bad debt` : `${market}: insurance fund covers ${pctText(ratio)} of stressed bad debt`,
    details: { insuranceFundUsd, stressedBadDebtUsd },
  };
}

/**
 * Turns a condition into the next alert state: a new firing alert, an update of the firing one
 * (value/severity change; firedAt and acknowledgement kept), its resolve, or null when nothing is
 * firing and nothing should. Hold/clear times (forMs/clearForMs) are applied by the caller's
 * hysteresis, as for oracle detectors.
 */
export function riskAlertFromCondition(condition: RiskCondition, previous: Alert | null, nowMs: number, link: string | null = null): Alert | null {
  const wasFiring = previous !== null && previous.status === "firing";
  if (condition.severity === null) {
    return wasFiring ? { ...previous, status: "resolved", resolvedAtMs: nowMs, value: condition.value } : null;
  }
  return {
    fingerprint: condition.fingerprint,
    labels: { check: `risk-${condition.monitor}`, market: condition.market, feed: "-", severity: condition.severity },
    status: "firing",
    value: condition.value,
    threshold: condition.threshold,
    firedAtMs: wasFiring ? previous.firedAtMs : nowMs,
    resolvedAtMs: null,
    acknowledgedAtMs: wasFiring ? previous.acknowledgedAtMs : null,
    acknowledgedBy: wasFiring ? (previous.acknowledgedBy ?? null) : null,
    summary: condition.summary,
    link: link ?? previous?.link ?? null,
    details: condition.details,
  };
}
