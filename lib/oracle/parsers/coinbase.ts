// Coinbase Advanced Trade market data WebSocket (wss://advanced-trade-ws.coinbase.com).
// docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels:
// ticker: {"channel":"ticker","timestamp","sequence_num","events":[{"type":"snapshot"|"update",
//   "tickers":[{"type":"ticker","product_id","price","best_bid","best_ask",…}]}]}
// heartbeats: {"channel":"heartbeats",…,"events":[{"current_time","heartbeat_counter"}]} — subscribe to
//   it to keep subscriptions open ("most channels close within 60-90 seconds if no updates are sent").
// subscriptions ack: {"channel":"subscriptions","events":[{"subscriptions":{…}}]}; errors {"type":"error","message"}.
// Tick price = ticker "price" (last trade).
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

export function createCoinbaseParser(options: ParserOptions): FeedParser {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const marketBySymbol = invertSymbols(options.symbols);
  const feed = options.feed;

  function parseFrame(text: string, receivedAtMs: number): ParseResult {
    const tooBig = oversized(text, maxFrameBytes);
    if (tooBig) return tooBig;
    const message = parseJsonObject(text);
    if (isParseResult(message)) return message;

    if (message.type === "error") {
      const detail = typeof message.message === "string" ? message.message : "error";
      return { ...reject(REJECTION_REASONS.venueError, detail), control: { type: "venue-error", message: detail } };
    }
    const channel = message.channel;
    if (channel === "heartbeats") return KEEP_ALIVE;
    if (channel === "subscriptions") return { ...KEEP_ALIVE, control: { type: "subscribed" } };
    if (channel !== "ticker" && channel !== "ticker_batch") return reject(REJECTION_REASONS.unrecognised, String(channel));
    if (!Array.isArray(message.events)) return reject(REJECTION_REASONS.malformed, "ticker without events");

    const publishTimeMs = isoToMs(message.timestamp);
    const ticks: Tick[] = [];
    const rejections: Rejection[] = [];
    for (const event of message.events) {
      if (!isObject(event) || !Array.isArray(event.tickers)) {
        rejections.push({ reason: REJECTION_REASONS.malformed, detail: "event without tickers" });
        continue;
      }
      for (const ticker of event.tickers) {
        if (!isObject(ticker) || typeof ticker.product_id !== "string" || ticker.product_id.length > 40) {
          rejections.push({ reason: REJECTION_REASONS.malformed, detail: "ticker without product_id" });
          continue;
        }
        const price = decimalToNumber(ticker.price);
        if (!isPositiveFinite(price)) {
          rejections.push({ reason: REJECTION_REASONS.badPrice, detail: String(ticker.price).slice(0, 40) });
          continue;
        }
        const symbol = ticker.product_id;
        ticks.push({ feed, market: marketBySymbol.get(symbol.toLowerCase()), symbol, price, publishTimeMs, receivedAtMs });
      }
    }
    if (ticks.length === 0 && rejections.length === 0) return reject(REJECTION_REASONS.malformed, "ticker frame without tickers");
    return { ticks, rejections };
  }

  return { feed, parseFrame };
}
