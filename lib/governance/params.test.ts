import { describe, expect, it } from "vitest";
import {
  applyChanges,
  diffParams,
  dydxStyleFundingClampPerHour,
  marketFieldPath,
  tierMaintenanceDeductions,
  validateGovernedMarketParams,
  validateGovernedParameterSet,
  validateProposalChanges,
  volatilityFloorFraction,
  type GovernedMarketParams,
  type GovernedParameterSet,
  type ParamChange,
} from "./params";

// Market taken from the PARAMS.json example of shared/contracts/risk-cli.md (copied here: tests
// never read shared/), with the flat fraction 0.05, no tiers, and a funding clamp added.
const ETH: GovernedMarketParams = {
  initialMarginFraction: 0.1,
  maintenanceMarginFraction: 0.05,
  liquidationPenalty: 0.015,
  volatilityMargin: { annualVolatility: 0.8, z: 2.326348, horizonHours: 8 },
  openInterestScaling: { openInterestNotional: 35000000, lowerCap: 20000000, upperCap: 50000000 },
  cascade: { dailyVolatility: 0.05, dailyVolumeUsd: 50000000, impactCoefficient: 1, permanentImpactShare: 1 },
  fundingClamp: { maxRatePerHour: 0.04 },
};
const ACTIVE: GovernedParameterSet = {
  markets: { "ETH-USD": ETH, "SOL-USD": { initialMarginFraction: 0.2, maintenanceMarginFraction: 0.1 } },
};

describe("diffParams", () => {
  it("reports leaf changes per market in name then schema order", () => {
    const proposed: GovernedParameterSet = {
      markets: {
        "ETH-USD": { ...ETH, maintenanceMarginFraction: 0.06, volatilityMargin: { ...ETH.volatilityMargin!, annualVolatility: 0.9 } },
        "SOL-USD": { initialMarginFraction: 0.2, maintenanceMarginFraction: 0.1, fundingClamp: { maxRatePerHour: 0.01 } },
      },
    };
    expect(diffParams(ACTIVE, proposed)).toEqual([
      { market: "ETH-USD", path: "maintenanceMarginFraction", from: 0.05, to: 0.06 },
      { market: "ETH-USD", path: "volatilityMargin.annualVolatility", from: 0.8, to: 0.9 },
      { market: "SOL-USD", path: "fundingClamp.maxRatePerHour", from: undefined, to: 0.01 },
    ]);
  });

  it("treats the tier schedule as one value and ignores identical sets", () => {
    const tiers = [
      { notionalFloor: 0, maintenanceMarginFraction: 0.01 },
      { notionalFloor: 50000, maintenanceMarginFraction: 0.025 },
    ];
    const proposed = { markets: { ...ACTIVE.markets, "SOL-USD": { ...ACTIVE.markets["SOL-USD"], maintenanceTiers: tiers } } };
    expect(diffParams(ACTIVE, proposed)).toEqual([{ market: "SOL-USD", path: "maintenanceTiers", from: undefined, to: tiers }]);
    expect(diffParams(ACTIVE, structuredClone(ACTIVE))).toEqual([]);
  });

  it("round-trips: applying the diff to the active set gives the proposed set", () => {
    const proposed: GovernedParameterSet = {
      markets: { "ETH-USD": { initialMarginFraction: 0.12, maintenanceMarginFraction: 0.05 }, "SOL-USD": ACTIVE.markets["SOL-USD"] },
    };
    const changes = diffParams(ACTIVE, proposed);
    expect(applyChanges(ACTIVE, changes)).toEqual(proposed);
    expect(ACTIVE.markets["ETH-USD"].liquidationPenalty).toBe(0.015); // input untouched
  });
});

