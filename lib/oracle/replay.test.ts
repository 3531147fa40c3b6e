// Recorded incident scenarios (fixtures/scenarios, written by make-scenarios.ts) replayed through
// the same parsers and detectors as the live app. Expected times are derived in the comments from
// the scenario script: T0 = 1692110600000, one frame per feed every 500 ms, pyth-main at +0 ms,
// binance-spot at +10 ms, coinbase at +20 ms; forMs 2000, clearForMs 5000.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/riskwarden-config";
import { parseRecordedLine, replayFrames, type ReplayAlert } from "./replay";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "scenarios");
const config = parseConfig(readFileSync(path.join(dir, "riskwarden.yaml"), "utf8"), "riskwarden.yaml");
const T0 = 1692110600000;

function replay(name: string) {
  const lines = readFileSync(path.join(dir, `${name}.jsonl`), "utf8").trim().split("\n");
  return replayFrames(config, lines.map((line, i) => parseRecordedLine(line, `${name}.jsonl:${i + 1}`)), `${name}.jsonl`);
}
const times = (alerts: ReplayAlert[]) => alerts.map((a) => [a.fingerprint, a.severity, a.firedAt, a.resolvedAt]);

describe("replay of recorded incidents", () => {
  it("deviation: binance-spot +3 % from t=10 s to 30 s", () => {
    const out = replay("deviation");
    expect(out.frames).toBe(273); // 91 steps × 3 feeds
    expect(out.ticks).toBe(273);
    // first deviating frame T0+10010 → fires +2000; first good frame T0+30010 → resolves +5000
    expect(times(out.alerts)).toEqual([["deviation:BTC-USD:binance-spot", "warning", T0 + 12010, T0 + 35010]]);
    expect(out.alerts[0].threshold).toBe(0.01);
    expect(out.alerts[0].value).toBeCloseTo(0.03, 3);
    expect(out.rejected).toEqual([]);
    expect(Object.keys(out.prices["BTC-USD"].sources).sort()).toEqual(["binance-spot", "coinbase", "pyth-main"]);
  });

  it("stale: coinbase sends only heartbeats from t=10.5 s to 24.5 s", () => {
    const out = replay("stale");
    // 71 steps × 3 frames; 29 coinbase heartbeats are keep-alives, not ticks
    expect([out.frames, out.ticks]).toEqual([213, 184]);
    // last ticker T0+10020, heartbeat 3000 → stale T0+13020 → fires T0+15020 (value = 5000 ms of age);
    // next ticker T0+25020 → resolves T0+30020
    expect(times(out.alerts)).toEqual([["staleness:BTC-USD:coinbase", "warning", T0 + 15020, T0 + 30020]]);
    expect([out.alerts[0].value, out.alerts[0].threshold]).toEqual([5000, 3000]);
  });

  it("frozen: pyth-main repeats one price from t=5 s to 40 s while the others move", () => {
    const out = replay("frozen");
    // unchanged since T0+5000, frozenMs 20000 → frozen T0+25000 → fires T0+27000; moves T0+40000 → resolves T0+45000
    expect(times(out.alerts)).toEqual([["frozen:BTC-USD:pyth-main", "warning", T0 + 27000, T0 + 45000]]);
    expect([out.alerts[0].value, out.alerts[0].threshold]).toEqual([22000, 20000]);
  });

  it("jump: the whole market +12 % at t=10 s", () => {
    const out = replay("jump");
    // jump frame at T0+10000(+feed offset) → fires +2000; the last pre-jump frame (t=9500) leaves
    // the 5 s window at T0+14500(+offset) → resolves +5000. All sources agree: no deviation.
    expect(times(out.alerts)).toEqual([
      ["jump:BTC-USD:pyth-main", "warning", T0 + 12000, T0 + 19500],
      ["jump:BTC-USD:binance-spot", "warning", T0 + 12010, T0 + 19510],
      ["jump:BTC-USD:coinbase", "warning", T0 + 12020, T0 + 19520],
    ]);
    expect(out.alerts[0].value).toBeCloseTo(0.12, 3);
  });

  it("confidence: pyth-main conf 4 % of price from t=10 s to 20 s", () => {
    const out = replay("confidence");
    expect(times(out.alerts)).toEqual([["confidence:BTC-USD:pyth-main", "warning", T0 + 12000, T0 + 25000]]);
    expect(out.alerts[0].value).toBeCloseTo(0.04, 9);
    expect(out.alerts[0].threshold).toBe(0.02);
  });

  it("malformed: four bad binance frames are counted, never ticks, and raise feed-error", () => {
    const out = replay("malformed");
    expect([out.frames, out.ticks]).toEqual([153, 149]);
    expect(out.rejected).toEqual([{ feed: "binance-spot", count: 4, reasons: { "price is not a positive finite number": 3, "frame is not valid JSON": 1 } }]);
    // 3rd rejection at T0+6010 → fires T0+8010; the T0+5510 rejection leaves the 10 s window at
    // T0+15510 leaving 2 < 3 → resolves T0+20510
    expect(times(out.alerts)).toEqual([["feed-error:-:binance-spot", "warning", T0 + 8010, T0 + 20510]]);
    expect(out.alerts[0].market).toBeNull();
  });

  it("refuses frames of unknown feeds and frames going back in time", () => {
    expect(() => replayFrames(config, [{ receivedAt: 1, feed: "nope", frame: "{}" }], "x.jsonl")).toThrow('x.jsonl: frame 1: feed "nope" is not in the config');
    expect(() => replayFrames(config, [{ receivedAt: 5, feed: "coinbase", frame: "{}" }, { receivedAt: 4, feed: "coinbase", frame: "{}" }], "x.jsonl")).toThrow(/goes back in time/);
    expect(() => parseRecordedLine('{"receivedAt":"soon","feed":"a","frame":"{}"}', "x.jsonl:3")).toThrow('x.jsonl:3: receivedAt: expected epoch milliseconds, got "soon"');
  });
});
