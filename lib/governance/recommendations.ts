// Volatility-driven recommendations: when a market's live volatility floor z·σ·√(h/8766)
// (the SPAN-style scan range of risk-cli.md's volatilityMargin) exceeds the maintenance fraction
// in force, draft the change that closes the gap, labelled as a steward update when the fast lane
// may make it, otherwise as a proposal. The caller attaches the impact preview by running the risk
// engine on (active, proposed).
//
// Rule: maintenance is raised to the floor rounded up to a 0.1 % step (so 5.62 % → 5.7 %); initial
// is kept at max(old initial, new maintenance × r), r = the old initial/maintenance ratio (the
// market's leverage structure is preserved) or a fixed ratio when given (2 = "initial ≥ 2 ×
// maintenance"), rounded up to the same step and capped at 1. A tiered market gets every tier below
// the floor raised to it (floors unchanged, fractions stay non-decreasing).
//
// Precision: fractions are doubles; the 0.1 % rounding is done in integer tenths of a percent
// (Math.ceil on floor·1000 with a 1e-9 guard against 0.057 = 56.99999… artefacts), then printed
// back to 3 decimals, so recommended values are exact decimals a voter can read.
import { applyChanges, volatilityFloorFraction, type GovernedParameterSet, type MaintenanceTier, type ParamChange, type ParamIssue, validateProposalChanges } from "./params";
import type { GovernanceSettings, ImpactTier } from "./settings";
import { validateStewardUpdate, type StewardIssue } from "./steward";
import { classifyChangeSet } from "./tier";

/** 0.1 % */
export const RECOMMENDATION_STEP = 0.001;

/** 99 % one-sided z over 8 hours: used when a market has no volatilityMargin of its own. */
export const DEFAULT_VOLATILITY_SCAN = { z: 2.326348, horizonHours: 8 } as const;

export interface RecommendationOptions {
  /** Fixed initial/maintenance ratio; default: keep each market's old ratio. */
  initialToMaintenanceRatio?: number;
  /** z and horizon for markets without volatilityMargin. */
  defaultScan?: { z: number; horizonHours: number };
  /** Debounce clocks and time, to tell whether the steward could act right now. */
  lastUpdatedAtMs?: Readonly<Record<string, number>>;
  nowMs?: number;
}

export interface VolatilityRecommendation {
  market: string;
  liveAnnualVolatility: number;
  /** z·σ_live·√(h/8766) */
  floorFraction: number;
  /** Smallest maintenance fraction in force (tier 0 when tiered). */
  maintenanceFraction: number;
  z: number;
  horizonHours: number;
  changes: ParamChange[];
  /** The active set with the changes applied: input of the impact preview. */
  proposed: GovernedParameterSet;
  tier: ImpactTier;
  /** Every change is within steward bounds (size rule only). */
  withinStewardBounds: boolean;
  /** The steward could apply it now (bounds, pause, debounce, invariants). */
  stewardEligible: boolean;
  kind: "steward-update" | "proposal";
  /** Why the steward cannot apply it, when it cannot. */
  stewardIssues: StewardIssue[];
  /** Invariant problems of the result (then it needs a human to adjust it). */
  issues: ParamIssue[];
  reason: string;
}

/** Rounds a fraction up to the next 0.1 % step, as an exact 3-decimal number. */
export function roundUpToStep(fraction: number): number {
  const tenthsOfPercent = Math.ceil(fraction / RECOMMENDATION_STEP - 1e-9);
  return Number((tenthsOfPercent * RECOMMENDATION_STEP).toFixed(3));
}

/**
 * One recommendation per market whose live floor exceeds its maintenance fraction; markets
 * without a live volatility are skipped. Sorted by market.
 */
export function recommendFromVolatility(
  liveAnnualVolatility: Readonly<Record<string, number>>,
  active: GovernedParameterSet,
  settings: GovernanceSettings,
  options: RecommendationOptions = {},
): VolatilityRecommendation[] {
  const recommendations: VolatilityRecommendation[] = [];
  for (const market of Object.keys(active.markets).sort()) {
    const sigma = liveAnnualVolatility[market];
    if (sigma === undefined || !Number.isFinite(sigma) || sigma <= 0) continue;
    const params = active.markets[market];
    const scan = params.volatilityMargin ?? options.defaultScan ?? DEFAULT_VOLATILITY_SCAN;
    const floor = volatilityFloorFraction(scan.z, sigma, scan.horizonHours);
    const tiers = params.maintenanceTiers;
    const maintenanceFraction = tiers && tiers.length > 0 ? tiers[0].maintenanceMarginFraction : params.maintenanceMarginFraction;
    if (!(floor > maintenanceFraction)) continue;

    const target = roundUpToStep(floor);
    const changes: ParamChange[] = [];
    if (params.maintenanceMarginFraction < target) {
      changes.push({ market, path: "maintenanceMarginFraction", from: params.maintenanceMarginFraction, to: target });
    }
    if (tiers && tiers.length > 0) {
      const raised: MaintenanceTier[] = tiers.map((tier) => ({ ...tier, maintenanceMarginFraction: Math.max(tier.maintenanceMarginFraction, target) }));
      changes.push({ market, path: "maintenanceTiers", from: tiers, to: raised });
    }
    const newMaintenance = Math.max(params.maintenanceMarginFraction, target);
    const ratio = options.initialToMaintenanceRatio ?? params.initialMarginFraction / params.maintenanceMarginFraction;
    const topMaintenance = Math.max(newMaintenance, ...(tiers ?? []).map((t) => Math.max(t.maintenanceMarginFraction, target)));
    const wantedInitial = Math.min(1, roundUpToStep(Math.max(params.initialMarginFraction, newMaintenance * ratio, topMaintenance + RECOMMENDATION_STEP)));
    if (wantedInitial > params.initialMarginFraction) {
      changes.unshift({ market, path: "initialMarginFraction", from: params.initialMarginFraction, to: wantedInitial });
    }

    const classification = classifyChangeSet(changes, settings);
    const issues = validateProposalChanges(changes, active);
    // Without `nowMs` the debounce clocks are not consulted (there is no "now" to compare with).
    const steward = validateStewardUpdate({
      changes,
      active,
      settings,
      lastUpdatedAtMs: options.nowMs !== undefined ? (options.lastUpdatedAtMs ?? {}) : {},
      nowMs: options.nowMs ?? 0,
    });
    const withinStewardBounds = classification.tier === "minor";
    const stewardEligible = steward.ok;
    recommendations.push({
      market,
      liveAnnualVolatility: sigma,
      floorFraction: floor,
      maintenanceFraction,
      z: scan.z,
      horizonHours: scan.horizonHours,
      changes,
      proposed: applyChanges(active, changes),
      tier: classification.tier,
      withinStewardBounds,
      stewardEligible,
      kind: stewardEligible ? "steward-update" : "proposal",
      stewardIssues: steward.ok ? [] : steward.issues,
      issues,
      reason: `live volatility ${(sigma * 100).toFixed(1)} % gives a maintenance floor of ${(floor * 100).toFixed(3)} % (z ${scan.z}, ${scan.horizonHours} h), above the ${(maintenanceFraction * 100).toFixed(3)} % in force`,
    });
  }
  return recommendations;
}
