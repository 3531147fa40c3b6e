// The oracle detector engine: ticks in, per-market price state and AlertEvents out, on an injected
// clock (wall clock live, virtual clock in replay — same code).
//
// Checks (names from shared contracts config-and-replay.md), per market · feed:
//   staleness   no tick from the feed for the market for longer than the feed's heartbeatMs
//               (keep-alives do not count). value = age ms, threshold = heartbeatMs.
//   deviation   |p − median(other healthy sources)| / median(others) > deviationPct, and the source is
//               also that far from the market reference (median of all healthy sources). The second
//               condition stops the well-behaved sources of a 3-source market from firing when the
//               median of "the others" is the mean of one good and one bad price. With only two
//               healthy sources a disagreement cannot be attributed and both fire. value = fraction.
//   jump        (max − min) / min of the source's prices received within jumpWindowMs > jumpPct.
//   confidence  conf / price > confidencePct (Pyth conf, Data Streams half spread).
//   frozen      the source keeps ticking but its price has not changed for frozenMs while another
//               source of the market moved within that time. value = ms unchanged.
//   feed-error  (per feed, market "-") at least feedErrorCount rejected or venue-error frames within
//               feedErrorWindowMs. value = count.
// A source is healthy when it is fresh (age ≤ heartbeatMs) and its confidence check is not violated;
// the reference price is the median of the healthy sources (reference.ts).
//
// Severity rules:
//   staleness  critical when, at firing, the market has no healthy source left (no reference
//              price); otherwise warning.
//   deviation  warning; critical at ≥ 10 × threshold (a 10 % gap at the default 1 %).
//   jump       warning; critical at ≥ 2 × threshold.
//   confidence warning; critical at ≥ 5 × threshold.
//   frozen, feed-error  warning.
// An alert's value and severity are those at the moment it fires.
//
// Hysteresis (hysteresis.ts): fire after the condition holds forMs, resolve after it has been gone
// clearForMs; one state machine per fingerprint `check:market:feed`, so one open alert per
// fingerprint in memory (the database enforces it again across processes).
//
// Evaluation: every tick re-evaluates its market at the tick's time; advanceTo(now) evaluates all
// markets on a fixed grid (evaluationIntervalMs) so time-driven checks (staleness, frozen, window
// expiry) fire while no tick arrives. Transition times are exact (see Hysteresis), not grid-aligned.
import { oracleFingerprint } from "../alerts/fingerprint";
import type { DetectorThresholds } from "../config/riskwarden-config";
import { Hysteresis } from "./hysteresis";
import { relativeDeviation } from "./reference";
import type { AlertEvent, OracleCheck, ParseResult, Severity, Tick } from "./types";
import { EwmaVolatility } from "./volatility";

export interface EngineFeedConfig {
  id: string;
  heartbeatMs: number;
  /** Markets this feed serves (keys of its `symbols`). */
  markets: string[];
}

export interface OracleEngineOptions {
  markets: Record<string, DetectorThresholds>;
  feeds: EngineFeedConfig[];
  startMs: number;
  evaluationIntervalMs?: number;
  onEvent?: (event: AlertEvent) => void;
}

/** Sliding-window min/max over (time, price) with monotonic deques: O(1) amortised per tick. */
class WindowExtremes {
  private minT: number[] = [];
  private minP: number[] = [];
  private maxT: number[] = [];
  private maxP: number[] = [];
  private minHead = 0;
  private maxHead = 0;
  /** Time at which the most recently evicted extreme left the window. */
  lastEvictionAt = Number.NEGATIVE_INFINITY;

  push(t: number, p: number): void {
    while (this.minP.length > this.minHead && this.minP[this.minP.length - 1] >= p) {
      this.minP.pop();
      this.minT.pop();
    }
    this.minP.push(p);
    this.minT.push(t);
    while (this.maxP.length > this.maxHead && this.maxP[this.maxP.length - 1] <= p) {
      this.maxP.pop();
      this.maxT.pop();
    }
    this.maxP.push(p);
    this.maxT.push(t);
  }

