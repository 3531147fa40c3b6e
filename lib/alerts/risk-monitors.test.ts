import { describe, expect, it } from "vitest";
import {
  DEFAULT_RISK_MONITOR_THRESHOLDS as D,
  dailyVolatility,
  distanceToLiquidation,
  evaluateInsuranceCoverage,
  evaluateLiquidatable,
  evaluateNearLiquidation,
  evaluatePredictedLiquidations,
  insuranceCoverageRatio,
  oneDayMove,
  riskAlertFromCondition,
  riskMonitorThresholdsSchema,
  type MonitoredPosition,
} from "./risk-monitors";

const longNear: MonitoredPosition = { size: 1, markPrice: 100, liquidationPrice: 96 }; // 4 % away
const shortFar: MonitoredPosition = { size: -2, markPrice: 100, liquidationPrice: 110 }; // 10 % away
const neverLiq: MonitoredPosition = { size: 1, markPrice: 100, liquidationPrice: null };
const longPast: MonitoredPosition = { size: 1, markPrice: 100, liquidationPrice: 101 }; // already past
const shortMid: MonitoredPosition = { size: -1, markPrice: 100, liquidationPrice: 105 }; // 5 % away

describe("distanceToLiquidation", () => {
  it.each<[MonitoredPosition, number | null]>([
    [longNear, 0.04], // (100 − 96)/100
    [shortFar, 0.1], // (110 − 100)/100
    [longPast, -0.01], // (100 − 101)/100: past liquidation
    [neverLiq, null],
  ])("%j -> %s", (p, expected) => {
    const d = distanceToLiquidation(p);
    if (expected === null) expect(d).toBeNull();
    else expect(d).toBeCloseTo(expected, 12);
  });
});

describe("near-liquidation OI share", () => {
  it("counts positions within X % of (or past) liquidation, by notional", () => {
    // OI = 100 + 200 + 100 + 100 = 500; within 5 %: longNear (100) + longPast (100) = 200 -> 0.4
    const c = evaluateNearLiquidation("ETH-USD", [longNear, shortFar, neverLiq, longPast], D.nearLiquidation);
    expect(c.value).toBeCloseTo(0.4, 12);
    expect(c.severity).toBe("critical"); // 40 % ≥ 25 %
    expect(c.threshold).toBe(0.25);
    expect(c.fingerprint).toBe("risk-near-liquidation-oi:ETH-USD:-");
    expect(c.details).toEqual({ withinFraction: 0.05, nearNotionalUsd: 200, openInterestUsd: 500 });
  });

  it.each([
    // share 100/400 = 0.25 with withinPct 5: critical at exactly 25 % (≥)
    [[longNear, shortFar, neverLiq], 5, "critical"],
    // within 3 %: nothing near -> no alert
    [[longNear, shortFar, neverLiq], 3, null],
    // within 10 %: longNear + shortFar = 300/400 = 0.75
    [[longNear, shortFar, neverLiq], 10, "critical"],
    [[], 5, null],
  ] as const)("%#: withinPct %d -> %s", (positions, withinPct, severity) => {
    expect(evaluateNearLiquidation("X", positions, { ...D.nearLiquidation, withinPct }).severity).toBe(severity);
  });

  it("warning between the two thresholds", () => {
    // 100 near out of 800 = 12.5 %: ≥ 10 % warning, < 25 % critical
    const c = evaluateNearLiquidation("X", [longNear, { size: 7, markPrice: 100, liquidationPrice: 50 }], D.nearLiquidation);
    expect(c.value).toBeCloseTo(0.125, 12);
    expect(c.severity).toBe("warning");
    expect(c.threshold).toBe(0.1);
  });
});

describe("liquidatable accounts", () => {
  it.each([
    [{ accounts: 0, notionalUsd: 0, shortfallUsd: 0 }, null],
    [{ accounts: 2, notionalUsd: 50_000, shortfallUsd: 1_200 }, "warning"], // any > 0 with default 0 USD warning
    [{ accounts: 3, notionalUsd: 1_200_000, shortfallUsd: 40_000 }, "critical"], // ≥ 1 000 000 USD
  ] as const)("%j -> %s", (totals, severity) => {
    const c = evaluateLiquidatable("BTC-USD", totals, D.liquidatable);
    expect(c.severity).toBe(severity);
    expect(c.value).toBe(totals.notionalUsd);
  });
});

