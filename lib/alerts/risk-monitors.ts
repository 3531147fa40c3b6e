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

const number = (expected: string) =>
  z.number({ error: `expected ${expected}` }).finite({ error: `expected ${expected}` }).nonnegative({ error: `expected ${expected}` });
/** A percentage (5 = 5 %), ≥ 0. */
const pct = () => number("a non-negative number of percent (5 = 5 %)");
/** A share of open interest in percent: 0…100. */
const sharePct = () => pct().max(100, { error: "expected a share of open interest between 0 and 100 (percent)" });
const usd = () => number("a non-negative amount in USD");
const ms = () => z.number({ error: "expected a non-negative integer (milliseconds)" }).int({ error: "expected a non-negative integer (milliseconds)" }).min(0, { error: "expected a non-negative integer (milliseconds)" });
const quantile = () => z.number({ error: "expected a positive number (standard normal quantile, 2.326348 = one-sided 99 %)" }).finite().positive({ error: "expected a positive number (standard normal quantile, 2.326348 = one-sided 99 %)" });

/**
 * Per-market thresholds; every field has a default so `{}` is a valid market entry. Strict: an
 * unknown key is an error (a typo would otherwise silently keep a default). The critical level must
 * be at least as severe as the warning level (checked with the path of the critical field).
 */
export const riskMonitorThresholdsSchema = z
  .object({
    /**
     * Hysteresis, as for the oracle detectors (`for` / `keep_firing_for` of Prometheus alerting
     * rules): a condition must hold this long before its alert fires…
     */
    forMs: ms().default(15_000),
    /** …and be gone this long before it resolves, so a value hovering at a threshold does not flap. */
    clearForMs: ms().default(60_000),
    nearLiquidation: z
      .object({
        /** A position counts when the mark is within this % of its liquidation price (or past it). */
        withinPct: pct().default(5),
        /** Share of the market's open interest (notional) so close to liquidation. */
        warningOiSharePct: sharePct().default(10),
        criticalOiSharePct: sharePct().default(25),
      })
      .strict()
      .prefault({}),
    liquidatable: z
      .object({
        /** Liquidatable notional at current marks (USD) that raises an alert; 0 = any. */
        warningNotionalUsd: usd().default(0),
        criticalNotionalUsd: usd().default(1_000_000),
      })
      .strict()
      .prefault({}),
    predictedLiquidations: z
      .object({
        /** Quantile of the one-day move; 2.326348 = one-sided 99 %. */
        z: quantile().default(Z_99_ONE_SIDED),
        warningOiSharePct: sharePct().default(5),
        criticalOiSharePct: sharePct().default(15),
      })
      .strict()
      .prefault({}),
    insuranceCoverage: z
      .object({
        /** insuranceFund / stressed bad debt below this ratio (in %) raises an alert. */
        warningBelowPct: pct().default(200),
        criticalBelowPct: pct().default(100),
        /**
         * Quantile of the one-day move of this market's price that the stress cascade applies
         * (both directions, the worse counts); 2.326348 = one-sided 99 %.
         */
        z: quantile().default(Z_99_ONE_SIDED),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((t, ctx) => {
    const order = (section: string, critical: number, warning: number, higherIsWorse: boolean) => {
      const ok = higherIsWorse ? critical >= warning : critical <= warning;
      if (!ok) {
        ctx.addIssue({
          code: "custom",
          path: [section, section === "insuranceCoverage" ? "criticalBelowPct" : section === "liquidatable" ? "criticalNotionalUsd" : "criticalOiSharePct"],
          message: `expected a critical level ${higherIsWorse ? "at or above" : "at or below"} the warning level (${warning})`,
          input: critical,
        });
      }
    };
    order("nearLiquidation", t.nearLiquidation.criticalOiSharePct, t.nearLiquidation.warningOiSharePct, true);
    order("liquidatable", t.liquidatable.criticalNotionalUsd, t.liquidatable.warningNotionalUsd, true);
    order("predictedLiquidations", t.predictedLiquidations.criticalOiSharePct, t.predictedLiquidations.warningOiSharePct, true);
    order("insuranceCoverage", t.insuranceCoverage.criticalBelowPct, t.insuranceCoverage.warningBelowPct, false);
  });
export type RiskMonitorThresholds = z.output<typeof riskMonitorThresholdsSchema>;
/** What an operator writes (every field optional). */
export type RiskMonitorThresholdsInput = z.input<typeof riskMonitorThresholdsSchema>;
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
  return nearLiquidationCondition(market, oiShareWithin(positions, t.withinPct / 100), t);
}

/**
 * The near-liquidation condition from totals already summed (the server sums them over its
 * columnar book in one pass instead of building a MonitoredPosition per position).
 */
export function nearLiquidationCondition(
  market: string,
  totals: { share: number; notionalUsd: number; openInterestUsd: number },
  t: RiskMonitorThresholds["nearLiquidation"],
): RiskCondition {
  const within = t.withinPct / 100;
  const { share, notionalUsd, openInterestUsd } = totals;
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

/** Liquidations predicted for one direction's move (the worse of down and up). */
export interface PredictedLiquidations {
  direction: "down" | "up";
  count: number;
  notionalUsd: number;
  openInterestUsd: number;
  share: number;
}

/** The worse direction of per-direction sums (ties: down). */
export function worseDirection(sums: { downNotionalUsd: number; upNotionalUsd: number; downCount: number; upCount: number; openInterestUsd: number }): PredictedLiquidations {
  const { downNotionalUsd, upNotionalUsd, openInterestUsd } = sums;
  const worse = downNotionalUsd >= upNotionalUsd ? "down" : "up";
  return {
    direction: worse,
    count: worse === "down" ? sums.downCount : sums.upCount,
    notionalUsd: Math.max(downNotionalUsd, upNotionalUsd),
    openInterestUsd,
    share: openInterestUsd > 0 ? Math.max(downNotionalUsd, upNotionalUsd) / openInterestUsd : 0,
  };
}

/**
 * Positions liquidated by an adverse move of `moveFraction` in THIS market alone (every other mark
 * fixed, as liquidation prices are defined in risk-cli.md): longs if the price falls by the move,
 * shorts if it rises by it. Both directions are counted, since the move's sign is unknown; the
 * worse direction decides.
 */
export function predictedLiquidations(positions: readonly MonitoredPosition[], moveFraction: number): PredictedLiquidations {
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
  return worseDirection({ downNotionalUsd, upNotionalUsd, downCount, upCount, openInterestUsd });
}

export function evaluatePredictedLiquidations(
  market: string,
  positions: readonly MonitoredPosition[],
  annualVolatility: number,
  t: RiskMonitorThresholds["predictedLiquidations"],
): RiskCondition {
  const sigma = dailyVolatility(annualVolatility);
  const move = oneDayMove(sigma, t.z);
  return predictedLiquidationsCondition(market, predictedLiquidations(positions, move), sigma, move, t);
}

/** The predicted-liquidations condition from totals already summed for `moveFraction` = z·σ_daily. */
export function predictedLiquidationsCondition(
  market: string,
  p: PredictedLiquidations,
  dailySigma: number,
  moveFraction: number,
  t: RiskMonitorThresholds["predictedLiquidations"],
): RiskCondition {
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
    summary: `${market}: a one-day ${pctText(moveFraction)} ${p.direction} move would liquidate ${p.count} position(s), ${pctText(p.share)} of open interest`,
    details: { dailyVolatility: dailySigma, moveFraction, count: p.count, notionalUsd: p.notionalUsd, openInterestUsd: p.openInterestUsd },
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
