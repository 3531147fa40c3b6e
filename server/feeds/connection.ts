// One WebSocket connection to one configured feed: connect, subscribe, keep-alive, watchdog,
// reconnect with exponential backoff + full jitter, proactive rotation, per-reason counters.
//
// States: connecting → live ⇄ stale → (backoff → connecting)… ; stopped after stop().
//  - live: connected and a tick arrived within the feed's heartbeatMs (or the socket just opened).
//  - stale: connected, but no TICK for longer than heartbeatMs — keep-alive frames, pings and
//    subscription acks do not count (a venue can keep heartbeating while its prices stop).
//    After staleReconnectMs of staleness the connection is recycled.
//  - backoff: waiting before the next attempt. Delay = random(0, min(capMs, baseMs · 2^attempt)),
//    "full jitter" (AWS Architecture Blog, Exponential Backoff And Jitter, 2015), so a fleet of
//    clients does not reconnect in lockstep after a venue outage. The attempt counter resets once
//    a connection delivers a tick.
// Rotation: venues end connections after 24 h (Binance, Pyth Hermes); we reconnect on our own
// before that (feed.rotateAfterMs, default 23 h) and immediately on Binance `serverShutdown`.
// Malformed/oversized frames are counted per reason, the first of each reason is logged once, and
// nothing thrown by a frame can escape the message handler.
import WebSocket, { type RawData } from "ws";
import type { FeedConfig } from "../../lib/config/riskwarden-config";
import { createFeedParser } from "../../lib/oracle/parsers/index";
import { REJECTION_REASONS, type FeedParser, type ParseResult } from "../../lib/oracle/types";
import { venueProtocol, type VenueProtocol } from "./venue-protocols";

export type ConnectionState = "connecting" | "live" | "stale" | "backoff" | "stopped";

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export interface FeedConnectionOptions {
  /** Feed config with secrets already resolved (resolveSecrets). */
  feed: FeedConfig;
  parser?: FeedParser;
  /** Every frame's parse result (ticks, rejections, keep-alives), with its receive time. */
  onFrame: (feed: string, result: ParseResult, receivedAtMs: number) => void;
  onStateChange?: (feed: string, state: ConnectionState, previous: ConnectionState, detail: string) => void;
  log?: (line: string) => void;
  now?: () => number;
  random?: () => number;
  backoff?: BackoffOptions;
  /** How often the watchdog looks at data age and silence. */
  watchdogIntervalMs?: number;
  /** Recycle the connection after being stale this long (default max(5 × heartbeatMs, 30 s)). */
  staleReconnectMs?: number;
  /** Override the venue's silence limit (tests). */
  silenceLimitMs?: number;
  handshakeTimeoutMs?: number;
  /** Override the protocol (tests, simulator). */
  protocol?: (feed: FeedConfig, nowMs: number) => VenueProtocol;
}

