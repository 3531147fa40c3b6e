// One evaluation of the four risk monitors on every market of the risk book: per-market sums in
// one pass over the market's positions (book-sums.ts), turned into lib/alerts conditions with the
// market's thresholds. Synchronous over a MonitorView (the book must not change underneath).
//
// - near-liquidation-oi: share of the market's open interest within withinPct of liquidation;
// - liquidatable-accounts: accounts liquidatable at the current (live) marks;
// - predicted-liquidations: positions a one-day z·σ_daily move of this market alone would
//   liquidate, σ from the live EWMA (risk-book.ts monitorView says where σ came from);
// - insurance-coverage: insurance fund / stressed bad debt, where the stressed bad debt is the bad
//   debt of lib/risk's liquidation cascade (runCascade, with impact and waves) after this market's
//   one-day z·σ_daily move in its worse direction (RiskService.stressedBadDebt). The cascades are
//   the expensive part, so they are computed in the background (monitor-service.ts) and the latest
//   result of the current snapshot and parameters is used here.
import {
  dailyVolatility,
  evaluateInsuranceCoverage,
  evaluateLiquidatable,
  nearLiquidationCondition,
  oneDayMove,
  predictedLiquidationsCondition,
  worseDirection,
  type RiskCondition,
  type RiskMonitorThresholds,
} from "../../../lib/alerts/risk-monitors";
import { RISK_MONITORS, type RiskMonitorName } from "../../../lib/alerts/types";
import type { MonitorView, MonitorVolatility, StressedBadDebt } from "../risk/risk-book";
import { marketRiskSums, SumsScratch } from "./book-sums";
import { settingFor, type RiskMonitorSettings, type ThresholdSource } from "./thresholds";

export type StressResult = StressedBadDebt & { atMs: number };

export type MonitorReading = {
  monitor: RiskMonitorName;
  /** The alert's check label. */
  check: `risk-${RiskMonitorName}`;
  /** null: not evaluated this pass (`reason` says why). */
  condition: RiskCondition | null;
  reason: string | null;
  /** Levels in the value's unit (fractions, ratios, USD), as the alert's value/threshold. */
  warning: number;
  critical: number;
};

export type MarketEvaluation = {
  market: string;
  mark: number;
  positions: number;
  openInterestUsd: number;
  source: ThresholdSource;
  thresholds: RiskMonitorThresholds;
  volatility: MonitorVolatility | null;
  /** One-day move z·σ_daily of the predictive monitor (fraction), null without σ. */
  moveFraction: number | null;
  stress: StressResult | null;
  readings: MonitorReading[];
};

/** The one-day move the predictive monitor and the stress cascade use. */
export function dayMove(volatility: MonitorVolatility | null, z: number): number | null {
  return volatility ? oneDayMove(dailyVolatility(volatility.annual), z) : null;
}

const percent = (fraction: number) => `${Number((fraction * 100).toPrecision(3))}%`;

export function evaluateMarkets(view: MonitorView, settings: RiskMonitorSettings, stressed: ReadonlyMap<string, StressResult>, scratch = new SumsScratch()): MarketEvaluation[] {
  const { book, state } = view;
  const evaluations: MarketEvaluation[] = [];
  book.marketNames.forEach((market, m) => {
    // Alert fingerprints are `check:market:feed` (lib/alerts fingerprint.ts): a market name with ':'
    // or whitespace cannot have one, so it is not monitored (the service logs it).
    if (/[:\s]/.test(market)) return;
    const setting = settingFor(settings, market);
    const t = setting.thresholds;
    const volatility = view.volatility[market] ?? null;
    const moveFraction = dayMove(volatility, t.predictedLiquidations.z);
    const sums = marketRiskSums(book, state, m, { withinFraction: t.nearLiquidation.withinPct / 100, moveFraction, scratch });
    const readings: MonitorReading[] = [];
    const reading = (monitor: RiskMonitorName, condition: RiskCondition | null, reason: string | null, warning: number, critical: number) =>
      readings.push({ monitor, check: `risk-${monitor}`, condition, reason, warning, critical });

    reading(
      "near-liquidation-oi",
      nearLiquidationCondition(market, { share: sums.openInterestUsd > 0 ? sums.nearNotionalUsd / sums.openInterestUsd : 0, notionalUsd: sums.nearNotionalUsd, openInterestUsd: sums.openInterestUsd }, t.nearLiquidation),
      null,
      t.nearLiquidation.warningOiSharePct / 100,
      t.nearLiquidation.criticalOiSharePct / 100,
    );
    reading("liquidatable-accounts", evaluateLiquidatable(market, sums.liquidatable, t.liquidatable), null, t.liquidatable.warningNotionalUsd, t.liquidatable.criticalNotionalUsd);

    if (volatility && moveFraction !== null && sums.predicted) {
      const condition = predictedLiquidationsCondition(market, worseDirection(sums.predicted), dailyVolatility(volatility.annual), moveFraction, t.predictedLiquidations);
      condition.summary += ` (σ ${percent(volatility.annual)} a year, ${volatility.source === "live" ? "live EWMA" : volatility.source === "parameters" ? "parameter set" : "cascade model"})`;
      reading("predicted-liquidations", condition, null, t.predictedLiquidations.warningOiSharePct / 100, t.predictedLiquidations.criticalOiSharePct / 100);
    } else {
      reading("predicted-liquidations", null, "no volatility estimate for this market yet", t.predictedLiquidations.warningOiSharePct / 100, t.predictedLiquidations.criticalOiSharePct / 100);
    }

    const stress = stressed.get(market);
    const current = stress && stress.generation === view.generation ? stress : null;
    if (current) {
      const condition = evaluateInsuranceCoverage(market, current.insuranceFundUsd, current.badDebtUsd, t.insuranceCoverage);
      condition.summary += ` (cascade after a one-day ${percent(current.moveFraction)} ${current.direction} move)`;
      condition.details = { ...condition.details, moveFraction: current.moveFraction, stressedAtMs: current.atMs };
      reading("insurance-coverage", condition, null, t.insuranceCoverage.warningBelowPct / 100, t.insuranceCoverage.criticalBelowPct / 100);
    } else {
      reading("insurance-coverage", null, volatility ? "stress cascade not computed yet" : "no volatility estimate for this market yet", t.insuranceCoverage.warningBelowPct / 100, t.insuranceCoverage.criticalBelowPct / 100);
    }
    readings.sort((a, b) => RISK_MONITORS.indexOf(a.monitor) - RISK_MONITORS.indexOf(b.monitor));
    evaluations.push({
      market,
      mark: sums.mark,
      positions: sums.positions,
      openInterestUsd: sums.openInterestUsd,
      source: setting.source,
      thresholds: t,
      volatility,
      moveFraction,
      stress: current,
      readings,
    });
  });
  return evaluations;
}