  /** Drop entries received at or before `cutoff` (= now − window). */
  evict(cutoff: number, windowMs: number): void {
    while (this.minHead < this.minT.length - 1 && this.minT[this.minHead] <= cutoff) {
      this.lastEvictionAt = Math.max(this.lastEvictionAt, this.minT[this.minHead] + windowMs);
      this.minHead++;
    }
    while (this.maxHead < this.maxT.length - 1 && this.maxT[this.maxHead] <= cutoff) {
      this.lastEvictionAt = Math.max(this.lastEvictionAt, this.maxT[this.maxHead] + windowMs);
      this.maxHead++;
    }
    if (this.minHead > 1024) {
      this.minT = this.minT.slice(this.minHead);
      this.minP = this.minP.slice(this.minHead);
      this.minHead = 0;
    }
    if (this.maxHead > 1024) {
      this.maxT = this.maxT.slice(this.maxHead);
      this.maxP = this.maxP.slice(this.maxHead);
      this.maxHead = 0;
    }
  }

  /** (max − min) / min over the window, 0 when empty. */
  relativeRange(): number {
    if (this.minP.length === this.minHead) return 0;
    const min = this.minP[this.minHead];
    const max = this.maxP[this.maxHead];
    return (max - min) / min;
  }
}

interface SourceState {
  feed: string;
  heartbeatMs: number;
  price: number | null;
  conf: number | undefined;
  publishTimeMs: number | undefined;
  lastTickAt: number | null;
  lastChangeAt: number | null;
  window: WindowExtremes;
  // derived on evaluation
  healthy: boolean;
  deviation: number | null;
  /** Hysteresis state per check for this market · feed (no fingerprint string on the hot path). */
  alerts: Partial<Record<OracleCheck, AlertState>>;
}

interface FeedErrorState {
  rejectionTimes: number[];
  head: number;
  alert?: AlertState;
}

interface AlertState {
  hysteresis: Hysteresis;
  check: OracleCheck;
  market: string | null;
  feed: string;
  fingerprint: string;
  severity: Severity;
  value: number;
  threshold: number;
}

interface MarketRuntime {
  market: string;
  thresholds: DetectorThresholds;
  sources: Map<string, SourceState>;
  sourceList: SourceState[];
  reference: number | null;
  volatility: EwmaVolatility;
  nextVolatilitySampleAt: number;
}

export interface SourceSnapshot {
  price: number | null;
  ageMs: number | null;
  deviation: number | null;
  conf: number | null;
  confRatio: number | null;
  publishTimeMs: number | null;
  healthy: boolean;
}

export interface MarketSnapshot {
  market: string;
  reference: number | null;
  healthySources: number;
  annualisedVolatility: number | null;
  sources: Record<string, SourceSnapshot>;
}

export interface FeedCounters {
  frames: number;
  ticks: number;
  keepAlives: number;
  ignored: number;
  /** Ticks whose venue symbol is not in the feed's `symbols` map. */
  unmapped: number;
  rejected: number;
  rejectionsByReason: Record<string, number>;
  /** First detail seen per reason: the one log sample. */
  sampleByReason: Record<string, string>;
}

export interface OpenAlert {
  fingerprint: string;
  check: OracleCheck;
  market: string | null;
  feed: string;
  severity: Severity;
  value: number;
  threshold: number;
  firedAt: number;
}

const CRITICAL_MULTIPLIER: Partial<Record<OracleCheck, number>> = { deviation: 10, jump: 2, confidence: 5 };

export class OracleEngine {
  private readonly markets = new Map<string, MarketRuntime>();
  private readonly feeds = new Map<string, EngineFeedConfig>();
  private readonly feedErrors = new Map<string, FeedErrorState>();
  private readonly counters = new Map<string, FeedCounters>();
  private readonly alerts = new Map<string, AlertState>();
  private readonly pending: AlertEvent[] = [];
  private readonly evaluationIntervalMs: number;
  private nextEvaluationAt: number;
  private nowMs: number;
  private readonly startMs: number;
  private scratch = new Float64Array(16);
  onEvent?: (event: AlertEvent) => void;

