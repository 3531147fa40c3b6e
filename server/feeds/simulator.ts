// Demo feed simulator: one local `ws` server speaking the real wire formats of Pyth Hermes
// (/pyth/ws), Binance combined streams with bookTicker (/binance/stream?streams=…) and Coinbase
// Advanced Trade ticker + heartbeats (/coinbase), for five demo markets, driven by a seeded random
// walk, honouring subscribe messages, with scripted incidents every few minutes so the demo shows
// every detector firing and resolving.
//
//   const sim = await startDemoSimulator({ port: 0 });
//   const config = { markets: demoMarketsConfig(), feeds: sim.feedConfigs() };  // → FeedManager
//
// Prices are doubles (display-grade demo data); formatting to the venue's decimals happens on send.
import type { AddressInfo } from "node:net";
import { WebSocketServer, WebSocket } from "ws";
import { detectorThresholdsSchema, feedConfigSchema, type DetectorThresholds, type FeedConfig } from "../../lib/config/riskwarden-config";
import { FeedManager, type FeedManagerOptions } from "./feed-manager";

export interface DemoMarket {
  market: string;
  startPrice: number;
  /** Annualised volatility of the random walk. */
  annualVol: number;
  pythId: string;
  binanceSymbol: string;
  coinbaseProduct: string;
  /** Decimals the venues quote this market with. */
  decimals: number;
}

// Pyth price feed ids: docs.pyth.network/price-feeds/price-feeds (Crypto.BTC/USD … Crypto.WIF/USD).
export const DEMO_MARKETS: DemoMarket[] = [
  { market: "BTC-USD", startPrice: 97000, annualVol: 0.5, pythId: "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43", binanceSymbol: "BTCUSDT", coinbaseProduct: "BTC-USD", decimals: 2 },
  { market: "ETH-USD", startPrice: 3400, annualVol: 0.65, pythId: "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace", binanceSymbol: "ETHUSDT", coinbaseProduct: "ETH-USD", decimals: 2 },
  { market: "SOL-USD", startPrice: 190, annualVol: 0.8, pythId: "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d", binanceSymbol: "SOLUSDT", coinbaseProduct: "SOL-USD", decimals: 3 },
  { market: "LINK-USD", startPrice: 22, annualVol: 0.9, pythId: "8ac0c70fff57e9aefdf5edf44b51d62c2d433653cbb2cf5cc06bb115af04d221", binanceSymbol: "LINKUSDT", coinbaseProduct: "LINK-USD", decimals: 4 },
  { market: "WIF-USD", startPrice: 2.1, annualVol: 1.5, pythId: "4ca4beeca86f0d164160323817a4e42b10010a724c2217c6ee41b54cd4cc61fc", binanceSymbol: "WIFUSDT", coinbaseProduct: "WIF-USD", decimals: 5 },
];

export type DemoSource = "pyth" | "binance" | "coinbase";
export type IncidentKind = "deviation" | "stale" | "frozen" | "wide-confidence" | "malformed" | "jump";

export interface ScriptedIncident {
  kind: IncidentKind;
  market: string;
  source: DemoSource;
  startsAtMs: number;
  endsAtMs: number;
}

export interface DemoSimulatorOptions {
  port?: number;
  host?: string;
  seed?: number;
  /** An incident starts every this many ms (default 90 s), cycling through the kinds. */
  incidentEveryMs?: number;
  firstIncidentAfterMs?: number;
  /** Updates per second per market per source (default 6). */
  updatesPerSecond?: number;
  now?: () => number;
}

export interface DemoSimulator {
  port: number;
  baseUrl: string;
  feedConfigs(): FeedConfig[];
  incidents(): ScriptedIncident[];
  activeIncidents(): ScriptedIncident[];
  framesSent(): Record<DemoSource, number>;
  close(): Promise<void>;
}

/** Detector thresholds for the demo: the contract defaults, but a 15 s frozen window so the demo shows it. */
export function demoMarketsConfig(): Record<string, { detectors: DetectorThresholds }> {
  const detectors = detectorThresholdsSchema.parse({ frozenMs: 15000 });
  return Object.fromEntries(DEMO_MARKETS.map((m) => [m.market, { detectors }]));
}

