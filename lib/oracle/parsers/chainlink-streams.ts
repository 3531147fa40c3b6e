// Chainlink Data Streams WebSocket (wss://ws.dataengine.chain.link/api/v1/ws?feedIDs=…).
// docs.chain.link/data-streams/reference/data-streams-api/interface-ws: each message is
//   {"report":{"feedID":"0x…","fullReport":"0x…","validFromTimestamp":…,"observationsTimestamp":…}}.
// fullReport is ABI-encoded (bytes32[3] reportContext, bytes reportBlob, bytes32[] rawRs,
// bytes32[] rawSs, bytes32 rawVs); a v3 (crypto) reportBlob is (bytes32 feedId, uint32
// validFromTimestamp, uint32 observationsTimestamp, uint192 nativeFee, uint192 linkFee, uint32
// expiresAt, int192 benchmarkPrice, int192 bid, int192 ask), prices with 18 decimals
// (docs.chain.link/data-streams/reference/report-schema-v3). The schema version is the first two
// bytes of the feed id (0x0003…).
// In high-availability mode the server (and our rotating connections) may deliver the same report
// more than once: a per-feed watermark on observationsTimestamp drops repeats and out-of-order
// older reports ("duplicate report", neither tick nor rejection).
// Float: int192 / 10^18 is converted via the decimal string "<int>e-18" (one correct rounding).
import { decodeAbiParameters, type Hex } from "viem";
import { REJECTION_REASONS, type FeedParser, type ParseResult } from "../types";
import {
  DEFAULT_MAX_FRAME_BYTES,
  invertSymbols,
  isObject,
  isParseResult,
  isPositiveFinite,
  normaliseSymbol,
  oneTick,
  oversized,
  parseJsonObject,
  reject,
  type ParserOptions,
} from "./common";

const fullReportAbi = [
  { name: "reportContext", type: "bytes32[3]" },
  { name: "reportBlob", type: "bytes" },
  { name: "rawRs", type: "bytes32[]" },
  { name: "rawSs", type: "bytes32[]" },
  { name: "rawVs", type: "bytes32" },
] as const;

export const reportV3Abi = [
  { name: "feedId", type: "bytes32" },
  { name: "validFromTimestamp", type: "uint32" },
  { name: "observationsTimestamp", type: "uint32" },
  { name: "nativeFee", type: "uint192" },
  { name: "linkFee", type: "uint192" },
  { name: "expiresAt", type: "uint32" },
  { name: "benchmarkPrice", type: "int192" },
  { name: "bid", type: "int192" },
  { name: "ask", type: "int192" },
] as const;

export interface DecodedReportV3 {
  feedId: string;
  validFromTimestamp: number;
  observationsTimestamp: number;
  expiresAt: number;
  benchmarkPrice: number;
  bid: number;
  ask: number;
}

const hexPattern = /^0x(?:[0-9a-fA-F]{2})*$/;

function fixed18ToNumber(value: bigint): number {
  return Number(`${value.toString()}e-18`);
}

/** Decode a v3 fullReport; throws on anything that is not one (callers turn that into a rejection). */
export function decodeFullReportV3(fullReport: string): DecodedReportV3 {
  if (!hexPattern.test(fullReport)) throw new Error("fullReport is not 0x-prefixed hex");
  const [, reportBlob] = decodeAbiParameters(fullReportAbi, fullReport as Hex);
  const version = Number.parseInt(reportBlob.slice(2, 6), 16);
  if (version !== 3) throw new Error(`report schema v${version} is not v3`);
  const [feedId, validFromTimestamp, observationsTimestamp, , , expiresAt, benchmarkPrice, bid, ask] = decodeAbiParameters(reportV3Abi, reportBlob);
  return {
    feedId,
    validFromTimestamp,
    observationsTimestamp,
    expiresAt,
    benchmarkPrice: fixed18ToNumber(benchmarkPrice),
    bid: fixed18ToNumber(bid),
    ask: fixed18ToNumber(ask),
  };
}

export function createChainlinkStreamsParser(options: ParserOptions): FeedParser {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const marketBySymbol = invertSymbols(options.symbols);
  const feed = options.feed;
  /** feed id → highest observationsTimestamp seen (seconds). */
  const watermarkByFeedId = new Map<string, number>();

  function parseFrame(text: string, receivedAtMs: number): ParseResult {
    const tooBig = oversized(text, maxFrameBytes);
    if (tooBig) return tooBig;
    const message = parseJsonObject(text);
    if (isParseResult(message)) return message;
    const report = message.report;
    if (!isObject(report)) {
      if (typeof message.error === "string") return { ...reject(REJECTION_REASONS.venueError, message.error), control: { type: "venue-error", message: message.error } };
      return reject(REJECTION_REASONS.unrecognised, "no report");
    }
    if (typeof report.fullReport !== "string") return reject(REJECTION_REASONS.malformed, "report without fullReport");

    let decoded: DecodedReportV3;
    try {
      decoded = decodeFullReportV3(report.fullReport);
    } catch (error) {
      return reject(REJECTION_REASONS.badReport, error instanceof Error ? error.message.split("\n")[0] : "decode failed");
    }
    const symbol = normaliseSymbol(decoded.feedId);
    if (typeof report.feedID === "string" && normaliseSymbol(report.feedID) !== symbol) {
      return reject(REJECTION_REASONS.badReport, "feedID differs from the report's feedId");
    }
    if (!isPositiveFinite(decoded.benchmarkPrice)) return reject(REJECTION_REASONS.badPrice, String(decoded.benchmarkPrice));

    const watermark = watermarkByFeedId.get(symbol);
    if (watermark !== undefined && decoded.observationsTimestamp <= watermark) return { ticks: [], rejections: [], ignored: "duplicate report" };
    watermarkByFeedId.set(symbol, decoded.observationsTimestamp);

    const spread = decoded.ask - decoded.bid;
    return oneTick({
      feed,
      market: marketBySymbol.get(symbol),
      symbol,
      price: decoded.benchmarkPrice,
      conf: spread > 0 && Number.isFinite(spread) ? spread / 2 : undefined,
      publishTimeMs: decoded.observationsTimestamp * 1000,
      receivedAtMs,
    });
  }

  return { feed, parseFrame };
}
