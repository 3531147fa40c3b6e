import { describe, expect, it } from "vitest";
import type { GovernedParameterSet, ParamChange } from "./params";
import { DEFAULT_GOVERNANCE_SETTINGS, type GovernanceSettings } from "./settings";
import { changeWithinBound, stewardDebounceKey, validateStewardUpdate } from "./steward";
import { classifyChangeSet } from "./tier";

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const ACTIVE: GovernedParameterSet = {
  markets: {
    "ETH-USD": {
      initialMarginFraction: 0.1,
      maintenanceMarginFraction: 0.05,
      liquidationPenalty: 0.015,
      volatilityMargin: { annualVolatility: 0.8, z: 2.326348, horizonHours: 8 },
      fundingClamp: { maxRatePerHour: 0.04 },
    },
    "MEME-USD": { initialMarginFraction: 0.5, maintenanceMarginFraction: 0.3 },
  },
};
const SETTINGS: GovernanceSettings = {
  ...DEFAULT_GOVERNANCE_SETTINGS,
  steward: { ...DEFAULT_GOVERNANCE_SETTINGS.steward, restrictedMarkets: ["MEME-USD"] },
};

describe("changeWithinBound (Aave _updateWithinAllowedRange)", () => {
  it.each([
    // relative 10 %: from 100 → max diff 10 (maxPercentChange·from / BPS_MAX with 10_00 bps)
    { from: 100, to: 110, bound: { maxChangeRelative: 0.1, minDelayMs: 0 }, within: true, maxChange: 10 },
    { from: 100, to: 89.9, bound: { maxChangeRelative: 0.1, minDelayMs: 0 }, within: false, maxChange: 10 },
    // absolute 0.005: 0.05 → 0.055 is exactly the bound (binary diff 0.0050000000000000044, tolerated)
    { from: 0.05, to: 0.055, bound: { maxChangeAbsolute: 0.005, minDelayMs: 0 }, within: true, maxChange: 0.005 },
    { from: 0.05, to: 0.0551, bound: { maxChangeAbsolute: 0.005, minDelayMs: 0 }, within: false, maxChange: 0.005 },
  ])("$from → $to", ({ from, to, bound, within, maxChange }) => {
    const check = changeWithinBound(from, to, bound);
    expect(check.within).toBe(within);
    expect(check.maxChange).toBeCloseTo(maxChange, 12);
  });
});

