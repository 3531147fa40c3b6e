// Starts one FeedConnection per configured feed, routes every parsed frame into the detector
// engine (lib/oracle OracleEngine) and exposes a status snapshot plus an event callback. No
// database here: the server layer subscribes to events and persists/broadcasts them.
//
//   const manager = new FeedManager({ config: resolveSecrets(parseConfig(text, name), process.env, name), onEvent });
//   manager.start(); … manager.status(); … await manager.stop();
import type { RiskwardenConfig } from "../../lib/config/riskwarden-config";
import { OracleEngine, engineOptionsFromConfig, type FeedCounters, type MarketSnapshot, type OpenAlert } from "../../lib/oracle/detectors";
import type { AlertEvent, ParseResult, Tick } from "../../lib/oracle/types";
import { FeedConnection, type BackoffOptions, type ConnectionState, type FeedConnectionStatus } from "./connection";

export type FeedManagerEvent =
  | { type: "tick"; tick: Tick }
  | { type: "alert"; event: AlertEvent }
  | { type: "feed-state"; feed: string; state: ConnectionState; previous: ConnectionState; detail: string; atMs: number };

export interface FeedManagerOptions {
  /** Parsed config with secrets resolved. Disabled feeds are skipped. */
  config: Pick<RiskwardenConfig, "markets" | "feeds">;
  onEvent?: (event: FeedManagerEvent) => void;
  /** Emit a "tick" event per tick (off by default: the hot path stays allocation-light). */
  emitTicks?: boolean;
  log?: (line: string) => void;
  now?: () => number;
  /** Detector evaluation period for time-driven checks (staleness, frozen). */
  evaluationIntervalMs?: number;
  backoff?: BackoffOptions;
  watchdogIntervalMs?: number;
  staleReconnectMs?: number;
}

export interface FeedManagerStatus {
  atMs: number;
  feeds: Array<FeedConnectionStatus & { heartbeatMs: number; markets: string[]; counters: FeedCounters | null }>;
  markets: Record<string, MarketSnapshot>;
  openAlerts: OpenAlert[];
  /** Annualised EWMA σ of each market's reference price (risk engine volatility margin input). */
  volatilities: Record<string, number | null>;
}

export class FeedManager {
  readonly engine: OracleEngine;
  private readonly connections = new Map<string, FeedConnection>();
  private readonly now: () => number;
  private evaluationTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: FeedManagerOptions) {
    this.now = options.now ?? Date.now;
    const feeds = options.config.feeds.filter((feed) => feed.enabled !== false);
    this.engine = new OracleEngine({
      ...engineOptionsFromConfig({ markets: options.config.markets, feeds }, this.now()),
      evaluationIntervalMs: options.evaluationIntervalMs ?? 250,
      onEvent: (event) => options.onEvent?.({ type: "alert", event }),
    });
    for (const feed of feeds) {
      this.connections.set(
        feed.id,
        new FeedConnection({
          feed,
          onFrame: (feedId, result, receivedAtMs) => this.route(feedId, result, receivedAtMs),
          onStateChange: (feedId, state, previous, detail) => {
            options.log?.(`feed ${feedId}: ${previous} → ${state} (${detail})`);
            options.onEvent?.({ type: "feed-state", feed: feedId, state, previous, detail, atMs: this.now() });
          },
          log: options.log,
          now: this.now,
          backoff: options.backoff,
          watchdogIntervalMs: options.watchdogIntervalMs,
          staleReconnectMs: options.staleReconnectMs,
        }),
      );
    }
  }

  private route(feed: string, result: ParseResult, receivedAtMs: number): void {
    this.engine.ingestParseResult(feed, result, receivedAtMs);
    if (this.options.emitTicks && this.options.onEvent) for (const tick of result.ticks) this.options.onEvent({ type: "tick", tick });
  }

  start(): void {
    for (const connection of this.connections.values()) connection.start();
    const interval = this.options.evaluationIntervalMs ?? 250;
    this.evaluationTimer = setInterval(() => this.engine.advanceTo(this.now()), interval);
    this.evaluationTimer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.evaluationTimer) clearInterval(this.evaluationTimer);
    this.evaluationTimer = null;
    await Promise.all([...this.connections.values()].map((c) => c.stop()));
  }

  connection(feedId: string): FeedConnection | undefined {
    return this.connections.get(feedId);
  }

  status(): FeedManagerStatus {
    this.engine.advanceTo(this.now());
    const counters = this.engine.feedCounters();
    return {
      atMs: this.now(),
      feeds: [...this.connections.values()].map((c) => ({ ...c.status(), heartbeatMs: c.feed.heartbeatMs, markets: Object.keys(c.feed.symbols), counters: counters[c.feed.id] ?? null })),
      markets: this.engine.snapshot(),
      openAlerts: this.engine.openAlerts(),
      volatilities: this.engine.volatilities(),
    };
  }
}