  constructor(private readonly options: OracleEngineOptions) {
    this.startMs = options.startMs;
    this.nowMs = options.startMs;
    this.evaluationIntervalMs = options.evaluationIntervalMs ?? 100;
    this.nextEvaluationAt = options.startMs + this.evaluationIntervalMs;
    this.onEvent = options.onEvent;
    for (const feed of options.feeds) {
      this.feeds.set(feed.id, feed);
      this.counters.set(feed.id, emptyCounters());
      this.feedErrors.set(feed.id, { rejectionTimes: [], head: 0 });
      for (const market of feed.markets) {
        const runtime = this.market(market);
        runtime.sources.set(feed.id, {
          feed: feed.id,
          heartbeatMs: feed.heartbeatMs,
          price: null,
          conf: undefined,
          publishTimeMs: undefined,
          lastTickAt: null,
          lastChangeAt: null,
          window: new WindowExtremes(),
          healthy: false,
          deviation: null,
          alerts: {},
        });
        runtime.sourceList = [...runtime.sources.values()];
      }
    }
  }

  private market(market: string): MarketRuntime {
    let runtime = this.markets.get(market);
    if (!runtime) {
      const thresholds = this.options.markets[market] ?? defaultThresholds();
      runtime = {
        market,
        thresholds,
        sources: new Map(),
        sourceList: [],
        reference: null,
        volatility: new EwmaVolatility(thresholds.volatilityLambdaPerDay),
        nextVolatilitySampleAt: this.startMs,
      };
      this.markets.set(market, runtime);
    }
    return runtime;
  }

  get now(): number {
    return this.nowMs;
  }

  /** Advance the clock, evaluating every market at each grid instant passed. Never goes back. */
  advanceTo(nowMs: number): void {
    if (nowMs < this.nowMs) return;
    // After a long pause (suspended host, replay gap of hours) evaluate the last 1000 grid instants
    // only: nothing but time passes in between, and the hysteresis times stay exact via `since`.
    const maxCatchUpMs = 1000 * this.evaluationIntervalMs;
    if (nowMs - this.nextEvaluationAt > maxCatchUpMs) {
      const skipped = Math.floor((nowMs - this.nextEvaluationAt - maxCatchUpMs) / this.evaluationIntervalMs);
      this.nextEvaluationAt += skipped * this.evaluationIntervalMs;
    }
    while (this.nextEvaluationAt <= nowMs) {
      const at = this.nextEvaluationAt;
      this.nowMs = at;
      for (const runtime of this.markets.values()) this.evaluateMarket(runtime, at);
      this.evaluateFeedErrors(at);
      this.nextEvaluationAt += this.evaluationIntervalMs;
    }
    this.nowMs = nowMs;
  }

  /** Count a parsed frame and ingest its ticks; the frame's time is `atMs` (its receivedAt). */
  ingestParseResult(feed: string, result: ParseResult, atMs: number): void {
    this.advanceTo(atMs);
    const counters = this.countersOf(feed);
    counters.frames++;
    if (result.keepAlive) counters.keepAlives++;
    if (result.ignored) counters.ignored++;
    for (const rejection of result.rejections) this.recordRejection(feed, rejection.reason, atMs, rejection.detail);
    for (const tick of result.ticks) this.ingest(tick);
  }

  /** Count a rejected frame (parser, oversize at the socket, venue error). */
  recordRejection(feed: string, reason: string, atMs: number, detail?: string): void {
    this.advanceTo(atMs);
    const counters = this.countersOf(feed);
    counters.rejected++;
    counters.rejectionsByReason[reason] = (counters.rejectionsByReason[reason] ?? 0) + 1;
    if (!(reason in counters.sampleByReason)) counters.sampleByReason[reason] = detail ?? "";
    const errors = this.feedErrors.get(feed);
    if (errors) {
      errors.rejectionTimes.push(atMs);
      this.evaluateFeedError(feed, atMs);
    }
  }

  ingest(tick: Tick): void {
    this.advanceTo(tick.receivedAtMs);
    const counters = this.countersOf(tick.feed);
    counters.ticks++;
    if (!tick.market) {
      counters.unmapped++;
      return;
    }
    const runtime = this.markets.get(tick.market);
    const source = runtime?.sources.get(tick.feed);
    if (!runtime || !source) {
      counters.unmapped++;
      return;
    }
    const at = this.nowMs;
    if (source.price !== tick.price || source.lastChangeAt === null) source.lastChangeAt = at;
    source.price = tick.price;
    source.conf = tick.conf;
    source.publishTimeMs = tick.publishTimeMs;
    source.lastTickAt = at;
    source.window.push(at, tick.price);
    if (runtime.sourceList.length > this.scratch.length) this.scratch = new Float64Array(runtime.sourceList.length * 2);
    this.evaluateMarket(runtime, at, source);
  }

