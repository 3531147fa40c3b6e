// FeedConnection and FeedManager against real local `ws` servers on ephemeral ports.
import { createHash, createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type ServerOptions, type WebSocket } from "ws";
import { feedConfigSchema, type FeedConfig } from "../../lib/config/riskwarden-config";
import { FeedConnection, backoffDelayMs, type ConnectionState } from "./connection";
import { FeedManager, type FeedManagerEvent } from "./feed-manager";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function startServer(port = 0, verifyClient?: ServerOptions["verifyClient"]): Promise<{ wss: WebSocketServer; port: number; received: string[]; sockets: WebSocket[] }> {
  return new Promise((resolve) => {
    const received: string[] = [];
    const sockets: WebSocket[] = [];
    const wss = new WebSocketServer({ port, host: "127.0.0.1", verifyClient });
    wss.on("connection", (socket) => {
      sockets.push(socket);
      socket.on("message", (data) => received.push(data.toString()));
    });
    wss.on("listening", () => resolve({ wss, port: (wss.address() as AddressInfo).port, received, sockets }));
    cleanups.push(() => new Promise<void>((done) => {
      for (const s of wss.clients) s.terminate();
      wss.close(() => done());
    }));
  });
}

async function killServer(wss: WebSocketServer): Promise<void> {
  for (const s of wss.clients) s.terminate();
  await new Promise<void>((done) => wss.close(() => done()));
}

