import { describe, expect, it } from "vitest";
import { encodeAbiParameters, type Hex } from "viem";
import samples from "../fixtures/samples.json";
import { REJECTION_REASONS } from "../types";
import { createFeedParser } from "./index";
import { reportV3Abi } from "./chainlink-streams";

const T = 1_692_110_601_500;
const BTC_PYTH_ID = "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43";
const ETH_PYTH_ID = "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace";

describe("pyth", () => {
  const parser = createFeedParser({ id: "pyth-main", kind: "pyth", symbols: { "ETH-USD": `0x${ETH_PYTH_ID}` }, maxFrameBytes: 65536 });

  it("parses the Hermes sample: price × 10^expo, conf, publish time (samples.json expected_price)", () => {
    const [ack, update] = samples.pyth.frames;
    expect(parser.parseFrame(ack, T)).toMatchObject({ ticks: [], rejections: [], keepAlive: true, control: { type: "subscribed" } });
    const result = parser.parseFrame(update, T);
    expect(result.rejections).toEqual([]);
    // 184136023127 × 10^-8 = 1841.36023127 (samples.json); conf 177166324 × 10^-8 = 1.77166324
    expect(result.ticks).toEqual([
      { feed: "pyth-main", market: "ETH-USD", symbol: ETH_PYTH_ID, price: samples.pyth.expected_price, conf: 1.77166324, publishTimeMs: 1692110601000, receivedAtMs: T },
    ]);
  });

  it.each([
    ['{"status":"error","error":"Rate limit exceeded"}', REJECTION_REASONS.venueError], // no "type" (ws.rs rate limit path)
    ['{"type":"response","status":"error","error":"Price feed(s) with id(s) [..] not found"}', REJECTION_REASONS.venueError],
    [samples.pyth.frames[1].replace('"expo": -8, "publish_time": 1692110601}, "ema', '"expo": -800, "publish_time": 1692110601}, "ema'), REJECTION_REASONS.absurdExponent],
    [samples.pyth.frames[1].replace('"price": "184136023127"', '"price": "0"'), REJECTION_REASONS.badPrice],
    [samples.pyth.frames[1].replace('"price": "184136023127"', '"price": "-184136023127"'), REJECTION_REASONS.badPrice],
    [samples.pyth.frames[1].replace('"price": "184136023127"', '"price": "NaN"'), REJECTION_REASONS.badPrice],
    ['{"type":"price_update"}', REJECTION_REASONS.malformed],
    ["{not json", REJECTION_REASONS.notJson],
    ['{"type":"something_new"}', REJECTION_REASONS.unrecognised],
  ])("rejects %s with %s", (frame, reason) => {
    const result = parser.parseFrame(frame, T);
    expect(result.ticks).toEqual([]);
    expect(result.rejections.map((r) => r.reason)).toEqual([reason]);
  });

  it("rejects oversized frames before parsing", () => {
    const small = createFeedParser({ id: "p", kind: "pyth", symbols: { "BTC-USD": BTC_PYTH_ID }, maxFrameBytes: 100 });
    expect(small.parseFrame(samples.pyth.frames[1], T).rejections[0].reason).toBe(REJECTION_REASONS.oversized);
  });
});

describe("binance", () => {
  const parser = createFeedParser({ id: "binance-spot", kind: "binance", symbols: { "BNB-USD": "BNBUSDT", "BNB-BTC": "bnbbtc@trade", "BTC-USD": "btcusdt@markPrice" }, maxFrameBytes: 65536 });

  it("parses the samples: trade price and combined-stream bookTicker mid (samples.json expected_prices)", () => {
    const [ack, trade, book] = samples.binance.frames;
    expect(parser.parseFrame(ack, T)).toMatchObject({ keepAlive: true, control: { type: "subscribed" } });
    expect(parser.parseFrame(trade, T).ticks).toEqual([{ feed: "binance-spot", market: "BNB-BTC", symbol: "BNBBTC", price: samples.binance.expected_prices.BNBBTC, publishTimeMs: 1672515782136, receivedAtMs: T }]);
    // (25.35190000 + 25.36520000) / 2 = 25.35855
    const mid = parser.parseFrame(book, T).ticks[0];
    expect(mid.market).toBe("BNB-USD");
    expect(mid.price).toBeCloseTo(samples.binance.expected_prices.BNBUSDT_mid, 12);
  });

  it("parses a USD-M markPriceUpdate with p as the price (Binance Mark Price Stream doc example)", () => {
    const frame = '{"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}}';
    expect(parser.parseFrame(frame, T).ticks).toEqual([{ feed: "binance-spot", market: "BTC-USD", symbol: "BTCUSDT", price: 11794.15, publishTimeMs: 1562305380000, receivedAtMs: T }]);
  });

  it("turns serverShutdown into a control signal, not a tick or rejection", () => {
    expect(parser.parseFrame('{"event":{"e":"serverShutdown","E":1770123456789}}', T)).toEqual({ ticks: [], rejections: [], keepAlive: true, control: { type: "server-shutdown" } });
  });

  it.each([
    ['{"stream":"bnbusdt@bookTicker","data":{"u":1,"s":"BNBUSDT","b":"0","B":"1","a":"25.3","A":"1"}}', REJECTION_REASONS.badPrice],
    ['{"e":"trade","s":"BNBBTC","p":"-0.001","T":1}', REJECTION_REASONS.badPrice],
    ['{"e":"trade","s":"BNBBTC","p":"abc","T":1}', REJECTION_REASONS.badPrice],
    ['{"code":2,"msg":"Invalid request: unknown variant"}', REJECTION_REASONS.venueError],
    ['{"error":{"code":2,"msg":"Invalid request"},"id":3}', REJECTION_REASONS.venueError],
    ['{"stream":"x","data":[1]}', REJECTION_REASONS.malformed],
    ['{"e":"depthUpdate"}', REJECTION_REASONS.unrecognised],
  ])("rejects %s", (frame, reason) => {
    expect(parser.parseFrame(frame, T).rejections.map((r) => r.reason)).toEqual([reason]);
  });
});