  /** Events produced since the last drain (also delivered to onEvent as they happen). */
  drainEvents(): AlertEvent[] {
    return this.pending.splice(0, this.pending.length);
  }

  openAlerts(): OpenAlert[] {
    const open: OpenAlert[] = [];
    for (const alert of this.alerts.values()) {
      if (!alert.hysteresis.firing) continue;
      open.push({
        fingerprint: alert.fingerprint,
        check: alert.check,
        market: alert.market,
        feed: alert.feed,
        severity: alert.severity,
        value: alert.value,
        threshold: alert.threshold,
        firedAt: alert.hysteresis.firedAt ?? this.nowMs,
      });
    }
    return open;
  }

  snapshot(): Record<string, MarketSnapshot> {
    const out: Record<string, MarketSnapshot> = {};
    for (const runtime of this.markets.values()) {
      const sources: Record<string, SourceSnapshot> = {};
      let healthy = 0;
      for (const source of runtime.sources.values()) {
        if (source.healthy) healthy++;
        sources[source.feed] = {
          price: source.price,
          ageMs: source.lastTickAt === null ? null : this.nowMs - source.lastTickAt,
          deviation: source.deviation,
          conf: source.conf ?? null,
          confRatio: source.conf !== undefined && source.price ? source.conf / source.price : null,
          publishTimeMs: source.publishTimeMs ?? null,
          healthy: source.healthy,
        };
      }
      out[runtime.market] = { market: runtime.market, reference: runtime.reference, healthySources: healthy, annualisedVolatility: runtime.volatility.annualisedSigma(), sources };
    }
    return out;
  }

