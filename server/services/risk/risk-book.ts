// The active positions snapshot held in memory as a lib/risk columnar book, with the margin state of
// the active parameter sets kept ready, so every question the UI and governance ask (margin summary,
// preview of a draft, stress, liquidation map, health histogram, nearest liquidations) is answered
// from typed arrays without touching the database (DESIGN.md, "The risk engine: where the physical
// limit is").
//
// Freshness: marks follow the live reference prices, σ follows the feeds' EWMA for
// `volatilityMargin.source = "ewma"`; both are applied at most once per `refreshIntervalMs`
// (rebuilding the book is one pass over the positions), parameter changes immediately. A preview of
// a draft reuses the current margin state: lib/risk `updateMarginState` recomputes only the markets
// whose maintenance curve the draft changes, so a one-parameter edit costs that market's accounts.
import {
  buildColumnarFromArrays,
  createMarginState,
  liquidationPriceOf,
  previewImpact,
  runCascade,
  shockRange,
  updateMarginState,
  releaseMarginState,
  type CascadeResult,
  type ColumnarBook,
  type MarginState,
  type MarketParams,
  type ParamsSet,
  type PreviewResult,
  type PriceShock,
} from "../../../lib/risk";
import { AppError } from "../../errors";
import type { LoadedSnapshot } from "../positions/snapshots";

export type MarkSource = "live" | "snapshot";

export type ParamsVersion = { version: number; parameterSetId: number };

export type RiskBookOptions = {
  refreshIntervalMs?: number;
  slowCacheMs?: number;
  now?: () => number;
};

/** Health bins: equity / maintenance of an account. Below 1 the account is liquidatable. */
export const healthBinEdges = [0, 0.5, 1, 1.25, 1.5, 2, 3, 5, 10];

export type HealthHistogram = {
  /** Bin i covers [edges[i-1], edges[i]); bin 0 is below edges[0] (negative equity), the last is ≥ the last edge. */
  edges: number[];
  bins: { label: string; accounts: number; notional: number }[];
  accounts: number;
  liquidatable: number;
};

export type LiquidationLevel = { priceLow: number; priceHigh: number; longNotional: number; shortNotional: number; longPositions: number; shortPositions: number };

export type LiquidationMap = {
  market: string;
  mark: number;
  bucketWidth: number;
  levels: LiquidationLevel[];
  /** Positions past their liquidation price at the current mark (liquidatable now). */
  liquidatableNow: { longNotional: number; shortNotional: number; positions: number };
  /** Positions with a liquidation price outside the mapped range, or none at all. */
  outsideRange: { longNotional: number; shortNotional: number; positions: number };
  noLiquidationPrice: number;
};

export type NearLiquidationPosition = {
  accountId: string;
  mode: "cross" | "isolated";
  size: number;
  entryPrice: number;
  notional: number;
  liquidationPrice: number;
  /** Relative price move to liquidation: (mark − liq)/mark for longs, (liq − mark)/mark for shorts. */
  distance: number;
  accountEquity: number;
  accountMaintenance: number;
  accountHealth: number | null;
};

export type StressPoint = {
  shock: number;
  liquidatedAccounts: number;
  liquidatedNotional: number;
  penalties: number;
  badDebt: number;
  insuranceFund: number;
  autoDeleverageNeeded: number;
  waves: number;
};

export type StressSummary = Omit<CascadeResult, "waves"> & {
  waveCount: number;
  waves: CascadeResult["waves"];
  insuranceFundBefore: number;
  computeMs: number;
};

export type MarketSummary = {
  positions: number;
  longNotional: number;
  shortNotional: number;
  maintenanceMargin: number;
  notionalAtRisk: number;
  liquidatablePositions: number;
};

export type MarginSummary = {
  snapshot: RiskBookStatus["snapshot"];
  marks: Record<string, { mark: number; source: MarkSource }>;
  totals: { accounts: number; liquidatable: number; shortfall: number; badDebt: number; notionalAtRisk: number; equity: number; maintenanceMargin: number };
  markets: Record<string, MarketSummary>;
  insuranceFund: number;
};

/** σ the predictive risk monitors use for a market, and where it came from. */
export type MonitorVolatility = { annual: number; source: "live" | "parameters" | "cascade" };

/**
 * What the risk monitors read in one pass (server/services/risk-monitors): the book at live marks
 * and its margin state under the active parameters. Valid until the next call that may rebuild the
 * book, so it is read synchronously.
 */