describe("coinbase", () => {
  const parser = createFeedParser({ id: "coinbase", kind: "coinbase", symbols: { "BTC-USD": "BTC-USD" }, maxFrameBytes: 65536 });
  it("parses the ticker snapshot and treats heartbeats as keep-alive (samples.json expected_price)", () => {
    const [ticker, heartbeat] = samples.coinbase.frames;
    const result = parser.parseFrame(ticker, T);
    expect(result.ticks).toEqual([{ feed: "coinbase", market: "BTC-USD", symbol: "BTC-USD", price: samples.coinbase.expected_price, publishTimeMs: Date.parse("2023-02-09T20:30:37.167Z"), receivedAtMs: T }]);
    expect(parser.parseFrame(heartbeat, T)).toEqual({ ticks: [], rejections: [], keepAlive: true });
    expect(parser.parseFrame('{"channel":"subscriptions","events":[{"subscriptions":{"ticker":["BTC-USD"]}}]}', T).control).toEqual({ type: "subscribed" });
  });
  it("counts a bad ticker inside an update and keeps the good one", () => {
    const frame = '{"channel":"ticker","timestamp":"2023-02-09T20:30:37Z","sequence_num":5,"events":[{"type":"update","tickers":[{"type":"ticker","product_id":"BTC-USD","price":"0"},{"type":"ticker","product_id":"BTC-USD","price":"21933.5"}]}]}';
    const result = parser.parseFrame(frame, T);
    expect(result.ticks.map((t) => t.price)).toEqual([21933.5]);
    expect(result.rejections.map((r) => r.reason)).toEqual([REJECTION_REASONS.badPrice]);
    expect(parser.parseFrame('{"type":"error","message":"failure to subscribe"}', T).rejections[0].reason).toBe(REJECTION_REASONS.venueError);
  });
});

describe("kraken v2", () => {
  const parser = createFeedParser({ id: "kraken", kind: "kraken", symbols: { "BTC-USD": "BTC/USD" }, maxFrameBytes: 65536 });
  it("parses ticker last price; heartbeat, status and acks are keep-alive", () => {
    // Example from docs.kraken.com/api/docs/websocket-v2/ticker (update message).
    const frame = '{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":97000.0,"bid_qty":0.5,"ask":97000.1,"ask_qty":1.2,"last":97000.05,"volume":1234.5,"vwap":96500.2,"low":95000.0,"high":98000.0,"change":500.0,"change_pct":0.52}]}';
    expect(parser.parseFrame(frame, T).ticks).toEqual([{ feed: "kraken", market: "BTC-USD", symbol: "BTC/USD", price: 97000.05, publishTimeMs: undefined, receivedAtMs: T }]);
    expect(parser.parseFrame('{"channel":"heartbeat"}', T)).toEqual({ ticks: [], rejections: [], keepAlive: true });
    expect(parser.parseFrame('{"method":"subscribe","result":{"channel":"ticker","symbol":"BTC/USD"},"success":true,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}', T).control).toEqual({ type: "subscribed" });
    expect(parser.parseFrame('{"method":"subscribe","error":"Currency pair not supported","success":false}', T).rejections[0].reason).toBe(REJECTION_REASONS.venueError);
    expect(parser.parseFrame('{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","last":null}]}', T).rejections[0].reason).toBe(REJECTION_REASONS.badPrice);
  });
});

