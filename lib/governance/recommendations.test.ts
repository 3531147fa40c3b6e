import { describe, expect, it } from "vitest";
import type { GovernedParameterSet } from "./params";
import { recommendFromVolatility, roundUpToStep } from "./recommendations";
import { DEFAULT_GOVERNANCE_SETTINGS } from "./settings";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25);
const ACTIVE: GovernedParameterSet = {
  markets: {
    "ETH-USD": { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, volatilityMargin: { annualVolatility: 0.6, z: 2.326348, horizonHours: 8 } },
    "ZEC-USDT": {
      initialMarginFraction: 0.1,
      maintenanceMarginFraction: 0.02,
      maintenanceTiers: [
        { notionalFloor: 0, maintenanceMarginFraction: 0.01 },
        { notionalFloor: 50000, maintenanceMarginFraction: 0.025 },
        { notionalFloor: 250000, maintenanceMarginFraction: 0.05 },
      ],
    },
  },
};

describe("roundUpToStep (0.1 %)", () => {
  it.each([
    { fraction: 0.05622234152828948, expected: 0.057 },
    { fraction: 0.057, expected: 0.057 }, // already on the step: unchanged despite 56.99999… in binary
    { fraction: 0.0570001, expected: 0.058 },
    { fraction: 0.106, expected: 0.106 }, // 0.053·2 = 0.10600000000000001 in binary
  ])("$fraction → $expected", ({ fraction, expected }) => expect(roundUpToStep(fraction)).toBe(expected));
});

describe("recommendFromVolatility", () => {
  it("no recommendation while the floor is below maintenance", () => {
    // 2.326348·0.7·√(8/8766) = 0.04919 < 0.05
    expect(recommendFromVolatility({ "ETH-USD": 0.7 }, ACTIVE, DEFAULT_GOVERNANCE_SETTINGS)).toEqual([]);
  });

  it("a large gap becomes a proposal (outside steward bounds)", () => {
    // floor = 2.326348·0.8·√(8/8766) = 0.0562223 → 0.057; IMF keeps ratio 2 → 0.114 (+0.014 > ±0.01).
    const [rec] = recommendFromVolatility({ "ETH-USD": 0.8 }, ACTIVE, DEFAULT_GOVERNANCE_SETTINGS);
    expect(rec).toMatchObject({
      market: "ETH-USD",
      maintenanceFraction: 0.05,
      changes: [
        { market: "ETH-USD", path: "initialMarginFraction", from: 0.1, to: 0.114 },
        { market: "ETH-USD", path: "maintenanceMarginFraction", from: 0.05, to: 0.057 },
      ],
      tier: "major",
      withinStewardBounds: false,
      stewardEligible: false,
      kind: "proposal",
      issues: [],
    });
    expect(rec.floorFraction).toBeCloseTo(0.05622234152828948, 12);
    expect(rec.stewardIssues.map((i) => i.code)).toEqual(["UpdateNotInRange", "UpdateNotInRange"]);
    expect(rec.proposed.markets["ETH-USD"]).toMatchObject({ initialMarginFraction: 0.114, maintenanceMarginFraction: 0.057 });
    expect(rec.reason).toMatch(/live volatility 80\.0 % gives a maintenance floor of 5\.622 %/);
  });

  it("a small gap is a steward update, unless the debounce forbids it now", () => {
    // floor = 2.326348·0.744·√(8/8766) = 0.0522868 → 0.053 (+0.003 ≤ 0.005); IMF 0.106 (+0.006 ≤ 0.01).
    const [rec] = recommendFromVolatility({ "ETH-USD": 0.744 }, ACTIVE, DEFAULT_GOVERNANCE_SETTINGS, { nowMs: NOW });
    expect(rec).toMatchObject({
      changes: [
        { path: "initialMarginFraction", to: 0.106 },
        { path: "maintenanceMarginFraction", to: 0.053 },
      ],
      tier: "minor",
      stewardEligible: true,
      kind: "steward-update",
    });
    const [debounced] = recommendFromVolatility({ "ETH-USD": 0.744 }, ACTIVE, DEFAULT_GOVERNANCE_SETTINGS, {
      nowMs: NOW,
      lastUpdatedAtMs: { "ETH-USD/maintenanceMarginFraction": NOW - DAY },
    });
    expect(debounced).toMatchObject({ tier: "minor", withinStewardBounds: true, stewardEligible: false, kind: "proposal" });
    expect(debounced.stewardIssues.map((i) => i.code)).toEqual(["DebounceNotRespected"]);
  });

  it("a fixed ratio replaces the old one", () => {
    // MMF 0.04 / IMF 0.1 (ratio 2.5); floor 0.0522868 → 0.053; ratio 2 → IMF 0.106 instead of 0.1325 → 0.133.
    const active = { markets: { "ETH-USD": { ...ACTIVE.markets["ETH-USD"], maintenanceMarginFraction: 0.04 } } };
    const kept = recommendFromVolatility({ "ETH-USD": 0.744 }, active, DEFAULT_GOVERNANCE_SETTINGS)[0];
    const fixed = recommendFromVolatility({ "ETH-USD": 0.744 }, active, DEFAULT_GOVERNANCE_SETTINGS, { initialToMaintenanceRatio: 2 })[0];
    expect(kept.changes[0]).toMatchObject({ path: "initialMarginFraction", to: 0.133 });
    expect(fixed.changes[0]).toMatchObject({ path: "initialMarginFraction", to: 0.106 });
  });

  it("a tiered market gets every tier below the floor raised (a major change)", () => {
    // No volatilityMargin: default scan z 2.326348, 8 h; σ 0.5 → floor 0.0351390 → 0.036 > tier 0 (0.01).
    const [rec] = recommendFromVolatility({ "ZEC-USDT": 0.5 }, ACTIVE, DEFAULT_GOVERNANCE_SETTINGS);
    expect(rec.maintenanceFraction).toBe(0.01);
    expect(rec.changes).toEqual([
      // ratio 0.1/0.02 = 5 → 0.036·5 = 0.18
      { market: "ZEC-USDT", path: "initialMarginFraction", from: 0.1, to: 0.18 },
      { market: "ZEC-USDT", path: "maintenanceMarginFraction", from: 0.02, to: 0.036 },
      {
        market: "ZEC-USDT",
        path: "maintenanceTiers",
        from: ACTIVE.markets["ZEC-USDT"].maintenanceTiers,
        to: [
          { notionalFloor: 0, maintenanceMarginFraction: 0.036 },
          { notionalFloor: 50000, maintenanceMarginFraction: 0.036 },
          { notionalFloor: 250000, maintenanceMarginFraction: 0.05 },
        ],
      },
    ]);
    expect(rec).toMatchObject({ tier: "major", kind: "proposal", issues: [] });
  });
});
