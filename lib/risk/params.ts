// PARAMS.json: parsing and validation (contract: risk-cli.md, "PARAMS.json").
// `validateMarketParams` is shared with governance (proposal drafts are validated the same way):
// it returns every issue, each with a JSON path, instead of stopping at the first.
import { RiskInputError, describeValue, isRecord, keyPath } from "./errors";
import type {
  CascadeParams,
  MaintenanceTier,
  MarketParams,
  OpenInterestScalingParams,
  ParamIssue,
  ParamsSet,
  VolatilityMarginParams,
} from "./types";

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

type Check = (value: number) => string | null;

const fractionInOpenUnit: Check = (v) => (v > 0 && v < 1 ? null : "expected a fraction in (0, 1)");
const positive: Check = (v) => (v > 0 ? null : "expected a positive number");
const nonNegative: Check = (v) => (v >= 0 ? null : "expected a number >= 0");

/** Reads a numeric field; pushes an issue and returns undefined when missing or wrong. */
function numberField(
  issues: ParamIssue[],
  object: Record<string, unknown>,
  key: string,
  path: string,
  check: Check,
  required: boolean,
): number | undefined {
  const value = object[key];
  const fieldPath = keyPath(path, key);
  if (value === undefined) {
    if (required) issues.push({ path: fieldPath, reason: `expected a number, got nothing` });
    return undefined;
  }
  if (!isFiniteNumber(value)) {
    issues.push({ path: fieldPath, reason: `expected a finite number, got ${describeValue(value)}` });
    return undefined;
  }
  const problem = check(value);
  if (problem) {
    issues.push({ path: fieldPath, reason: `${problem}, got ${describeValue(value)}` });
    return undefined;
  }
  return value;
}

function objectField(issues: ParamIssue[], object: Record<string, unknown>, key: string, path: string): Record<string, unknown> | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    issues.push({ path: keyPath(path, key), reason: `expected an object, got ${describeValue(value)}` });
    return undefined;
  }
  return value;
}

/**
 * Every problem with one market's parameter object, with JSON paths under `basePath`
 * (e.g. `markets["ETH-USD"]`). Rules: 0 < maintenance < initial ≤ 1; tiers start at floor 0 with
 * strictly increasing floors and non-decreasing fractions in (0, 1); 0 ≤ penalty < maintenance;
 * volatility σ > 0 (or source "ewma" with λ in (0, 1)), z > 0, horizon > 0; OI caps
 * 0 ≤ lower < upper; cascade values > 0 with the permanent share ≤ 1. Unknown keys are ignored
 * (the contract lets fields be added, e.g. funding parameters handled elsewhere).
 */