describe("chainlink data streams v3", () => {
  const FEED_ID = "0x00039d9e45394f473ab1f050a1b963e6b05351e52d71e507509ada0c95ed75b8" as Hex;
  const parser = createFeedParser({ id: "cl", kind: "chainlink-streams", symbols: { "BTC-USD": FEED_ID }, maxFrameBytes: 65536 });
  function frame(observationsTimestamp: number, price: bigint, bid: bigint, ask: bigint, feedId: Hex = FEED_ID): string {
    const blob = encodeAbiParameters(reportV3Abi, [feedId, observationsTimestamp, observationsTimestamp, 1n, 2n, observationsTimestamp + 86400, price, bid, ask]);
    const fullReport = encodeAbiParameters(
      [{ type: "bytes32[3]" }, { type: "bytes" }, { type: "bytes32[]" }, { type: "bytes32[]" }, { type: "bytes32" }],
      [[`0x${"11".repeat(32)}`, `0x${"22".repeat(32)}`, `0x${"33".repeat(32)}`], blob, [`0x${"44".repeat(32)}`], [`0x${"55".repeat(32)}`], `0x${"66".repeat(32)}`],
    );
    return JSON.stringify({ report: { feedID: feedId, fullReport, validFromTimestamp: observationsTimestamp, observationsTimestamp } });
  }
  it("decodes benchmarkPrice (18 decimals) and conf = (ask − bid) / 2, then drops duplicates by watermark", () => {
    // 97123.45 × 1e18; bid 97120.00, ask 97126.00 → conf 3.0
    const first = frame(1732500000, 97123450000000000000000n, 97120000000000000000000n, 97126000000000000000000n);
    expect(parser.parseFrame(first, T).ticks).toEqual([{ feed: "cl", market: "BTC-USD", symbol: FEED_ID.slice(2), price: 97123.45, conf: 3, publishTimeMs: 1732500000000, receivedAtMs: T }]);
    expect(parser.parseFrame(first, T + 5)).toEqual({ ticks: [], rejections: [], ignored: "duplicate report" });
    expect(parser.parseFrame(frame(1732499999, 1n, 1n, 1n), T + 6).ignored).toBe("duplicate report");
    expect(parser.parseFrame(frame(1732500001, 97124000000000000000000n, 0n, 0n), T + 7).ticks[0].price).toBe(97124);
  });
  it("rejects negative prices, garbage reports and non-v3 schemas", () => {
    expect(parser.parseFrame(frame(1732600000, -5n, 0n, 0n), T).rejections[0].reason).toBe(REJECTION_REASONS.badPrice);
    expect(parser.parseFrame('{"report":{"feedID":"0x00","fullReport":"0x1234"}}', T).rejections[0].reason).toBe(REJECTION_REASONS.badReport);
    const v2 = ("0x0002" + FEED_ID.slice(6)) as Hex;
    expect(parser.parseFrame(frame(1732700000, 5n, 0n, 0n, v2), T).rejections[0].reason).toBe(REJECTION_REASONS.badReport);
  });
});

describe("generic", () => {
  const parser = createFeedParser({
    id: "gen",
    kind: "generic",
    symbols: { "BTC-USD": "BTCUSD", "ETH-USD": "ETHUSD" },
    maxFrameBytes: 65536,
    mapping: { itemsPath: "data", symbolPath: "sym", pricePath: "px.mantissa", expoPath: "px.expo", confPath: "px.conf", timestampPath: "ts", timestampUnit: "s", keepAlivePath: "type", keepAliveValue: "ping" },
  });
  it("maps fields by dot path, scales by expo, and recognises keep-alives", () => {
    const frame = '{"data":[{"sym":"BTCUSD","px":{"mantissa":"9712345","expo":-2,"conf":"150"},"ts":1732500000},{"sym":"ETHUSD","px":{"mantissa":0,"expo":-2}}]}';
    const result = parser.parseFrame(frame, T);
    expect(result.ticks).toEqual([{ feed: "gen", market: "BTC-USD", symbol: "BTCUSD", price: 97123.45, conf: 1.5, publishTimeMs: 1732500000000, receivedAtMs: T }]);
    expect(result.rejections.map((r) => r.reason)).toEqual([REJECTION_REASONS.badPrice]);
    expect(parser.parseFrame('{"type":"ping"}', T).keepAlive).toBe(true);
    expect(parser.parseFrame('{"data":[{"sym":"BTCUSD","px":{"mantissa":"1","expo":99}}]}', T).rejections[0].reason).toBe(REJECTION_REASONS.absurdExponent);
  });
});