export type MonitorView = {
  book: ColumnarBook;
  state: MarginState;
  snapshotId: number;
  /** Changes with every snapshot or parameter change: stress results of another generation are stale. */
  generation: number;
  volatility: Record<string, MonitorVolatility | null>;
  marksSource: Record<string, MarkSource>;
};

/** Bad debt of the liquidation cascade after one market's price alone moves by ±moveFraction. */
export type StressedBadDebt = {
  market: string;
  moveFraction: number;
  /** The direction with more bad debt (ties: down). */
  direction: "down" | "up";
  badDebtUsd: number;
  downBadDebtUsd: number;
  upBadDebtUsd: number;
  insuranceFundUsd: number;
  generation: number;
  computeMs: number;
};

export type RiskPreview = PreviewResult & {
  snapshotId: number;
  marks: Record<string, number>;
  marksSource: Record<string, MarkSource>;
  against: Record<string, ParamsVersion>;
  computeMs: number;
};

export type RiskBookStatus = {
  snapshot: { id: number; label: string | null; source: string; createdAt: Date; accounts: number; positions: number; excludedPositions: number; excludedMarkets: string[] } | null;
  markets: string[];
  builtAtMs: number | null;
  buildMs: number | null;
  typedArrayBytes: number;
  volatilityFallbacks: string[];
};

const engineKeys = ["initialMarginFraction", "maintenanceMarginFraction", "maintenanceTiers", "liquidationPenalty", "volatilityMargin", "openInterestScaling", "cascade"] as const;

/** The engine's fields of a governed market entry (governance adds e.g. fundingClamp). */
export function engineMarketParams(params: Record<string, unknown>): MarketParams {
  const out: Record<string, unknown> = {};
  for (const key of engineKeys) if (params[key] !== undefined && params[key] !== null) out[key] = params[key];
  return out as unknown as MarketParams;
}

function noSnapshot(): AppError {
  return new AppError("PRECONDITION_FAILED", "No active positions snapshot: import one (risk.importSnapshot or `riskwarden import --activate`)");
}

export class RiskBook {
  private snapshot: LoadedSnapshot | null = null;
  private params: ParamsSet = { markets: {} };
  private versions: Record<string, ParamsVersion> = {};
  private liveMarks = new Map<string, number>();
  private liveVolatility: Record<string, number> = {};
  private marksDirty = false;
  private structureDirty = true;
  private paramsDirty = true;
  private lastBuildMs: number | null = null;
  private lastBuildDurationMs: number | null = null;
  private book: ColumnarBook | null = null;
  private current: MarginState | null = null;
  /**
   * The last draft's state, base of the next draft's: an editor changes one field at a time, so the
   * next update recomputes only the accounts that field touches, and the liquidation prices this
   * one computed carry over (a draft over the popular markets of a 1M-position book otherwise
   * recomputes most of them on every keystroke). Any state of the same book is a valid base.
   */
  private lastDraft: MarginState | null = null;
  private markSources: Record<string, MarkSource> = {};
  private excludedPositions = 0;
  private excludedMarkets: string[] = [];
  private volatilityFallbacks: string[] = [];
  /** Derived answers of the current generation (cleared on every rebuild). */
  private cache = new Map<string, unknown>();
  /**
   * Expensive answers (a stress curve is one cascade per shock) kept across mark refreshes for
   * `slowCacheMs`, dropped at once when the snapshot or the parameters change: with a large book
   * and moving marks, recomputing them on every page view would cost seconds each time.
   */
  private slowCache = new Map<string, { value: unknown; atMs: number }>();
  private readonly slowCacheMs: number;
  private readonly refreshIntervalMs: number;
  private generation = 0;
  private readonly now: () => number;

