// Seeded fuzzing of every venue parser: random bytes, truncations and structural mutations of real
// frames (strings↔numbers, huge exponents, NaN/Infinity/negatives, nested garbage, oversize).
// Properties: parseFrame never throws; every frame is a keep-alive, an ignored duplicate, ticks,
// or at least one counted rejection; every tick has a positive finite price.
import { describe, expect, it } from "vitest";
import { encodeAbiParameters, type Hex } from "viem";
import samples from "../fixtures/samples.json";
import type { FeedParser } from "../types";
import { reportV3Abi } from "./chainlink-streams";
import { createFeedParser, type ParserFeedConfig } from "./index";

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

const FEED_ID = "0x00039d9e45394f473ab1f050a1b963e6b05351e52d71e507509ada0c95ed75b8" as Hex;
function chainlinkFrame(): string {
  const blob = encodeAbiParameters(reportV3Abi, [FEED_ID, 1732500000, 1732500000, 1n, 2n, 1732586400, 97123450000000000000000n, 97120000000000000000000n, 97126000000000000000000n]);
  const full = encodeAbiParameters(
    [{ type: "bytes32[3]" }, { type: "bytes" }, { type: "bytes32[]" }, { type: "bytes32[]" }, { type: "bytes32" }],
    [[`0x${"11".repeat(32)}`, `0x${"22".repeat(32)}`, `0x${"33".repeat(32)}`], blob, [], [], `0x${"66".repeat(32)}`],
  );
  return JSON.stringify({ report: { feedID: FEED_ID, fullReport: full, validFromTimestamp: 1732500000, observationsTimestamp: 1732500000 } });
}

const corpora: Array<{ config: ParserFeedConfig; frames: string[] }> = [
  { config: { id: "pyth", kind: "pyth", symbols: { "ETH-USD": samples.pyth.subscribe.ids[0] }, maxFrameBytes: 4096 }, frames: [...samples.pyth.frames, '{"status":"error","error":"Rate limit exceeded"}'] },
  { config: { id: "binance", kind: "binance", symbols: { "BNB-USD": "BNBUSDT" }, maxFrameBytes: 4096 }, frames: [...samples.binance.frames, '{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"11794.15","i":"1","P":"1","r":"0","T":1}', '{"event":{"e":"serverShutdown","E":1}}'] },
  { config: { id: "coinbase", kind: "coinbase", symbols: { "BTC-USD": "BTC-USD" }, maxFrameBytes: 4096 }, frames: samples.coinbase.frames },
  { config: { id: "kraken", kind: "kraken", symbols: { "BTC-USD": "BTC/USD" }, maxFrameBytes: 4096 }, frames: ['{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":97000.0,"ask":97000.1,"last":97000.05}]}', '{"channel":"heartbeat"}'] },
  { config: { id: "chainlink", kind: "chainlink-streams", symbols: { "BTC-USD": FEED_ID }, maxFrameBytes: 8192 }, frames: [chainlinkFrame()] },
  {
    config: { id: "generic", kind: "generic", symbols: { "BTC-USD": "BTCUSD" }, maxFrameBytes: 4096, mapping: { itemsPath: "data", symbolPath: "sym", pricePath: "px", expoPath: "e", timestampUnit: "ms", keepAlivePath: "type", keepAliveValue: "ping" } },
    frames: ['{"data":[{"sym":"BTCUSD","px":"9712345","e":-2}]}', '{"type":"ping"}'],
  },
];

const garbageValues: unknown[] = [null, true, false, 0, -1, 1e308, -1e308, "NaN", "Infinity", "-0", "", "1e999", "0x10", [], {}, [[[]]], { a: { b: { c: [1, "x"] } } }, "1".repeat(500), 2 ** 53 + 1, -8e9, 1e-320];