/** Feed configs (ids pyth-demo, binance-demo, coinbase-demo) pointing at a simulator on baseUrl (ws://host:port). */
export function demoFeedConfigs(baseUrl: string): FeedConfig[] {
  const streams = DEMO_MARKETS.map((m) => `${m.binanceSymbol.toLowerCase()}@bookTicker`).join("/");
  return [
    { id: "pyth-demo", kind: "pyth", url: `${baseUrl}/pyth/ws`, heartbeatMs: 3000, symbols: Object.fromEntries(DEMO_MARKETS.map((m) => [m.market, m.pythId])) },
    { id: "binance-demo", kind: "binance", url: `${baseUrl}/binance/stream?streams=${streams}`, heartbeatMs: 3000, symbols: Object.fromEntries(DEMO_MARKETS.map((m) => [m.market, m.binanceSymbol])) },
    { id: "coinbase-demo", kind: "coinbase", url: `${baseUrl}/coinbase`, heartbeatMs: 3000, symbols: Object.fromEntries(DEMO_MARKETS.map((m) => [m.market, m.coinbaseProduct])) },
  ].map((feed) => feedConfigSchema.parse(feed));
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INCIDENT_CYCLE: Array<{ kind: IncidentKind; source: DemoSource; durationMs: number }> = [
  { kind: "deviation", source: "binance", durationMs: 20_000 },
  { kind: "stale", source: "coinbase", durationMs: 20_000 },
  { kind: "frozen", source: "pyth", durationMs: 25_000 },
  { kind: "wide-confidence", source: "pyth", durationMs: 10_000 },
  { kind: "malformed", source: "binance", durationMs: 3_000 },
  { kind: "jump", source: "coinbase", durationMs: 1_000 },
];

/** The incident schedule: deterministic from the start time and options. */
export function incidentSchedule(startMs: number, everyMs: number, firstAfterMs: number, count: number): ScriptedIncident[] {
  const out: ScriptedIncident[] = [];
  for (let i = 0; i < count; i++) {
    const step = INCIDENT_CYCLE[i % INCIDENT_CYCLE.length];
    const market = DEMO_MARKETS[(i * 2) % DEMO_MARKETS.length].market; // 0,2,4,1,3… touches every market
    const startsAtMs = startMs + firstAfterMs + i * everyMs;
    out.push({ kind: step.kind, source: step.source, market, startsAtMs, endsAtMs: startsAtMs + step.durationMs });
  }
  return out;
}

interface Client {
  socket: WebSocket;
  source: DemoSource;
  /** Venue symbols this client subscribed to (Pyth ids, Binance symbols, Coinbase products). */
  symbols: Set<string>;
  coinbaseHeartbeats: boolean;
}

export async function startDemoSimulator(options: DemoSimulatorOptions = {}): Promise<DemoSimulator> {
  const now = options.now ?? Date.now;
  const random = mulberry32(options.seed ?? 20240601);
  const gaussian = () => {
    // Box–Muller
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const startMs = now();
  const schedule = incidentSchedule(startMs, options.incidentEveryMs ?? 90_000, options.firstIncidentAfterMs ?? 30_000, 2000);
  const updatesPerSecond = options.updatesPerSecond ?? 6;
  const clients = new Set<Client>();
  const sent: Record<DemoSource, number> = { pyth: 0, binance: 0, coinbase: 0 };

  // "True" price per market: geometric random walk stepped every 100 ms, σ per step = annualVol·√(Δt/yr).
  const truePrice = new Map(DEMO_MARKETS.map((m) => [m.market, m.startPrice]));
  const frozenPrice = new Map<string, number>();
  const jumpFactor = new Map<string, number>();
  const stepMs = 100;
  const stepYears = stepMs / (365 * 86_400_000);

  const wss = new WebSocketServer({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", () => resolve());
    wss.once("error", reject);
  });
  const port = (wss.address() as AddressInfo).port;
  const baseUrl = `ws://${options.host ?? "127.0.0.1"}:${port}`;

  wss.on("connection", (socket, request) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    let source: DemoSource;
    if (url.pathname.startsWith("/pyth")) source = "pyth";
    else if (url.pathname.startsWith("/binance")) source = "binance";
    else if (url.pathname.startsWith("/coinbase")) source = "coinbase";
    else {
      socket.close(1008, "unknown path");
      return;
    }
    const client: Client = { socket, source, symbols: new Set(), coinbaseHeartbeats: false };
    if (source === "binance") {
      for (const stream of (url.searchParams.get("streams") ?? "").split("/")) {
        const [symbol, kind] = stream.split("@");
        if (symbol && kind === "bookTicker") client.symbols.add(symbol.toUpperCase());
      }
    }
    clients.add(client);
    socket.on("close", () => clients.delete(client));
    socket.on("error", () => clients.delete(client));
    socket.on("message", (data) => handleClientMessage(client, data.toString()));
  });

  function handleClientMessage(client: Client, text: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text);
    } catch {
      if (client.source === "pyth") client.socket.send(JSON.stringify({ type: "response", status: "error", error: "expected value at line 1 column 1" }));
      return;
    }
    if (client.source === "pyth" && message.type === "subscribe" && Array.isArray(message.ids)) {
      const known = new Set(DEMO_MARKETS.map((m) => m.pythId));
      const ids = (message.ids as unknown[]).map((id) => String(id).replace(/^0x/, "").toLowerCase());
      const missing = ids.filter((id) => !known.has(id));
      if (missing.length > 0) {
        client.socket.send(JSON.stringify({ type: "response", status: "error", error: `Price feed(s) with id(s) ${JSON.stringify(missing)} not found` }));
        return;
      }
      for (const id of ids) client.symbols.add(id);
      client.socket.send(JSON.stringify({ type: "response", status: "success" }));
    } else if (client.source === "binance" && message.method === "SUBSCRIBE" && Array.isArray(message.params)) {
      for (const stream of message.params as string[]) client.symbols.add(String(stream).split("@")[0].toUpperCase());
      client.socket.send(JSON.stringify({ result: null, id: message.id ?? null }));
    } else if (client.source === "coinbase" && message.type === "subscribe") {
      if (message.channel === "heartbeats") client.coinbaseHeartbeats = true;
      else if (message.channel === "ticker" && Array.isArray(message.product_ids)) for (const p of message.product_ids as string[]) client.symbols.add(p);
      client.socket.send(JSON.stringify({ channel: "subscriptions", client_id: "", timestamp: new Date(now()).toISOString(), sequence_num: 0, events: [{ subscriptions: { ticker: [...client.symbols], heartbeats: client.coinbaseHeartbeats ? ["heartbeats"] : [] } }] }));
    }
  }

  const activeIncidents = (at = now()) => schedule.filter((i) => i.startsAtMs <= at && at < i.endsAtMs);
  const incidentFor = (market: string, source: DemoSource, at: number) => activeIncidents(at).find((i) => i.market === market && (i.source === source || i.kind === "jump"));

  const walk = setInterval(() => {
    for (const m of DEMO_MARKETS) {
      const sigma = m.annualVol * Math.sqrt(stepYears);
      truePrice.set(m.market, (truePrice.get(m.market) as number) * Math.exp(sigma * gaussian() - (sigma * sigma) / 2));
    }
  }, stepMs);

  let sequence = 0;
  let updateId = 1_000_000;
  const coinbaseSequence = () => sequence++;

  function sourcePrice(m: DemoMarket, source: DemoSource, at: number): { price: number; conf: number; incident?: ScriptedIncident } {
    const incident = incidentFor(m.market, source, at);
    let price = (truePrice.get(m.market) as number) * (1 + 0.0001 * gaussian()); // ±1 bp source noise
    // A jump persists after the incident's 1 s ramp: the market really moved.
    if (incident?.kind === "jump") jumpFactor.set(m.market, 1 + 0.12 * Math.min(1, (at - incident.startsAtMs) / 1000));
    const jump = jumpFactor.get(m.market);
    if (jump) price *= jump;
    let conf = price * 0.0004;
    const frozenKey = `${m.market}:${source}`;
    if (incident?.kind === "deviation") price *= 1.025;
    if (incident?.kind === "wide-confidence") conf = price * 0.04;
    if (incident?.kind === "frozen") {
      if (!frozenPrice.has(frozenKey)) frozenPrice.set(frozenKey, price);
      price = frozenPrice.get(frozenKey) as number;
    } else frozenPrice.delete(frozenKey);
    return { price, conf, incident };
  }

  function frameFor(m: DemoMarket, source: DemoSource, at: number): string | null {
    const { price, conf, incident } = sourcePrice(m, source, at);
    if (incident?.kind === "stale") return null;
    // Malformed burst during the incident, plus a stray malformed frame now and then.
    if (incident?.kind === "malformed" || random() < 0.0005) {
      const bad = [
        `{"stream":"${m.binanceSymbol.toLowerCase()}@bookTicker","data":{"u":${updateId++},"s":"${m.binanceSymbol}","b":"0.00000000","B":"1.0","a":"NaN","A":"1.0"}}`,
        `{"stream":"${m.binanceSymbol.toLowerCase()}@bookTick`,
        `{"type":"price_update","price_feed":{"id":"${m.pythId}","price":{"price":"-1","conf":"1","expo":-8,"publish_time":${Math.floor(at / 1000)}}}}`,
      ];
      return bad[Math.floor(random() * bad.length)];
    }
    if (source === "pyth") {
      const expo = -8;
      const mantissa = (x: number) => Math.round(x * 1e8).toString();
      const publishTime = Math.floor(at / 1000);
      return JSON.stringify({ type: "price_update", price_feed: { id: m.pythId, price: { price: mantissa(price), conf: mantissa(conf), expo, publish_time: publishTime }, ema_price: { price: mantissa(price), conf: mantissa(conf), expo, publish_time: publishTime } } });
    }
    if (source === "binance") {
      const half = price * 0.00005;
      return JSON.stringify({ stream: `${m.binanceSymbol.toLowerCase()}@bookTicker`, data: { u: updateId++, s: m.binanceSymbol, b: (price - half).toFixed(m.decimals + 2), B: (random() * 5).toFixed(3), a: (price + half).toFixed(m.decimals + 2), A: (random() * 5).toFixed(3) } });
    }
    const p = price.toFixed(m.decimals);
    return JSON.stringify({
      channel: "ticker",
      client_id: "",
      timestamp: new Date(at).toISOString(),
      sequence_num: coinbaseSequence(),
      events: [{ type: "update", tickers: [{ type: "ticker", product_id: m.coinbaseProduct, price: p, volume_24_h: "1000", low_24_h: p, high_24_h: p, low_52_w: p, high_52_w: p, price_percent_chg_24_h: "0", best_bid: (price * 0.99995).toFixed(m.decimals), best_bid_quantity: "1", best_ask: (price * 1.00005).toFixed(m.decimals), best_ask_quantity: "1" }] }],
    });
  }

  // Each source sends each market at ~updatesPerSecond with jitter (a Poisson-ish arrival process).
  const tickMs = 50;
  const perTickProbability = Math.min(1, (updatesPerSecond * tickMs) / 1000);
  const sender = setInterval(() => {
    const at = now();
    for (const client of clients) {
      if (client.socket.readyState !== WebSocket.OPEN) continue;
      for (const m of DEMO_MARKETS) {
        const symbol = client.source === "pyth" ? m.pythId : client.source === "binance" ? m.binanceSymbol : m.coinbaseProduct;
        if (!client.symbols.has(symbol) || random() >= perTickProbability) continue;
        const frame = frameFor(m, client.source, at);
        if (frame === null) continue;
        client.socket.send(frame);
        sent[client.source]++;
      }
    }
  }, tickMs);

  const heartbeats = setInterval(() => {
    const at = now();
    for (const client of clients) {
      if (client.source !== "coinbase" || !client.coinbaseHeartbeats || client.socket.readyState !== WebSocket.OPEN) continue;
      const timestamp = new Date(at).toISOString();
      client.socket.send(JSON.stringify({ channel: "heartbeats", client_id: "", timestamp, sequence_num: coinbaseSequence(), events: [{ current_time: timestamp, heartbeat_counter: String(Math.floor((at - startMs) / 1000)) }] }));
    }
  }, 1000);
  // Binance and Pyth ping their clients (20 s / 30 s); the client must pong.
  const pings = setInterval(() => {
    for (const client of clients) if (client.source !== "coinbase" && client.socket.readyState === WebSocket.OPEN) client.socket.ping();
  }, 20_000);
  for (const timer of [walk, sender, heartbeats, pings]) timer.unref?.();

  return {
    port,
    baseUrl,
    feedConfigs: () => demoFeedConfigs(baseUrl),
    incidents: () => schedule,
    activeIncidents: () => activeIncidents(),
    framesSent: () => ({ ...sent }),
    close: async () => {
      for (const timer of [walk, sender, heartbeats, pings]) clearInterval(timer);
      for (const client of clients) client.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * The whole demo in one call: the simulator plus a FeedManager connected to it with the demo
 * configs. The caller persists/broadcasts through `onEvent` and reads `manager.status()`.
 */
export async function startDemoFeeds(
  options: DemoSimulatorOptions & Pick<FeedManagerOptions, "onEvent" | "log" | "emitTicks" | "now"> = {},
): Promise<{ simulator: DemoSimulator; manager: FeedManager; stop: () => Promise<void> }> {
  const simulator = await startDemoSimulator(options);
  const manager = new FeedManager({
    config: { markets: demoMarketsConfig(), feeds: simulator.feedConfigs() },
    onEvent: options.onEvent,
    log: options.log,
    emitTicks: options.emitTicks,
    now: options.now,
  });
  manager.start();
  return {
    simulator,
    manager,
    stop: async () => {
      await manager.stop();
      await simulator.close();
    },
  };
}