export interface FeedConnectionStatus {
  feed: string;
  kind: FeedConfig["kind"];
  state: ConnectionState;
  connects: number;
  reconnects: number;
  messages: number;
  ticks: number;
  keepAlives: number;
  ignored: number;
  rejections: number;
  rejectionsByReason: Record<string, number>;
  lastMessageAtMs: number | null;
  lastTickAtMs: number | null;
  connectedAtMs: number | null;
  lastError: string | null;
  nextAttemptAtMs: number | null;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** Full-jitter backoff delay for the given attempt (0-based). */
export function backoffDelayMs(attempt: number, backoff: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

export class FeedConnection {
  readonly feed: FeedConfig;
  private readonly parser: FeedParser;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private socket: WebSocket | null = null;
  private currentState: ConnectionState = "stopped";
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private rotationTimer: NodeJS.Timeout | null = null;
  private silenceLimitMs = 60_000;
  private staleSinceMs: number | null = null;
  private readonly loggedReasons = new Set<string>();
  private stopped = true;
  private readonly counters = { connects: 0, reconnects: 0, messages: 0, ticks: 0, keepAlives: 0, ignored: 0, rejections: 0 };
  private readonly rejectionsByReason: Record<string, number> = {};
  private lastMessageAtMs: number | null = null;
  private lastTickAtMs: number | null = null;
  private connectedAtMs: number | null = null;
  private lastError: string | null = null;
  private nextAttemptAtMs: number | null = null;

  constructor(private readonly options: FeedConnectionOptions) {
    this.feed = options.feed;
    this.parser = options.parser ?? createFeedParser(options.feed);
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
    const interval = this.options.watchdogIntervalMs ?? Math.max(50, Math.min(1000, Math.floor(this.feed.heartbeatMs / 4)));
    this.watchdog = setInterval(() => this.checkWatchdog(), interval);
    this.watchdog.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.clearConnectionTimers();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    this.setState("stopped", "stopped by caller");
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const done = setTimeout(() => {
          socket.terminate();
          resolve();
        }, 1000);
        socket.once("close", () => {
          clearTimeout(done);
          resolve();
        });
        try {
          socket.close(1000, "client stopping");
        } catch {
          socket.terminate();
        }
      });
    }
  }

  status(): FeedConnectionStatus {
    return {
      feed: this.feed.id,
      kind: this.feed.kind,
      state: this.currentState,
      ...this.counters,
      rejectionsByReason: { ...this.rejectionsByReason },
      lastMessageAtMs: this.lastMessageAtMs,
      lastTickAtMs: this.lastTickAtMs,
      connectedAtMs: this.connectedAtMs,
      lastError: this.lastError,
      nextAttemptAtMs: this.nextAttemptAtMs,
    };
  }

  private setState(next: ConnectionState, detail: string): void {
    const previous = this.currentState;
    if (previous === next) return;
    this.currentState = next;
    this.options.onStateChange?.(this.feed.id, next, previous, detail);
  }

  private connect(): void {
    if (this.stopped) return;
    this.nextAttemptAtMs = null;
    this.setState("connecting", this.counters.connects === 0 ? "first connect" : `attempt ${this.attempt}`);
    let protocol: VenueProtocol;
    try {
      protocol = (this.options.protocol ?? venueProtocol)(this.feed, this.now());
    } catch (error) {
      this.lastError = `protocol: ${error instanceof Error ? error.message : String(error)}`;
      this.scheduleReconnect(this.lastError);
      return;
    }
    this.silenceLimitMs = this.options.silenceLimitMs ?? protocol.silenceLimitMs;
    let socket: WebSocket;
    try {
      socket = new WebSocket(protocol.url, {
        headers: protocol.headers,
        handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
        // Frames above our own limit are counted and dropped by us (not a 1009 close by `ws`),
        // up to a hard ceiling that protects memory.
        maxPayload: Math.max(this.feed.maxFrameBytes * 16, 1 << 20),
        perMessageDeflate: false,
      });
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.scheduleReconnect(this.lastError);
      return;
    }
    this.socket = socket;

    socket.on("open", () => {
      if (this.socket !== socket) return;
      this.counters.connects++;
      this.lastError = null;
      const now = this.now();
      this.connectedAtMs = now;
      this.lastMessageAtMs = now;
      this.staleSinceMs = null;
      this.setState("live", "connected");
      for (const message of protocol.subscribeMessages) socket.send(message);
      if (protocol.clientPingIntervalMs > 0) {
        this.pingTimer = setInterval(() => {
          if (socket.readyState === WebSocket.OPEN) socket.ping();
        }, protocol.clientPingIntervalMs);
        this.pingTimer.unref?.();
      }
      // Rotate a little before the limit, jittered so several feeds do not rotate together.
      const rotateInMs = Math.max(1000, this.feed.rotateAfterMs - Math.floor(this.random() * Math.min(60_000, this.feed.rotateAfterMs * 0.01)));
      this.rotationTimer = setTimeout(() => this.recycle("rotation before the venue's connection lifetime limit", true), rotateInMs);
      this.rotationTimer.unref?.();
    });
    socket.on("message", (data: RawData, isBinary: boolean) => {
      if (this.socket !== socket) return;
      this.handleMessage(data, isBinary);
    });
    socket.on("ping", () => {
      this.lastMessageAtMs = this.now();
    });
    socket.on("pong", () => {
      this.lastMessageAtMs = this.now();
    });
    let upgradeRefused = false;
    socket.on("error", (error: Error) => {
      // terminate() after a refused upgrade reports "closed before the connection was established";
      // keep the HTTP status, which is the useful reason.
      if (!upgradeRefused) this.lastError = error.message;
    });
    socket.on("unexpected-response", (_request, response) => {
      upgradeRefused = true;
      this.lastError = `upgrade refused: HTTP ${response.statusCode}`;
      socket.terminate();
    });
    socket.on("close", (code: number, reason: Buffer) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearConnectionTimers();
      if (this.stopped) return;
      const why = `closed ${code}${reason.length ? ` ${reason.toString()}` : ""}${this.lastError ? ` (${this.lastError})` : ""}`;
      this.scheduleReconnect(why);
    });
  }

  private handleMessage(data: RawData, _isBinary: boolean): void {
    const receivedAtMs = this.now();
    this.lastMessageAtMs = receivedAtMs;
    this.counters.messages++;
    let result: ParseResult;
    try {
      const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
      if (bytes > this.feed.maxFrameBytes) {
        result = { ticks: [], rejections: [{ reason: REJECTION_REASONS.oversized, detail: `${bytes} bytes > ${this.feed.maxFrameBytes}` }] };
      } else {
        const text = Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
        // Binary frames are decoded as UTF-8 JSON too (Hermes accepts both; venues send text).
        result = this.parser.parseFrame(text, receivedAtMs);
      }
    } catch (error) {
      // Parsers do not throw (fuzz-tested); this is the last line of defence.
      result = { ticks: [], rejections: [{ reason: REJECTION_REASONS.malformed, detail: `parser threw: ${error instanceof Error ? error.message : String(error)}` }] };
    }

    if (result.ticks.length > 0) {
      this.counters.ticks += result.ticks.length;
      this.lastTickAtMs = receivedAtMs;
      this.attempt = 0;
      this.staleSinceMs = null;
      if (this.currentState === "stale") this.setState("live", "ticks again");
    }
    if (result.keepAlive) this.counters.keepAlives++;
    if (result.ignored) this.counters.ignored++;
    for (const rejection of result.rejections) {
      this.counters.rejections++;
      this.rejectionsByReason[rejection.reason] = (this.rejectionsByReason[rejection.reason] ?? 0) + 1;
      if (!this.loggedReasons.has(rejection.reason)) {
        this.loggedReasons.add(rejection.reason);
        this.options.log?.(`feed ${this.feed.id}: rejected frame (${rejection.reason})${rejection.detail ? `: ${rejection.detail}` : ""} — further frames with this reason are only counted`);
      }
    }
    if (result.control?.type === "venue-error") this.lastError = `venue: ${result.control.message}`;

    try {
      this.options.onFrame(this.feed.id, result, receivedAtMs);
    } catch (error) {
      this.options.log?.(`feed ${this.feed.id}: frame consumer failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (result.control?.type === "server-shutdown") this.recycle("venue announced serverShutdown", true);
  }

  private checkWatchdog(): void {
    if (this.stopped || !this.socket || this.socket.readyState !== WebSocket.OPEN) return;
    const now = this.now();
    if (this.lastMessageAtMs !== null && now - this.lastMessageAtMs > this.silenceLimitMs) {
      this.recycle(`no frame or ping for ${now - this.lastMessageAtMs} ms`, false);
      return;
    }
    const lastData = this.lastTickAtMs !== null && this.connectedAtMs !== null ? Math.max(this.lastTickAtMs, this.connectedAtMs) : this.connectedAtMs;
    if (lastData === null) return;
    const ageMs = now - lastData;
    if (ageMs > this.feed.heartbeatMs) {
      if (this.currentState === "live") {
        this.staleSinceMs = lastData + this.feed.heartbeatMs;
        this.setState("stale", `no tick for ${ageMs} ms (heartbeatMs ${this.feed.heartbeatMs})`);
      }
      const staleReconnectMs = this.options.staleReconnectMs ?? Math.max(5 * this.feed.heartbeatMs, 30_000);
      if (this.staleSinceMs !== null && now - this.staleSinceMs > staleReconnectMs) this.recycle(`stale for ${now - this.staleSinceMs} ms`, false);
    }
  }

  /** Drop the current socket and connect again: immediately for planned rotations, else with backoff. */
  private recycle(reason: string, immediate: boolean): void {
    const socket = this.socket;
    this.socket = null;
    this.clearConnectionTimers();
    if (socket) {
      socket.removeAllListeners("message");
      socket.on("error", () => {});
      if (socket.readyState === WebSocket.OPEN) socket.close(1000, "rotating");
      else socket.terminate();
      const killer = setTimeout(() => socket.terminate(), 2000);
      killer.unref?.();
    }
    this.options.log?.(`feed ${this.feed.id}: reconnecting: ${reason}`);
    if (immediate) {
      this.counters.reconnects++;
      this.connect();
    } else {
      this.scheduleReconnect(reason);
    }
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopped) return;
    const delay = backoffDelayMs(this.attempt, this.backoff, this.random);
    this.attempt++;
    this.counters.reconnects++;
    this.nextAttemptAtMs = this.now() + delay;
    this.setState("backoff", `${reason}; retry in ${delay} ms`);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private clearConnectionTimers(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.rotationTimer) clearTimeout(this.rotationTimer);
    this.pingTimer = null;
    this.rotationTimer = null;
  }
}
