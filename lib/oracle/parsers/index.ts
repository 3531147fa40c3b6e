// One parser per configured feed (parsers keep per-feed state such as the Data Streams watermark).
import type { FeedConfig } from "../../config/riskwarden-config";
import type { FeedParser } from "../types";
import { createBinanceParser } from "./binance";
import { createChainlinkStreamsParser } from "./chainlink-streams";
import { createCoinbaseParser } from "./coinbase";
import { createGenericParser } from "./generic";
import { createKrakenParser } from "./kraken";
import { createPythParser } from "./pyth";

export { createBinanceParser, createChainlinkStreamsParser, createCoinbaseParser, createGenericParser, createKrakenParser, createPythParser };

export type ParserFeedConfig = Pick<FeedConfig, "id" | "kind" | "symbols" | "maxFrameBytes" | "mapping">;

export function createFeedParser(feed: ParserFeedConfig): FeedParser {
  const options = { feed: feed.id, symbols: feed.symbols, maxFrameBytes: feed.maxFrameBytes };
  switch (feed.kind) {
    case "pyth":
      return createPythParser(options);
    case "binance":
      return createBinanceParser(options);
    case "coinbase":
      return createCoinbaseParser(options);
    case "kraken":
      return createKrakenParser(options);
    case "chainlink-streams":
      return createChainlinkStreamsParser(options);
    case "generic":
      if (!feed.mapping) throw new Error(`feed ${feed.id}: a generic feed needs a mapping`);
      return createGenericParser({ ...options, mapping: feed.mapping });
  }
}