describe("validateGovernedMarketParams", () => {
  const cases: { name: string; params: unknown; expected: { path: string; reason: RegExp }[] }[] = [
    { name: "the contract example is valid", params: ETH, expected: [] },
    {
      name: "maintenance must be below initial",
      params: { initialMarginFraction: 0.05, maintenanceMarginFraction: 0.05 },
      expected: [{ path: "maintenanceMarginFraction", reason: /less than initialMarginFraction \(0\.05\)/ }],
    },
    {
      name: "initial at most 1",
      params: { initialMarginFraction: 1.2, maintenanceMarginFraction: 0.05 },
      expected: [{ path: "initialMarginFraction", reason: /\(0, 1\]/ }],
    },
    {
      name: "penalty below maintenance",
      params: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, liquidationPenalty: 0.05 },
      expected: [{ path: "liquidationPenalty", reason: /less than maintenanceMarginFraction/ }],
    },
    {
      name: "tiers: first floor 0, floors strictly increasing, fractions non-decreasing",
      params: {
        initialMarginFraction: 0.1,
        maintenanceMarginFraction: 0.05,
        maintenanceTiers: [
          { notionalFloor: 10, maintenanceMarginFraction: 0.02 },
          { notionalFloor: 10, maintenanceMarginFraction: 0.01 },
        ],
      },
      expected: [
        { path: "maintenanceTiers[0].notionalFloor", reason: /expected 0/ },
        { path: "maintenanceTiers[1].notionalFloor", reason: /more than the previous tier's floor \(10\)/ },
        { path: "maintenanceTiers[1].maintenanceMarginFraction", reason: /at least the previous tier's fraction \(0\.02\)/ },
      ],
    },
    {
      // Binance ZEC-USDT ladder (risk vectors "binance-maintenance-amount-ladder") tops out at 50 %
      // while IMF is 10 %: fine for the engine, refused by governance.
      name: "tier fraction at or above IMF",
      params: {
        initialMarginFraction: 0.1,
        maintenanceMarginFraction: 0.01,
        maintenanceTiers: [
          { notionalFloor: 0, maintenanceMarginFraction: 0.01 },
          { notionalFloor: 250000, maintenanceMarginFraction: 0.1 },
        ],
      },
      expected: [{ path: "maintenanceTiers[1].maintenanceMarginFraction", reason: /less than initialMarginFraction \(0\.1\), got 0\.1/ }],
    },
    {
      name: "penalty below the smallest tier fraction",
      params: {
        initialMarginFraction: 0.1,
        maintenanceMarginFraction: 0.05,
        liquidationPenalty: 0.015,
        maintenanceTiers: [{ notionalFloor: 0, maintenanceMarginFraction: 0.004 }],
      },
      expected: [{ path: "liquidationPenalty", reason: /maintenanceTiers\[0\]: 0\.004/ }],
    },
    {
      name: "volatility z, sigma and horizon ranges",
      params: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, volatilityMargin: { annualVolatility: 11, z: 10.5, horizonHours: 9000 } },
      expected: [
        { path: "volatilityMargin.z", reason: /\(0, 10\], got 10\.5/ },
        { path: "volatilityMargin.annualVolatility", reason: /\(0, 10\], got 11/ },
        { path: "volatilityMargin.horizonHours", reason: /\(0, 8766\]/ },
      ],
    },
    {
      // floor = 2.326348·0.8·√(8/8766) = 0.0562223 (risk vector "volatility-margin-floor": 5.622 %),
      // which is not below an IMF of 0.05.
      name: "volatility floor must stay below IMF",
      params: { initialMarginFraction: 0.05, maintenanceMarginFraction: 0.03, volatilityMargin: { annualVolatility: 0.8, z: 2.326348, horizonHours: 8 } },
      expected: [{ path: "volatilityMargin", reason: /= 0\.0562223 must be below initialMarginFraction \(0\.05\)/ }],
    },
    {
      name: "OI caps 0 ≤ lower < upper",
      params: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, openInterestScaling: { openInterestNotional: 1, lowerCap: 5, upperCap: 5 } },
      expected: [{ path: "openInterestScaling.upperCap", reason: /more than lowerCap \(5\)/ }],
    },
    {
      name: "funding clamp positive",
      params: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, fundingClamp: { maxRatePerHour: 0 } },
      expected: [{ path: "fundingClamp.maxRatePerHour", reason: /positive rate per hour, got 0/ }],
    },
    {
      name: "unknown keys and wrong types are structural errors",
      params: { initialMarginFraction: "0.1", maintenanceMarginFraction: 0.05, maintenanceMargin: 0.05 },
      expected: [
        { path: "initialMarginFraction", reason: /expected a finite number, got "0\.1"/ },
        { path: "$", reason: /unknown parameter "maintenanceMargin" \(known: initialMarginFraction, maintenanceMarginFraction,/ },
      ],
    },
    {
      name: "unknown key inside a block names the block's fields",
      params: { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.05, fundingClamp: { maxRate: 0.01 } },
      expected: [
        { path: "fundingClamp.maxRatePerHour", reason: /expected a finite number, got nothing/ },
        { path: "fundingClamp", reason: /unknown parameter "maxRate" \(known: maxRatePerHour\)/ },
      ],
    },
  ];
  it.each(cases)("$name", ({ params, expected }) => {
    const issues = validateGovernedMarketParams(params);
    expect(issues.map((i) => i.path)).toEqual(expected.map((e) => e.path));
    issues.forEach((issue, index) => expect(issue.reason).toMatch(expected[index].reason));
  });

  it("prefixes paths with the market when validating a set", () => {
    expect(validateGovernedParameterSet({ markets: { "ETH-USD": { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.2 } } })).toEqual([
      { path: 'markets["ETH-USD"].maintenanceMarginFraction', reason: "expected less than initialMarginFraction (0.1), got 0.2" },
    ]);
  });
});

