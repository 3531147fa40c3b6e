// The benchmark's exactly-once check relies on the generated mix's expected ticks/rejections; this
// verifies them against the real parsers frame by frame.
import { describe, expect, it } from "vitest";
import { createFeedParser } from "../lib/oracle/parsers/index";
import { VENUES, benchFeedConfigs, generateFrames } from "./ingest/frames";

describe("ingest benchmark frame mix", () => {
  it("expected ticks and rejections match the parsers for 20,000 frames", () => {
    const mix = generateFrames(20_000, 42, true);
    const parsers = benchFeedConfigs(1, "t").map((feed) => createFeedParser(feed));
    let ticks = 0;
    let rejections = 0;
    let keepAlives = 0;
    for (let i = 0; i < mix.venues.length; i++) {
      const result = parsers[mix.venues[i]].parseFrame((mix.texts as string[])[i], 0);
      expect([result.ticks.length, result.rejections.length]).toEqual([mix.expectedTicks[i], mix.expectedRejections[i]]);
      for (const tick of result.ticks) expect(tick.market).toBeDefined();
      ticks += result.ticks.length;
      rejections += result.rejections.length;
      if (result.keepAlive) keepAlives++;
    }
    // the mix is what the benchmark claims: mostly prices, ~1 % malformed, some heartbeats
    expect(ticks / mix.venues.length).toBeGreaterThan(0.9);
    expect(rejections / mix.venues.length).toBeGreaterThan(0.005);
    expect(rejections / mix.venues.length).toBeLessThan(0.02);
    expect(keepAlives).toBeGreaterThan(300);
    expect(new Set(mix.venues).size).toBe(VENUES.length);
  });
});
