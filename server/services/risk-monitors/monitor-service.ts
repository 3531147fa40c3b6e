// The risk monitors at run time: evaluates the four monitors of every market of the risk book
// (evaluate.ts) every few seconds and soon after prices, parameters, the snapshot or thresholds
// change; hands fire/resolve decisions (alert-tracker.ts, with hysteresis) to the alerting engine
// through its entry point (record-alert-event.ts); keeps the stressed bad debt of every market
// fresh in the background for the insurance-coverage monitor.
//
// Cost, kept off the hot path (`npm run bench:monitors`, 1M positions / 50 markets, 2 shared cores,
// BENCHMARKS.md): a pass after marks moved is ~0.4-0.75 s (the risk book rebuilt at the new marks,
// every position's liquidation price, one sweep of sums), ~0.1 s on an unchanged book; the next
// pass waits at least 4× as long as the last one took (≤ 20 % of a core). The stressed bad debt is
// two full-book cascades per market (0.7-2.4 s for both there, by load), run one market at a time,
// the event loop yielded between cascades, with a pause of 3× their time after each market (≤ 25 %
// of a core), and the whole sweep at most every 30 s: on that book a full sweep of 50 markets takes
// ~2.5-8 min, so insurance coverage there lags by minutes (the demo book: milliseconds). All of this
// runs on the server's event loop in ≤ ~1.2 s slices on that book; a worker thread would take it off.
import type { Runtime } from "../../runtime-types";
import { AppError } from "../../errors";
import { alertFromRow } from "../alerts/alert-model";
import { fromRiskAlert, recordAlertEvent } from "../alerts/record-alert-event";
import type { AlertingEngine } from "../alerts/alerting-engine";
import type { Alert } from "../../../lib/alerts/types";
import { parseFingerprint, riskFingerprint } from "../../../lib/alerts/fingerprint";
import type { RiskService } from "../risk/risk-subsystem";
import { RiskAlertTracker, type TrackedStatus } from "./alert-tracker";
import { SumsScratch } from "./book-sums";
import { dayMove, evaluateMarkets, type MarketEvaluation, type StressResult } from "./evaluate";
import { loadRiskMonitorSettings, settingFor, type RiskMonitorSettings } from "./thresholds";

export const EVALUATE_INTERVAL_MS = 5_000;
/** Soonest a pass follows the previous one when prices move (the risk book folds marks in every 2 s). */
export const MIN_PASS_GAP_MS = 2_000;
export const PASS_DUTY = 0.2;
export const STRESS_DUTY = 0.25;
export const STRESS_SWEEP_INTERVAL_MS = 30_000;
/** Thresholds are reloaded on the in-process bus and, for changes made by another instance, on this interval. */
export const SETTINGS_RELOAD_MS = 30_000;

export type RiskMonitorOptions = {
  nowMs?: () => number;
  intervalMs?: number;
  minPassGapMs?: number;
  stressSweepIntervalMs?: number;
  /** Pause between the cascades of a sweep as a multiple of each one's time (default 3: ≤ 25 % of a core). */
  stressPauseFactor?: number;
};

export type PassReport = { atMs: number; passMs: number; markets: number; recorded: number; skipped: string | null };

export type MonitorReadingView = {
  monitor: string;
  check: string;
  evaluated: boolean;
  reason: string | null;
  value: number | null;
  warning: number;
  critical: number;
  /** Severity of the condition now (null = below the warning level). */
  severity: string | null;
  /** Alert state after hysteresis. */
  status: TrackedStatus;
  alertSeverity: string | null;
  firedAtMs: number | null;
  summary: string | null;
  fingerprint: string;
};

type Sink = (alert: Alert) => Promise<void>;

export class RiskMonitorService {
  private readonly tracker = new RiskAlertTracker();
  private readonly scratch = new SumsScratch();
  private settings: RiskMonitorSettings | null = null;
  private settingsLoadedAtMs = 0;
  private readonly stressed = new Map<string, StressResult>();
  private latest = new Map<string, MarketEvaluation>();
  private lastPass: PassReport | null = null;
  private pending: Alert[] = [];
  private passing: Promise<PassReport> | null = null;
  private restored = false;
  private warnedUnnamed = false;
  private running = false;
  private wake: (() => void) | null = null;
  private stressWake: (() => void) | null = null;
  private poked = false;
  private stressRestart = false;
  private loops: Promise<void>[] = [];
  private readonly nowMs: () => number;

