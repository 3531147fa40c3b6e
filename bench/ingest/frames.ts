// The benchmark's frame mix, generated deterministically so the sender (child process) and the
// receiver agree on every frame without shipping them: real wire formats of Pyth Hermes
// price_update (40 %), Binance combined-stream bookTicker (30 %), Coinbase Advanced Trade ticker
// (26 %) and heartbeats (3 %), plus ~1 % malformed frames (NaN/zero prices, truncated JSON),
// over five markets with a random-walk price.
import { feedConfigSchema, type FeedConfig } from "../../lib/config/riskwarden-config";

export type Venue = "pyth" | "binance" | "coinbase";
export const VENUES: Venue[] = ["pyth", "binance", "coinbase"];

export const MARKETS = [
  { market: "BTC-USD", price: 97000, pythId: "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43", binance: "BTCUSDT", coinbase: "BTC-USD" },
  { market: "ETH-USD", price: 3400, pythId: "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace", binance: "ETHUSDT", coinbase: "ETH-USD" },
  { market: "SOL-USD", price: 190, pythId: "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d", binance: "SOLUSDT", coinbase: "SOL-USD" },
  { market: "LINK-USD", price: 22, pythId: "8ac0c70fff57e9aefdf5edf44b51d62c2d433653cbb2cf5cc06bb115af04d221", binance: "LINKUSDT", coinbase: "LINK-USD" },
  { market: "WIF-USD", price: 2.1, pythId: "4ca4beeca86f0d164160323817a4e42b10010a724c2217c6ee41b54cd4cc61fc", binance: "WIFUSDT", coinbase: "WIF-USD" },
];

export interface FrameMix {
  venues: Uint8Array; // index into VENUES per frame
  expectedTicks: Uint8Array; // 1 for a price frame, 0 otherwise
  expectedRejections: Uint8Array; // 1 for a malformed frame
  texts?: string[]; // only the sender materialises the texts
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateFrames(count: number, seed: number, withTexts: boolean): FrameMix {
  const random = mulberry32(seed);
  const venues = new Uint8Array(count);
  const expectedTicks = new Uint8Array(count);
  const expectedRejections = new Uint8Array(count);
  const texts: string[] | undefined = withTexts ? new Array(count) : undefined;
  const prices = MARKETS.map((m) => m.price);
  let updateId = 400900217;
  let sequence = 0;
  const baseSeconds = 1_732_500_000;
  for (let i = 0; i < count; i++) {
    const m = Math.floor(random() * MARKETS.length);
    prices[m] *= 1 + (random() - 0.5) * 0.0004; // ±2 bp steps
    const price = prices[m];
    const market = MARKETS[m];
    const roll = random();
    const malformed = random() < 0.01;
    let venue: Venue;
    let text = "";
    if (roll < 0.4) {
      venue = "pyth";
      if (withTexts) {
        const mantissa = Math.round(price * 1e8).toString();
        const conf = Math.round(price * 0.0004 * 1e8).toString();
        const publishTime = baseSeconds + Math.floor(i / 1000);
        text = malformed
          ? `{"type":"price_update","price_feed":{"id":"${market.pythId}","price":{"price":"${mantissa}","conf":"${conf}","expo":-800,"publish_time":${publishTime}}}}`
          : `{"type":"price_update","price_feed":{"id":"${market.pythId}","price":{"price":"${mantissa}","conf":"${conf}","expo":-8,"publish_time":${publishTime}},"ema_price":{"price":"${mantissa}","conf":"${conf}","expo":-8,"publish_time":${publishTime}}}}`;
      }
    } else if (roll < 0.7) {
      venue = "binance";
      if (withTexts) {
        const bid = (price * 0.99999).toFixed(4);
        const ask = (price * 1.00001).toFixed(4);
        const stream = `${market.binance.toLowerCase()}@bookTicker`;
        text = malformed
          ? `{"stream":"${stream}","data":{"u":${updateId++},"s":"${market.binance}","b":"0.0000","B":"12.5","a":"NaN","A":"3.1"}}`
          : `{"stream":"${stream}","data":{"u":${updateId++},"s":"${market.binance}","b":"${bid}","B":"12.50000000","a":"${ask}","A":"3.10000000"}}`;
      }
    } else {
      venue = "coinbase";
      if (withTexts) {
        const timestamp = new Date((baseSeconds + i / 1000) * 1000).toISOString();
        if (roll < 0.73 && !malformed) {
          text = `{"channel":"heartbeats","client_id":"","timestamp":"${timestamp}","sequence_num":${sequence++},"events":[{"current_time":"${timestamp}","heartbeat_counter":"${sequence}"}]}`;
        } else {
          const p = price.toFixed(4);
          text = malformed
            ? `{"channel":"ticker","client_id":"","timestamp":"${timestamp}","sequence_num":${sequence++},"events":[{"type":"update","tickers":[{"type":"ticker","product_id":"${market.coinbase}","pri`
            : `{"channel":"ticker","client_id":"","timestamp":"${timestamp}","sequence_num":${sequence++},"events":[{"type":"update","tickers":[{"type":"ticker","product_id":"${market.coinbase}","price":"${p}","volume_24_h":"16038.28770938","low_24_h":"${p}","high_24_h":"${p}","low_52_w":"${p}","high_52_w":"${p}","price_percent_chg_24_h":"-0.41","best_bid":"${p}","best_bid_quantity":"0.5","best_ask":"${p}","best_ask_quantity":"0.7"}]}]}`;
        }
      }
    }
    venues[i] = VENUES.indexOf(venue);
    const heartbeat = venue === "coinbase" && roll < 0.73 && !malformed;
    expectedRejections[i] = malformed ? 1 : 0;
    expectedTicks[i] = malformed || heartbeat ? 0 : 1;
    if (texts) texts[i] = text;
  }
  return { venues, expectedTicks, expectedRejections, texts };
}

/** Feed configs for the receiver, pointing at the sender's paths for one phase. */
export function benchFeedConfigs(port: number, phase: string): FeedConfig[] {
  const symbols = (key: "pythId" | "binance" | "coinbase") => Object.fromEntries(MARKETS.map((m) => [m.market, m[key]]));
  const streams = MARKETS.map((m) => `${m.binance.toLowerCase()}@bookTicker`).join("/");
  return [
    { id: "pyth", kind: "pyth", url: `ws://127.0.0.1:${port}/${phase}/pyth`, heartbeatMs: 60_000, symbols: symbols("pythId") },
    { id: "binance", kind: "binance", url: `ws://127.0.0.1:${port}/${phase}/binance?streams=${streams}`, heartbeatMs: 60_000, symbols: symbols("binance") },
    { id: "coinbase", kind: "coinbase", url: `ws://127.0.0.1:${port}/${phase}/coinbase`, heartbeatMs: 60_000, symbols: symbols("coinbase") },
  ].map((f) => feedConfigSchema.parse(f));
}
