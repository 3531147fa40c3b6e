// Pyth Hermes WebSocket (wss://hermes.pyth.network/ws).
// Wire format: pyth-network/pyth-crosschain apps/hermes/server/src/api/ws.rs (ServerMessage is
// serde-tagged by "type": {"type":"response","status":"success"|"error","error"?} and
// {"type":"price_update","price_feed":{"id","price":{"price","conf","expo","publish_time"},"ema_price",…}}).
// The rate-limit error is serialised from ServerResponseMessage directly, so it arrives WITHOUT a
// "type": {"status":"error","error":"Rate limit exceeded"} — handled below as a venue error.
// Price = price × 10^expo, conf likewise (docs.pyth.network, best practices: fixed-point representation).
import { REJECTION_REASONS, type FeedParser, type ParseResult } from "../types";
import {
  DEFAULT_MAX_FRAME_BYTES,
  KEEP_ALIVE,
  invertSymbols,
  isObject,
  isParseResult,
  isPositiveFinite,
  normaliseSymbol,
  oneTick,
  oversized,
  parseJsonObject,
  reject,
  scaledToNumber,
  type ParserOptions,
} from "./common";

export function createPythParser(options: ParserOptions): FeedParser {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const marketBySymbol = invertSymbols(options.symbols);
  const feed = options.feed;

  function parseFrame(text: string, receivedAtMs: number): ParseResult {
    const tooBig = oversized(text, maxFrameBytes);
    if (tooBig) return tooBig;
    const message = parseJsonObject(text);
    if (isParseResult(message)) return message;

    if (message.type === "price_update") {
      const priceFeed = message.price_feed;
      if (!isObject(priceFeed) || typeof priceFeed.id !== "string" || !isObject(priceFeed.price)) {
        return reject(REJECTION_REASONS.malformed, "price_update without price_feed.id/price");
      }
      const quote = priceFeed.price;
      const price = scaledToNumber(quote.price, quote.expo);
      if (typeof price === "string") return reject(price, `price ${String(quote.price)} expo ${String(quote.expo)}`);
      if (!isPositiveFinite(price)) return reject(REJECTION_REASONS.badPrice, String(quote.price));
      const conf = scaledToNumber(quote.conf, quote.expo);
      if (typeof conf === "string" || !(conf >= 0) || !Number.isFinite(conf)) return reject(REJECTION_REASONS.malformed, `conf ${String(quote.conf)}`);
      const publishTime = quote.publish_time;
      if (typeof publishTime !== "number" || !Number.isFinite(publishTime)) return reject(REJECTION_REASONS.malformed, "publish_time");
      const symbol = normaliseSymbol(priceFeed.id);
      return oneTick({ feed, market: marketBySymbol.get(symbol), symbol, price, conf, publishTimeMs: publishTime * 1000, receivedAtMs });
    }

    if (message.type === "response" || (message.type === undefined && "status" in message)) {
      if (message.status === "success") return { ...KEEP_ALIVE, control: { type: "subscribed" } };
      if (message.status === "error") {
        const detail = typeof message.error === "string" ? message.error : "error";
        return { ...reject(REJECTION_REASONS.venueError, detail), control: { type: "venue-error", message: detail } };
      }
      return reject(REJECTION_REASONS.malformed, "response without status");
    }
    return reject(REJECTION_REASONS.unrecognised, String(message.type));
  }

  return { feed, parseFrame };
}
