// A generic JSON feed described by a field mapping in the config (feeds[].mapping): dot paths to
// symbol, price, optional conf/expo/timestamp, optional items array and keep-alive marker.
// Prices may be decimal strings or numbers; with expoPath they are mantissa × 10^expo as in Pyth.
import type { GenericMapping } from "../../config/riskwarden-config";
import { REJECTION_REASONS, type FeedParser, type ParseResult, type Rejection, type Tick } from "../types";
import {
  DEFAULT_MAX_FRAME_BYTES,
  decimalToNumber,
  invertSymbols,
  isParseResult,
  isPositiveFinite,
  isoToMs,
  KEEP_ALIVE,
  oversized,
  parseJsonObject,
  reject,
  scaledToNumber,
  type ParserOptions,
} from "./common";

export function valueAtPath(root: unknown, path: string | undefined): unknown {
  if (!path) return root;
  let node = root;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function createGenericParser(options: ParserOptions & { mapping: GenericMapping }): FeedParser {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const marketBySymbol = invertSymbols(options.symbols);
  const feed = options.feed;
  const mapping = options.mapping;
  // A single-market feed may omit symbolPath: every price belongs to its only configured symbol.
  const onlySymbol = Object.values(options.symbols).length === 1 ? Object.values(options.symbols)[0] : undefined;

  function timestampMs(value: unknown): number | undefined {
    if (mapping.timestampUnit === "iso") return isoToMs(value);
    const n = decimalToNumber(value);
    if (!Number.isFinite(n) || n <= 0) return undefined;
    return mapping.timestampUnit === "s" ? n * 1000 : n;
  }

  function parseItem(item: unknown, receivedAtMs: number): Tick | Rejection {
    const rawSymbol = mapping.symbolPath ? valueAtPath(item, mapping.symbolPath) : onlySymbol;
    if (typeof rawSymbol !== "string" || rawSymbol.length === 0 || rawSymbol.length > 80) return { reason: REJECTION_REASONS.malformed, detail: "symbol" };
    const rawPrice = valueAtPath(item, mapping.pricePath);
    let price: number;
    let conf: number | undefined;
    if (mapping.expoPath) {
      const expo = valueAtPath(item, mapping.expoPath);
      const scaled = scaledToNumber(rawPrice, expo);
      if (typeof scaled === "string") return { reason: scaled, detail: String(rawPrice).slice(0, 40) };
      price = scaled;
      if (mapping.confPath) {
        const scaledConf = scaledToNumber(valueAtPath(item, mapping.confPath), expo);
        conf = typeof scaledConf === "number" && scaledConf >= 0 ? scaledConf : undefined;
      }
    } else {
      price = decimalToNumber(rawPrice);
      if (mapping.confPath) {
        const c = decimalToNumber(valueAtPath(item, mapping.confPath));
        conf = c >= 0 && Number.isFinite(c) ? c : undefined;
      }
    }
    if (!isPositiveFinite(price)) return { reason: REJECTION_REASONS.badPrice, detail: String(rawPrice).slice(0, 40) };
    return {
      feed,
      market: marketBySymbol.get(rawSymbol.toLowerCase()),
      symbol: rawSymbol,
      price,
      conf,
      publishTimeMs: mapping.timestampPath ? timestampMs(valueAtPath(item, mapping.timestampPath)) : undefined,
      receivedAtMs,
    };
  }

  function parseFrame(text: string, receivedAtMs: number): ParseResult {
    const tooBig = oversized(text, maxFrameBytes);
    if (tooBig) return tooBig;
    const message = parseJsonObject(text);
    if (isParseResult(message)) return message;
    if (mapping.keepAlivePath && valueAtPath(message, mapping.keepAlivePath) === mapping.keepAliveValue) return KEEP_ALIVE;

    const items = mapping.itemsPath ? valueAtPath(message, mapping.itemsPath) : [message];
    if (!Array.isArray(items) || items.length === 0) return reject(REJECTION_REASONS.malformed, `no items at ${mapping.itemsPath}`);
    const ticks: Tick[] = [];
    const rejections: Rejection[] = [];
    for (const item of items) {
      const out = parseItem(item, receivedAtMs);
      if ("reason" in out) rejections.push(out);
      else ticks.push(out);
    }
    return { ticks, rejections };
  }

  return { feed, parseFrame };
}
