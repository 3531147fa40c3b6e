import { describe, expect, it } from "vitest";
import { effectiveInitialMarginFraction, parseParams, validateMarketParams, volatilityMaintenanceFraction } from "./params";
import { RiskInputError } from "./errors";

const valid = {
  initialMarginFraction: 0.1,
  maintenanceMarginFraction: 0.05,
  maintenanceTiers: [
    { notionalFloor: 0, maintenanceMarginFraction: 0.004 },
    { notionalFloor: 50000, maintenanceMarginFraction: 0.005 },
  ],
  liquidationPenalty: 0.015,
  volatilityMargin: { annualVolatility: 0.8, z: 2.326348, horizonHours: 8 },
  openInterestScaling: { openInterestNotional: 35e6, lowerCap: 20e6, upperCap: 50e6 },
  cascade: { dailyVolatility: 0.05, dailyVolumeUsd: 5e7, impactCoefficient: 1, permanentImpactShare: 1 },
};

describe("validateMarketParams", () => {
  it("accepts the contract's example market", () => {
    expect(validateMarketParams(valid, 'markets["ETH-USD"]')).toEqual([]);
  });

  const cases: { name: string; patch: Record<string, unknown>; issues: { path: string; reason: string }[] }[] = [
    { name: "maintenance not below initial", patch: { maintenanceMarginFraction: 0.1 },
      issues: [{ path: "m.maintenanceMarginFraction", reason: "expected less than initialMarginFraction (0.1), got 0.1" }] },
    { name: "initial above 1", patch: { initialMarginFraction: 1.5 },
      issues: [{ path: "m.initialMarginFraction", reason: "expected a fraction in (0, 1], got 1.5" }] },
    { name: "string fraction", patch: { maintenanceMarginFraction: "0.05" },
      issues: [{ path: "m.maintenanceMarginFraction", reason: 'expected a finite number, got "0.05"' }] },
    { name: "first tier not at 0", patch: { maintenanceTiers: [{ notionalFloor: 10, maintenanceMarginFraction: 0.01 }] },
      issues: [{ path: "m.maintenanceTiers[0].notionalFloor", reason: "expected 0 (the first tier starts at notional 0), got 10" }] },
    { name: "floors not increasing and fraction decreasing",
      patch: { maintenanceTiers: [{ notionalFloor: 0, maintenanceMarginFraction: 0.02 }, { notionalFloor: 0, maintenanceMarginFraction: 0.01 }] },
      issues: [
        { path: "m.maintenanceTiers[1].notionalFloor", reason: "expected more than the previous tier's floor (0), got 0" },
        { path: "m.maintenanceTiers[1].maintenanceMarginFraction", reason: "expected at least the previous tier's fraction (0.02), got 0.01" },
      ] },
    { name: "penalty not below maintenance", patch: { liquidationPenalty: 0.05 },
      issues: [{ path: "m.liquidationPenalty", reason: "expected less than maintenanceMarginFraction (0.05), got 0.05" }] },
    { name: "sigma zero", patch: { volatilityMargin: { annualVolatility: 0, z: 2, horizonHours: 8 } },
      issues: [{ path: "m.volatilityMargin.annualVolatility", reason: "expected a positive number, got 0" }] },
    { name: "ewma source needs no sigma but sane lambda", patch: { volatilityMargin: { source: "ewma", ewmaLambda: 1, z: 2, horizonHours: 8 } },
      issues: [{ path: "m.volatilityMargin.ewmaLambda", reason: "expected a fraction in (0, 1), got 1" }] },
    { name: "OI caps inverted", patch: { openInterestScaling: { openInterestNotional: 1, lowerCap: 5e7, upperCap: 2e7 } },
      issues: [{ path: "m.openInterestScaling.upperCap", reason: "expected more than lowerCap (50000000), got 20000000" }] },
    { name: "cascade volume zero", patch: { cascade: { ...valid.cascade, dailyVolumeUsd: 0 } },
      issues: [{ path: "m.cascade.dailyVolumeUsd", reason: "expected a positive number, got 0" }] },
  ];
  it.each(cases)("$name", ({ patch, issues }) => {
    expect(validateMarketParams({ ...valid, ...patch }, "m")).toEqual(issues);
  });
});

describe("parseParams", () => {
  it("throws the first issue with file and JSON path", () => {
    const run = () => parseParams({ markets: { "ETH-USD": { initialMarginFraction: 0.1, maintenanceMarginFraction: "x" } } }, "p.json");
    expect(run).toThrow(RiskInputError);
    expect(run).toThrow('p.json: markets["ETH-USD"].maintenanceMarginFraction: expected a finite number, got "x"');
  });
  it("keeps only known fields", () => {
    const parsed = parseParams({ markets: { X: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, fundingCap: 1 } } });
    expect(parsed).toEqual({ markets: { X: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05 } } });
  });
});

describe("effective fractions", () => {
  // dYdX v4 OI scaling: 0.1 + (35M−20M)/(50M−20M)·0.9 = 0.55 (vector dydx-open-interest-imf).
  it.each([
    { oi: 35e6, expected: 0.55 },
    { oi: 10e6, expected: 0.1 }, // below the lower cap: unscaled
    { oi: 80e6, expected: 1 }, // above the upper cap: capped at 1
  ])("IMF at OI $oi is $expected", ({ oi, expected }) => {
    const imf = effectiveInitialMarginFraction({ initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, openInterestScaling: { openInterestNotional: oi, lowerCap: 20e6, upperCap: 50e6 } });
    expect(imf).toBeCloseTo(expected, 12);
  });
  // 2.326348·0.8·√(8/8766) = 0.05622234152828948 (vector volatility-margin-floor: MM 5622.234… on 100,000).
  it("volatility floor z·σ·√(h/8766)", () => {
    expect(volatilityMaintenanceFraction({ z: 2.326348, horizonHours: 8 }, 0.8)).toBeCloseTo(0.05622234152828948, 15);
  });
});