function mutate(value: unknown, random: () => number, depth = 0): unknown {
  if (depth > 6) return value;
  if (Array.isArray(value)) {
    if (random() < 0.1) return garbageValues[Math.floor(random() * garbageValues.length)];
    return value.map((v) => mutate(v, random, depth + 1));
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const roll = random();
      if (roll < 0.05) continue; // drop a field
      if (roll < 0.1) out[key] = garbageValues[Math.floor(random() * garbageValues.length)];
      else out[key] = mutate(v, random, depth + 1);
    }
    if (random() < 0.05) out[`x${Math.floor(random() * 100)}`] = garbageValues[Math.floor(random() * garbageValues.length)];
    return out;
  }
  const roll = random();
  if (roll > 0.25) return value;
  if (typeof value === "string") {
    if (/^-?\d+$/.test(value) && roll < 0.1) return Number(value); // string → number
    if (roll < 0.15) return value.slice(0, Math.floor(random() * value.length));
    return garbageValues[Math.floor(random() * garbageValues.length)];
  }
  if (typeof value === "number") {
    if (roll < 0.08) return String(value); // number → string
    if (roll < 0.16) return [1e9, -1e9, 31, -31, 999][Math.floor(random() * 5)]; // huge exponents / timestamps
    return [Number.NaN, -value, 0, value * 1e300][Math.floor(random() * 4)];
  }
  return garbageValues[Math.floor(random() * garbageValues.length)];
}

function randomFrame(base: string, random: () => number): string {
  const kind = random();
  if (kind < 0.2) {
    const length = Math.floor(random() * 300);
    let s = "";
    for (let i = 0; i < length; i++) s += String.fromCharCode(Math.floor(random() * 0x3000));
    return s;
  }
  if (kind < 0.4) return base.slice(0, Math.floor(random() * base.length));
  if (kind < 0.45) return base + " ".repeat(10000); // oversized
  if (kind < 0.5) return base.replace(/\d/g, (d) => (random() < 0.1 ? String.fromCharCode(33 + Math.floor(random() * 90)) : d));
  const mutated = mutate(JSON.parse(base), random);
  return JSON.stringify(mutated) ?? "null";
}

function checkFrame(parser: FeedParser, frame: string): void {
  let result;
  try {
    result = parser.parseFrame(frame, 1_700_000_000_000);
  } catch (error) {
    throw new Error(`parser ${parser.feed} threw on ${JSON.stringify(frame.slice(0, 300))}: ${String(error)}`);
  }
  const accounted = result.keepAlive === true || result.ignored !== undefined || result.ticks.length > 0 || result.rejections.length > 0;
  if (!accounted) throw new Error(`parser ${parser.feed} neither ticked nor rejected ${JSON.stringify(frame.slice(0, 300))}`);
  for (const tick of result.ticks) {
    if (!(tick.price > 0 && Number.isFinite(tick.price))) throw new Error(`parser ${parser.feed} produced price ${tick.price} from ${frame.slice(0, 300)}`);
    if (tick.conf !== undefined && !(tick.conf >= 0 && Number.isFinite(tick.conf))) throw new Error(`bad conf ${tick.conf}`);
  }
}

describe("parser fuzzing", () => {
  it.each(corpora.map((c) => [c.config.kind, c] as const))("%s survives 4000 random and mutated frames", (_kind, corpus) => {
    const random = mulberry32(0xc0ffee ^ corpus.config.id.length * 7919);
    const parser = createFeedParser(corpus.config);
    let rejected = 0;
    for (let i = 0; i < 4000; i++) {
      const base = corpus.frames[i % corpus.frames.length];
      const frame = randomFrame(base, random);
      checkFrame(parser, frame);
      if (parser.parseFrame(frame, 0).rejections.length > 0) rejected++;
    }
    // Sanity: the fuzzer really produced bad input (most frames are rejected), and the untouched
    // frames still parse.
    expect(rejected).toBeGreaterThan(1000);
    for (const frame of corpus.frames) checkFrame(createFeedParser(corpus.config), frame);
  });
});