describe("validateProposalChanges", () => {
  const cases: { name: string; changes: ParamChange[]; expected: { path: string; reason: RegExp }[] }[] = [
    { name: "a valid change", changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", from: 0.05, to: 0.06 }], expected: [] },
    { name: "empty", changes: [], expected: [{ path: "changes", reason: /at least one parameter/ }] },
    {
      name: "unknown path",
      changes: [{ market: "ETH-USD", path: "maintenance", to: 0.06 }],
      expected: [{ path: 'markets["ETH-USD"].maintenance', reason: /unknown parameter "maintenance"/ }],
    },
    {
      name: "stale from",
      changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", from: 0.04, to: 0.06 }],
      expected: [{ path: 'markets["ETH-USD"].maintenanceMarginFraction', reason: /active value is 0\.05, the change was written against 0\.04/ }],
    },
    {
      name: "no-op",
      changes: [{ market: "SOL-USD", path: "initialMarginFraction", to: 0.2 }],
      expected: [{ path: 'markets["SOL-USD"].initialMarginFraction', reason: /no change/ }],
    },
    {
      name: "duplicate",
      changes: [
        { market: "SOL-USD", path: "initialMarginFraction", to: 0.3 },
        { market: "SOL-USD", path: "initialMarginFraction", to: 0.25 },
      ],
      expected: [{ path: 'markets["SOL-USD"].initialMarginFraction', reason: /more than once/ }],
    },
    {
      name: "invariant broken by the combination of changes",
      changes: [
        { market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.12 },
        { market: "ETH-USD", path: "liquidationPenalty", to: 0.2 },
      ],
      expected: [
        { path: 'markets["ETH-USD"].maintenanceMarginFraction', reason: /less than initialMarginFraction \(0\.1\), got 0\.12/ },
        { path: 'markets["ETH-USD"].liquidationPenalty', reason: /\[0, 1\)|less than maintenanceMarginFraction/ },
      ],
    },
    {
      name: "new block needs every field",
      changes: [{ market: "SOL-USD", path: "volatilityMargin.z", to: 2 }],
      expected: [{ path: 'markets["SOL-USD"].volatilityMargin.horizonHours', reason: /expected a finite number/ }],
    },
  ];
  it.each(cases)("$name", ({ changes, expected }) => {
    const issues = validateProposalChanges(changes, ACTIVE);
    expect(issues.map((i) => i.path)).toEqual(expected.map((e) => e.path));
    issues.forEach((issue, index) => expect(issue.reason).toMatch(expected[index].reason));
  });
});

describe("formulas", () => {
  it("tier deductions match Binance's maintenance amounts (continuity by construction)", () => {
    // Binance ZEC-USDT brackets, cum 0/750/4500/17000/29500/154500/654500 (risk vectors source line).
    const tiers = [
      [0, 0.01],
      [50000, 0.025],
      [150000, 0.05],
      [250000, 0.1],
      [500000, 0.125],
      [1000000, 0.25],
      [2000000, 0.5],
    ].map(([notionalFloor, maintenanceMarginFraction]) => ({ notionalFloor, maintenanceMarginFraction }));
    const deductions = tierMaintenanceDeductions(tiers);
    [0, 750, 4500, 17000, 29500, 154500, 654500].forEach((expected, i) => expect(deductions[i]).toBeCloseTo(expected, 6));
    // Continuity at each floor: both sides give the same maintenance amount.
    for (let n = 1; n < tiers.length; n++) {
      const floor = tiers[n].notionalFloor;
      expect(floor * tiers[n].maintenanceMarginFraction - deductions[n]).toBeCloseTo(floor * tiers[n - 1].maintenanceMarginFraction - deductions[n - 1], 6);
    }
  });

  it.each([
    // 2.326348·0.8·√(8/8766) = 0.056222341... (risk vector "volatility-margin-floor": 5622.23/100000)
    { z: 2.326348, sigma: 0.8, hours: 8, expected: 0.05622234152828948 },
    // one year horizon: z·σ exactly
    { z: 2, sigma: 0.5, hours: 8766, expected: 1 },
  ])("volatility floor z=$z σ=$sigma h=$hours", ({ z, sigma, hours, expected }) => {
    expect(volatilityFloorFraction(z, sigma, hours)).toBeCloseTo(expected, 12);
  });

  it("dYdX-style clamp: 600 % · (IMF − MMF) per 8 h", () => {
    // IMF 5 %, MMF 3 % → 12 % per 8 h → 1.5 % per hour (dYdX Chain docs, funding_rate_clamp_factor).
    expect(dydxStyleFundingClampPerHour(0.05, 0.03)).toBeCloseTo(0.015, 12);
  });

  it("spells market paths like lib/risk", () => {
    expect(marketFieldPath("ETH-USD", "volatilityMargin.z")).toBe('markets["ETH-USD"].volatilityMargin.z');
    expect(marketFieldPath("BTC", "maintenanceTiers.1.notionalFloor")).toBe("markets.BTC.maintenanceTiers[1].notionalFloor");
  });
});
