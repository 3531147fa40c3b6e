// The risk subsystem: loads the active positions snapshot and the active parameter sets into a
// RiskBook at start, keeps it current (bus `snapshot.activated`, `params.activated`, live marks from
// `prices.updated`, live EWMA σ from the feeds subsystem), and answers risk questions for the API
// and for other services through `getRiskService(runtime)`.
import type { Runtime, Subsystem } from "../../runtime-types";
import { riskThreadStats, type ParamsSet, type PriceShock } from "../../../lib/risk";
import { AppError } from "../../errors";
import { loadSnapshot } from "../positions/snapshots";
import { loadActiveParameterSet } from "../governance/parameter-sets";
import { RiskBook, type MonitorView, type RiskPreview, type StressedBadDebt, type StressPoint } from "./risk-book";
import { applyDraftChanges, type DraftChanges } from "./draft-changes";

/** How often live marks and σ are folded into the book at most (a rebuild is one pass over positions). */
const REFRESH_INTERVAL_MS = 2_000;
/**
 * How often the active snapshot and parameter-set ids are compared with what is loaded: catches
 * changes the in-process bus cannot announce (`riskwarden import --activate` against PostgreSQL
 * while the app runs, another instance executing a proposal).
 */
const POLL_INTERVAL_MS = 30_000;

type PreviewOptions = { accountLimit?: number; topAffected?: number; shocks?: number[] };

export class RiskService {
  readonly book: RiskBook;
  private loading: Promise<void> = Promise.resolve();
  private lastVolatilityReadMs = 0;
  private lastError: string | null = null;
  private loadedParamsKey: string | null = null;
  /** Active governed entries as stored (with governance-only fields such as fundingClamp): drafts are validated against them. */
  private governed: Record<string, Record<string, unknown>> = {};

  constructor(
    private readonly runtime: Pick<Runtime, "database" | "subsystems" | "prices">,
    options: { refreshIntervalMs?: number } = {},
  ) {
    this.book = new RiskBook({ refreshIntervalMs: options.refreshIntervalMs ?? REFRESH_INTERVAL_MS });
  }

  /** Resolves when every reload requested so far has finished. */
  ready(): Promise<void> {
    return this.loading;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.loading = this.loading.then(work).catch((error: unknown) => {
      this.lastError = error instanceof Error ? error.message : String(error);
      console.error(`[risk] reload failed: ${this.lastError}`);
    });
    return this.loading;
  }

  reloadSnapshot(): Promise<void> {
    return this.enqueue(async () => {
      const started = performance.now();
      const snapshot = await loadSnapshot(this.runtime.database);
      this.book.setSnapshot(snapshot);
      this.lastError = null;
      if (snapshot) console.log(`[risk] snapshot ${snapshot.snapshotId}: ${snapshot.accountIds.length} accounts, ${snapshot.positionMarket.length} positions loaded in ${Math.round(performance.now() - started)} ms`);
    });
  }

  reloadParams(): Promise<void> {
    return this.enqueue(async () => {
      const { set, versions } = await loadActiveParameterSet(this.runtime.database.prisma);
      this.governed = set.markets as unknown as Record<string, Record<string, unknown>>;
      this.loadedParamsKey = Object.values(versions).map((v) => v.parameterSetId).sort((a, b) => a - b).join(",");
      this.book.setParams(set.markets as unknown as Record<string, Record<string, unknown>>, Object.fromEntries(Object.entries(versions).map(([market, v]) => [market, { version: v.version, parameterSetId: v.parameterSetId }])));
    });
  }

  /** Reloads what changed in the database behind the bus's back (see POLL_INTERVAL_MS). */
  async pollForChanges(): Promise<void> {
    const { rows } = await this.runtime.database.pool.query<{ snapshot: number | null; params: string | null }>(
      `SELECT (SELECT id FROM "PositionSnapshot" WHERE active LIMIT 1) AS snapshot,
              (SELECT string_agg(id::text, ',' ORDER BY id) FROM "ParameterSet" WHERE active) AS params`,
    );
    const { snapshot, params } = rows[0];
    if (snapshot !== (this.book.status().snapshot?.id ?? null)) await this.reloadSnapshot();
    if (params !== null && params !== this.loadedParamsKey) await this.reloadParams();
  }

  updateMark(market: string, price: number | null): void {
    if (price !== null) this.book.setMark(market, price);
  }

  /** Live EWMA σ from the feeds subsystem (started after this one, so looked up when needed). */
  private refreshVolatility(): void {
    const now = Date.now();
    if (now - this.lastVolatilityReadMs < REFRESH_INTERVAL_MS) return;
    this.lastVolatilityReadMs = now;
    const feeds = this.runtime.subsystems.get("feeds") as (Subsystem & { status?: () => { volatilities?: Record<string, number | null> } }) | undefined;
    const volatilities = feeds?.status?.().volatilities;
    if (volatilities) this.book.setLiveVolatility(volatilities);
  }