export function validateMarketParams(value: unknown, basePath = ""): ParamIssue[] {
  const issues: ParamIssue[] = [];
  if (!isRecord(value)) {
    issues.push({ path: basePath || "$", reason: `expected an object of market parameters, got ${describeValue(value)}` });
    return issues;
  }
  const initial = numberField(issues, value, "initialMarginFraction", basePath, (v) => (v > 0 && v <= 1 ? null : "expected a fraction in (0, 1]"), true);
  const maintenance = numberField(issues, value, "maintenanceMarginFraction", basePath, fractionInOpenUnit, true);
  if (initial !== undefined && maintenance !== undefined && !(maintenance < initial)) {
    issues.push({
      path: keyPath(basePath, "maintenanceMarginFraction"),
      reason: `expected less than initialMarginFraction (${initial}), got ${maintenance}`,
    });
  }

  if (value.maintenanceTiers !== undefined) {
    const tiersPath = keyPath(basePath, "maintenanceTiers");
    const tiers = value.maintenanceTiers;
    if (!Array.isArray(tiers) || tiers.length === 0) {
      issues.push({ path: tiersPath, reason: `expected a non-empty array of tiers, got ${describeValue(tiers)}` });
    } else {
      let previousFloor: number | undefined;
      let previousFraction: number | undefined;
      tiers.forEach((tier, index) => {
        const tierPath = `${tiersPath}[${index}]`;
        if (!isRecord(tier)) {
          issues.push({ path: tierPath, reason: `expected an object {notionalFloor, maintenanceMarginFraction}, got ${describeValue(tier)}` });
          return;
        }
        const floor = numberField(issues, tier, "notionalFloor", tierPath, nonNegative, true);
        const fraction = numberField(issues, tier, "maintenanceMarginFraction", tierPath, fractionInOpenUnit, true);
        if (index === 0 && floor !== undefined && floor !== 0) {
          issues.push({ path: keyPath(tierPath, "notionalFloor"), reason: `expected 0 (the first tier starts at notional 0), got ${floor}` });
        }
        if (index > 0 && floor !== undefined && previousFloor !== undefined && !(floor > previousFloor)) {
          issues.push({ path: keyPath(tierPath, "notionalFloor"), reason: `expected more than the previous tier's floor (${previousFloor}), got ${floor}` });
        }
        if (index > 0 && fraction !== undefined && previousFraction !== undefined && fraction < previousFraction) {
          issues.push({
            path: keyPath(tierPath, "maintenanceMarginFraction"),
            reason: `expected at least the previous tier's fraction (${previousFraction}), got ${fraction}`,
          });
        }
        if (floor !== undefined) previousFloor = floor;
        if (fraction !== undefined) previousFraction = fraction;
      });
    }
  }

  const penalty = numberField(issues, value, "liquidationPenalty", basePath, (v) => (v >= 0 && v < 1 ? null : "expected a fraction in [0, 1)"), false);
  if (penalty !== undefined && maintenance !== undefined && !(penalty < maintenance)) {
    issues.push({ path: keyPath(basePath, "liquidationPenalty"), reason: `expected less than maintenanceMarginFraction (${maintenance}), got ${penalty}` });
  }

  const volatility = objectField(issues, value, "volatilityMargin", basePath);
  if (volatility) {
    const volatilityPath = keyPath(basePath, "volatilityMargin");
    const source = volatility.source ?? "fixed";
    if (source !== "fixed" && source !== "ewma") {
      issues.push({ path: keyPath(volatilityPath, "source"), reason: `expected "fixed" or "ewma", got ${describeValue(source)}` });
    }
    numberField(issues, volatility, "annualVolatility", volatilityPath, positive, source === "fixed");
    numberField(issues, volatility, "ewmaLambda", volatilityPath, fractionInOpenUnit, false);
    numberField(issues, volatility, "z", volatilityPath, positive, true);
    numberField(issues, volatility, "horizonHours", volatilityPath, positive, true);
  }

  const openInterest = objectField(issues, value, "openInterestScaling", basePath);
  if (openInterest) {
    const openInterestPath = keyPath(basePath, "openInterestScaling");
    numberField(issues, openInterest, "openInterestNotional", openInterestPath, nonNegative, true);
    const lower = numberField(issues, openInterest, "lowerCap", openInterestPath, nonNegative, true);
    const upper = numberField(issues, openInterest, "upperCap", openInterestPath, positive, true);
    if (lower !== undefined && upper !== undefined && !(lower < upper)) {
      issues.push({ path: keyPath(openInterestPath, "upperCap"), reason: `expected more than lowerCap (${lower}), got ${upper}` });
    }
  }

  const cascade = objectField(issues, value, "cascade", basePath);
  if (cascade) {
    const cascadePath = keyPath(basePath, "cascade");
    numberField(issues, cascade, "dailyVolatility", cascadePath, positive, true);
    numberField(issues, cascade, "dailyVolumeUsd", cascadePath, positive, true);
    numberField(issues, cascade, "impactCoefficient", cascadePath, positive, true);
    numberField(issues, cascade, "permanentImpactShare", cascadePath, (v) => (v > 0 && v <= 1 ? null : "expected a fraction in (0, 1]"), true);
  }
  return issues;
}