  constructor(options: RiskBookOptions = {}) {
    this.refreshIntervalMs = options.refreshIntervalMs ?? 2_000;
    this.slowCacheMs = options.slowCacheMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  setSnapshot(snapshot: LoadedSnapshot | null): void {
    this.snapshot = snapshot;
    this.structureDirty = true;
    this.generation++;
    this.slowCache.clear();
  }

  /** Active parameter sets (governed entries are reduced to the engine's fields). */
  setParams(markets: Record<string, Record<string, unknown>>, versions: Record<string, ParamsVersion>): void {
    const next: ParamsSet = { markets: {} };
    for (const [market, params] of Object.entries(markets)) next.markets[market] = engineMarketParams(params);
    const governedBefore = Object.keys(this.params.markets).sort().join(",");
    this.params = next;
    this.versions = versions;
    this.paramsDirty = true;
    this.generation++;
    this.slowCache.clear();
    if (Object.keys(next.markets).sort().join(",") !== governedBefore) this.structureDirty = true;
  }

  setMark(market: string, price: number): void {
    if (!(price > 0) || this.liveMarks.get(market) === price) return;
    this.liveMarks.set(market, price);
    this.marksDirty = true;
  }

  setLiveVolatility(volatilities: Record<string, number | null | undefined>): void {
    const next: Record<string, number> = {};
    for (const [market, sigma] of Object.entries(volatilities)) if (typeof sigma === "number" && sigma > 0) next[market] = sigma;
    if (JSON.stringify(next) === JSON.stringify(this.liveVolatility)) return;
    this.liveVolatility = next;
    // Only markets priced with the live σ are affected; the rebuild waits for the refresh interval like marks.
    if (Object.values(this.params.markets).some((params) => params.volatilityMargin?.source === "ewma")) this.marksDirty = true;
  }

  hasSnapshot(): boolean {
    return this.snapshot !== null;
  }

  /** Params with the live σ fallback applied: an "ewma" market without σ yet uses its fixed σ (or no floor). */
  private effectiveParams(params: ParamsSet, fallbacks?: string[]): ParamsSet {
    const out: ParamsSet = { markets: {} };
    for (const [market, entry] of Object.entries(params.markets)) {
      const volatility = entry.volatilityMargin;
      if (volatility?.source === "ewma" && !(this.liveVolatility[market] > 0)) {
        fallbacks?.push(market);
        const { volatilityMargin: _dropped, ...rest } = entry;
        out.markets[market] = volatility.annualVolatility ? { ...rest, volatilityMargin: { ...volatility, source: "fixed" } } : rest;
      } else out.markets[market] = entry;
    }
    return out;
  }

  private marginOptions() {
    return { liveAnnualVolatility: this.liveVolatility };
  }

  /** Rebuilds what is stale; marks/σ at most once per refresh interval. */
  private ensureFresh(): { book: ColumnarBook; current: MarginState; snapshot: LoadedSnapshot } {
    const snapshot = this.snapshot;
    if (!snapshot) throw noSnapshot();
    const now = this.now();
    const marksDue = this.marksDirty && (this.lastBuildMs === null || now - this.lastBuildMs >= this.refreshIntervalMs);
    if (!this.book || this.structureDirty || marksDue) {
      const started = performance.now();
      this.book = this.buildBook(snapshot);
      this.structureDirty = false;
      this.marksDirty = false;
      this.paramsDirty = true;
      this.lastBuildMs = now;
      this.lastBuildDurationMs = performance.now() - started;
    }
    if (this.paramsDirty || !this.current) {
      const fallbacks: string[] = [];
      this.current = createMarginState(this.book, this.effectiveParams(this.params, fallbacks), { ...this.marginOptions(), paramsSource: "active parameters" });
      this.volatilityFallbacks = fallbacks;
      this.paramsDirty = false;
      this.cache.clear();
    }
    return { book: this.book, current: this.current, snapshot };
  }

  /** Columnar book of the governed markets, at live marks where known (snapshot marks otherwise). */
  private buildBook(snapshot: LoadedSnapshot): ColumnarBook {
    const marketNames: string[] = [];
    const marketIndex = new Map<string, number>();
    const marks: number[] = [];
    this.markSources = {};
    const usedMarkets = new Set(snapshot.positionMarket);
    const candidates = new Set([...Object.keys(snapshot.marks), ...usedMarkets]);
    const excludedMarkets = new Set<string>();
    for (const market of candidates) {
      const live = this.liveMarks.get(market);
      const mark = live ?? snapshot.marks[market];
      if (!this.params.markets[market] || !(mark > 0)) {
        excludedMarkets.add(market);
        continue;
      }
      marketIndex.set(market, marketNames.length);
      marketNames.push(market);
      marks.push(mark);
      this.markSources[market] = live !== undefined ? "live" : "snapshot";
    }
    const accountCount = snapshot.accountIds.length;
    const positionTotal = snapshot.positionMarket.length;
    const accountPositionStart = new Int32Array(accountCount + 1);
    const positionMarket = new Int32Array(positionTotal);
    const positionSize = new Float64Array(positionTotal);
    const positionEntryPrice = new Float64Array(positionTotal);
    const positionMargin = new Float64Array(positionTotal);
    let kept = 0;
    for (let a = 0; a < accountCount; a++) {
      accountPositionStart[a] = kept;
      for (let p = snapshot.accountPositionStart[a]; p < snapshot.accountPositionStart[a + 1]; p++) {
        const m = marketIndex.get(snapshot.positionMarket[p]);
        if (m === undefined) continue;
        positionMarket[kept] = m;
        positionSize[kept] = snapshot.positionSize[p];
        positionEntryPrice[kept] = snapshot.positionEntryPrice[p];
        positionMargin[kept] = snapshot.positionMargin[p];
        kept++;
      }
    }
    accountPositionStart[accountCount] = kept;
    this.excludedPositions = positionTotal - kept;
    this.excludedMarkets = [...excludedMarkets].filter((market) => usedMarkets.has(market));
    return buildColumnarFromArrays({
      marketNames,
      marks,
      insuranceFund: snapshot.insuranceFund,
      accountIds: snapshot.accountIds,
      accountIsolated: snapshot.accountIsolated,
      accountCollateral: snapshot.accountCollateral,
      accountPositionStart,
      positionMarket: positionMarket.subarray(0, kept),
      positionSize: positionSize.subarray(0, kept),
      positionEntryPrice: positionEntryPrice.subarray(0, kept),
      positionMargin: positionMargin.subarray(0, kept),
    });
  }

  private slowCached<T>(key: string, compute: () => T): T {
    const hit = this.slowCache.get(key);
    const now = this.now();
    if (hit && now - hit.atMs < this.slowCacheMs) return hit.value as T;
    const value = compute();
    this.slowCache.set(key, { value, atMs: now });
    return value;
  }

  private cached<T>(key: string, compute: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const value = compute();
    this.cache.set(key, value);
    return value;
  }

  private marketIndexOrThrow(book: ColumnarBook, market: string): number {
    const m = book.marketIndex.get(market);
    if (m === undefined) throw new AppError("NOT_FOUND", `Market ${market} has no positions or no parameters in the active snapshot`);
    return m;
  }

  /** Builds the book now if a snapshot is loaded (so status shows it); errors surface on queries. */
  warm(): void {
    if (!this.snapshot) return;
    try {
      this.ensureFresh();
    } catch {
      // reported by the query that needs the book
    }
  }

  status(): RiskBookStatus {
    const snapshot = this.snapshot;
    let bytes = 0;
    if (this.book) for (const value of Object.values(this.book)) if (ArrayBuffer.isView(value)) bytes += value.byteLength;
    return {
      snapshot: snapshot
        ? {
            id: snapshot.snapshotId,
            label: snapshot.label,
            source: snapshot.source,
            createdAt: snapshot.createdAt,
            accounts: snapshot.accountIds.length,
            positions: snapshot.positionMarket.length,
            excludedPositions: this.excludedPositions,
            excludedMarkets: this.excludedMarkets,
          }
        : null,
      markets: this.book?.marketNames.slice() ?? [],
      builtAtMs: this.lastBuildMs,
      buildMs: this.lastBuildDurationMs,
      typedArrayBytes: bytes,
      volatilityFallbacks: this.volatilityFallbacks,
    };
  }

  marginSummary(): MarginSummary {
    const { book, current } = this.ensureFresh();
    return this.cached("margin", () => {
      const accountCount = book.accountIds.length;
      const totals = { accounts: accountCount, liquidatable: 0, shortfall: 0, badDebt: 0, notionalAtRisk: 0, equity: 0, maintenanceMargin: 0 };
      for (let a = 0; a < accountCount; a++) {
        totals.liquidatable += current.accountLiquidatable[a];
        totals.shortfall += current.accountShortfall[a];
        totals.badDebt += current.accountBadDebt[a];
        totals.notionalAtRisk += current.accountNotionalAtRisk[a];
        totals.equity += current.accountEquity[a];
        totals.maintenanceMargin += current.accountMaintenance[a];
      }
      const markets: Record<string, MarketSummary> = {};
      book.marketNames.forEach((name, m) => {
        const summary: MarketSummary = { positions: 0, longNotional: 0, shortNotional: 0, maintenanceMargin: 0, notionalAtRisk: 0, liquidatablePositions: 0 };
        for (let i = book.marketPositionStart[m]; i < book.marketPositionStart[m + 1]; i++) {
          const p = book.marketPositions[i];
          const notional = Math.abs(book.positionSize[p]) * book.marks[m];
          summary.positions++;
          if (book.positionSize[p] > 0) summary.longNotional += notional;
          else summary.shortNotional += notional;
          summary.maintenanceMargin += current.positionMaintenance[p];
          if (current.unitLiquidatable[book.positionUnit[p]]) {
            summary.notionalAtRisk += notional;
            summary.liquidatablePositions++;
          }
        }
        markets[name] = summary;
      });
      return { snapshot: this.status().snapshot, marks: this.marksRecord(book), totals, markets, insuranceFund: book.insuranceFund };
    });
  }

  private marksRecord(book: ColumnarBook): Record<string, { mark: number; source: MarkSource }> {
    const marks: Record<string, { mark: number; source: MarkSource }> = {};
    book.marketNames.forEach((name, m) => (marks[name] = { mark: book.marks[m], source: this.markSources[name] ?? "snapshot" }));
    return marks;
  }

  /** The active parameters with a market's entries replaced (validated by the caller). */
  activeParams(): ParamsSet {
    return { markets: { ...this.params.markets } };
  }

  activeVersions(): Record<string, ParamsVersion> {
    return { ...this.versions };
  }

  /**
   * Impact of a proposed parameter set (every governed market; missing ones keep their active
   * parameters) against the active one on the in-memory book.
   */
  preview(proposed: ParamsSet, options: { accountLimit?: number; topAffected?: number; shocks?: number[] } = {}): RiskPreview {
    const { book, current, snapshot } = this.ensureFresh();
    const started = performance.now();
    const merged: ParamsSet = { markets: { ...this.params.markets } };
    for (const [market, params] of Object.entries(proposed.markets)) merged.markets[market] = engineMarketParams(params as unknown as Record<string, unknown>);
    const base = this.lastDraft?.book === book ? this.lastDraft : current;
    const proposedState = updateMarginState(base, this.effectiveParams(merged), { ...this.marginOptions(), paramsSource: "proposed parameters" });
    const result = previewImpact(book, current, proposedState, {
      accountLimit: options.accountLimit ?? 50,
      topAffected: options.topAffected ?? 20,
      shocks: options.shocks ?? shockRange(-0.5, 0.5, 0.05),
    });
    // The result holds numbers only: the previous draft's arrays go back to the pool, this one's stay as the next base.
    if (this.lastDraft) releaseMarginState(this.lastDraft);
    this.lastDraft = proposedState;
    const marks: Record<string, number> = {};
    book.marketNames.forEach((name, m) => (marks[name] = book.marks[m]));
    const touched = Object.keys(proposed.markets);
    return {
      ...result,
      snapshotId: snapshot.snapshotId,
      marks,
      marksSource: { ...this.markSources },
      against: Object.fromEntries(touched.filter((market) => this.versions[market]).map((market) => [market, this.versions[market]])),
      computeMs: performance.now() - started,
    };
  }

  /**
   * The book, its margin state and σ per market for the risk monitors. σ: the live EWMA estimate
   * of the feeds (lib/oracle volatility.ts) where there is one, else the parameter set's fixed
   * `volatilityMargin.annualVolatility`, else the cascade model's `dailyVolatility`·√365; null when
   * the market has none of them (its predictive monitors are then not evaluated).
   */
  monitorView(): MonitorView {
    const { book, current, snapshot } = this.ensureFresh();
    const volatility: Record<string, MonitorVolatility | null> = {};
    for (const market of book.marketNames) {
      const params = this.params.markets[market];
      const live = this.liveVolatility[market];
      if (live > 0) volatility[market] = { annual: live, source: "live" };
      else if ((params?.volatilityMargin?.annualVolatility ?? 0) > 0) volatility[market] = { annual: params.volatilityMargin!.annualVolatility!, source: "parameters" };
      else if ((params?.cascade?.dailyVolatility ?? 0) > 0) volatility[market] = { annual: params.cascade!.dailyVolatility * Math.sqrt(365), source: "cascade" };
      else volatility[market] = null;
    }
    return { book, state: current, snapshotId: snapshot.snapshotId, generation: this.generation, volatility, marksSource: { ...this.markSources } };
  }

  /**
   * Stressed bad debt for the insurance-coverage monitor: lib/risk `runCascade` (the contract's
   * liquidation cascade with square-root impact) after `market`'s price alone moves by `shock`
   * (other marks fixed), under the active parameters. One full-book cascade: the monitors run one
   * per call in the background, both directions per market (RiskService.stressedBadDebt).
   */
  stressedBadDebtOneWay(market: string, shock: number): { badDebtUsd: number; insuranceFundUsd: number; generation: number; computeMs: number } {
    const { book } = this.ensureFresh();
    this.marketIndexOrThrow(book, market);
    const started = performance.now();
    // A fall of 100 % or more is not a price; cap the adverse fall just short of it.
    const result = runCascade(book, this.effectiveParams(this.params), { [market]: Math.max(shock, -0.99) }, { ...this.marginOptions(), accountListLimit: 0 });
    return { badDebtUsd: result.badDebt, insuranceFundUsd: book.insuranceFund, generation: this.generation, computeMs: performance.now() - started };
  }

  /** Liquidation cascade after a price shock (one fraction for every market, or per market). */
  stress(shock: PriceShock, options: { accountListLimit?: number } = {}): StressSummary {
    const { book } = this.ensureFresh();
    const started = performance.now();
    const result = runCascade(book, this.effectiveParams(this.params), shock, { ...this.marginOptions(), accountListLimit: options.accountListLimit ?? 20, paramsSource: "active parameters" });
    return { ...result, waveCount: result.waves.length, waves: result.waves.slice(0, 20), insuranceFundBefore: book.insuranceFund, computeMs: performance.now() - started };
  }

  /**
   * Shock → cascade totals, for one market's price alone (market given) or every market together.
   * Kept up to `slowCacheMs` across mark refreshes (see slowCache).
   */
  stressCurve(market: string | null, shocks: number[] = shockRange(-0.3, 0.3, 0.025)): StressPoint[] {
    const { book } = this.ensureFresh();
    if (market !== null) this.marketIndexOrThrow(book, market);
    return this.slowCached(`stress:${market}:${shocks.join(",")}`, () => {
      const params = this.effectiveParams(this.params);
      return shocks.map((shock) => {
        const result = runCascade(book, params, market === null ? shock : { [market]: shock }, { ...this.marginOptions(), accountListLimit: 0 });
        return {
          shock,
          liquidatedAccounts: result.liquidatedAccounts,
          liquidatedNotional: result.liquidatedNotional,
          penalties: result.penalties,
          badDebt: result.badDebt,
          insuranceFund: result.insuranceFund,
          autoDeleverageNeeded: result.autoDeleverageNeeded,
          waves: result.waves.length,
        };
      });
    });
  }

  /** Liquidation notional by liquidation-price level within ±rangeFraction of the mark. */
  liquidationMap(market: string, options: { buckets?: number; rangeFraction?: number } = {}): LiquidationMap {
    const { book, current } = this.ensureFresh();
    const m = this.marketIndexOrThrow(book, market);
    const buckets = options.buckets ?? 40;
    const range = options.rangeFraction ?? 0.4;
    return this.cached(`map:${market}:${buckets}:${range}`, () => {
      const mark = book.marks[m];
      const low = mark * (1 - range);
      const width = (2 * range * mark) / buckets;
      const levels: LiquidationLevel[] = Array.from({ length: buckets }, (_, i) => ({
        priceLow: low + i * width,
        priceHigh: low + (i + 1) * width,
        longNotional: 0,
        shortNotional: 0,
        longPositions: 0,
        shortPositions: 0,
      }));
      const map: LiquidationMap = {
        market,
        mark,
        bucketWidth: width,
        levels,
        liquidatableNow: { longNotional: 0, shortNotional: 0, positions: 0 },
        outsideRange: { longNotional: 0, shortNotional: 0, positions: 0 },
        noLiquidationPrice: 0,
      };
      for (let i = book.marketPositionStart[m]; i < book.marketPositionStart[m + 1]; i++) {
        const p = book.marketPositions[i];
        const size = book.positionSize[p];
        const notional = Math.abs(size) * mark;
        const long = size > 0;
        if (current.unitLiquidatable[book.positionUnit[p]]) {
          map.liquidatableNow.positions++;
          if (long) map.liquidatableNow.longNotional += notional;
          else map.liquidatableNow.shortNotional += notional;
          continue;
        }
        const price = liquidationPriceOf(current, p);
        if (price === null) {
          map.noLiquidationPrice++;
          continue;
        }
        const bucket = Math.floor((price - low) / width);
        if (bucket < 0 || bucket >= buckets) {
          map.outsideRange.positions++;
          if (long) map.outsideRange.longNotional += notional;
          else map.outsideRange.shortNotional += notional;
          continue;
        }
        if (long) {
          levels[bucket].longNotional += notional;
          levels[bucket].longPositions++;
        } else {
          levels[bucket].shortNotional += notional;
          levels[bucket].shortPositions++;
        }
      }
      return map;
    });
  }

  /** Accounts by health (equity / maintenance), all of them or those holding `market`. */
  healthHistogram(market: string | null = null): HealthHistogram {
    const { book, current } = this.ensureFresh();
    const m = market === null ? -1 : this.marketIndexOrThrow(book, market);
    return this.cached(`health:${market}`, () => {
      const edges = healthBinEdges;
      const labels = [`< ${edges[0]}`, ...edges.slice(1).map((edge, i) => `${edges[i]}–${edge}`), `≥ ${edges[edges.length - 1]}`];
      const bins = labels.map((label) => ({ label, accounts: 0, notional: 0 }));
      let accounts = 0;
      let liquidatable = 0;
      const consider = (a: number) => {
        const maintenance = current.accountMaintenance[a];
        if (!(maintenance > 0)) return;
        const health = current.accountEquity[a] / maintenance;
        let bin = 0;
        while (bin < edges.length && health >= edges[bin]) bin++;
        bins[bin].accounts++;
        let notional = 0;
        for (let u = book.accountUnitStart[a]; u < book.accountUnitStart[a + 1]; u++) notional += book.unitNotional[u];
        bins[bin].notional += notional;
        accounts++;
        liquidatable += current.accountLiquidatable[a];
      };
      if (m < 0) for (let a = 0; a < book.accountIds.length; a++) consider(a);
      else {
        const seen = new Uint8Array(book.accountIds.length);
        for (let i = book.marketPositionStart[m]; i < book.marketPositionStart[m + 1]; i++) {
          const a = book.unitAccount[book.positionUnit[book.marketPositions[i]]];
          if (seen[a]) continue;
          seen[a] = 1;
          consider(a);
        }
      }
      return { edges: edges.slice(), bins, accounts, liquidatable };
    });
  }

  /**
   * The `count` positions of `market` closest to their liquidation price (relative distance), among
   * those not liquidatable already (those are counted in the margin summary; for them the solved
   * price lies on the far side of the mark and says nothing about distance).
   */
  nearestLiquidation(market: string, count = 20): NearLiquidationPosition[] {
    const { book, current } = this.ensureFresh();
    const m = this.marketIndexOrThrow(book, market);
    return this.cached(`nearest:${market}:${count}`, () => {
      const mark = book.marks[m];
      // Bounded insertion into a sorted list: most positions fail the threshold test at once.
      const best: { p: number; distance: number; price: number }[] = [];
      for (let i = book.marketPositionStart[m]; i < book.marketPositionStart[m + 1]; i++) {
        const p = book.marketPositions[i];
        if (current.unitLiquidatable[book.positionUnit[p]]) continue;
        const price = liquidationPriceOf(current, p);
        if (price === null) continue;
        const distance = book.positionSize[p] > 0 ? (mark - price) / mark : (price - mark) / mark;
        if (best.length === count && distance >= best[best.length - 1].distance) continue;
        let at = best.length;
        while (at > 0 && best[at - 1].distance > distance) at--;
        best.splice(at, 0, { p, distance, price });
        if (best.length > count) best.pop();
      }
      return best.map(({ p, distance, price }) => {
        const a = book.unitAccount[book.positionUnit[p]];
        const maintenance = current.accountMaintenance[a];
        return {
          accountId: book.accountIds[a],
          mode: book.accountIsolated[a] ? ("isolated" as const) : ("cross" as const),
          size: book.positionSize[p],
          entryPrice: book.positionEntryPrice[p],
          notional: Math.abs(book.positionSize[p]) * mark,
          liquidationPrice: price,
          distance,
          accountEquity: current.accountEquity[a],
          accountMaintenance: maintenance,
          accountHealth: maintenance > 0 ? current.accountEquity[a] / maintenance : null,
        };
      });
    });
  }
}
