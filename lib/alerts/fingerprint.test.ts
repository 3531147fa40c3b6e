import { describe, expect, it } from "vitest";
import {
  alertFingerprint,
  fingerprintFromLabels,
  oracleFingerprint,
  parseFingerprint,
  riskFingerprint,
} from "./fingerprint";

describe("fingerprints", () => {
  it.each([
    // Contract example (shared contracts/config-and-replay.md, replay output).
    [oracleFingerprint("deviation", "BTC-USD", "binance-spot"), "deviation:BTC-USD:binance-spot"],
    [oracleFingerprint("staleness", "ETH-USD", "pyth-main"), "staleness:ETH-USD:pyth-main"],
    // A feed-wide error has no market.
    [oracleFingerprint("feed-error", null, "pyth-main"), "feed-error:-:pyth-main"],
    // Risk monitors: `risk-<name>:market:-` (brief).
    [riskFingerprint("insurance-coverage", "ETH-USD"), "risk-insurance-coverage:ETH-USD:-"],
    [riskFingerprint("near-liquidation-oi", "SOL-USD"), "risk-near-liquidation-oi:SOL-USD:-"],
    [fingerprintFromLabels({ check: "jump", market: "SOL-USD", feed: "coinbase", severity: "critical" }), "jump:SOL-USD:coinbase"],
  ])("%s", (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it("is stable: same parts, same key", () => {
    expect(alertFingerprint({ check: "frozen", market: "BTC-USD", feed: "kraken" })).toBe(
      oracleFingerprint("frozen", "BTC-USD", "kraken"),
    );
  });

  it("round-trips through parseFingerprint", () => {
    expect(parseFingerprint("deviation:BTC-USD:binance-spot")).toEqual({
      check: "deviation",
      market: "BTC-USD",
      feed: "binance-spot",
    });
  });

  it("refuses parts that would make the key ambiguous", () => {
    expect(() => oracleFingerprint("deviation", "BTC:USD", "x")).toThrow(/must not contain/);
    expect(() => alertFingerprint({ check: "" })).toThrow(/check is required/);
    expect(() => parseFingerprint("a:b")).toThrow(/not a check:market:feed/);
  });
});