/** Every issue of a whole PARAMS object (`{markets: {...}}`). */
export function validateParams(value: unknown): ParamIssue[] {
  if (!isRecord(value)) return [{ path: "$", reason: `expected an object {"markets": {...}}, got ${describeValue(value)}` }];
  if (!isRecord(value.markets)) return [{ path: "markets", reason: `expected an object keyed by market, got ${describeValue(value.markets)}` }];
  const issues: ParamIssue[] = [];
  for (const [market, marketParams] of Object.entries(value.markets)) {
    issues.push(...validateMarketParams(marketParams, keyPath("markets", market)));
  }
  return issues;
}

function copyMarketParams(raw: Record<string, unknown>): MarketParams {
  const params: MarketParams = {
    initialMarginFraction: raw.initialMarginFraction as number,
    maintenanceMarginFraction: raw.maintenanceMarginFraction as number,
  };
  if (raw.maintenanceTiers !== undefined) {
    params.maintenanceTiers = (raw.maintenanceTiers as Record<string, number>[]).map(
      (tier): MaintenanceTier => ({ notionalFloor: tier.notionalFloor, maintenanceMarginFraction: tier.maintenanceMarginFraction }),
    );
  }
  if (raw.liquidationPenalty !== undefined) params.liquidationPenalty = raw.liquidationPenalty as number;
  if (raw.volatilityMargin !== undefined) {
    const v = raw.volatilityMargin as Record<string, unknown>;
    const volatility: VolatilityMarginParams = { z: v.z as number, horizonHours: v.horizonHours as number, source: (v.source as "fixed" | "ewma") ?? "fixed" };
    if (v.annualVolatility !== undefined) volatility.annualVolatility = v.annualVolatility as number;
    if (v.ewmaLambda !== undefined) volatility.ewmaLambda = v.ewmaLambda as number;
    params.volatilityMargin = volatility;
  }
  if (raw.openInterestScaling !== undefined) {
    const o = raw.openInterestScaling as Record<string, number>;
    params.openInterestScaling = { openInterestNotional: o.openInterestNotional, lowerCap: o.lowerCap, upperCap: o.upperCap } satisfies OpenInterestScalingParams;
  }
  if (raw.cascade !== undefined) {
    const c = raw.cascade as Record<string, number>;
    params.cascade = {
      dailyVolatility: c.dailyVolatility,
      dailyVolumeUsd: c.dailyVolumeUsd,
      impactCoefficient: c.impactCoefficient,
      permanentImpactShare: c.permanentImpactShare,
    } satisfies CascadeParams;
  }
  return params;
}

/**
 * Parses a PARAMS object (already JSON-decoded). Throws RiskInputError with the first issue,
 * e.g. `params.json: markets["ETH-USD"].maintenanceMarginFraction: expected a finite number, got "x"`.
 */
export function parseParams(value: unknown, source = "params.json"): ParamsSet {
  const issues = validateParams(value);
  if (issues.length > 0) throw new RiskInputError(source, issues[0].path, issues[0].reason);
  const markets: Record<string, MarketParams> = {};
  for (const [market, raw] of Object.entries((value as { markets: Record<string, Record<string, unknown>> }).markets)) {
    markets[market] = copyMarketParams(raw);
  }
  return { markets };
}

/**
 * Initial margin fraction in force, with dYdX v4 open-interest scaling:
 * min(1, IMF + max(0, (OI − lower)/(upper − lower))·(1 − IMF))
 * (dYdX v4 docs, "Margining" → open interest-based IMF; contract risk-cli.md).
 */
export function effectiveInitialMarginFraction(params: MarketParams): number {
  const scaling = params.openInterestScaling;
  const imf = params.initialMarginFraction;
  if (!scaling) return imf;
  const scale = Math.max(0, (scaling.openInterestNotional - scaling.lowerCap) / (scaling.upperCap - scaling.lowerCap));
  return Math.min(1, imf + scale * (1 - imf));
}

/** z·σ·√(horizonHours/8766): the volatility floor on the maintenance fraction (8766 h = 365.25 d). */
export function volatilityMaintenanceFraction(volatility: VolatilityMarginParams, annualVolatility: number): number {
  return volatility.z * annualVolatility * Math.sqrt(volatility.horizonHours / 8766);
}
