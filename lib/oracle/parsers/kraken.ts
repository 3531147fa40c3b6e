// Kraken Spot WebSocket v2 (wss://ws.kraken.com/v2).
// docs.kraken.com/api/docs/websocket-v2/ticker: {"channel":"ticker","type":"snapshot"|"update",
//   "data":[{"symbol":"BTC/USD","bid","bid_qty","ask","ask_qty","last","volume","vwap","low","high",
//   "change","change_pct"}]} — numbers are JSON numbers.
// docs.kraken.com/api/docs/websocket-v2/heartbeat: {"channel":"heartbeat"} about once a second
//   when no other update is sent. Acks: {"method":"subscribe","success":true|false,"error"?,…};
//   {"method":"pong"}; {"channel":"status",…}.
// Tick price = "last" (ticker updates are generated on trades by default).
import { REJECTION_REASONS, type FeedParser, type ParseResult, type Rejection, type Tick } from "../types";
import {
  DEFAULT_MAX_FRAME_BYTES,
  KEEP_ALIVE,
  decimalToNumber,
  invertSymbols,
  isObject,
  isParseResult,
  isPositiveFinite,
  isoToMs,
  oversized,
  parseJsonObject,
  reject,
  type ParserOptions,
} from "./common";

export function createKrakenParser(options: ParserOptions): FeedParser {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const marketBySymbol = invertSymbols(options.symbols);
  const feed = options.feed;

  function parseFrame(text: string, receivedAtMs: number): ParseResult {
    const tooBig = oversized(text, maxFrameBytes);
    if (tooBig) return tooBig;
    const message = parseJsonObject(text);
    if (isParseResult(message)) return message;

    if (message.channel === "heartbeat" || message.channel === "status") return KEEP_ALIVE;
    if (typeof message.method === "string") {
      if (message.success === false) {
        const detail = typeof message.error === "string" ? message.error : "request failed";
        return { ...reject(REJECTION_REASONS.venueError, detail), control: { type: "venue-error", message: detail } };
      }
      return message.method === "subscribe" ? { ...KEEP_ALIVE, control: { type: "subscribed" } } : KEEP_ALIVE;
    }
    if (message.channel !== "ticker") return reject(REJECTION_REASONS.unrecognised, String(message.channel));
    if (!Array.isArray(message.data)) return reject(REJECTION_REASONS.malformed, "ticker without data");

    const ticks: Tick[] = [];
    const rejections: Rejection[] = [];
    for (const item of message.data) {
      if (!isObject(item) || typeof item.symbol !== "string" || item.symbol.length > 40) {
        rejections.push({ reason: REJECTION_REASONS.malformed, detail: "ticker item without symbol" });
        continue;
      }
      const price = decimalToNumber(item.last);
      if (!isPositiveFinite(price)) {
        rejections.push({ reason: REJECTION_REASONS.badPrice, detail: String(item.last).slice(0, 40) });
        continue;
      }
      ticks.push({ feed, market: marketBySymbol.get(item.symbol.toLowerCase()), symbol: item.symbol, price, publishTimeMs: isoToMs(item.timestamp), receivedAtMs });
    }
    if (ticks.length === 0 && rejections.length === 0) return reject(REJECTION_REASONS.malformed, "ticker frame without data");
    return { ticks, rejections };
  }

  return { feed, parseFrame };
}
