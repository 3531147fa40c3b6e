// Per-venue connection details: URL, upgrade headers, subscribe messages, keep-alive rules.
// Sources:
//  Pyth Hermes (pyth-crosschain apps/hermes/server/src/api/ws.rs): client sends
//    {"type":"subscribe","ids":[…]}; the server pings every 30 s and drops clients that do not pong
//    (the `ws` client pongs automatically); connections end after 24 h.
//  Binance (binance-spot-api-docs web-socket-streams.md): server ping every 20 s, pong within a
//    minute with the ping's payload (automatic in `ws`); a connection is valid for 24 h; combined
//    streams at /stream?streams=a/b or {"method":"SUBSCRIBE","params":[…],"id":1}; `serverShutdown`.
//  Coinbase Advanced Trade (docs.cdp.coinbase.com … websocket-channels): subscribe within 5 s of
//    connecting; subscribe to `heartbeats` as well — "most channels close within 60-90 seconds if no
//    updates are sent".
//  Kraken v2 (docs.kraken.com/api/docs/websocket-v2/heartbeat): {"method":"subscribe","params":
//    {"channel":"ticker","symbol":[…]}}; heartbeat about once a second when idle.
//  Chainlink Data Streams (docs.chain.link/data-streams/reference/data-streams-api/authentication):
//    GET /api/v1/ws?feedIDs=<id1>,<id2> with Authorization (API key), X-Authorization-Timestamp (ms)
//    and X-Authorization-Signature-SHA256 = hex HMAC-SHA256(secret,
//    "GET /api/v1/ws?feedIDs=… <hex sha256(body)> <apiKey> <timestamp>"), timestamp within 5 s.
import { createHash, createHmac } from "node:crypto";
import type { FeedConfig } from "../../lib/config/riskwarden-config";
import { binanceSymbolOf } from "../../lib/oracle/parsers/binance";

export interface VenueProtocol {
  url: string;
  headers: Record<string, string>;
  subscribeMessages: string[];
  /** Client-initiated WebSocket ping interval (0: rely on the server's pings). */
  clientPingIntervalMs: number;
  /** No frame, ping or pong for this long means the TCP connection is dead: reconnect. */
  silenceLimitMs: number;
}

export function binanceStreamName(configured: string): string {
  const at = configured.indexOf("@");
  const symbol = binanceSymbolOf(configured).toLowerCase();
  return at >= 0 ? `${symbol}${configured.slice(at)}` : `${symbol}@bookTicker`;
}

export function chainlinkAuthHeaders(pathAndQuery: string, clientId: string, clientSecret: string, timestampMs: number): Record<string, string> {
  const bodyHash = createHash("sha256").update("").digest("hex");
  const stringToSign = `GET ${pathAndQuery} ${bodyHash} ${clientId} ${timestampMs}`;
  return {
    Authorization: clientId,
    "X-Authorization-Timestamp": String(timestampMs),
    "X-Authorization-Signature-SHA256": createHmac("sha256", clientSecret).update(stringToSign).digest("hex"),
  };
}

/** Build the protocol for one (re)connect; call again for every attempt (Data Streams signs a fresh timestamp). */
export function venueProtocol(feed: FeedConfig, nowMs: number): VenueProtocol {
  const venueSymbols = Object.values(feed.symbols);
  const base = { url: feed.url, headers: { ...feed.headers }, subscribeMessages: [] as string[], clientPingIntervalMs: 15_000, silenceLimitMs: 60_000 };
  switch (feed.kind) {
    case "pyth":
      return {
        ...base,
        subscribeMessages: [JSON.stringify({ type: "subscribe", ids: venueSymbols.map((id) => (id.startsWith("0x") ? id.slice(2) : id)), verbose: false, binary: false })],
        clientPingIntervalMs: 0,
        silenceLimitMs: 75_000, // 2.5 × the 30 s server ping
      };
    case "binance": {
      const hasStreamsInUrl = /[?&]streams=|\/ws\/[^/?]+/.test(feed.url);
      return {
        ...base,
        subscribeMessages: hasStreamsInUrl ? [] : [JSON.stringify({ method: "SUBSCRIBE", params: venueSymbols.map(binanceStreamName), id: 1 })],
        clientPingIntervalMs: 0,
        silenceLimitMs: 50_000, // 2.5 × the 20 s server ping
      };
    }
    case "coinbase":
      return {
        ...base,
        subscribeMessages: [
          JSON.stringify({ type: "subscribe", product_ids: venueSymbols, channel: "ticker" }),
          JSON.stringify({ type: "subscribe", channel: "heartbeats" }),
        ],
        silenceLimitMs: 10_000, // heartbeats arrive every second
      };
    case "kraken":
      return {
        ...base,
        subscribeMessages: [JSON.stringify({ method: "subscribe", params: { channel: "ticker", symbol: venueSymbols } })],
        silenceLimitMs: 10_000, // heartbeat about once a second
      };
    case "chainlink-streams": {
      const url = new URL(feed.url);
      if (url.pathname === "/" || url.pathname === "") url.pathname = "/api/v1/ws";
      if (!url.searchParams.has("feedIDs")) url.search = `?feedIDs=${venueSymbols.join(",")}`;
      const pathAndQuery = `${url.pathname}${url.search}`;
      return {
        ...base,
        url: url.toString(),
        headers: { ...base.headers, ...chainlinkAuthHeaders(pathAndQuery, feed.clientId ?? "", feed.clientSecret ?? "", nowMs) },
      };
    }
    case "generic":
      return { ...base, subscribeMessages: (feed.subscribe ?? []).map((m) => (typeof m === "string" ? m : JSON.stringify(m))) };
  }
}