  constructor(
    private readonly runtime: Pick<Runtime, "database" | "config" | "env">,
    private readonly risk: RiskService,
    private readonly sink: Sink,
    private readonly options: RiskMonitorOptions = {},
  ) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** The alerting engine's entry point as the sink (record-alert-event.ts). */
  static sinkFor(engineOf: () => AlertingEngine): Sink {
    return async (alert) => {
      await recordAlertEvent(engineOf(), fromRiskAlert(alert));
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = [this.passLoop(), this.stressLoop()];
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.stressWake?.();
    await Promise.all(this.loops);
    await this.passing;
  }

  /** Prices moved: a pass soon (not sooner than MIN_PASS_GAP_MS after the last, nor above the duty cycle). */
  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /** Parameters or snapshot changed: cascades of the old book are stale; a new sweep and a pass. */
  bookChanged(): void {
    this.stressRestart = true;
    this.stressWake?.();
    this.poke();
  }

  /** Thresholds changed (UI): reload them before the next pass. */
  settingsChanged(): void {
    this.settings = null;
    this.bookChanged();
  }

  /** Runs one pass now (or joins the one running). */
  evaluate(): Promise<PassReport> {
    this.passing ??= this.pass().finally(() => {
      this.passing = null;
    });
    return this.passing;
  }

  /** One stress sweep over every market now, without pauses (tests, and `riskwarden` tooling). */
  async stressSweepNow(): Promise<void> {
    await this.stressSweep(0);
  }

  lastPassReport(): PassReport | null {
    return this.lastPass;
  }

  /** What the market page shows: thresholds, the latest readings and the alert state of each monitor. */
  async marketState(market: string) {
    const settings = await this.currentSettings();
    const setting = settingFor(settings, market);
    const evaluation = this.latest.get(market) ?? null;
    const readings: MonitorReadingView[] | null = evaluation
      ? evaluation.readings.map((reading) => {
          const fingerprint = riskFingerprint(reading.monitor, market);
          const tracked = this.tracker.status(fingerprint);
          return {
            monitor: reading.monitor,
            check: reading.check,
            evaluated: reading.condition !== null,
            reason: reading.reason,
            value: reading.condition?.value ?? null,
            warning: reading.warning,
            critical: reading.critical,
            severity: reading.condition?.severity ?? null,
            status: tracked.status,
            alertSeverity: tracked.severity,
            firedAtMs: tracked.firedAtMs,
            summary: reading.condition?.summary ?? null,
            fingerprint,
          };
        })
      : null;
    return {
      market,
      source: setting.source,
      thresholds: setting.thresholds,
      updatedAt: setting.updatedAt,
      updatedBy: setting.updatedBy,
      evaluatedAtMs: this.lastPass?.atMs ?? null,
      passMs: this.lastPass?.passMs ?? null,
      volatility: evaluation?.volatility ?? null,
      moveFraction: evaluation?.moveFraction ?? null,
      stress: evaluation?.stress ? { badDebtUsd: evaluation.stress.badDebtUsd, direction: evaluation.stress.direction, moveFraction: evaluation.stress.moveFraction, insuranceFundUsd: evaluation.stress.insuranceFundUsd, atMs: evaluation.stress.atMs } : null,
      readings,
    };
  }

  private async currentSettings(): Promise<RiskMonitorSettings> {
    if (!this.settings || this.nowMs() - this.settingsLoadedAtMs >= SETTINGS_RELOAD_MS) {
      this.settings = await loadRiskMonitorSettings(this.runtime.database.prisma, this.runtime.config);
      this.settingsLoadedAtMs = this.nowMs();
    }
    return this.settings;
  }

  /** Alerts left open by a previous run resolve (or stay) through the same hysteresis. */
  private async restoreOpenAlerts(settings: RiskMonitorSettings): Promise<void> {
    if (this.restored) return;
    const open = await this.runtime.database.prisma.alert.findMany({ where: { resolvedAt: null, check: { startsWith: "risk-" } } });
    for (const row of open) this.tracker.restore(alertFromRow(row), settingFor(settings, row.market).thresholds);
    this.restored = true;
  }

  private link(market: string): string {
    return `${this.runtime.env.publicUrl}/markets/${encodeURIComponent(market)}`;
  }

  private async pass(): Promise<PassReport> {
    const started = performance.now();
    const atMs = this.nowMs();
    const settings = await this.currentSettings();
    await this.restoreOpenAlerts(settings);
    let evaluations: MarketEvaluation[] = [];
    let skipped: string | null = null;
    try {
      const view = await this.risk.monitorView();
      evaluations = evaluateMarkets(view, settings, this.stressed, this.scratch);
      if (evaluations.length < view.book.marketNames.length && !this.warnedUnnamed) {
        this.warnedUnnamed = true;
        console.warn(`[risk-monitors] not monitored (a market name with ':' or whitespace has no alert fingerprint): ${view.book.marketNames.filter((name) => /[:\s]/.test(name)).join(", ")}`);
      }
    } catch (error) {
      // No active snapshot: no market has positions, so every open risk alert clears.
      if (!(error instanceof AppError && error.code === "PRECONDITION_FAILED")) {
        const report = { atMs, passMs: performance.now() - started, markets: 0, recorded: 0, skipped: error instanceof Error ? error.message : String(error) };
        this.lastPass = report;
        console.error(`[risk-monitors] pass skipped: ${report.skipped}`);
        return report;
      }
      skipped = error.userMessage;
    }
    const seen = new Set<string>();
    for (const evaluation of evaluations) {
      const times = evaluation.thresholds;
      for (const reading of evaluation.readings) {
        const fingerprint = riskFingerprint(reading.monitor, evaluation.market);
        seen.add(fingerprint);
        // Not evaluated (no σ yet, cascade pending): the alert state is left as it is.
        if (reading.condition) this.pending.push(...this.tracker.observe(reading.condition, times, atMs, this.link(evaluation.market)));
      }
    }
    for (const fingerprint of this.tracker.fingerprints()) {
      if (seen.has(fingerprint)) continue;
      const { market } = parseFingerprint(fingerprint);
      this.pending.push(...this.tracker.observeGone(fingerprint, settingFor(settings, market).thresholds, atMs));
    }
    this.latest = new Map(evaluations.map((evaluation) => [evaluation.market, evaluation]));
    const recorded = await this.flush();
    const report = { atMs, passMs: performance.now() - started, markets: evaluations.length, recorded, skipped };
    this.lastPass = report;
    return report;
  }

  /** Records decided alerts in order; on failure they stay queued for the next pass (nothing is lost). */
  private async flush(): Promise<number> {
    let recorded = 0;
    while (this.pending.length > 0) {
      try {
        await this.sink(this.pending[0]);
      } catch (error) {
        console.error(`[risk-monitors] recording ${this.pending[0].fingerprint} failed, will retry: ${error instanceof Error ? error.message : error}`);
        break;
      }
      this.pending.shift();
      recorded++;
    }
    return recorded;
  }

  private sleep(ms: number, which: "pass" | "stress"): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      if (which === "pass") this.wake = done;
      else this.stressWake = done;
    });
  }

  private async passLoop(): Promise<void> {
    const interval = this.options.intervalMs ?? EVALUATE_INTERVAL_MS;
    const minGap = this.options.minPassGapMs ?? MIN_PASS_GAP_MS;
    while (this.running) {
      this.poked = false;
      const report = await this.evaluate().catch((error: unknown) => {
        console.error(`[risk-monitors] pass failed: ${error instanceof Error ? error.message : error}`);
        return null;
      });
      const dutyGap = (report?.passMs ?? 0) * (1 / PASS_DUTY - 1);
      const soonest = Math.max(minGap, dutyGap);
      const endedAt = performance.now();
      // Sleep the interval, but wake for a poke once the soonest gap has passed.
      while (this.running) {
        const elapsed = performance.now() - endedAt;
        if (elapsed >= Math.max(interval, dutyGap) || (this.poked && elapsed >= soonest)) break;
        await this.sleep(this.poked ? soonest - elapsed : Math.max(interval, dutyGap) - elapsed, "pass");
      }
    }
  }

  private async stressLoop(): Promise<void> {
    const sweepInterval = this.options.stressSweepIntervalMs ?? STRESS_SWEEP_INTERVAL_MS;
    const pauseFactor = this.options.stressPauseFactor ?? 1 / STRESS_DUTY - 1;
    while (this.running) {
      const started = performance.now();
      this.stressRestart = false;
      await this.stressSweep(pauseFactor).catch((error: unknown) => console.error(`[risk-monitors] stress sweep failed: ${error instanceof Error ? error.message : error}`));
      const wait = sweepInterval - (performance.now() - started);
      if (this.running && !this.stressRestart && wait > 0) await this.sleep(wait, "stress");
    }
  }

  /** Stressed bad debt of every market, one market (two cascades) at a time. */
  private async stressSweep(pauseFactor: number): Promise<void> {
    let markets: string[];
    try {
      markets = (await this.risk.monitorView()).book.marketNames.slice();
    } catch (error) {
      if (error instanceof AppError && error.code === "PRECONDITION_FAILED") return;
      throw error;
    }
    const settings = await this.currentSettings();
    for (const market of markets) {
      if (this.stressRestart && pauseFactor > 0) return;
      if (!this.running && pauseFactor > 0) return;
      let view;
      try {
        view = await this.risk.monitorView();
      } catch {
        return;
      }
      if (!view.book.marketIndex.has(market)) continue;
      const move = dayMove(view.volatility[market] ?? null, settingFor(settings, market).thresholds.insuranceCoverage.z);
      if (move === null) continue;
      const result = await this.risk.stressedBadDebt(market, move);
      this.stressed.set(market, { ...result, atMs: this.nowMs() });
      if (pauseFactor > 0) await this.sleep(result.computeMs * pauseFactor, "stress");
    }
  }
}
