// The fast lane: committee "risk steward" updates applied without a token vote, within
// per-parameter bounds, modelled on Aave's RiskSteward (aave-dao/aave-v3-risk-stewards,
// src/contracts/RiskSteward.sol):
//   - `_updateWithinAllowedRange(from, to, maxPercentChange, isChangeRelative)`:
//     diff = |to − from|; maxDiff = relative ? maxPercentChange·from : maxPercentChange; ok iff diff ≤ maxDiff;
//   - `_validateParamUpdate`: `block.timestamp − lastUpdated < minDelay` → DebounceNotRespected;
//   - restricted assets → AssetIsRestricted (here MarketRestricted); a parameter the steward may
//     not touch → ParamChangeNotAllowed; an empty update → NoZeroUpdates; same value → NoSameUpdates.
// Plus Riskwarden's pause switch and the full parameter invariants of params.ts.
//
// Precision: bounds are compared on doubles. Parameters are human-written decimals (0.05 → 0.055),
// whose binary difference can exceed the bound by ~1e-18 (0.055 − 0.05 = 0.0050000000000000044);
// a relative tolerance of 1e-9 on the bound absorbs that and nothing a steward could exploit.
import { applyChanges, jsonEqual, marketFieldPath, readMarketParam, validateProposalChanges, type GovernedParameterSet, type ParamChange } from "./params";
import type { GovernanceSettings, StewardBound } from "./settings";

export type StewardErrorCode =
  | "StewardPaused"
  | "NoZeroUpdates"
  | "MarketRestricted"
  | "ParamChangeNotAllowed"
  | "NoSameUpdates"
  | "UpdateNotInRange"
  | "DebounceNotRespected"
  | "InvalidParams";

export interface StewardIssue {
  code: StewardErrorCode;
  /** JSON path of the field, e.g. `markets["ETH-USD"].maintenanceMarginFraction`; absent for update-wide issues. */
  path?: string;
  reason: string;
}

const BOUND_TOLERANCE = 1e-9;

export interface BoundCheck {
  within: boolean;
  /** |to − from| */
  change: number;
  /** Largest change the bound permits from this `from`. */
  maxChange: number;
}

/** Aave RiskSteward `_updateWithinAllowedRange`, on doubles with a 1e-9 relative tolerance. */
export function changeWithinBound(from: number, to: number, bound: StewardBound): BoundCheck {
  const change = Math.abs(to - from);
  const maxChange = bound.maxChangeRelative !== undefined ? bound.maxChangeRelative * Math.abs(from) : (bound.maxChangeAbsolute ?? 0);
  return { within: change <= maxChange * (1 + BOUND_TOLERANCE), change, maxChange };
}

function describeBound(bound: StewardBound): string {
  return bound.maxChangeRelative !== undefined ? `±${bound.maxChangeRelative * 100} % of the current value` : `±${bound.maxChangeAbsolute} absolute`;
}

/**
 * Whether one change is within the steward's size bounds (restricted markets, allowed parameters,
 * range), ignoring pause and debounce: the size rule that also decides a proposal's impact tier.
 * Returns null when within bounds.
 */
export function checkChangeAgainstBounds(change: ParamChange, settings: GovernanceSettings): StewardIssue | null {
  const path = marketFieldPath(change.market, change.path);
  if (settings.steward.restrictedMarkets.includes(change.market)) {
    return { code: "MarketRestricted", path, reason: `market ${change.market} is restricted: its parameters change only by vote` };
  }
  const bound = settings.steward.bounds[change.path];
  if (!bound) return { code: "ParamChangeNotAllowed", path, reason: `${change.path} has no steward bound: it changes only by vote` };
  if (typeof change.from !== "number" || typeof change.to !== "number") {
    return {
      code: "ParamChangeNotAllowed",
      path,
      reason: `steward updates change existing numeric values only (from ${JSON.stringify(change.from) ?? "absent"} to ${JSON.stringify(change.to) ?? "absent"})`,
    };
  }
  if (change.from === change.to) return { code: "NoSameUpdates", path, reason: `already ${change.from}` };
  const check = changeWithinBound(change.from, change.to, bound);
  if (!check.within) {
    return {
      code: "UpdateNotInRange",
      path,
      reason: `change ${change.from} → ${change.to} (${formatNumber(check.change)}) exceeds the bound ${describeBound(bound)} (max ${formatNumber(check.maxChange)})`,
    };
  }
  return null;
}