describe("predicted liquidations under a one-day 99 % move", () => {
  it("derives the move from live volatility", () => {
    // σ_daily = 0.8/√365 = 0.0418739…; move = 2.326348 · σ_daily = 0.0974133…
    expect(dailyVolatility(0.8)).toBeCloseTo(0.8 / Math.sqrt(365), 15);
    expect(dailyVolatility(0.8)).toBeCloseTo(0.04187391, 8);
    expect(oneDayMove(dailyVolatility(0.8))).toBeCloseTo(0.0974133, 7);
  });

  it("counts the worse direction's liquidations as a share of OI", () => {
    // move ≈ 9.74 %: down move liquidates longNear (4 %) and longPast (−1 %) = 200 notional;
    // up move liquidates shortMid (5 %) = 100; shortFar (10 %) survives. OI = 600 -> 200/600.
    const c = evaluatePredictedLiquidations("ETH-USD", [longNear, shortFar, neverLiq, longPast, shortMid], 0.8, D.predictedLiquidations);
    expect(c.value).toBeCloseTo(1 / 3, 12);
    expect(c.severity).toBe("critical"); // ≥ 15 %
    expect(c.details.count).toBe(2);
    expect(c.details.moveFraction).toBeCloseTo(0.0974133, 7);
    expect(c.summary).toBe("ETH-USD: a one-day 9.741% down move would liquidate 2 position(s), 33.33% of open interest");
  });

  it("low volatility predicts nothing", () => {
    // annual 0.2 -> move = 2.326348·0.2/√365 ≈ 2.435 %: only longPast (−1 %) -> 100/600 ≈ 16.7 %
    const c = evaluatePredictedLiquidations("ETH-USD", [longNear, shortFar, neverLiq, longPast, shortMid], 0.2, D.predictedLiquidations);
    expect(c.value).toBeCloseTo(100 / 600, 12);
    const calm = evaluatePredictedLiquidations("ETH-USD", [longNear, shortFar, neverLiq, shortMid], 0.2, D.predictedLiquidations);
    expect(calm.value).toBe(0);
    expect(calm.severity).toBeNull();
  });
});

describe("insurance coverage", () => {
  it.each([
    // 20 000 / 15 000 = 1.333: below 200 % (warning), above 100 %
    [20_000, 15_000, 4 / 3, "warning"],
    // 5 000 / 15 000 = 0.333: below 100 % -> critical
    [5_000, 15_000, 1 / 3, "critical"],
    [40_000, 15_000, 8 / 3, null],
    // exactly 100 % is not below 100 %
    [15_000, 15_000, 1, "warning"],
  ] as const)("fund %d / bad debt %d", (fund, debt, ratio, severity) => {
    const c = evaluateInsuranceCoverage("BTC-USD", fund, debt, D.insuranceCoverage);
    expect(c.value).toBeCloseTo(ratio, 12);
    expect(c.severity).toBe(severity);
  });

  it("no stressed bad debt = covered, no alert", () => {
    expect(insuranceCoverageRatio(1_000, 0)).toBeNull();
    expect(evaluateInsuranceCoverage("BTC-USD", 0, 0, D.insuranceCoverage).severity).toBeNull();
  });
});

describe("thresholds schema", () => {
  it("fills defaults and overrides per market", () => {
    expect(D.nearLiquidation).toEqual({ withinPct: 5, warningOiSharePct: 10, criticalOiSharePct: 25 });
    const t = riskMonitorThresholdsSchema.parse({ insuranceCoverage: { criticalBelowPct: 50 } });
    expect(t.insuranceCoverage).toEqual({ warningBelowPct: 200, criticalBelowPct: 50, z: 2.326348 });
    expect([t.forMs, t.clearForMs]).toEqual([15_000, 60_000]);
    expect(t.predictedLiquidations.z).toBe(2.326348);
    const bad = riskMonitorThresholdsSchema.safeParse({ nearLiquidation: { withinPct: -1 } });
    expect(bad.error!.issues[0].path).toEqual(["nearLiquidation", "withinPct"]);
    // Unknown keys are refused (a typo must not silently keep a default).
    expect(riskMonitorThresholdsSchema.safeParse({ nearLiquidation: { within: 3 } }).error!.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["within"] });
  });

  it("refuses a critical level milder than the warning level, naming the critical field", () => {
    const bad = riskMonitorThresholdsSchema.safeParse({ predictedLiquidations: { warningOiSharePct: 20 } });
    expect(bad.error!.issues[0]).toMatchObject({ path: ["predictedLiquidations", "criticalOiSharePct"], message: "expected a critical level at or above the warning level (20)" });
    // Coverage is "below": critical must be the lower ratio.
    expect(riskMonitorThresholdsSchema.safeParse({ insuranceCoverage: { criticalBelowPct: 250 } }).error!.issues[0].path).toEqual(["insuranceCoverage", "criticalBelowPct"]);
  });
});

describe("riskAlertFromCondition lifecycle", () => {
  it("fires, updates keeping firedAt and ack, resolves, then stays quiet", () => {
    const firing = evaluateInsuranceCoverage("BTC-USD", 20_000, 15_000, D.insuranceCoverage);
    const a1 = riskAlertFromCondition(firing, null, 1_000, "https://rw.example/alerts/x")!;
    expect(a1).toMatchObject({ fingerprint: "risk-insurance-coverage:BTC-USD:-", status: "firing", firedAtMs: 1_000, labels: { check: "risk-insurance-coverage", market: "BTC-USD", feed: "-", severity: "warning" } });
    const worse = evaluateInsuranceCoverage("BTC-USD", 5_000, 15_000, D.insuranceCoverage);
    const a2 = riskAlertFromCondition(worse, { ...a1, acknowledgedAtMs: 1_500 }, 2_000)!;
    expect(a2).toMatchObject({ status: "firing", firedAtMs: 1_000, acknowledgedAtMs: 1_500, threshold: 1, labels: { severity: "critical" }, link: "https://rw.example/alerts/x" });
    const ok = evaluateInsuranceCoverage("BTC-USD", 40_000, 15_000, D.insuranceCoverage);
    const a3 = riskAlertFromCondition(ok, a2, 3_000)!;
    expect(a3).toMatchObject({ status: "resolved", resolvedAtMs: 3_000, firedAtMs: 1_000 });
    expect(riskAlertFromCondition(ok, a3, 4_000)).toBeNull();
  });
});