  /** Annualised EWMA σ of each market's reference price (for the risk engine's volatility margin). */
  volatilities(): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    for (const runtime of this.markets.values()) out[runtime.market] = runtime.volatility.annualisedSigma();
    return out;
  }

  feedCounters(): Record<string, FeedCounters> {
    const out: Record<string, FeedCounters> = {};
    for (const [feed, counters] of this.counters) out[feed] = { ...counters, rejectionsByReason: { ...counters.rejectionsByReason }, sampleByReason: { ...counters.sampleByReason } };
    return out;
  }

  private countersOf(feed: string): FeedCounters {
    let counters = this.counters.get(feed);
    if (!counters) {
      counters = emptyCounters();
      this.counters.set(feed, counters);
    }
    return counters;
  }

  /**
   * Evaluate a market at `now`. With `tickedSource` (a tick just arrived from it) only what that
   * tick can change is re-evaluated: all checks of the ticking source, plus deviation and frozen of
   * the others (the reference moved). Time-driven changes of the others (staleness, window expiry)
   * are caught by the grid evaluation, which passes no source and evaluates everything.
   */
  private evaluateMarket(runtime: MarketRuntime, now: number, tickedSource?: SourceState): void {
    const t = runtime.thresholds;
    const deviationLimit = t.deviationPct / 100;
    const confidenceLimit = t.confidencePct / 100;
    const jumpLimit = t.jumpPct / 100;
    const sources = runtime.sourceList;
    const scratch = this.scratch;

    // Freshness and health.
    let healthyCount = 0;
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i];
      const price = source.price;
      const fresh = source.lastTickAt !== null && now - source.lastTickAt <= source.heartbeatMs;
      source.healthy = fresh && price !== null && (source.conf === undefined || source.conf / price <= confidenceLimit);
      if (source.healthy) scratch[healthyCount++] = price as number;
    }
    const reference = medianInPlace(scratch, healthyCount);
    runtime.reference = reference;
    if (reference !== null && now >= runtime.nextVolatilitySampleAt) {
      runtime.volatility.observe(reference, now);
      runtime.nextVolatilitySampleAt = now + t.volatilitySampleMs;
    }

    for (let i = 0; i < sources.length; i++) {
      const source = sources[i];
      const full = tickedSource === undefined || tickedSource === source;
      const fresh = source.lastTickAt !== null && now - source.lastTickAt <= source.heartbeatMs;

      if (full) {
        // staleness
        const lastSeen = source.lastTickAt ?? this.startMs;
        const age = now - lastSeen;
        const stale = age > source.heartbeatMs;
        this.transition("staleness", runtime, source, stale, stale ? lastSeen + source.heartbeatMs : lastSeen, now, age, source.heartbeatMs);
      }

      // deviation vs the median of the OTHER healthy sources
      source.deviation = null;
      let deviating = false;
      let deviationValue = 0;
      if (fresh && source.price !== null) {
        let othersCount = 0;
        for (let j = 0; j < sources.length; j++) {
          const other = sources[j];
          if (other !== source && other.healthy) scratch[othersCount++] = other.price as number;
        }
        const othersMedian = medianInPlace(scratch, othersCount);
        if (othersMedian !== null) {
          deviationValue = relativeDeviation(source.price, othersMedian);
          source.deviation = deviationValue;
          const fromReference = reference === null ? deviationValue : relativeDeviation(source.price, reference);
          deviating = deviationValue > deviationLimit && fromReference > deviationLimit;
        }
      }
      this.transition("deviation", runtime, source, deviating, now, now, deviationValue, deviationLimit);

      if (full) {
        // jump within the window
        source.window.evict(now - t.jumpWindowMs, t.jumpWindowMs);
        const range = source.window.relativeRange();
        const jumping = range > jumpLimit;
        this.transition("jump", runtime, source, jumping, jumping ? (source.lastTickAt ?? now) : Math.max(source.window.lastEvictionAt, source.lastTickAt ?? now), now, range, jumpLimit);

        // confidence
        const confRatio = fresh && source.conf !== undefined && source.price ? source.conf / source.price : 0;
        this.transition("confidence", runtime, source, confRatio > confidenceLimit, source.lastTickAt ?? now, now, confRatio, confidenceLimit);
      }

      // frozen: ticking but unchanged while another source moved
      let frozen = false;
      let unchangedMs = 0;
      if (fresh && source.lastChangeAt !== null) {
        unchangedMs = now - source.lastChangeAt;
        if (unchangedMs >= t.frozenMs) {
          for (let j = 0; j < sources.length; j++) {
            const other = sources[j];
            if (other !== source && other.lastChangeAt !== null && now - other.lastChangeAt < t.frozenMs && other.lastChangeAt > source.lastChangeAt) {
              frozen = true;
              break;
            }
          }
        }
      }
      this.transition("frozen", runtime, source, frozen, frozen ? (source.lastChangeAt as number) + t.frozenMs : now, now, unchangedMs, t.frozenMs);
    }
  }

  private evaluateFeedErrors(now: number): void {
    for (const feed of this.feedErrors.keys()) this.evaluateFeedError(feed, now);
  }

  private evaluateFeedError(feed: string, now: number): void {
    const state = this.feedErrors.get(feed);
    const config = this.feeds.get(feed);
    if (!state || !config) return;
    const thresholds = this.options.markets[config.markets[0]] ?? defaultThresholds();
    const cutoff = now - thresholds.feedErrorWindowMs;
    let lastExpiry = Number.NEGATIVE_INFINITY;
    while (state.head < state.rejectionTimes.length && state.rejectionTimes[state.head] <= cutoff) {
      lastExpiry = state.rejectionTimes[state.head] + thresholds.feedErrorWindowMs;
      state.head++;
    }
    if (state.head > 256) {
      state.rejectionTimes = state.rejectionTimes.slice(state.head);
      state.head = 0;
    }
    const count = state.rejectionTimes.length - state.head;
    const active = count >= thresholds.feedErrorCount;
    const since = active ? state.rejectionTimes[state.head + thresholds.feedErrorCount - 1] : Number.isFinite(lastExpiry) ? lastExpiry : now;
    let alert = state.alert;
    if (alert === undefined) {
      if (!active) return;
      alert = state.alert = this.alertState("feed-error", null, feed, thresholds, count, thresholds.feedErrorCount);
    }
    this.applyTransition(alert, active, since, now, count, thresholds.feedErrorCount, "warning");
  }

  private transition(check: OracleCheck, runtime: MarketRuntime, source: SourceState, active: boolean, since: number, now: number, value: number, threshold: number): void {
    let alert = source.alerts[check];
    if (alert === undefined) {
      if (!active) return; // nothing to track until the condition first holds
      alert = this.alertState(check, runtime.market, source.feed, runtime.thresholds, value, threshold);
      source.alerts[check] = alert;
    }
    this.applyTransition(alert, active, since, now, value, threshold, check === "staleness" ? (runtime.reference === null ? "critical" : "warning") : undefined);
  }

  private alertState(check: OracleCheck, market: string | null, feed: string, thresholds: DetectorThresholds, value: number, threshold: number): AlertState {
    const fingerprint = oracleFingerprint(check, market, feed);
    let alert = this.alerts.get(fingerprint);
    if (!alert) {
      alert = { hysteresis: new Hysteresis(thresholds.forMs, thresholds.clearForMs), check, market, feed, fingerprint, severity: "warning", value, threshold };
      this.alerts.set(fingerprint, alert);
    }
    return alert;
  }

  private applyTransition(alert: AlertState, active: boolean, since: number, now: number, value: number, threshold: number, severityOverride?: Severity): void {
    const change = alert.hysteresis.update(active, since, now);
    if (!change) return;
    const check = alert.check;
    if (change.kind === "firing") {
      // Time-driven values (ms of age / unchanged) are reported as at the firing instant, not at the
      // evaluation that noticed it, so replay output does not depend on the evaluation grid.
      alert.value = check === "staleness" || check === "frozen" ? value - (now - change.at) : value;
      alert.threshold = threshold;
      const multiplier = CRITICAL_MULTIPLIER[check];
      alert.severity = severityOverride ?? (multiplier !== undefined && value >= multiplier * threshold ? "critical" : "warning");
    }
    const event: AlertEvent = {
      kind: change.kind,
      fingerprint: alert.fingerprint,
      check,
      market: alert.market,
      feed: alert.feed,
      severity: alert.severity,
      value: alert.value,
      threshold: alert.threshold,
      at: change.at,
      firedAt: change.firedAt,
    };
    this.pending.push(event);
    this.onEvent?.(event);
  }
}