  private async fresh(): Promise<RiskBook> {
    await this.loading;
    this.refreshVolatility();
    return this.book;
  }

  async status() {
    await this.loading;
    this.book.warm();
    return { ...this.book.status(), lastError: this.lastError };
  }

  async marginSummary() {
    return (await this.fresh()).marginSummary();
  }

  /** Preview of a draft `{market: partialParams}` (merged over the active set and validated). */
  async preview(changes: DraftChanges, options: PreviewOptions = {}): Promise<RiskPreview> {
    const book = await this.fresh();
    const proposed = applyDraftChanges(this.governed, changes);
    return book.preview({ markets: proposed } as unknown as ParamsSet, options);
  }

  /**
   * Preview of full proposed parameters (e.g. lib/governance `applyChanges(active, changes)`);
   * markets not in `proposed` keep their active parameters. Not re-validated here.
   */
  async previewParams(proposed: { markets: Record<string, unknown> }, options: PreviewOptions = {}): Promise<RiskPreview> {
    return (await this.fresh()).preview(proposed as ParamsSet, options);
  }

  async stress(shock: PriceShock) {
    return (await this.fresh()).stress(shock);
  }

  async stressCurve(market: string | null, shocks?: number[]): Promise<StressPoint[]> {
    return (await this.fresh()).stressCurve(market, shocks);
  }

  async liquidationMap(market: string, options: { buckets?: number; rangeFraction?: number } = {}) {
    return (await this.fresh()).liquidationMap(market, options);
  }

  async healthHistogram(market: string | null = null) {
    return (await this.fresh()).healthHistogram(market);
  }

  /** One risk-monitor pass's inputs (server/services/risk-monitors); read it before the next await. */
  async monitorView(): Promise<MonitorView> {
    return (await this.fresh()).monitorView();
  }

  /**
   * Bad debt of the liquidation cascade after `market`'s price alone falls, then rises, by
   * `moveFraction`; the worse direction counts. The event loop is yielded between the two cascades
   * (each is one synchronous pass over the whole book). A snapshot or parameter change between
   * them marks the result stale (generation −1: never current).
   */
  async stressedBadDebt(market: string, moveFraction: number): Promise<StressedBadDebt> {
    const down = (await this.fresh()).stressedBadDebtOneWay(market, -moveFraction);
    await new Promise((resolve) => setImmediate(resolve));
    const up = (await this.fresh()).stressedBadDebtOneWay(market, moveFraction);
    return {
      market,
      moveFraction,
      direction: down.badDebtUsd >= up.badDebtUsd ? "down" : "up",
      badDebtUsd: Math.max(down.badDebtUsd, up.badDebtUsd),
      downBadDebtUsd: down.badDebtUsd,
      upBadDebtUsd: up.badDebtUsd,
      insuranceFundUsd: up.insuranceFundUsd,
      generation: down.generation === up.generation ? up.generation : -1,
      computeMs: down.computeMs + up.computeMs,
    };
  }

  async nearestLiquidation(market: string, count = 20) {
    return (await this.fresh()).nearestLiquidation(market, count);
  }
}

export type RiskSubsystem = Subsystem & { service: RiskService };

export async function startRisk(runtime: Runtime, options: { refreshIntervalMs?: number } = {}): Promise<RiskSubsystem> {
  const service = new RiskService(runtime, options);
  for (const prices of runtime.prices.all()) service.updateMark(prices.market, prices.reference);
  const unsubscribe = [
    runtime.bus.subscribe("prices.updated", (prices) => service.updateMark(prices.market, prices.reference)),
    runtime.bus.subscribe("snapshot.activated", () => void service.reloadSnapshot()),
    runtime.bus.subscribe("params.activated", () => void service.reloadParams()),
  ];
  // Loads in the background: a large snapshot must not hold up the other subsystems; queries wait for it.
  void service.reloadParams();
  void service.reloadSnapshot();
  const poll = setInterval(() => {
    service.pollForChanges().catch((error: unknown) => console.error(`[risk] polling for snapshot/parameter changes failed: ${error instanceof Error ? error.message : error}`));
  }, POLL_INTERVAL_MS);
  poll.unref();
  return {
    name: "risk",
    service,
    health: () => {
      service.book.warm();
      // Margin passes on two threads (large books) and on one, and whether the worker is up (lib/risk/parallel.ts).
      return { ...service.book.status(), engineThreads: riskThreadStats() };
    },
    async stop() {
      clearInterval(poll);
      for (const off of unsubscribe) off();
      await service.ready();
    },
  };
}

/**
 * The risk service of this process (other services call it, e.g. governance on proposal
 * transitions: `await getRiskService(runtime).previewParams(applyChanges(active, changes))`).
 */
export function getRiskService(runtime: Pick<Runtime, "subsystems">): RiskService {
  const subsystem = runtime.subsystems.get("risk") as RiskSubsystem | undefined;
  if (!subsystem?.service) throw new AppError("PRECONDITION_FAILED", "The risk engine is not running");
  return subsystem.service;
}