describe("validateStewardUpdate", () => {
  const mmfUp: ParamChange = { market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.055 };

  it("accepts an in-bound update, fills from, returns next set and debounce clocks", () => {
    const result = validateStewardUpdate({ changes: [mmfUp], active: ACTIVE, settings: SETTINGS, lastUpdatedAtMs: {}, nowMs: NOW });
    expect(result).toMatchObject({ ok: true, changes: [{ ...mmfUp, from: 0.05 }] });
    if (!result.ok) return;
    expect(result.next.markets["ETH-USD"].maintenanceMarginFraction).toBe(0.055);
    expect(result.lastUpdatedAtMs).toEqual({ "ETH-USD/maintenanceMarginFraction": NOW });
  });

  const refused: { name: string; changes: ParamChange[]; settings?: GovernanceSettings; last?: Record<string, number>; codes: string[] }[] = [
    { name: "paused", changes: [mmfUp], settings: { ...SETTINGS, steward: { ...SETTINGS.steward, paused: true } }, codes: ["StewardPaused"] },
    { name: "empty", changes: [], codes: ["NoZeroUpdates"] },
    { name: "restricted market", changes: [{ market: "MEME-USD", path: "maintenanceMarginFraction", to: 0.31 }], codes: ["MarketRestricted"] },
    { name: "unbounded parameter", changes: [{ market: "ETH-USD", path: "volatilityMargin.z", to: 2.5 }], codes: ["ParamChangeNotAllowed"] },
    { name: "same value", changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.05 }], codes: ["NoSameUpdates"] },
    // ±0.005 absolute from 0.05 allows up to 0.055
    { name: "out of range", changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.056 }], codes: ["UpdateNotInRange"] },
    // minDelay 3 days; last update 2 days ago
    { name: "debounce", changes: [mmfUp], last: { [stewardDebounceKey("ETH-USD", "maintenanceMarginFraction")]: NOW - 2 * DAY_MS }, codes: ["DebounceNotRespected"] },
    // Accepted (codes []): five changes each within its bound — IMF −0.01, penalty +0.0025,
    // funding clamp +25 %, σ +25 % (0.8 → 1.0: floor 2.326348·1.0·√(8/8766) = 0.0703 < IMF 0.09),
    // MMF −0.005 — and the resulting market still satisfies every invariant.
    {
      name: "several in-range changes together",
      changes: [
        { market: "ETH-USD", path: "initialMarginFraction", to: 0.09 },
        { market: "ETH-USD", path: "liquidationPenalty", to: 0.0175 },
        { market: "ETH-USD", path: "fundingClamp.maxRatePerHour", to: 0.05 },
        { market: "ETH-USD", path: "volatilityMargin.annualVolatility", to: 1.0 },
        { market: "ETH-USD", path: "maintenanceMarginFraction", to: 0.045 },
      ],
      codes: [],
    },
  ];
  it.each(refused)("$name", ({ changes, settings, last, codes }) => {
    const result = validateStewardUpdate({ changes, active: ACTIVE, settings: settings ?? SETTINGS, lastUpdatedAtMs: last ?? {}, nowMs: NOW });
    if (codes.length === 0) {
      expect(result.ok).toBe(true);
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.code)).toEqual(codes);
  });

  it("refuses an in-range change that breaks a parameter invariant", () => {
    // MMF sits just under IMF (0.095 vs 0.1); +0.005 is within the bound but reaches IMF.
    const tight: GovernedParameterSet = { markets: { "BTC-USD": { initialMarginFraction: 0.1, maintenanceMarginFraction: 0.095 } } };
    const result = validateStewardUpdate({
      changes: [{ market: "BTC-USD", path: "maintenanceMarginFraction", to: 0.1 }],
      active: tight,
      settings: SETTINGS,
      lastUpdatedAtMs: {},
      nowMs: NOW,
    });
    expect(result).toEqual({
      ok: false,
      issues: [{ code: "InvalidParams", path: 'markets["BTC-USD"].maintenanceMarginFraction', reason: "expected less than initialMarginFraction (0.1), got 0.1" }],
    });
  });

  it("debounce passes exactly at minDelay", () => {
    const last = { "ETH-USD/maintenanceMarginFraction": NOW - 3 * DAY_MS };
    expect(validateStewardUpdate({ changes: [mmfUp], active: ACTIVE, settings: SETTINGS, lastUpdatedAtMs: last, nowMs: NOW }).ok).toBe(true);
  });
});

describe("classifyChangeSet", () => {
  it.each([
    { name: "in-bound change is minor", changes: [{ market: "ETH-USD", path: "maintenanceMarginFraction", from: 0.05, to: 0.055 }], tier: "minor", reasons: [/within the steward bound ±0\.005/] },
    {
      name: "one out-of-bound change makes the set major",
      changes: [
        { market: "ETH-USD", path: "maintenanceMarginFraction", from: 0.05, to: 0.055 },
        { market: "ETH-USD", path: "initialMarginFraction", from: 0.1, to: 0.15 },
      ],
      tier: "major",
      reasons: [/within/, /exceeds the bound ±0\.01 absolute/],
    },
    { name: "tiers are always major", changes: [{ market: "ETH-USD", path: "maintenanceTiers", from: undefined, to: [] }], tier: "major", reasons: [/no steward bound/] },
    { name: "restricted market is major", changes: [{ market: "MEME-USD", path: "maintenanceMarginFraction", from: 0.3, to: 0.301 }], tier: "major", reasons: [/restricted/] },
    { name: "new field is major", changes: [{ market: "MEME-USD", path: "fundingClamp.maxRatePerHour", from: undefined, to: 0.01 }], tier: "major", reasons: [/restricted/] },
    { name: "empty set is major", changes: [], tier: "major", reasons: [] },
  ])("$name", ({ changes, tier, reasons }) => {
    const result = classifyChangeSet(changes as ParamChange[], SETTINGS);
    expect(result.tier).toBe(tier);
    result.changes.forEach((change, i) => expect(change.reason).toMatch(reasons[i]));
  });
});