async function waitFor(condition: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function feed(overrides: Partial<FeedConfig> & Pick<FeedConfig, "kind" | "url">): FeedConfig {
  return feedConfigSchema.parse({ id: `${overrides.kind}-test`, heartbeatMs: 1000, symbols: { "BTC-USD": "BTC-USD" }, ...overrides });
}

const tickerFrame = (price: string) =>
  JSON.stringify({ channel: "ticker", client_id: "", timestamp: new Date().toISOString(), sequence_num: 1, events: [{ type: "update", tickers: [{ type: "ticker", product_id: "BTC-USD", price }] }] });
const heartbeatFrame = () => JSON.stringify({ channel: "heartbeats", client_id: "", timestamp: new Date().toISOString(), sequence_num: 2, events: [{ current_time: "now", heartbeat_counter: "1" }] });

function track(connection: FeedConnection) {
  cleanups.push(() => connection.stop());
  return connection;
}

describe("FeedConnection", () => {
  it("full-jitter backoff grows exponentially up to the cap", () => {
    const max = () => 0.999999;
    expect([0, 1, 2, 3, 10].map((a) => backoffDelayMs(a, { baseMs: 100, capMs: 1000 }, max))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelayMs(5, { baseMs: 100, capMs: 1000 }, () => 0)).toBe(0);
  });

  it("subscribes, reconnects after the server is killed, and resubscribes", async () => {
    const first = await startServer();
    const states: ConnectionState[] = [];
    const ticks: number[] = [];
    const connection = track(
      new FeedConnection({
        feed: feed({ kind: "coinbase", url: `ws://127.0.0.1:${first.port}` }),
        onFrame: (_f, result) => ticks.push(...result.ticks.map((t) => t.price)),
        onStateChange: (_f, state) => states.push(state),
        backoff: { baseMs: 20, capMs: 100 },
      }),
    );
    connection.start();
    await waitFor(() => first.received.length === 2, 5000, "subscribe messages");
    expect(first.received.map((m) => JSON.parse(m))).toEqual([
      { type: "subscribe", product_ids: ["BTC-USD"], channel: "ticker" },
      { type: "subscribe", channel: "heartbeats" },
    ]);
    first.sockets[0].send(tickerFrame("97000.5"));
    await waitFor(() => ticks.length === 1);

    await killServer(first.wss);
    await waitFor(() => connection.state === "backoff", 5000, "backoff");
    const second = await startServer(first.port);
    await waitFor(() => second.received.length === 2, 5000, "resubscribe");
    expect(JSON.parse(second.received[0])).toEqual({ type: "subscribe", product_ids: ["BTC-USD"], channel: "ticker" });
    second.sockets[0].send(tickerFrame("97001.5"));
    await waitFor(() => ticks.length === 2);
    expect(ticks).toEqual([97000.5, 97001.5]);
    // While the port is closed, attempts fail (ECONNREFUSED) and back off again, so the middle repeats.
    expect(states.slice(0, 4)).toEqual(["connecting", "live", "backoff", "connecting"]);
    expect(states.at(-1)).toBe("live");
    expect(states.filter((s) => s === "live")).toHaveLength(2);
    expect(connection.status()).toMatchObject({ connects: 2, state: "live", ticks: 2 });
  });

  it("goes stale when ticks stop even though heartbeats and pings keep flowing, and live again on a tick", async () => {
    const server = await startServer();
    const connection = track(
      new FeedConnection({
        feed: feed({ kind: "coinbase", url: `ws://127.0.0.1:${server.port}`, heartbeatMs: 300 }),
        onFrame: () => {},
        watchdogIntervalMs: 25,
        staleReconnectMs: 60_000,
      }),
    );
    connection.start();
    await waitFor(() => server.sockets.length === 1);
    const socket = server.sockets[0];
    let pongs = 0;
    socket.on("pong", () => pongs++); // Binance/Pyth rule: every server ping must be ponged
    socket.send(tickerFrame("97000"));
    const keepAlive = setInterval(() => {
      socket.send(heartbeatFrame());
      socket.ping();
    }, 50);
    cleanups.push(() => clearInterval(keepAlive));
    await waitFor(() => connection.state === "stale", 3000, "stale");
    const status = connection.status();
    expect(status.keepAlives).toBeGreaterThan(3);
    expect(status.connects).toBe(1); // still the same connection: stale is about data, not the socket
    expect(pongs).toBeGreaterThan(3);
    socket.send(tickerFrame("97002"));
    await waitFor(() => connection.state === "live", 3000, "live again");
  });

  it("counts malformed and oversized frames per reason, logs each reason once, and stays connected", async () => {
    const server = await startServer();
    const logs: string[] = [];
    const connection = track(
      new FeedConnection({ feed: feed({ kind: "coinbase", url: `ws://127.0.0.1:${server.port}`, maxFrameBytes: 2000 }), onFrame: () => {}, log: (l) => logs.push(l) }),
    );
    connection.start();
    await waitFor(() => server.sockets.length === 1);
    const socket = server.sockets[0];
    for (const frame of ["{oops", "{oops again", tickerFrame("0"), tickerFrame("NaN"), tickerFrame("-5"), "x".repeat(5000), tickerFrame("97000")]) socket.send(frame);
    await waitFor(() => connection.status().messages === 7);
    expect(connection.status()).toMatchObject({
      state: "live",
      ticks: 1,
      rejections: 6,
      rejectionsByReason: { "frame is not valid JSON": 2, "price is not a positive finite number": 3, "frame exceeds the size limit": 1 },
    });
    expect(logs.filter((l) => l.includes("rejected frame"))).toHaveLength(3);
  });

  it("reconnects immediately on Binance serverShutdown and uses the combined-stream URL as is", async () => {
    const server = await startServer();
    const connection = track(
      new FeedConnection({ feed: feed({ kind: "binance", url: `ws://127.0.0.1:${server.port}/stream?streams=btcusdt@bookTicker`, symbols: { "BTC-USD": "BTCUSDT" } }), onFrame: () => {} }),
    );
    connection.start();
    await waitFor(() => server.sockets.length === 1);
    server.sockets[0].send('{"event":{"e":"serverShutdown","E":1770123456789}}');
    await waitFor(() => server.sockets.length === 2 && connection.state === "live", 3000, "second connection");
    expect(server.received).toEqual([]); // streams in the URL: no SUBSCRIBE message
    expect(connection.status().connects).toBe(2);
  });

  it("rotates the connection proactively after rotateAfterMs and resubscribes", async () => {
    const server = await startServer();
    const connection = track(new FeedConnection({ feed: feed({ kind: "kraken", url: `ws://127.0.0.1:${server.port}`, symbols: { "BTC-USD": "BTC/USD" }, rotateAfterMs: 1000 }), onFrame: () => {} }));
    connection.start();
    await waitFor(() => server.sockets.length === 2 && server.received.length === 2, 4000, "rotated connection");
    expect(server.received.map((m) => JSON.parse(m))).toEqual([
      { method: "subscribe", params: { channel: "ticker", symbol: ["BTC/USD"] } },
      { method: "subscribe", params: { channel: "ticker", symbol: ["BTC/USD"] } },
    ]);
    expect(connection.status().connects).toBe(2);
  });

  it("generic feed: sends the configured subscribe messages and maps fields to ticks", async () => {
    const server = await startServer();
    const prices: Array<[string | undefined, number]> = [];
    const connection = track(
      new FeedConnection({
        feed: feed({
          id: "gen",
          kind: "generic",
          url: `ws://127.0.0.1:${server.port}/feed`,
          symbols: { "BTC-USD": "XBTUSD" },
          subscribe: [{ op: "subscribe", args: ["XBTUSD"] }],
          mapping: { itemsPath: "data", symbolPath: "symbol", pricePath: "markPrice", timestampPath: "ts", timestampUnit: "ms", keepAlivePath: "op", keepAliveValue: "pong" },
        }),
        onFrame: (_f, result) => prices.push(...result.ticks.map((t) => [t.market, t.price] as [string | undefined, number])),
      }),
    );
    connection.start();
    await waitFor(() => server.received.length === 1, 3000, "subscribe");
    expect(JSON.parse(server.received[0])).toEqual({ op: "subscribe", args: ["XBTUSD"] });
    server.sockets[0].send('{"op":"pong"}');
    server.sockets[0].send('{"table":"instrument","data":[{"symbol":"XBTUSD","markPrice":97012.5,"ts":1732500000000}]}');
    await waitFor(() => prices.length === 1, 3000, "tick");
    expect(prices).toEqual([["BTC-USD", 97012.5]]);
    expect(connection.status()).toMatchObject({ keepAlives: 1, ticks: 1, rejections: 0 });
  });

  it("signs the Chainlink Data Streams upgrade with HMAC headers", async () => {
    const feedId = "0x00039d9e45394f473ab1f050a1b963e6b05351e52d71e507509ada0c95ed75b8";
    let seen: { url?: string; headers: Record<string, string | string[] | undefined> } | null = null;
    const server = await startServer(0, (info: { req: IncomingMessage }) => {
      seen = { url: info.req.url, headers: info.req.headers };
      const ts = String(info.req.headers["x-authorization-timestamp"]);
      const expected = createHmac("sha256", "s3cret")
        .update(`GET ${info.req.url} ${createHash("sha256").update("").digest("hex")} client-uuid ${ts}`)
        .digest("hex");
      return info.req.headers["x-authorization-signature-sha256"] === expected && info.req.headers.authorization === "client-uuid";
    });
    const connection = track(
      new FeedConnection({
        feed: feed({ kind: "chainlink-streams", url: `ws://127.0.0.1:${server.port}`, symbols: { "BTC-USD": feedId }, clientId: "client-uuid", clientSecret: "s3cret" }),
        onFrame: () => {},
      }),
    );
    connection.start();
    await waitFor(() => connection.state === "live", 3000, "authenticated connection");
    expect(seen!.url).toBe(`/api/v1/ws?feedIDs=${feedId}`);

    // A wrong secret is refused at the upgrade (HTTP 401) and retried with backoff.
    const refused = track(
      new FeedConnection({
        feed: feed({ id: "cl-bad", kind: "chainlink-streams", url: `ws://127.0.0.1:${server.port}`, symbols: { "BTC-USD": feedId }, clientId: "client-uuid", clientSecret: "wrong" }),
        onFrame: () => {},
        backoff: { baseMs: 1000, capMs: 5000 },
      }),
    );
    refused.start();
    await waitFor(() => refused.state === "backoff", 3000, "refused upgrade");
    expect(refused.status().lastError).toBe("upgrade refused: HTTP 401");
  });
});

describe("FeedManager", () => {
  it("routes frames into the detectors, reports status, and emits a staleness alert", async () => {
    const server = await startServer();
    const events: FeedManagerEvent[] = [];
    const manager = new FeedManager({
      config: {
        markets: {},
        feeds: [feed({ id: "cb", kind: "coinbase", url: `ws://127.0.0.1:${server.port}`, heartbeatMs: 200 })],
      },
      onEvent: (e) => events.push(e),
      evaluationIntervalMs: 20,
      watchdogIntervalMs: 20,
      staleReconnectMs: 60_000,
    });
    // tighter hysteresis than the defaults would make this test slow: default forMs is 2000 ms
    cleanups.push(() => manager.stop());
    manager.start();
    await waitFor(() => server.sockets.length === 1);
    server.sockets[0].send(tickerFrame("97000.25"));
    await waitFor(() => manager.status().markets["BTC-USD"]?.reference === 97000.25, 3000, "reference price");
    const status = manager.status();
    expect(status.feeds[0]).toMatchObject({ feed: "cb", state: "live", ticks: 1, counters: { ticks: 1, frames: 1 } });
    // no more ticks: stale after 200 ms, staleness fires after forMs 2000 ms
    await waitFor(() => events.some((e) => e.type === "alert" && e.event.kind === "firing"), 5000, "staleness alert");
    const alert = events.find((e) => e.type === "alert")!;
    expect(alert.type === "alert" && [alert.event.fingerprint, alert.event.severity]).toEqual(["staleness:BTC-USD:cb", "critical"]);
    expect(events.some((e) => e.type === "feed-state" && e.state === "stale")).toBe(true);
  });
});