/** Median of the first n values of `scratch` (reordered in place); null when n = 0. */
function medianInPlace(scratch: Float64Array, n: number): number | null {
  if (n === 0) return null;
  if (n === 1) return scratch[0];
  if (n === 2) return (scratch[0] + scratch[1]) / 2;
  if (n === 3) {
    const a = scratch[0];
    const b = scratch[1];
    const c = scratch[2];
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }
  // insertion sort: markets have a handful of sources
  for (let i = 1; i < n; i++) {
    const v = scratch[i];
    let j = i - 1;
    while (j >= 0 && scratch[j] > v) {
      scratch[j + 1] = scratch[j];
      j--;
    }
    scratch[j + 1] = v;
  }
  const mid = n >> 1;
  return n % 2 === 1 ? scratch[mid] : (scratch[mid - 1] + scratch[mid]) / 2;
}

function emptyCounters(): FeedCounters {
  return { frames: 0, ticks: 0, keepAlives: 0, ignored: 0, unmapped: 0, rejected: 0, rejectionsByReason: {}, sampleByReason: {} };
}

let defaults: DetectorThresholds | null = null;
function defaultThresholds(): DetectorThresholds {
  // Same values as the config schema's defaults (riskwarden-config.ts); kept here so the engine
  // does not need zod at run time for markets only named by feeds.
  defaults ??= {
    deviationPct: 1,
    forMs: 2000,
    clearForMs: 5000,
    jumpPct: 10,
    jumpWindowMs: 5000,
    confidencePct: 2,
    frozenMs: 60000,
    feedErrorCount: 3,
    feedErrorWindowMs: 10000,
    volatilityLambdaPerDay: 0.94,
    volatilitySampleMs: 60000,
  };
  return defaults;
}

/** Engine options from a parsed config (markets' thresholds + feeds' heartbeats and markets). */
export function engineOptionsFromConfig(
  config: { markets: Record<string, { detectors: DetectorThresholds }>; feeds: Array<{ id: string; heartbeatMs: number; symbols: Record<string, string>; enabled?: boolean }> },
  startMs: number,
): OracleEngineOptions {
  const markets: Record<string, DetectorThresholds> = {};
  for (const [market, m] of Object.entries(config.markets)) markets[market] = m.detectors;
  return {
    markets,
    feeds: config.feeds.filter((f) => f.enabled !== false).map((f) => ({ id: f.id, heartbeatMs: f.heartbeatMs, markets: Object.keys(f.symbols) })),
    startMs,
  };
}