function formatNumber(value: number): string {
  return Number(value.toPrecision(6)).toString();
}

/** Key of the debounce clock of one market·parameter. */
export function stewardDebounceKey(market: string, path: string): string {
  return `${market}/${path}`;
}

export interface StewardUpdateInput {
  /** `from` is taken from `active`; a given `from` that disagrees is refused as stale. */
  changes: readonly ParamChange[];
  active: GovernedParameterSet;
  settings: GovernanceSettings;
  /** Last steward (or executed proposal) update time per `stewardDebounceKey`, epoch ms. */
  lastUpdatedAtMs: Readonly<Record<string, number>>;
  nowMs: number;
}

export type StewardUpdateResult =
  | {
      ok: true;
      /** The changes with `from` filled from the active set (what the audit log records). */
      changes: ParamChange[];
      /** The parameter set after the update: the next version to store. */
      next: GovernedParameterSet;
      /** `lastUpdatedAtMs` with the touched keys set to `nowMs`. */
      lastUpdatedAtMs: Record<string, number>;
    }
  | { ok: false; issues: StewardIssue[] };

/**
 * Validates a steward update as Aave's RiskSteward does, collecting every issue rather than
 * reverting at the first, and returns the next parameter set and debounce clocks when it passes.
 */
export function validateStewardUpdate(input: StewardUpdateInput): StewardUpdateResult {
  const { active, settings, nowMs } = input;
  if (settings.steward.paused) return { ok: false, issues: [{ code: "StewardPaused", reason: "the steward is paused: updates go through a proposal" }] };
  if (input.changes.length === 0) return { ok: false, issues: [{ code: "NoZeroUpdates", reason: "an update must change at least one parameter" }] };

  const issues: StewardIssue[] = [];
  const changes: ParamChange[] = input.changes.map((change) => {
    const current = readMarketParam(active, change.market, change.path);
    if (change.from !== undefined && !jsonEqual(change.from, current)) {
      issues.push({
        code: "InvalidParams",
        path: marketFieldPath(change.market, change.path),
        reason: `stale: the active value is ${JSON.stringify(current) ?? "absent"}, the update was written against ${JSON.stringify(change.from)}`,
      });
    }
    return { market: change.market, path: change.path, from: current, to: change.to };
  });
  for (const change of changes) {
    const boundIssue = checkChangeAgainstBounds(change, settings);
    if (boundIssue) {
      issues.push(boundIssue);
      continue;
    }
    const bound = settings.steward.bounds[change.path];
    const last = input.lastUpdatedAtMs[stewardDebounceKey(change.market, change.path)];
    if (last !== undefined && nowMs - last < bound.minDelayMs) {
      issues.push({
        code: "DebounceNotRespected",
        path: marketFieldPath(change.market, change.path),
        reason: `last updated at ${new Date(last).toISOString()}; the next update is allowed from ${new Date(last + bound.minDelayMs).toISOString()}`,
      });
    }
  }
  if (issues.length === 0) {
    for (const issue of validateProposalChanges(changes, active)) issues.push({ code: "InvalidParams", path: issue.path, reason: issue.reason });
  }
  if (issues.length > 0) return { ok: false, issues };

  const lastUpdatedAtMs = { ...input.lastUpdatedAtMs };
  for (const change of changes) lastUpdatedAtMs[stewardDebounceKey(change.market, change.path)] = nowMs;
  return { ok: true, changes, next: applyChanges(active, changes), lastUpdatedAtMs };
}
