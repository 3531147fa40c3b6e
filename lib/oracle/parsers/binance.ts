// Binance market streams.
// Spot: binance/binance-spot-api-docs web-socket-streams.md — trade ({"e":"trade","s","p","T"}),
// bookTicker ({"u","s","b","B","a","A"}, no "e" on spot), combined streams wrapped as
// {"stream":"<name>","data":{…}}, subscription replies {"result":null,"id":1}, errors
// {"code":…, "msg":…} or {"error":{"code","msg"},"id"}.
// USD-M futures: developers.binance.com …/websocket-market-streams/Mark-Price-Stream —
// {"e":"markPriceUpdate","E","s","p" (mark price),"i","P","r","T"}; futures bookTicker has "e":"bookTicker".
// serverShutdown (developers.binance.com …/websocket-api/connection-events):
// {"event":{"e":"serverShutdown","E":…}} — "establish a new connection as soon as possible".
// bookTicker becomes the mid (b + a) / 2; markPrice uses "p".
import { REJECTION_REASONS, type FeedParser, type ParseResult } from "../types";
import {
  DEFAULT_MAX_FRAME_BYTES,
  KEEP_ALIVE,
  decimalToNumber,
  invertSymbols,
  isObject,
  isParseResult,
  isPositiveFinite,
  oneTick,
  oversized,
  parseJsonObject,
  reject,
  type JsonObject,
  type ParserOptions,
} from "./common";

/** Config symbols may name a stream ("btcusdt@markPrice"); the ticker symbol is the part before "@". */
export function binanceSymbolOf(configured: string): string {
  const at = configured.indexOf("@");
  return (at >= 0 ? configured.slice(0, at) : configured).toUpperCase();
}

export function createBinanceParser(options: ParserOptions): FeedParser {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const symbols: Record<string, string> = {};
  for (const [market, configured] of Object.entries(options.symbols)) symbols[market] = binanceSymbolOf(configured);
  const marketBySymbol = invertSymbols(symbols);
  const feed = options.feed;

  function tickFrom(symbol: unknown, price: number, publishTimeMs: unknown, receivedAtMs: number, raw: unknown): ParseResult {
    if (typeof symbol !== "string" || symbol.length === 0 || symbol.length > 40) return reject(REJECTION_REASONS.malformed, "missing symbol");
    if (!isPositiveFinite(price)) return reject(REJECTION_REASONS.badPrice, String(raw));
    return oneTick({
      feed,
      market: marketBySymbol.get(symbol.toLowerCase()),
      symbol,
      price,
      publishTimeMs: typeof publishTimeMs === "number" && Number.isFinite(publishTimeMs) ? publishTimeMs : undefined,
      receivedAtMs,
    });
  }

  function parsePayload(data: JsonObject, receivedAtMs: number): ParseResult {
    const event = data.e;
    if (event === "trade" || event === "aggTrade") return tickFrom(data.s, decimalToNumber(data.p), data.T, receivedAtMs, data.p);
    if (event === "markPriceUpdate") return tickFrom(data.s, decimalToNumber(data.p), data.E, receivedAtMs, data.p);
    if (event === "bookTicker" || (event === undefined && "b" in data && "a" in data && "s" in data)) {
      const bid = decimalToNumber(data.b);
      const ask = decimalToNumber(data.a);
      if (!isPositiveFinite(bid) || !isPositiveFinite(ask)) return reject(REJECTION_REASONS.badPrice, `bid ${String(data.b)} ask ${String(data.a)}`);
      return tickFrom(data.s, (bid + ask) / 2, data.E ?? data.T, receivedAtMs, data.b);
    }
    if (event === "serverShutdown") return { ...KEEP_ALIVE, control: { type: "server-shutdown" } };
    return reject(REJECTION_REASONS.unrecognised, typeof event === "string" ? event : "no event type");
  }

  function parseFrame(text: string, receivedAtMs: number): ParseResult {
    const tooBig = oversized(text, maxFrameBytes);
    if (tooBig) return tooBig;
    const message = parseJsonObject(text);
    if (isParseResult(message)) return message;

    if ("stream" in message || "data" in message) {
      if (typeof message.stream !== "string" || !isObject(message.data)) return reject(REJECTION_REASONS.malformed, "combined stream wrapper without stream/data");
      return parsePayload(message.data, receivedAtMs);
    }
    if ("result" in message && "id" in message) {
      return message.result === null ? { ...KEEP_ALIVE, control: { type: "subscribed" } } : KEEP_ALIVE;
    }
    if (isObject(message.event)) return parsePayload(message.event, receivedAtMs);
    const error = isObject(message.error) ? message.error : "code" in message && "msg" in message ? message : undefined;
    if (error) {
      const detail = `${String(error.code)} ${String(error.msg)}`;
      return { ...reject(REJECTION_REASONS.venueError, detail), control: { type: "venue-error", message: detail } };
    }
    return parsePayload(message, receivedAtMs);
  }

  return { feed, parseFrame };
}
